// The log line's envelope: what every stored event carries besides its data (docs/log-format.md).
import type { DomainEvent } from '../domain/events.js'

export const GENESIS_HASH = '0'.repeat(64)

/** Who caused an event (design.md "The event log": actor). */
export interface Actor {
  readonly uid: number
  readonly pid: number
  readonly ppid: number
  readonly command: string
  readonly runtime: string
  /** The user name of `uid` on the host. */
  readonly user?: string
  /** The parent process's command line (conmon, containerd-shim, a shell), '' when unknown. */
  readonly parent?: string
  readonly [extra: string]: unknown
}

/** One line of `events.jsonl`, as stored. */
export type StoredEvent = DomainEvent & {
  readonly seq: number
  readonly schema: number
  readonly time: string
  readonly actor: Actor
  readonly prev: string
  readonly hash: string
}

// crypto.hash (Node >= 20.12) skips the Hash object and is about twice as fast for short inputs.
