// How `runj history` prints events: a fixed-width table that streams (no look-ahead for column widths) and fits
// 80 columns on a terminal, JSON, and the raw ndjson lines. Pure: no I/O.
import type { Actor, StoredEvent } from '../store/record.js'
import { summarize } from './summary.js'

const SEQ_WIDTH = 4
const EVENT_WIDTH = 21
const ACTOR_WIDTH = 14

/** The table's event name: the type without the `Container` prefix, which every lifecycle event would repeat. */
export const shortType = (type: string): string => (type.startsWith('Container') ? type.slice('Container'.length) : type)

/** `user/program`: who ran runj, and from what (the parent's program name: conmon, containerd-shim-runj-v1, bash). */
export function actorLabel(actor: Actor): string {
  const user = actor.user ?? String(actor.uid)
  const argv0 = (actor.parent ?? '').split(' ')[0] ?? ''
  const program = argv0.slice(argv0.lastIndexOf('/') + 1).replace(/^-/, '')
  return program === '' ? user : `${user}/${program}`
}

const fit = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width))

export const tableHeader = (): string => `${'TIME'.padEnd(8)}  ${'SEQ'.padStart(SEQ_WIDTH)}  ${'EVENT'.padEnd(EVENT_WIDTH)}  ${'ACTOR'.padEnd(ACTOR_WIDTH)}  SUMMARY\n`

/**
 * One event as one line: UTC time of day (a date line precedes the first event of each day), seq, event, actor,
 * summary. With `columns` (a terminal's width) the summary is cut to fit; without, it is whole (pipes, files).
 */
export class TableWriter {
  private day = ''

  constructor(private readonly columns: number | null) {}

  row(event: StoredEvent): string {
    const day = event.time.slice(0, 10)
    const dateLine = day === this.day ? '' : `-- ${day} (UTC) --\n`
    this.day = day
    const observed = event.type === 'ProcessExited' ? ' (observed)' : ''
    const prefix = `${event.time.slice(11, 19)}  ${String(event.seq).padStart(SEQ_WIDTH)}  ${fit(shortType(event.type), EVENT_WIDTH)}  ${fit(actorLabel(event.actor), ACTOR_WIDTH)}  `
    let summary = summarize(event).replace(/ \(observed\)$/, '') + observed
    if (this.columns !== null && prefix.length + summary.length > this.columns) summary = `${summary.slice(0, Math.max(10, this.columns - prefix.length) - 1)}…`
    return `${dateLine}${prefix}${summary}\n`
  }

  /** A separator naming a generation (history --all). */
  generation(index: number, total: number, file: string, archived: boolean): string {
    this.day = ''
    return `== generation ${index} of ${total}: ${archived ? 'archived' : 'live'} (${file}) ==\n`
  }
}
