// Errors of the event store: version conflicts, corrupt logs, locks held elsewhere.
import { OperationError } from '../errors.js'

/** appendToStream's expectedVersion did not match the stream (another writer got there first). */
export class ConcurrencyError extends OperationError {
  override readonly name = 'ConcurrencyError'
  constructor(
    readonly id: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`container "${id}" changed concurrently: expected version ${expected}, found ${actual}`)
  }
}

/** A line of the log is not a valid link of the chain; `seq` is the first bad position. */
export class LogCorruptError extends OperationError {
  override readonly name = 'LogCorruptError'
  constructor(
    readonly file: string,
    readonly seq: number,
    readonly reason: string,
  ) {
    super(`${file}: seq ${seq}: ${reason}`)
  }
}

/** The container's lock is held by a live process and the caller chose not to wait (or gave up). */
export class LockedError extends OperationError {
  override readonly name = 'LockedError'
  constructor(
    readonly id: string,
    readonly holder: number | null,
  ) {
    super(`container "${id}" is locked by ${holder === null ? 'another process' : `pid ${holder}`}`)
  }
}
