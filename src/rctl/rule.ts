// One rctl(8) rule as runj writes it for a container's jail: grammar, kernel validity checks and canonical text.
import { InvalidInputError } from '../errors.js'

/** rctl(8) "RESOURCES", in the kernel's order (sys/kern/kern_rctl.c resourcenames[]). */
export const RESOURCES = [
  'cputime', 'datasize', 'stacksize', 'coredumpsize', 'memoryuse', 'memorylocked', 'maxproc', 'openfiles', 'vmemoryuse',
  'pseudoterminals', 'swapuse', 'nthr', 'msgqqueued', 'msgqsize', 'nmsgq', 'nsem', 'nsemop', 'nshm', 'shmsize', 'wallclock',
  'pcpu', 'readbps', 'writebps', 'readiops', 'writeiops',
] as const
export type Resource = (typeof RESOURCES)[number]

/** rctl(8) "ACTIONS": the sig* names are the kernel's actionnames[] list, no others. */
const SIGNAL_ACTIONS = [
  'sighup', 'sigint', 'sigquit', 'sigill', 'sigtrap', 'sigabrt', 'sigemt', 'sigfpe', 'sigkill', 'sigbus', 'sigsegv', 'sigsys',
  'sigpipe', 'sigalrm', 'sigterm', 'sigurg', 'sigstop', 'sigtstp', 'sigchld', 'sigttin', 'sigttou', 'sigio', 'sigxcpu', 'sigxfsz',
  'sigvtalrm', 'sigprof', 'sigwinch', 'siginfo', 'sigusr1', 'sigusr2', 'sigthr',
]
const ACTIONS: readonly string[] = ['deny', 'log', 'devctl', 'throttle', ...SIGNAL_ACTIONS]

// kern_racct.c racct_types[]: deny needs RACCT_DENIABLE (memoryuse and pcpu are enforced otherwise but accepted,
// kern_rctl.c rctl_rule_add); throttle needs RACCT_DECAYING and not pcpu; "/process" is refused for RACCT_SLOPPY.
const UNDENIABLE: ReadonlySet<string> = new Set(['cputime', 'wallclock', 'readbps', 'writebps', 'readiops', 'writeiops'])
const THROTTLEABLE: ReadonlySet<string> = new Set(['readbps', 'writebps', 'readiops', 'writeiops'])
const SLOPPY: ReadonlySet<string> = new Set(['pseudoterminals', 'swapuse', 'msgqqueued', 'msgqsize', 'nmsgq', 'nsem', 'nshm', 'shmsize'])
// RACCT_IN_MILLIONS: the kernel multiplies these amounts by 10^6 and refuses what then overflows int64 (ERANGE).
const IN_MILLIONS: ReadonlySet<string> = new Set(['cputime', 'wallclock', 'pcpu'])
const INT64_MAX = 2n ** 63n - 1n

/** A jail rule without its `jail:<name>:` subject, which runj adds; `per` null means per jail (rctl's default). */
export interface Rule {
  readonly resource: Resource
  readonly action: string
  readonly amount: bigint
  readonly per: 'process' | 'jail' | null
}

// expand_number(3) multipliers, powers of 1024; runj reads decimal only (no 0x, no "b") and writes plain integers.
const SUFFIX_SHIFT: Readonly<Record<string, bigint>> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n }

/** A decimal amount with an optional k/m/g/t/p/e suffix (any case), or a problem message. */
export function parseAmount(text: string): bigint | string {
  const match = /^([0-9]+)([kmgtpe]?)$/i.exec(text)
  if (match === null) return `amount "${text}" must be a non-negative decimal integer with an optional k, m, g, t, p or e suffix`
  const [, digits = '', suffix = ''] = match
  return BigInt(digits) << (SUFFIX_SHIFT[suffix.toLowerCase()] ?? 0n)
}

export const isResource = (name: string): name is Resource => (RESOURCES as readonly string[]).includes(name)

