// Maps config.json linux.resources (OCI config-linux.md "Control groups") onto rctl(8) jail rules.
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import { formatJsonPath } from '../oci/config.js'
import { ruleProblem, type Resource, type Rule } from './rule.js'

const BASE = ['linux', 'resources'] as const

// int64 and uint64 fields; -1 is the spec's "unlimited" and what runc accepts everywhere, lower values are refused.
// JSON numbers above 2^53 have already lost precision in JSON.parse; they only matter past rctl's int64 range.
const LIMIT_PROBLEM = 'must be -1 (unlimited) or a non-negative integer'
const limit = z.number(LIMIT_PROBLEM).refine((n) => Number.isInteger(n) && n >= -1, LIMIT_PROBLEM).transform(BigInt)
const deviceRate = z.looseObject({ major: z.int('expected an integer'), minor: z.int('expected an integer'), rate: limit })
const throttleList = z.array(deviceRate).optional()

// Only the fields runj maps are typed; every other field passes through to be reported as ignored.
const resourcesSchema = z.looseObject({
  memory: z.looseObject({ limit: limit.optional(), reservation: limit.optional(), swap: limit.optional() }).optional(),
  cpu: z.looseObject({ quota: limit.optional(), period: limit.optional() }).optional(),
  pids: z.looseObject({ limit: limit.optional() }).optional(),
  blockIO: z.looseObject({
    throttleReadBpsDevice: throttleList, throttleWriteBpsDevice: throttleList,
    throttleReadIOPSDevice: throttleList, throttleWriteIOPSDevice: throttleList,
  }).optional(),
})

const MAPPED: Readonly<Record<string, readonly string[]>> = {
  memory: ['limit', 'reservation', 'swap'],
  cpu: ['quota', 'period'],
  pids: ['limit'],
  blockIO: ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'],
}

/** The CFS period the kernel and runc assume when cpu.period is unset (Linux sched-bwc.rst, runc's cgroup v2 code). */
const DEFAULT_CPU_PERIOD = 100_000n

/** Every present field runj does not map, as a JSON path (e.g. linux.resources.cpu.shares). */
function ignoredFields(input: Record<string, unknown>): string[] {
  const ignored: string[] = []
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue
    const mapped = MAPPED[key]
    if (mapped === undefined) ignored.push(formatJsonPath([...BASE, key]))
    else for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined && v !== null && !mapped.includes(field)) ignored.push(formatJsonPath([...BASE, key, field]))
    }
  }
  return ignored
}

/** A whole-jail rule checked as the kernel would check it, any problem reported at the config field it came from. */
function jailRule(resource: Resource, action: string, amount: bigint, path: readonly PropertyKey[]): Rule {
  const rule: Rule = { resource, action, amount, per: null }
  const problem = ruleProblem(rule)
  if (problem !== undefined) throw new InvalidInputError(formatJsonPath([...BASE, ...path]), problem)
  return rule
}

/** The highest rate across devices: rctl has one whole-jail counter, and no device may be held below its own limit. */
const highestRate = (devices: readonly { rate: bigint }[] | undefined): bigint | undefined =>
  devices?.reduce<bigint | undefined>((top, { rate }) => (rate > 0n && (top === undefined || rate > top) ? rate : top), undefined)

/**
 * The rctl rules for linux.resources, and the fields that have no rctl equivalent. -1 (unlimited) gives no rule;
 * so does 0 for the memory fields and cpu.quota (runc's "unset"); pids.limit 0 is a real limit (runtime-spec 1.3.0, runc 1.4).
 */
export function rulesFromResources(resources: unknown): { rules: Rule[]; ignored: string[] } {
  if (resources === undefined) return { rules: [], ignored: [] }
  const parsed = resourcesSchema.safeParse(resources, { reportInput: true })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const missing = issue?.code === 'invalid_type' && issue.input === undefined
    throw new InvalidInputError(formatJsonPath([...BASE, ...(issue?.path ?? [])]), missing ? 'is required' : issue?.message ?? 'invalid')
  }
  const { memory, cpu, pids, blockIO } = parsed.data
  const rules: Rule[] = []
  const set = (value: bigint | undefined): value is bigint => value !== undefined && value > 0n

  if (set(memory?.limit)) rules.push(jailRule('memoryuse', 'deny', memory.limit, ['memory', 'limit']))
  if (set(memory?.reservation)) rules.push(jailRule('memoryuse', 'devctl', memory.reservation, ['memory', 'reservation']))
  const swapRule = swapAmount(memory?.swap, memory?.limit)
  if (swapRule !== undefined) rules.push(jailRule('swapuse', 'deny', swapRule, ['memory', 'swap']))

  if (set(cpu?.quota)) {
    const period = set(cpu.period) ? cpu.period : DEFAULT_CPU_PERIOD
    // pcpu is a percentage of one core, so 200 means two full cores; rounding up never limits below the request.
    rules.push(jailRule('pcpu', 'deny', (100n * cpu.quota + period - 1n) / period, ['cpu', 'quota']))
  }
  if (pids?.limit !== undefined && pids.limit >= 0n) rules.push(jailRule('maxproc', 'deny', pids.limit, ['pids', 'limit']))

  const throttles = [
    ['readbps', 'throttleReadBpsDevice'], ['writebps', 'throttleWriteBpsDevice'],
    ['readiops', 'throttleReadIOPSDevice'], ['writeiops', 'throttleWriteIOPSDevice'],
  ] as const
  for (const [resource, field] of throttles) {
    // A rate of 0 removes a device's throttle in the blkio interface; -1 is unlimited: neither caps the jail.
    const rate = highestRate(blockIO?.[field])
    if (rate !== undefined) rules.push(jailRule(resource, 'throttle', rate, ['blockIO', field]))
  }
  return { rules, ignored: ignoredFields(resources as Record<string, unknown>) }
}

/**
 * swapuse from memory.swap, which the spec defines as memory+swap. Follows runc's ConvertMemorySwapToCgroupV2Value:
 * 0 or -1 sets nothing, unlimited memory takes swap as is, otherwise swap must be at least the memory limit.
 */
function swapAmount(swap: bigint | undefined, memory: bigint | undefined): bigint | undefined {
  if (swap === undefined || swap <= 0n) return undefined
  if (memory === -1n) return swap
  const where = formatJsonPath([...BASE, 'memory', 'swap'])
  if (memory === undefined || memory === 0n) throw new InvalidInputError(where, 'a swap limit needs memory.limit (swap is memory+swap)')
  if (swap < memory) throw new InvalidInputError(where, `memory+swap (${swap}) must be at least memory.limit (${memory})`)
  return swap - memory
}
