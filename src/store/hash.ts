// The hash chain: RFC 8785 (JCS) canonical encoding and SHA-256, loaded only by commands that write or verify.
import { createHash, hash as oneShotHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { eventSchemaVersions } from '../domain/catalogue.js'
import type { DomainEvent } from '../domain/events.js'
import type { Actor, StoredEvent } from './record.js'

const sha256: (text: string) => string =
  typeof oneShotHash === 'function'
    ? (text) => oneShotHash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex')

function jcs(value: unknown): string {
  const text = canonicalize(value)
  if (text === undefined) throw new Error('cannot canonicalize an undefined value')
  return text
}

/**
 * Builds the stored record and its line. runj writes every line as the JCS form of the whole
 * record (hash included), so a verifier can hash the line minus its hash member directly.
 */
export function encodeRecord(fields: Omit<StoredEvent, 'hash'>): { record: StoredEvent; line: string } {
  const hash = sha256(jcs(fields))
  const record = { ...fields, hash } as StoredEvent
  return { record, line: `${jcs(record)}\n` }
}

function keysSortedDeep(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  if (Array.isArray(value)) return value.every(keysSortedDeep)
  const keys = Object.keys(value)
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) >= (keys[i] as string)) return false
  return keys.every((key) => keysSortedDeep((value as Record<string, unknown>)[key]))
}

/**
 * SHA-256 of the JCS form of `record` without `hash`. Fast path: when `line` is already the
 * JCS form of the record (JSON.stringify reproduces it and every key is sorted), the canonical
 * text is the line minus its `"hash":"…",` member. Otherwise canonicalize from scratch.
 */
export function hashOf(record: Record<string, unknown>, line: string): string {
  const member = `"hash":${JSON.stringify(record['hash'])},`
  const at = line.lastIndexOf(member)
  if (at > 0 && JSON.stringify(record) === line && keysSortedDeep(record)) {
    return sha256(line.slice(0, at) + line.slice(at + member.length))
  }
  const { hash: _omitted, ...rest } = record
  return sha256(jcs(rest))
}

/** Stamps a batch of domain events as the records following `version`/`prev`; returns them and their text. */
export function encodeBatch(
  events: readonly DomainEvent[],
  after: { version: number; prev: string; time: string; actor: Actor },
): { records: StoredEvent[]; text: string } {
  let prev = after.prev
  let text = ''
  const records = events.map((event, i) => {
    const { record, line } = encodeRecord({
      ...event,
      seq: after.version + i + 1,
      schema: eventSchemaVersions[event.type],
      time: after.time,
      actor: after.actor,
      prev,
    } as Omit<StoredEvent, 'hash'>)
    prev = record.hash
    text += line
    return record
  })
  return { records, text }
}
