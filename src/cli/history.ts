// `runj history <id>`: the audit trail, read from the container's log and, with --all, its archived generations.
// Streams: a million events print in bounded memory. --follow tails the live log through an rxjs Observable.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError, OperationError } from '../errors.js'
import { keep, parseSince, parseTypes, type EventFilter } from '../history/filters.js'
import { TableWriter, tableHeader } from '../history/format.js'
import { validateContainerId } from '../ids.js'
import type { DecodeOptions } from '../store/decode.js'
import { streamPath } from '../store/file-store.js'
import { streamRecords, type RecordLine } from '../store/stream-reader.js'
import type { Context } from './context.js'
import { warn } from './log.js'

export interface HistoryOptions {
  readonly format: string
  readonly verify: boolean
  readonly all?: boolean
  readonly since?: string
  readonly type?: string
  readonly follow?: boolean
}

const FORMATS = ['table', 'json', 'ndjson'] as const

interface Generation {
  readonly file: string
  readonly archived: boolean
}

/** Archived generations oldest first (their names are the first event's ISO time), then the live log if any. */
async function generations(root: string, id: string, all: boolean): Promise<Generation[]> {
  const live: Generation = { file: streamPath(root, id), archived: false }
  if (!all) return [live]
  const dir = join(root, 'archive', id)
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)))
  const archived = names.filter((name) => name.endsWith('.jsonl')).sort().map((name) => ({ file: join(dir, name), archived: true }))
  return [...archived, live]
}

/** Buffered stdout that waits for the pipe to drain: a million lines must not pile up in memory. */
class Output {
  private buffer = ''
  async write(text: string): Promise<void> {
    this.buffer += text
    if (this.buffer.length >= 64 * 1024) await this.flush()
  }
  async flush(): Promise<void> {
    if (this.buffer === '') return
    const text = this.buffer
    this.buffer = ''
    if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve))
  }
}

export async function history(context: Context, rawId: string, options: HistoryOptions): Promise<void> {
  const id = validateContainerId(rawId)
  if (!(FORMATS as readonly string[]).includes(options.format))
    throw new InvalidInputError('--format', `must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(options.format)}`)
  const filter: EventFilter = {
    since: options.since === undefined ? null : parseSince(options.since, new Date()),
    types: options.type === undefined ? null : parseTypes(options.type),
  }
  if (options.follow === true) {
    if (options.verify || options.all === true) throw new InvalidInputError('--follow', 'cannot be combined with --verify or --all')
    if (options.format === 'json') throw new InvalidInputError('--follow', 'prints events as they come: use --format table or ndjson')
    return follow(context, id, options.format, filter)
  }
  const gens = await generations(context.root, id, options.all === true)
  if (options.verify) return verify(gens, id)

  const out = new Output()
  const table = options.format === 'table' ? new TableWriter(process.stdout.isTTY ? process.stdout.columns : null) : null
  let printed = 0
  let found = 0
  if (table !== null) await out.write(tableHeader())
  if (options.format === 'json') await out.write('[')
  for (const [index, gen] of gens.entries()) {
    const records = streamRecords(gen.file, { verifyHashes: null, validateData: null })
    let first = true
    for (;;) {
      const next = await records.next()
      if (next.done === true) {
        if (next.value.torn !== null) warn(`${gen.file}: torn last line (${next.value.torn} bytes) ignored; the next append truncates it`)
        found += next.value.count
        break
      }
      const { record, line } = next.value
      if (!keep(filter, record)) continue
      if (table !== null) {
        if (first && gens.length > 1) await out.write(table.generation(index + 1, gens.length, gen.file, gen.archived))
        await out.write(table.row(record))
      } else if (options.format === 'ndjson') {
        // The stored line as it is (log shippers can verify it); with --all, the generation is added as a last key.
        await out.write(gens.length > 1 ? `${line.slice(0, -1)},"generation":${index + 1}}\n` : `${line}\n`)
      } else {
        const item = gens.length > 1 ? { ...record, generation: index + 1, archived: gen.archived } : record
        await out.write(`${printed === 0 ? '\n' : ',\n'}${JSON.stringify(item, null, 2).replace(/^/gm, '  ')}`)
      }
      first = false
      printed++
    }
  }
  if (found === 0) {
    const archived = options.all === true ? 0 : (await generations(context.root, id, true)).length - 1
    throw new OperationError(`container "${id}" has no history${archived > 0 ? `; it has ${archived} deleted generation${archived === 1 ? '' : 's'}: use --all` : ''}`)
  }
  if (options.format === 'json') await out.write(printed === 0 ? ']\n' : '\n]\n')
  await out.flush()
}

async function verify(gens: readonly Generation[], id: string): Promise<void> {
  const [{ isValidEventData }, { hashOf }] = await Promise.all([import('../domain/events.js'), import('../store/hash.js')])
  const options: DecodeOptions = { verifyHashes: hashOf, validateData: isValidEventData }
  let total = 0
  for (const gen of gens) {
    const records = streamRecords(gen.file, options)
    let next = await records.next()
    while (next.done !== true) next = await records.next()
    const { count, torn } = next.value
    if (torn !== null) warn(`${gen.file}: torn last line (${torn} bytes) ignored; the next append truncates it`)
    if (count === 0) continue
    total += count
    process.stdout.write(`${gen.file}: ${count} events verified, chain intact\n`)
  }
  if (total === 0) throw new OperationError(`container "${id}" has no history`)
}

async function follow(context: Context, id: string, format: string, filter: EventFilter): Promise<void> {
  const [{ followStream }, { fromEvent }] = await Promise.all([import('../history/follow.js'), import('rxjs')])
  const table = format === 'table' ? new TableWriter(process.stdout.isTTY ? process.stdout.columns : null) : null
  if (table !== null) process.stdout.write(tableHeader())
  // SIGINT ends the follow cleanly (exit 0); the stream's own end is the record that seals it.
  const events = followStream(streamPath(context.root, id), { verifyHashes: null, validateData: null }, fromEvent(process, 'SIGINT'))
  await new Promise<void>((resolve, reject) => {
    events.subscribe({
      next: (entry: RecordLine) => {
        if (keep(filter, entry.record)) process.stdout.write(table !== null ? table.row(entry.record) : `${entry.line}\n`)
      },
      error: reject,
      complete: resolve,
    })
  })
}
