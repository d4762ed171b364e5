// An in-memory event store with the same contract as the file store (used by tests of the use cases).
import { isValidEventData, type DomainEvent } from '../domain/events.js'
import { decodeStream } from './decode.js'
import { ConcurrencyError } from './errors.js'
import { withReentrantLock } from './lock.js'
import { encodeBatch, hashOf } from './hash.js'
import type { StoredEvent } from './record.js'
import type { AppendOptions, EventStore, StreamRead } from './store.js'

export class MemoryEventStore implements EventStore {
  private readonly streams = new Map<string, string>()

  constructor(private readonly now: () => Date = () => new Date()) {}

  async readStream(id: string): Promise<StreamRead> {
    const decoded = decodeStream(this.streams.get(id) ?? '', `memory:${id}`, { verifyHashes: hashOf, validateData: isValidEventData })
    return { ...decoded, version: decoded.events.length }
  }

  async appendToStream(id: string, events: readonly DomainEvent[], options: AppendOptions): Promise<StoredEvent[]> {
    return this.withLock(id, async () => {
      const current = await this.readStream(id)
      if (options.expectedVersion !== 'any' && options.expectedVersion !== current.version)
        throw new ConcurrencyError(id, options.expectedVersion, current.version)
      const { records, text } = encodeBatch(events, {
        version: current.version,
        prev: current.lastHash,
        time: this.now().toISOString(),
        actor: options.actor,
      })
      this.streams.set(id, (this.streams.get(id) ?? '') + text)
      return records
    })
  }

  withLock<T>(id: string, fn: () => Promise<T>, options: { wait?: boolean } = {}): Promise<T> {
    return withReentrantLock(id, `memory:${id}`, fn, options.wait ?? true)
  }
}
