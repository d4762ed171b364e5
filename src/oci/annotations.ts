// The config.json annotations runj interprets (org.freebsd.jail.*, org.freebsd.rctl.*, org.freebsd.parentJail).
import { hasControlBreak, isIPv4WithPrefix, isIPv6WithPrefix, isJailPath } from './validators.js'

/** OCI config.md "Annotations": keys are reverse-domain; runj owns these two namespaces and refuses unknown keys in them. */
const OWNED_NAMESPACES = ['org.freebsd.jail.', 'org.freebsd.rctl.']

export const PARENT_JAIL_ANNOTATION = 'org.freebsd.parentJail'
export const JAIL_ANNOTATION_PREFIX = 'org.freebsd.jail.'

/** jail(8) allow.* booleans runj lets an annotation set (jail(8) "allow.*" and module-specific "allow.mount.*"). */
export const ANNOTATION_ALLOW_NAMES: readonly string[] = [
  'raw_sockets', 'chflags', 'mount', 'mount.devfs', 'mount.nullfs', 'mount.tmpfs', 'mount.procfs', 'mount.fdescfs',
  'mount.linprocfs', 'mount.linsysfs', 'mlock', 'set_hostname', 'quotas', 'socket_af', 'reserved_ports', 'suser', 'sysvipc',
]

const oneOf = (...values: string[]) => (v: string): string | undefined =>
  values.includes(v) ? undefined : `must be ${values.map((x) => JSON.stringify(x)).join(' or ')}`

const addressList = (ok: (entry: string) => boolean, family: string) => (v: string): string | undefined =>
  v.split(',').every(ok) ? undefined : `must be a comma-separated list of numeric ${family} addresses, each with an optional /prefix`

const BOOLEAN_VALUES = ['true', 'false', '1', '0']

/** Checks per known key; each returns a problem, or undefined when the value is acceptable. */
const KNOWN: ReadonlyMap<string, (value: string) => string | undefined> = new Map([
  [PARENT_JAIL_ANNOTATION, (v: string) => (isJailPath(v) ? undefined : 'must be a jail name ([A-Za-z0-9][A-Za-z0-9_-]*, dotted for nesting)')],
  ['org.freebsd.jail.vnet', oneOf('new', 'inherit')],
  ['org.freebsd.jail.ip4.addr', addressList(isIPv4WithPrefix, 'IPv4')],
  ['org.freebsd.jail.ip6.addr', addressList(isIPv6WithPrefix, 'IPv6')],
  ['org.freebsd.jail.sysvmsg', oneOf('disable', 'new', 'inherit')],
  ['org.freebsd.jail.sysvsem', oneOf('disable', 'new', 'inherit')],
  ['org.freebsd.jail.sysvshm', oneOf('disable', 'new', 'inherit')],
  ...ANNOTATION_ALLOW_NAMES.map((name) => [`org.freebsd.jail.allow.${name}`, oneOf(...BOOLEAN_VALUES)] as const),
  ['org.freebsd.rctl.policy', (v: string) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v) ? undefined : 'must be a policy name ([A-Za-z0-9][A-Za-z0-9_.-]*)')],
  // The rules grammar is rctl(8)'s and is checked where rules are applied; here only what would break a line.
  ['org.freebsd.rctl.rules', (v: string) => (v.trim() === '' ? 'must not be empty' : hasControlBreak(v) ? 'must not contain a newline or NUL' : undefined)],
])

/** Returns the problem with one annotation, or undefined when runj accepts it (unknown keys outside its namespaces pass). */
export function annotationProblem(key: string, value: string): string | undefined {
  const check = KNOWN.get(key)
  if (check !== undefined) return check(value)
  return OWNED_NAMESPACES.some((ns) => key.startsWith(ns))
    ? `unknown annotation in a namespace runj interprets (${OWNED_NAMESPACES.map((ns) => `${ns}*`).join(', ')})`
    : undefined
}

/** "true"/"1" or "false"/"0" as validated above. */
export const annotationBoolean = (value: string): boolean => value === 'true' || value === '1'
