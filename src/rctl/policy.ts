// Named rctl policies, host caps and the precedence that merges rule sources (pure: files are read in policy-dirs.ts).
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import { formatJsonPath } from '../oci/config.js'
import { formatRule, isResource, parseAmount, parseRule, ruleKey, RESOURCES, type Resource, type Rule } from './rule.js'

/** The name grammar of the org.freebsd.rctl.policy annotation; it is also a file's base name, so it cannot climb. */
export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
/** host.json holds the caps, so no policy may take that name. */
export const HOST_CAPS_NAME = 'host'

export const policyFileSchema = z.strictObject({
  name: z.string()
    .regex(POLICY_NAME, 'must be a policy name ([A-Za-z0-9][A-Za-z0-9_.-]*)')
    .refine((n) => n !== HOST_CAPS_NAME, `"${HOST_CAPS_NAME}" is reserved for host.json`),
  description: z.string().trim().min(1, 'must not be empty'),
  rules: z.array(z.string()),
})

// A cap is an amount as in a rule ("8g") or a plain JSON integer; keys are rctl(8) resource names.
const capAmount = z.union([z.string(), z.int('expected a non-negative integer or an amount such as "8g"').min(0)])
export const hostCapsSchema = z.strictObject({
  description: z.string().optional(),
  caps: z.record(z.string(), capAmount).superRefine((caps, ctx) => {
    for (const key of Object.keys(caps)) {
      if (!isResource(key)) ctx.addIssue({ code: 'custom', path: [key], message: `must be an rctl(8) resource (${RESOURCES.join(', ')})` })
    }
  }),
})

export interface Policy {
  readonly name: string
  readonly description: string
  readonly rules: readonly Rule[]
}
export type HostCaps = ReadonlyMap<Resource, bigint>

/** The first zod issue as an InvalidInputError naming the file and the field in it. */
function schemaError(error: z.ZodError, file: string): InvalidInputError {
  const issue = error.issues[0]
  const path = issue === undefined ? [] : issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path
  const problem = issue?.code === 'unrecognized_keys' ? 'unknown field' : issue?.message ?? 'invalid'
  return new InvalidInputError(path.length === 0 ? file : `${file}: ${formatJsonPath(path)}`, problem)
}

/** Rules one source gives; a resource:action twice in one source is ambiguous and refused. */
function uniqueRules(texts: readonly string[], whereOf: (index: number) => string): Rule[] {
  const seen = new Map<string, string>()
  return texts.map((text, index) => {
    const rule = parseRule(text, whereOf(index))
    const earlier = seen.get(ruleKey(rule))
    if (earlier !== undefined) throw new InvalidInputError(whereOf(index), `${ruleKey(rule)} is already set by "${earlier}"`)
    seen.set(ruleKey(rule), text)
    return rule
  })
}

/** Validates a policy file's JSON; its name must be the file's base name so the annotation finds what it names. */
export function parsePolicy(json: unknown, baseName: string, file: string): Policy {
  const parsed = policyFileSchema.safeParse(json)
  if (!parsed.success) throw schemaError(parsed.error, file)
  const { name, description, rules } = parsed.data
  if (name !== baseName) throw new InvalidInputError(`${file}: name`, `is "${name}" but the file is ${baseName}.json`)
  return { name, description, rules: uniqueRules(rules, (i) => `${file}: rules[${i}]`) }
}

/** Validates host.json's JSON into one byte/count/percent cap per resource. */
export function parseHostCaps(json: unknown, file: string): HostCaps {
  const parsed = hostCapsSchema.safeParse(json)
  if (!parsed.success) throw schemaError(parsed.error, file)
  const caps = new Map<Resource, bigint>()
  for (const [resource, value] of Object.entries(parsed.data.caps) as [Resource, string | number][]) {
    const amount = typeof value === 'number' ? BigInt(value) : parseAmount(value)
    if (typeof amount === 'string') throw new InvalidInputError(`${file}: caps.${resource}`, amount)
    caps.set(resource, amount)
  }
  return caps
}

/**
 * Several host.json files (one per policy directory) combined: the lowest cap per resource wins, because
 * RUNJ_POLICY_DIR comes from the caller's environment and must not raise a limit the administrator set.
 */
export function strictestCaps(all: readonly HostCaps[]): HostCaps {
  const caps = new Map<Resource, bigint>()
  for (const [resource, cap] of all.flatMap((one) => [...one])) {
    const current = caps.get(resource)
    if (current === undefined || cap < current) caps.set(resource, cap)
  }
  return caps
}

/** The org.freebsd.rctl.rules annotation: comma-separated rules, blanks around commas allowed. */
export function parseRuleList(text: string, where: string): Rule[] {
  const items = text.split(',').map((item) => item.trim())
  if (items.some((item) => item === '')) throw new InvalidInputError(where, 'empty rule in the comma-separated list')
  return uniqueRules(items, () => where)
}

/**
 * Precedence per resource:action: policy < linux.resources < the rules annotation. Keys keep their first position,
 * so memoryuse:deny (memory.limit) and memoryuse:devctl (memory.reservation) coexist while a later deny replaces one.
 */
export function mergeRules(policy: readonly Rule[], fromResources: readonly Rule[], explicit: readonly Rule[]): Rule[] {
  const merged = new Map<string, Rule>()
  for (const rule of [...policy, ...fromResources, ...explicit]) merged.set(ruleKey(rule), rule)
  return [...merged.values()]
}

/**
 * Refuses a deny or throttle rule whose amount is above the host's cap for its resource. log, devctl and signal
 * rules grant nothing (rctl(8) "ACTIONS": they only report or signal), so they may name any amount.
 */
export function checkCaps(rules: readonly Rule[], caps: HostCaps): void {
  for (const rule of rules) {
    const cap = caps.get(rule.resource)
    if (cap === undefined || (rule.action !== 'deny' && rule.action !== 'throttle') || rule.amount <= cap) continue
    throw new InvalidInputError('rctl', `${formatRule(rule)} requests ${rule.amount} of ${rule.resource}, above the host cap of ${cap} (host.json)`)
  }
}
