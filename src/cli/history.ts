// `runj history <id>`: the audit trail, read from the container's log (table, json, ndjson, --verify).
import { validateContainerId } from '../ids.js'
import { InvalidInputError, OperationError } from '../errors.js'
import { summarize } from '../history/summary.js'
import { readStreamFile, streamPath, verifyStreamFile } from '../store/file-store.js'
import type { StoredEvent } from '../store/record.js'
import type { StreamRead } from '../store/store.js'
import type { Context } from './context.js'
import { warn } from './log.js'

export interface HistoryOptions {
  readonly format: string
  readonly verify: boolean
}

const FORMATS = ['table', 'json', 'ndjson'] as const

export async function history(context: Context, rawId: string, options: HistoryOptions): Promise<void> {
  const id = validateContainerId(rawId)
  if (!(FORMATS as readonly string[]).includes(options.format))
    throw new InvalidInputError('--format', `must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(options.format)}`)
  const path = streamPath(context.root, id)
  if (options.verify) {
    const [{ isValidEventData }, { hashOf }] = await Promise.all([import('../domain/events.js'), import('../store/hash.js')])
    const { count, torn } = await verifyStreamFile(path, { verifyHashes: hashOf, validateData: isValidEventData })
    reportTorn(path, torn)
    if (count === 0 && torn === null) throw new OperationError(`container "${id}" has no history`)
    process.stdout.write(`${path}: ${count} events verified, chain intact\n`)
    return
  }
  const stream = await readStreamFile(path, { verifyHashes: null, validateData: null })
  reportTorn(path, stream.torn)
  if (stream.version === 0 && stream.torn === null) throw new OperationError(`container "${id}" has no history`)
  process.stdout.write(render(stream.events, options.format))
}

function reportTorn(path: string, torn: StreamRead['torn']): void {
  if (torn !== null) warn(`${path}: torn last line (${torn.bytes} bytes) ignored; the next append truncates it`)
}

function render(events: readonly StoredEvent[], format: string): string {
  if (format === 'json') return `${JSON.stringify(events, null, 2)}\n`
  if (format === 'ndjson') return events.map((event) => `${JSON.stringify(event)}\n`).join('')
  const rows = events.map((e) => [e.time, String(e.seq), e.type, `${e.actor.command}:${e.actor.pid}`, summarize(e)])
  const header = ['TIME', 'SEQ', 'EVENT', 'ACTOR', 'SUMMARY']
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: readonly string[]): string =>
    `${cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i] as number) : cell)).join('  ')}\n`
  return line(header) + rows.map(line).join('')
}
