// config.json as runj accepts it (OCI runtime-spec v1.3.0 config.md, config-freebsd.md): schemas and parseOciConfig.
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import { annotationProblem } from './annotations.js'
import {
  hasControlBreak, isFsTypeName, isInterfaceName, isIPv4WithPrefix, isIPv6WithPrefix, isJailPath, isRfc1123Name,
  isSafeAbsolutePath, isSafeRelativePath,
} from './validators.js'

// config.md "Specification version": runj implements 1.0.0 through 1.3.x; pre-release and build suffixes allowed.
const OCI_VERSION = /^1\.[0-3]\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/

const NON_NEGATIVE = 'expected a non-negative integer'
const uint32 = z.int(NON_NEGATIVE).min(0, NON_NEGATIVE).max(0xffffffff, 'must fit in 32 bits')
const noNul = z.string().refine((s) => !s.includes('\0'), 'must not contain NUL')
/** Strings that end up in a jail(8) or mount(8) argument: one line, no NUL. */
const oneLine = z.string().refine((s) => !hasControlBreak(s), 'must not contain a newline or NUL')
const absolutePath = z.string().refine((s) => s.startsWith('/') && !hasControlBreak(s), 'must be an absolute path')
const rfc1123 = z.string().refine(isRfc1123Name, 'must be an RFC 1123 name (dot-separated labels of 1-63 letters, digits or "-", not starting or ending with "-"; 255 characters at most)')

/** Why one env entry is refused, if it is. Entries become separate argv items of `env -i -- K=V ...`. */
function envProblem(entry: string): string | undefined {
  if (entry.includes('\0')) return 'must not contain NUL'
  const eq = entry.indexOf('=')
  if (eq <= 0) return 'must be KEY=value with a non-empty KEY'
  // A KEY starting with "-" would be read by env(1) as an option (e.g. "-S/bin/sh -c ...").
  if (entry.startsWith('-')) return 'KEY must not start with "-"'
  return undefined
}
const envEntry = z.string().superRefine((entry, ctx) => {
  const problem = envProblem(entry)
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
})

// config.md "Process"; the Linux-only fields are accepted and ignored, other unknown fields pass through.
const rlimitSchema = z.looseObject({ type: z.string(), hard: z.number(), soft: z.number() })
const userSchema = z.object({
  uid: uint32,
  gid: uint32,
  umask: z.int(NON_NEGATIVE).min(0, NON_NEGATIVE).max(0o777, 'must be at most 0777 (511)').optional(),
  additionalGids: z.array(uint32).optional(),
  username: z.string().optional(),
})
const processSchema = z.looseObject({
  terminal: z.boolean().optional(),
  consoleSize: z.object({ height: uint32, width: uint32 }).optional(),
  user: userSchema,
  args: z.array(noNul).min(1, 'must not be empty'),
  env: z.array(envEntry).optional(),
  cwd: absolutePath,
  rlimits: z.array(rlimitSchema).optional(),
  noNewPrivileges: z.boolean().optional(),
  apparmorProfile: z.string().optional(),
  capabilities: z.looseObject({}).optional(),
  oomScoreAdj: z.int().optional(),
  selinuxLabel: z.string().optional(),
})

// config.md "Mounts": the destination is resolved inside the rootfs elsewhere; here it must not climb out.
const mountSchema = z.object({
  destination: z.string().refine(isSafeAbsolutePath, 'must be an absolute path with no ".." component, newline or NUL'),
  type: oneLine.optional(),
  source: oneLine.refine((s) => !s.startsWith('-'), 'must not start with "-"').optional(),
  options: z.array(oneLine).optional(),
})

// config.md "POSIX-platform Hooks".
const hookSchema = z.object({
  path: absolutePath,
  args: z.array(noNul).optional(),
  env: z.array(envEntry).optional(),
  timeout: z.int('must be a positive integer').min(1, 'must be a positive integer').optional(),
})
const hookList = z.array(hookSchema).optional()
const hooksSchema = z.object({
  prestart: hookList, createRuntime: hookList, createContainer: hookList, startContainer: hookList, poststart: hookList, poststop: hookList,
})

// runj owns the annotation namespaces it interprets; unknown keys elsewhere are accepted (config.md "Annotations").
const annotationsSchema = z.record(z.string(), z.string()).superRefine((annotations, ctx) => {
  for (const [key, value] of Object.entries(annotations)) {
    const problem = annotationProblem(key, value)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: [key] })
  }
})

