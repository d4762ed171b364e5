// Pure normalisation of config.json mounts (config.md "Mounts") into the FreeBSD file systems runj mounts.
import { InvalidInputError } from '../errors.js'
import type { OciConfig, OciMount } from './config.js'

export type MountType = 'nullfs' | 'devfs' | 'tmpfs' | 'fdescfs' | 'linprocfs' | 'linsysfs' | 'mqueuefs'

export interface MountPlan {
  /** Its index in config.json's mounts (dropped Linux mounts leave gaps), for error messages. */
  index: number
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
  linprocfs: [],
  linsysfs: [],
  mqueuefs: [],
}
// Linux file systems and their FreeBSD equivalents (docs/linux.md): the Linuxulator's linprocfs(5), linsysfs(5),
// and mqueuefs(5); devpts has no equivalent because devfs provides /dev/pts, and cgroups do not exist.
const LINUX_EQUIVALENT: Readonly<Record<string, MountType>> = { proc: 'linprocfs', sysfs: 'linsysfs', mqueue: 'mqueuefs' }
const LINUX_DROPPED: Readonly<Record<string, string>> = {
  devpts: 'dropped: devfs provides /dev/pts',
  cgroup: 'dropped: FreeBSD has no cgroups (limits are rctl rules)',
  cgroup2: 'dropped: FreeBSD has no cgroups (limits are rctl rules)',
}
const DIRECT_TYPES = new Set<string>(['nullfs', 'devfs', 'tmpfs', 'fdescfs', 'linprocfs', 'linsysfs', 'mqueuefs'])
/** The devfs ruleset jails get by default (devfs.rules(5) devfsrules_jail). */
const JAIL_DEVFS_RULESET = 'ruleset=4'

/** The FreeBSD type for a config mount, or null when the mount is dropped (the reason goes to `adapted`). */
function typeOf(mount: OciMount, where: string, adapted: string[]): MountType | null {
  const options = mount.options ?? []
  const bind = options.includes('bind') || options.includes('rbind')
  const type = mount.type
  // A Linux bind mount is spelled type "bind", or any of "none"/absent with a bind option; nullfs(5) is the equivalent.
  if (type === 'bind' || (bind && (type === undefined || type === 'none' || type === 'nullfs'))) return 'nullfs'
  if (type === undefined) throw new InvalidInputError(`${where}.type`, 'is required unless options contain "bind" or "rbind"')
  if (bind) throw new InvalidInputError(`${where}.options`, `"bind"/"rbind" cannot be used with type "${type}"`)
  const dropped = LINUX_DROPPED[type]
  if (dropped !== undefined) {
    adapted.push(`${where} ${type} on ${mount.destination}: ${dropped}`)
    return null
  }
  const equivalent = LINUX_EQUIVALENT[type]
  if (equivalent !== undefined) {
    adapted.push(`${where} ${type} on ${mount.destination}: mounted as ${equivalent}`)
    return equivalent
  }
  // containerd's and podman's /dev is a tmpfs they fill with device nodes; a jail gets devfs with the jail ruleset.
  if (type === 'tmpfs' && mount.destination.replace(/\/+$/, '') === '/dev') {
    adapted.push(`${where} tmpfs on /dev: mounted as devfs with ${JAIL_DEVFS_RULESET}`)
    return 'devfs'
  }
  if (!DIRECT_TYPES.has(type)) {
    throw new InvalidInputError(`${where}.type`, `unsupported mount type "${type}" (runj mounts bind/nullfs, devfs, tmpfs, fdescfs, and proc, sysfs, mqueue as their FreeBSD equivalents)`)
  }
  return type as MountType
}

// Options with a value of the Linux file systems runj replaces (a /dev tmpfs's): dropped with the type, and said so.
const LINUX_VALUE_OPTIONS = /^(mode|size|gid|uid|ptmxmode|nr_inodes|nr_blocks|newinstance|context|seclabel)(=|$)/
// tmpfs(5): Linux's nr_inodes is FreeBSD's inodes.
const TRANSLATED: Readonly<Partial<Record<MountType, (option: string) => string | null>>> = {
  tmpfs: (option) => (/^nr_inodes=[0-9]+[kKmMgG]?$/.test(option) ? option.slice('nr_'.length) : null),
}

function optionsFor(type: MountType, options: readonly string[], where: string, destination: string, adapted: string[], fromLinux: boolean): string[] {
  const kept: string[] = []
  const dropped: string[] = []
  options.forEach((option, j) => {
    const translated = TRANSLATED[type]?.(option) ?? null
    if (GENERIC.has(option) || TYPE_OPTIONS[type].some((pattern) => pattern.test(option))) kept.push(option)
    else if (translated !== null) {
      kept.push(translated)
      adapted.push(`${where} ${type} on ${destination}: option ${option} as ${translated}`)
    }
    // bind and rbind chose nullfs; they are the mount's type, not an option to drop.
    else if (option === 'bind' || option === 'rbind') return
    // A value option of the Linux file system a FreeBSD one replaced; on a FreeBSD type it is a mistake to refuse.
    else if (IGNORED_MOUNT_OPTIONS.has(option) || (fromLinux && LINUX_VALUE_OPTIONS.test(option))) dropped.push(option)
    else throw new InvalidInputError(`${where}.options[${j}]`, `unsupported ${type} option "${option}"`)
  })
  if (dropped.length > 0) adapted.push(`${where} ${type} on ${destination}: options ${dropped.join(' ')} dropped (no FreeBSD equivalent)`)
  // A /dev tmpfs from a Linux config becomes devfs with the jail ruleset (an explicit devfs mount keeps its own).
  if (type === 'devfs' && fromLinux && !kept.some((option) => option.startsWith('ruleset='))) kept.push(JAIL_DEVFS_RULESET)
  return kept
}

/**
 * One MountPlan per config mount that is mounted, in order, and what was adapted from Linux (recorded in the create
 * event); throws InvalidInputError naming mounts[i] for anything runj cannot mount.
 */
export function normalizeMounts(config: OciConfig): { mounts: MountPlan[]; adapted: string[] } {
  const adapted: string[] = []
  const mounts = (config.mounts ?? []).flatMap((mount, i): MountPlan[] => {
    const where = `mounts[${i}]`
    const type = typeOf(mount, where, adapted)
    if (type === null) return []
    const fromLinux = type !== mount.type && type !== 'nullfs'
    const source = type === 'nullfs' ? mount.source ?? '' : fromLinux ? type : mount.source ?? type
    // nullfs(5) mounts a host directory: it must be named absolutely, never relative to runj's cwd.
    if (type === 'nullfs' && !source.startsWith('/')) throw new InvalidInputError(`${where}.source`, 'must be an absolute host path for a bind mount')
    return [{ index: i, type, source, destination: mount.destination, options: optionsFor(type, mount.options ?? [], where, mount.destination, adapted, fromLinux) }]
  })
  return { mounts, adapted }
}
