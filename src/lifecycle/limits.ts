// The rctl rule set of a container: policy, linux.resources and the rules annotation merged, capped, and checked
// against the kernel's racct switch (design.md "Resource limits"). Used by create and update.
import { InvalidInputError, OperationError } from '../errors.js'
import type { HostPort } from '../host/port.js'
import { loadHostCaps, loadPolicy } from '../rctl/policy-dirs.js'
import { checkCaps, mergeRules, parseRuleList } from '../rctl/policy.js'
import { rulesFromResources } from '../rctl/resources.js'
import { formatRule } from '../rctl/rule.js'

export const POLICY_ANNOTATION = 'org.freebsd.rctl.policy'
export const RULES_ANNOTATION = 'org.freebsd.rctl.rules'

export interface Limits {
  /** Canonical rule texts without the jail:<name>: subject, in precedence order. */
  readonly rules: string[]
  /** linux.resources fields with no rctl equivalent, as JSON paths. */
  readonly ignored: string[]
}

/** Precedence per resource:action: the named policy, then linux.resources, then the rules annotation. */
export async function resolveLimits(annotations: Readonly<Record<string, string>>, resources: unknown, env: NodeJS.ProcessEnv = process.env): Promise<Limits> {
  const policyName = annotations[POLICY_ANNOTATION]
  const policy = policyName === undefined ? [] : (await loadPolicy(policyName, env)).rules
  const { rules: fromResources, ignored } = rulesFromResources(resources)
  const rulesText = annotations[RULES_ANNOTATION]
  const explicit = rulesText === undefined ? [] : parseRuleList(rulesText, `annotations["${RULES_ANNOTATION}"]`)
  const merged = mergeRules(policy, fromResources, explicit)
  if (merged.length > 0) checkCaps(merged, await loadHostCaps(env))
  return { rules: merged.map(formatRule), ignored }
}

const HOW_TO_ENABLE = 'add kern.racct.enable=1 to /boot/loader.conf and reboot (it is a boot-time tunable)'

/** Before any host action when rules are requested: rctl fails on every call while racct is off. */
export async function checkRacct(host: HostPort): Promise<void> {
  let value: string
  try {
    value = await host.sysctl('kern.racct.enable')
  } catch (error) {
    throw new OperationError(
      `rctl rules were requested but this kernel has no racct (sysctl kern.racct.enable: ${(error as Error).message}); it needs "options RACCT" and "options RCTL" (GENERIC has both)`,
      { cause: error },
    )
  }
  if (value !== '1') throw new OperationError(`rctl rules were requested but racct is disabled (kern.racct.enable=${value}); ${HOW_TO_ENABLE}`)
}

/** runc's update merge: the fields given replace the ones in force, object by object; everything else stays. */
export function mergeResources(current: unknown, patch: unknown): Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new InvalidInputError('--resources', 'must be a JSON object (linux.resources)')
  const base = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, unknown>) : {}
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    const old = merged[key]
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
    merged[key] = isObject(old) && isObject(value) ? { ...old, ...value } : value
  }
  return merged
}
