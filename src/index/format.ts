// `runj list` output: runc's columns plus the rctl limits, or JSON. Pure.
import { humanRule } from '../rctl/rule.js'
import type { IndexEntry } from './projection.js'

const limitsSummary = (limits: readonly string[]): string => (limits.length === 0 ? '-' : limits.map(humanRule).join(' '))

export function listTable(containers: readonly IndexEntry[]): string {
  const rows = [['ID', 'PID', 'STATUS', 'CREATED', 'BUNDLE', 'LIMITS']]
  for (const c of containers) {
    const running = c.status === 'created' || c.status === 'running' || c.status === 'paused'
    rows.push([c.id, running && c.pid !== null ? String(c.pid) : '0', c.status, c.created.replace(/\.\d+Z$/, 'Z'), c.bundle, limitsSummary(c.limits)])
  }
  const widths = (rows[0] as string[]).map((_, col) => Math.max(...rows.map((row) => (row[col] as string).length)))
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] as number))).join('  ').trimEnd()).join('\n') + '\n'
}

/** runc's list --format json fields (id, pid, status, bundle, created) plus jail and limits. */
export function listJson(containers: readonly IndexEntry[]): string {
  const items = containers.map((c) => ({
    id: c.id,
    pid: (c.status === 'created' || c.status === 'running' || c.status === 'paused') && c.pid !== null ? c.pid : 0,
    status: c.status,
    bundle: c.bundle,
    created: c.created,
    jail: c.jail,
    limits: c.limits,
  }))
  return `${JSON.stringify(items, null, 2)}\n`
}