/** Why the kernel would refuse this resource/action/amount/per combination (rctl_rule_add, rctl_string_to_rule). */
export function ruleProblem(rule: Rule): string | undefined {
  const { resource, action, amount, per } = rule
  if (action === 'deny' && UNDENIABLE.has(resource)) {
    return `${resource} cannot be denied (use log, devctl, a signal${THROTTLEABLE.has(resource) ? ' or throttle' : ''})`
  }
  if (action === 'throttle' && !THROTTLEABLE.has(resource)) return 'throttle applies only to readbps, writebps, readiops and writeiops'
  if (per === 'process' && SLOPPY.has(resource)) return `${resource} is accounted per jail only, not per process`
  const max = IN_MILLIONS.has(resource) ? INT64_MAX / 1_000_000n : INT64_MAX
  if (amount < 0n || amount > max) return `amount ${amount} is outside rctl's range 0..${max}`
  // rctl_enforce divides by the amount of a throttle rule once it is exceeded.
  if (action === 'throttle' && amount === 0n) return 'a throttle amount must be at least 1'
  return undefined
}

/** Parses `resource:action=amount[/process|/jail]` (resource, action and per in any case, as the kernel's strcasecmp). */
export function parseRule(text: string, where: string): Rule {
  const fail = (why: string): never => {
    throw new InvalidInputError(where, `invalid rctl rule ${JSON.stringify(text)}: ${why}`)
  }
  const match = /^([^:=/]*):([^:=/]*)=([^:=/]*)(?:\/([^:=/]*))?$/.exec(text)
  if (match === null) {
    return fail(text.split(':').length > 2
      ? 'write resource:action=amount; runj supplies the jail:<name> subject'
      : 'expected resource:action=amount with an optional /process or /jail')
  }
  const [, resourceText = '', actionText = '', amountText = '', perText] = match
  const resource = resourceText.toLowerCase()
  if (!isResource(resource)) return fail(`unknown resource "${resourceText}" (rctl(8) knows ${RESOURCES.join(', ')})`)
  const action = actionText.toLowerCase()
  if (!ACTIONS.includes(action)) return fail(`unknown action "${actionText}" (deny, log, devctl, throttle or a signal such as sigterm)`)
  const amount = parseAmount(amountText)
  if (typeof amount === 'string') return fail(amount)
  const perLower = perText?.toLowerCase()
  if (perLower !== undefined && perLower !== 'process' && perLower !== 'jail') return fail(`per must be "process" or "jail", not "${perText}"`)
  const rule: Rule = { resource, action, amount, per: perLower ?? null }
  const problem = ruleProblem(rule)
  return problem === undefined ? rule : fail(problem)
}

/** Canonical text: lower-case names and the plain integer the kernel stores, e.g. `memoryuse:deny=536870912`. */
export const formatRule = (rule: Rule): string =>
  `${rule.resource}:${rule.action}=${rule.amount}${rule.per === null ? '' : `/${rule.per}`}`

/** The precedence key: a later source's rule replaces an earlier one with the same resource and action. */
export const ruleKey = (rule: Rule): string => `${rule.resource}:${rule.action}`

/** Resources counted in bytes (or bytes/s), which read better with a binary suffix. */
export const BYTE_RESOURCES: ReadonlySet<string> = new Set([
  'datasize', 'stacksize', 'coredumpsize', 'memoryuse', 'memorylocked', 'vmemoryuse', 'swapuse', 'msgqsize', 'shmsize', 'readbps', 'writebps',
])

/** An exact amount with the largest k/m/g/t/p/e suffix that divides it (rctl's own input form), e.g. 512M. */
export function exactAmount(amount: bigint): string {
  for (const [suffix, shift] of [['E', 60n], ['P', 50n], ['T', 40n], ['G', 30n], ['M', 20n], ['K', 10n]] as const)
    if (amount > 0n && amount % (1n << shift) === 0n) return `${amount >> shift}${suffix}`
  return String(amount)
}

/** A canonical rule text for people: `memoryuse:deny=536870912` -> `memoryuse:deny=512M` (other resources as stored). */
export function humanRule(text: string): string {
  const match = /^([a-z]+):([a-z0-9]+)=([0-9]+)(\/[a-z]+)?$/.exec(text)
  if (match === null || !BYTE_RESOURCES.has(match[1] as string)) return text
  return `${match[1]}:${match[2]}=${exactAmount(BigInt(match[3] as string))}${match[4] ?? ''}`
}
