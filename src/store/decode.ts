// Reads log text back into records, checking every link: envelope, seq, prev, schema, data, and optionally hashes.
import { eventSchemaVersions, isEventType, type EventType } from '../domain/catalogue.js'
import { LogCorruptError } from './errors.js'
import { GENESIS_HASH, type StoredEvent } from './record.js'

const HEX64 = /^[0-9a-f]{64}$/
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/

export interface DecodedStream {
  readonly events: StoredEvent[]
  /** Hash of the last valid record (the next record's `prev`). */
  readonly lastHash: string
  /** A last line without its newline: a crash mid-write. Reported, never parsed as valid. */
  readonly torn: { readonly offset: number; readonly bytes: number } | null
}

export interface DecodeOptions {
  /** Recomputes every hash with this function (history --verify); otherwise links are checked through `prev`. */
  readonly verifyHashes: ((record: Record<string, unknown>, line: string) => string) | null
  /** Checks each event's data against its schema (zod, loaded only when asked for). */
  readonly validateData: ((type: EventType, data: unknown) => boolean) | null
}

function checkRecord(raw: unknown, line: string, seq: number, prev: string, options: DecodeOptions): string | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'not a JSON object'
  const r = raw as Record<string, unknown>
  if (r['seq'] !== seq) return `expected seq ${seq}, found ${JSON.stringify(r['seq'])}`
  if (r['prev'] !== prev) return 'prev does not match the hash of the previous record (broken chain)'
  if (typeof r['hash'] !== 'string' || !HEX64.test(r['hash'])) return 'hash is not 64 lowercase hex digits'
  const type = r['type']
  if (typeof type !== 'string' || !isEventType(type)) return `unknown event type ${JSON.stringify(type)}`
  // Only schema 1 exists; a newer version means a newer runj wrote it, an older one needs an upcaster.
  if (r['schema'] !== eventSchemaVersions[type]) return `unsupported schema ${JSON.stringify(r['schema'])} for ${type}`
  if (typeof r['time'] !== 'string' || !ISO_TIME.test(r['time'])) return 'time is not an ISO 8601 UTC timestamp'
  if (r['actor'] === null || typeof r['actor'] !== 'object') return 'actor is not an object'
  if (options.validateData !== null && !options.validateData(type, r['data'])) return `data does not match ${type} schema`
  if (options.verifyHashes !== null && options.verifyHashes(r, line) !== r['hash']) return 'hash does not match the record (edited)'
  return null
}

/** Checks lines one at a time, in order: what both the in-memory and the streaming readers use. */
export class LineChecker {
  count = 0
  prev = GENESIS_HASH
  constructor(
    private readonly file: string,
    private readonly options: DecodeOptions,
  ) {}

  /** The record of one complete line (without its newline); throws LogCorruptError naming the seq. */
  accept(line: string): StoredEvent {
    const seq = this.count + 1
    let raw: unknown
    try {
      raw = JSON.parse(line)
    } catch {
      throw new LogCorruptError(this.file, seq, 'line is not valid JSON')
    }
    const problem = checkRecord(raw, line, seq, this.prev, this.options)
    if (problem !== null) throw new LogCorruptError(this.file, seq, problem)
    const record = raw as StoredEvent
    this.count = seq
    this.prev = record.hash
    return record
  }
}

/**
 * Decodes log text line by line, handing each valid record to `visit`. Throws LogCorruptError
 * naming the first bad seq; a last line without its newline is returned as `torn`.
 */
export function visitStream(
  text: string,
  file: string,
  options: DecodeOptions,
  visit: (record: StoredEvent) => void,
): { count: number; lastHash: string; torn: DecodedStream['torn'] } {
  const checker = new LineChecker(file, options)
  let start = 0
  let torn: DecodedStream['torn'] = null
  while (start < text.length) {
    const end = text.indexOf('\n', start)
    if (end === -1) {
      torn = { offset: Buffer.byteLength(text.slice(0, start)), bytes: Buffer.byteLength(text.slice(start)) }
      break
    }
    visit(checker.accept(text.slice(start, end)))
    start = end + 1
  }
  return { count: checker.count, lastHash: checker.prev, torn }
}

/** Decodes a whole log into memory. Throws LogCorruptError naming the first bad seq. */
export function decodeStream(text: string, file: string, options: DecodeOptions): DecodedStream {
  const events: StoredEvent[] = []
  const { lastHash, torn } = visitStream(text, file, options, (record) => events.push(record))
  return { events, lastHash, torn }
}
