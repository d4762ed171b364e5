// history's --since and --type: parsed and checked up front (exit 2 with the flag named), applied per event. Pure.
import { eventTypes } from '../domain/catalogue.js'
import { InvalidInputError } from '../errors.js'

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * --since: an ISO 8601 date or date-time (a time without a zone is UTC, as the log's times are), or a duration
 * back from `now` such as 90s, 10m, 2h, 7d. Returns the ISO time to compare with each event's `time`.
 */
export function parseSince(text: string, now: Date): string {
  const relative = /^([0-9]+)([smhd])$/.exec(text)
  if (relative !== null) return new Date(now.getTime() - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number)).toISOString()
  const iso = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/.exec(text)
  const time = iso === null ? Number.NaN : Date.parse(iso[4] === undefined ? `${text.replace(' ', 'T')}${iso[1] === undefined ? '' : 'Z'}` : text.replace(' ', 'T'))
  if (Number.isNaN(time)) throw new InvalidInputError('--since', `${JSON.stringify(text)} is not a time (2026-12-03, 2026-12-03T10:00:00Z) or a duration (90s, 10m, 2h, 7d)`)
  return new Date(time).toISOString()
}

/** --type T[,T]: event type names, checked against the catalogue. */
export function parseTypes(text: string): ReadonlySet<string> {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '')
  if (names.length === 0) throw new InvalidInputError('--type', 'names no event type')
  for (const name of names) {
    if (!(eventTypes as readonly string[]).includes(name))
      throw new InvalidInputError('--type', `unknown event type ${JSON.stringify(name)} (known: ${eventTypes.join(', ')})`)
  }
  return new Set(names)
}

export interface EventFilter {
  readonly since: string | null
  readonly types: ReadonlySet<string> | null
}

export const keep = (filter: EventFilter, event: { type: string; time: string }): boolean =>
  (filter.since === null || event.time >= filter.since) && (filter.types === null || filter.types.has(event.type))