// config-freebsd.md: strict, because every field here becomes a jail parameter and a typo must not pass silently.
const sharingMode = z.enum(['disable', 'new', 'inherit'])
const sharingModeNoDisable = z.enum(['new', 'inherit'])
const interfaceName = z.string().refine(isInterfaceName, 'must be a network interface name ([A-Za-z0-9_.], at most 15 characters)')
const allowSchema = z.strictObject({
  setHostname: z.boolean().optional(),
  rawSockets: z.boolean().optional(),
  chflags: z.boolean().optional(),
  mount: z.array(z.string().refine(isFsTypeName, 'must be a file system type name such as "tmpfs"')).optional(),
  quotas: z.boolean().optional(),
  socketAf: z.boolean().optional(),
  mlock: z.boolean().optional(),
  reservedPorts: z.boolean().optional(),
  suser: z.boolean().optional(),
  // Not in the field list but in the spec's jail(8) mapping table (allow.sysvipc), so accepted.
  sysvipc: z.boolean().optional(),
})
const jailSchema = z.strictObject({
  parent: z.string().refine(isJailPath, 'must be a jail name ([A-Za-z0-9][A-Za-z0-9_-]*, dotted for nesting)').optional(),
  host: sharingModeNoDisable.optional(),
  ip4: sharingMode.optional(),
  ip4Addr: z.array(z.string().refine(isIPv4WithPrefix, 'must be a numeric IPv4 address with an optional /prefix')).optional(),
  ip6: sharingMode.optional(),
  ip6Addr: z.array(z.string().refine(isIPv6WithPrefix, 'must be a numeric IPv6 address with an optional /prefix')).optional(),
  vnet: sharingModeNoDisable.optional(),
  interface: interfaceName.optional(),
  vnetInterfaces: z.array(interfaceName).optional(),
  sysvmsg: sharingMode.optional(),
  sysvsem: sharingMode.optional(),
  sysvshm: sharingMode.optional(),
  enforceStatfs: z.int('must be 0, 1 or 2').min(0, 'must be 0, 1 or 2').max(2, 'must be 0, 1 or 2').optional(),
  allow: allowSchema.optional(),
})
const freebsdSchema = z.strictObject({
  devices: z.array(z.strictObject({
    path: z.string().refine(isSafeRelativePath, 'must be a path relative to /dev with no ".." component'),
    mode: z.int(NON_NEGATIVE).min(0, NON_NEGATIVE).max(0o7777, 'must be a file mode, at most 07777 (4095)').optional(),
  })).optional(),
  jail: jailSchema.optional(),
})

export const ociConfigSchema = z.looseObject({
  ociVersion: z.string().superRefine((v, ctx) => {
    if (!OCI_VERSION.test(v)) ctx.addIssue({ code: 'custom', message: `unsupported ociVersion ${JSON.stringify(v)}: runj supports 1.0.0 to 1.3.x` })
  }),
  root: z.object({ path: oneLine.min(1, 'must not be empty'), readonly: z.boolean().optional() }),
  process: processSchema.optional(),
  hostname: rfc1123.optional(),
  domainname: rfc1123.optional(),
  mounts: z.array(mountSchema).optional(),
  hooks: hooksSchema.optional(),
  annotations: annotationsSchema.optional(),
  freebsd: freebsdSchema.optional(),
  // Other platforms' sections: accepted loosely (linux.resources is mapped and ignored fields reported elsewhere).
  linux: z.looseObject({}).optional(),
  solaris: z.looseObject({}).optional(),
  windows: z.looseObject({}).optional(),
  vm: z.looseObject({}).optional(),
})

export type OciConfig = z.infer<typeof ociConfigSchema>
export type OciProcess = z.infer<typeof processSchema>
export type OciUser = z.infer<typeof userSchema>
export type OciRlimit = z.infer<typeof rlimitSchema>
export type OciMount = z.infer<typeof mountSchema>
export type OciHook = z.infer<typeof hookSchema>
export type OciHooks = z.infer<typeof hooksSchema>
export type OciFreeBSD = z.infer<typeof freebsdSchema>
export type OciFreeBSDJail = z.infer<typeof jailSchema>

/** A JSON path as the CLI prints it: process.user.uid, mounts[2].destination, annotations["org.freebsd.jail.vnet"]. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out === '' ? key : `.${key}`
    else out += `[${JSON.stringify(String(key))}]`
  }
  return out === '' ? 'config.json' : out
}

/** Parses and validates config.json text; the first problem becomes one InvalidInputError (exit 2). */
export function parseOciConfig(text: string): OciConfig {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InvalidInputError('config.json', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const result = ociConfigSchema.safeParse(json, { reportInput: true })
  if (result.success) return result.data
  const issue = result.error.issues[0]
  if (issue === undefined) throw new InvalidInputError('config.json', 'invalid')
  if (issue.code === 'unrecognized_keys') {
    throw new InvalidInputError(formatJsonPath([...issue.path, issue.keys[0] ?? '']), 'unknown field (runj refuses unknown fields in the freebsd section)')
  }
  const missing = issue.code === 'invalid_type' && issue.input === undefined
  throw new InvalidInputError(formatJsonPath(issue.path), missing ? 'is required' : issue.message)
}

/** An OCI process object on its own (`runj exec --process FILE`), validated like config.json's `process`. */
export function parseOciProcess(text: string, where: string): OciProcess {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InvalidInputError(where, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const result = processSchema.safeParse(json, { reportInput: true })
  if (result.success) return result.data
  const issue = result.error.issues[0]
  if (issue === undefined) throw new InvalidInputError(where, 'invalid')
  const missing = issue.code === 'invalid_type' && issue.input === undefined
  throw new InvalidInputError(`${where}: ${formatJsonPath(['process', ...issue.path])}`, missing ? 'is required' : issue.message)
}
