// Pure normalisation of config.json mounts (config.md "Mounts") into the FreeBSD file systems runj mounts.
import { InvalidInputError } from '../errors.js'
import type { OciConfig, OciMount } from './config.js'

export type MountType = 'nullfs' | 'devfs' | 'tmpfs' | 'fdescfs'

export interface MountPlan {
  type: MountType
  source: string
  /** Absolute, inside the container; resolved against the rootfs (without following symlinks out) elsewhere. */
  destination: string
  /** mount(8) -o options, one per entry; each is known to runj, so none carries a "," or an unexpected value. */
  options: string[]
}

// mount(8) generic options runj passes through for every type.
export const GENERIC_MOUNT_OPTIONS: ReadonlySet<string> = new Set(['ro', 'rw', 'nosuid', 'noexec', 'noatime'])
const GENERIC = GENERIC_MOUNT_OPTIONS
// Linux options that have no FreeBSD meaning and are dropped: propagation flags (FreeBSD has no mount
// propagation), positive defaults, and nodev (FreeBSD only creates device nodes on devfs, so it always holds).
export const IGNORED_MOUNT_OPTIONS: ReadonlySet<string> = new Set([
  'bind', 'rbind', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable',
  'nodev', 'dev', 'suid', 'exec', 'atime', 'relatime', 'norelatime', 'strictatime',
])
// Per-type options with values: devfs(5)/mount_devfs ruleset, tmpfs(5) and fdescfs(5) options.
export const TYPE_OPTIONS: Record<MountType, readonly RegExp[]> = {
  nullfs: [],
  devfs: [/^ruleset=[0-9]+$/],
  tmpfs: [/^size=[0-9]+[kKmMgGtT]?$/, /^maxfilesize=[0-9]+[kKmMgGtT]?$/, /^inodes=[0-9]+[kKmMgG]?$/, /^mode=[0-7]{1,4}$/, /^uid=[0-9]+$/, /^gid=[0-9]+$/],
  fdescfs: [/^linrdlnk$/, /^nodup$/, /^rdlnk$/],
}
// Linux-only file systems; another issue maps them to linprocfs/linsysfs or equivalents.
const LINUX_TYPES = new Set(['proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'])
const DIRECT_TYPES = new Set<string>(['nullfs', 'devfs', 'tmpfs', 'fdescfs'])

function typeOf(mount: OciMount, where: string): MountType {
  const options = mount.options ?? []
  const bind = options.includes('bind') || options.includes('rbind')
  const type = mount.type
  // A Linux bind mount is spelled type "bind", or any of "none"/absent with a bind option; nullfs(5) is the equivalent.
  if (type === 'bind' || (bind && (type === undefined || type === 'none' || type === 'nullfs'))) return 'nullfs'
  if (type === undefined) throw new InvalidInputError(`${where}.type`, 'is required unless options contain "bind" or "rbind"')
  if (bind) throw new InvalidInputError(`${where}.options`, `"bind"/"rbind" cannot be used with type "${type}"`)
  if (LINUX_TYPES.has(type)) throw new InvalidInputError(`${where}.type`, `Linux mount type "${type}" is not supported yet`)
  if (!DIRECT_TYPES.has(type)) {
    throw new InvalidInputError(`${where}.type`, `unsupported mount type "${type}" (runj mounts bind/nullfs, devfs, tmpfs and fdescfs)`)
  }
  return type as MountType
}

function optionsFor(type: MountType, options: readonly string[], where: string): string[] {
  const kept: string[] = []
  options.forEach((option, j) => {
    if (GENERIC.has(option) || TYPE_OPTIONS[type].some((pattern) => pattern.test(option))) kept.push(option)
    else if (!IGNORED_MOUNT_OPTIONS.has(option)) throw new InvalidInputError(`${where}.options[${j}]`, `unsupported ${type} option "${option}"`)
  })
  return kept
}

/** One MountPlan per config mount, in order; throws InvalidInputError naming mounts[i] for anything runj cannot mount. */
export function normalizeMounts(config: OciConfig): MountPlan[] {
  return (config.mounts ?? []).map((mount, i) => {
    const where = `mounts[${i}]`
    const type = typeOf(mount, where)
    const source = mount.source ?? (type === 'nullfs' ? '' : type)
    // nullfs(5) mounts a host directory: it must be named absolutely, never relative to runj's cwd.
    if (type === 'nullfs' && !source.startsWith('/')) throw new InvalidInputError(`${where}.source`, 'must be an absolute host path for a bind mount')
    return { type, source, destination: mount.destination, options: optionsFor(type, mount.options ?? [], where) }
  })
}
