// Pure string checks shared by the config.json schema, annotations and the jail(8) mapping.

/** NUL ends a C string early and a newline splits a jail.conf/fstab line: neither may reach an argv. */
export const hasControlBreak = (s: string): boolean => s.includes('\0') || s.includes('\n') || s.includes('\r')

/** An absolute path whose components never climb ("..") and that carries no NUL or newline. */
export function isSafeAbsolutePath(p: string): boolean {
  return p.startsWith('/') && !hasControlBreak(p) && !p.split('/').includes('..')
}

/** A relative path (e.g. under /dev) that stays below its base: no leading "/", no ".." component. */
export function isSafeRelativePath(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !hasControlBreak(p) && !p.split('/').includes('..')
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/

/** RFC 1123 section 2.1 host name: dot-separated labels of 1-63 letters, digits or "-", not at either end; <= 255 in all. */
export function isRfc1123Name(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name.split('.').every((label) => LABEL.test(label))
}

const JAIL_NAME_COMPONENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

/** A jail name, possibly dotted for hierarchical jails (jail(8) "Hierarchical Jails": parent.child). */
export function isJailPath(name: string): boolean {
  return name.split('.').every((part) => JAIL_NAME_COMPONENT.test(part) && !/^[0-9]+$/.test(part))
}

function isIPv4(addr: string): boolean {
  const parts = addr.split('.')
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)
}

function isIPv6(addr: string): boolean {
  const halves = addr.split('::')
  if (halves.length > 2) return false
  const groups = (half: string | undefined): string[] => (half === undefined || half === '' ? [] : half.split(':'))
  const all = [...groups(halves[0]), ...groups(halves[1])]
  // An embedded dotted quad (::ffff:1.2.3.4) may end the address and counts as two groups.
  const last = all[all.length - 1]
  const tailIsV4 = last !== undefined && last.includes('.')
  if (tailIsV4 && !isIPv4(last)) return false
  const hex = tailIsV4 ? all.slice(0, -1) : all
  if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false
  const count = hex.length + (tailIsV4 ? 2 : 0)
  return halves.length === 2 ? count <= 7 : count === 8
}

/** One ip4.addr entry as jail(8) takes it: numeric address, optional "/prefix" (no "iface|" form: that runs ifconfig). */
export function isIPv4WithPrefix(entry: string): boolean {
  const [addr = '', prefix, extra] = entry.split('/')
  return extra === undefined && isIPv4(addr) && (prefix === undefined || (/^[0-9]{1,2}$/.test(prefix) && Number(prefix) <= 32))
}

/** One ip6.addr entry: numeric IPv6 address, optional "/prefix" up to 128. */
export function isIPv6WithPrefix(entry: string): boolean {
  const [addr = '', prefix, extra] = entry.split('/')
  return extra === undefined && isIPv6(addr) && (prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= 128))
}

/** A network interface name as ifconfig(8) knows it (IFNAMSIZ is 16 including the NUL). */
export const isInterfaceName = (name: string): boolean => /^[A-Za-z0-9_.]{1,15}$/.test(name) && !/^\.+$/.test(name)

/** A file system type name as lsvfs(1) lists it, used in allow.mount.<fs> (jail(8) "allow.mount.*"). */
export const isFsTypeName = (name: string): boolean => /^[a-z][a-z0-9]{0,15}$/.test(name)
