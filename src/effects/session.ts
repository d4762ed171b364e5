// One command's view of a container: its replayed state and version, and appends that keep both current.
import type { DomainEvent } from '../domain/events.js'
import { evolve, initialState, type ContainerState } from '../domain/state.js'
import type { Actor } from '../store/record.js'
import type { EventStore } from '../store/store.js'

export class ContainerSession {
  private constructor(
    readonly id: string,
    private readonly store: EventStore,
    private readonly actor: Actor,
    public state: ContainerState,
    public version: number,
    /** Time of the stream's first event: names the archived generation. */
    public firstTime: string | null,
    public lastEvent: DomainEvent | null,
  ) {}

  static async open(store: EventStore, id: string, actor: Actor): Promise<ContainerSession> {
    const stream = await store.readStream(id)
    const state = stream.events.reduce(evolve, initialState())
    return new ContainerSession(id, store, actor, state, stream.version, stream.events[0]?.time ?? null, stream.events.at(-1) ?? null)
  }

  /** Appends at the version this session replayed: another writer in between is a conflict, not a merge. */
  async append(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return
    const stored = await this.store.appendToStream(this.id, events, { expectedVersion: this.version, actor: this.actor })
    this.state = events.reduce(evolve, this.state)
    this.version += events.length
    this.firstTime ??= stored[0]?.time ?? null
    this.lastEvent = events.at(-1) ?? null
  }
}
