// `runj usage`: rctl -u figures beside the container's rules, as exact numbers (json) or for people (table). Pure.
import { BYTE_RESOURCES, exactAmount, RESOURCES } from './rule.js'

export interface LimitUsage {
  readonly rule: string
  readonly resource: string
  readonly action: string
  readonly amount: bigint
  readonly per: string | null
  readonly usage: bigint | null
  /** usage / amount in percent, one decimal; null when there is no usage figure or the amount is 0. */
  readonly percent: number | null
}

export interface UsageReport {
  readonly id: string
  readonly jail: string
  readonly usage: ReadonlyMap<string, bigint>
  readonly limits: readonly LimitUsage[]
}

export function usageReport(id: string, jail: string, rules: readonly string[], usage: ReadonlyMap<string, bigint>): UsageReport {
  const limits = rules.flatMap((rule): LimitUsage[] => {
    const match = /^([a-z]+):([a-z0-9]+)=([0-9]+)(?:\/([a-z]+))?$/.exec(rule)
    if (match === null) return []
    const [, resource = '', action = '', amountText = '', per] = match
    const amount = BigInt(amountText)
    const used = usage.get(resource) ?? null
    const percent = used === null || amount === 0n ? null : Number((used * 1000n) / amount) / 10
    return [{ rule, resource, action, amount, per: per ?? null, usage: used, percent }]
  })
  return { id, jail, usage, limits }
}

/** A JSON number when exact, else the decimal string (rctl amounts reach 2^63). */
const exact = (n: bigint): number | string => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n))

export function usageJson(report: UsageReport): unknown {
  return {
    id: report.id,
    jail: report.jail,
    limits: report.limits.map((l) => ({ rule: l.rule, resource: l.resource, action: l.action, amount: exact(l.amount), per: l.per, usage: l.usage === null ? null : exact(l.usage), percent: l.percent })),
    usage: Object.fromEntries([...report.usage].map(([k, v]) => [k, exact(v)])),
  }
}

/** 1.5G, 512M, 10K (binary, one decimal below 10 units, as humanize_number(3) would), or a plain count. */
export function humanAmount(resource: string, n: bigint): string {
  if (resource === 'pcpu') return `${n}%`
  if (resource === 'cputime' || resource === 'wallclock') return `${n}s`
  if (!BYTE_RESOURCES.has(resource)) return String(n)
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E']
  let value = Number(n)
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  if (unit === 0) return `${n}B`
  return `${value < 10 && !Number.isInteger(value) ? value.toFixed(1) : Math.round(value)}${units[unit]}`
}

/** Limits first (in rule order), then every other resource in use; columns padded, no colour. */
export function usageTable(report: UsageReport): string {
  const rows: string[][] = [['RESOURCE', 'USAGE', 'LIMIT', 'USE']]
  for (const l of report.limits) {
    const limit = `${l.action} ${exactOrHuman(l.resource, l.amount)}${l.per === null ? '' : `/${l.per}`}`
    rows.push([l.resource, l.usage === null ? '-' : humanAmount(l.resource, l.usage), limit, l.percent === null ? '-' : `${Math.round(l.percent)}%`])
  }
  const limited = new Set(report.limits.map((l) => l.resource))
  for (const resource of RESOURCES) {
    const used = report.usage.get(resource)
    if (used !== undefined && used > 0n && !limited.has(resource)) rows.push([resource, humanAmount(resource, used), '-', '-'])
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)))
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd()).join('\n') + '\n'
}

/** A limit is shown as the administrator wrote it when that is exact (512M), else as the number. */
const exactOrHuman = (resource: string, amount: bigint): string =>
  BYTE_RESOURCES.has(resource) ? exactAmount(amount) : humanAmount(resource, amount)
