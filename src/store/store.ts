// The narrow event-store interface every implementation passes the same contract suite against.
import type { DomainEvent } from '../domain/events.js'
import type { DecodedStream } from './decode.js'
import type { Actor, StoredEvent } from './record.js'

export interface AppendOptions {
  /** The stream's version (last seq, 0 for none) the caller decided on; 'any' skips the check. */
  readonly expectedVersion: number | 'any'
  readonly actor: Actor
}

export interface StreamRead extends DecodedStream {
  /** Last seq in the stream; 0 when the stream does not exist. */
  readonly version: number
}

export interface EventStore {
  readStream(id: string): Promise<StreamRead>
  /** Appends under the container's lock after the expected-version check; returns the stored records. */
  appendToStream(id: string, events: readonly DomainEvent[], options: AppendOptions): Promise<StoredEvent[]>
  /** Runs `fn` holding the container's lock (re-entrant); `wait: false` fails at once when it is held. */
  withLock<T>(id: string, fn: () => Promise<T>, options?: { wait?: boolean }): Promise<T>
}
