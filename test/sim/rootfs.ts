// Builds a tiny jail root filesystem from host binaries (plus their shared libraries) for simulator tests.
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export interface RootfsUser {
  name: string
  uid: number
  gid: number
  /** Supplementary group names; unknown ones are created with the first free gid from 1000. */
  groups?: string[]
  home?: string
  shell?: string
  /** Login class: when any user has one, etc/master.passwd (10 fields, with the class) is written too. */
  loginClass?: string
}

export interface RootfsOptions {
  /** Users besides root (uid 0). */
  users?: RootfsUser[]
  /** Content of etc/login.conf (jexec -U emulates setusercontext(3) from it). */
  loginConf?: string
}

const searchPath = ['/usr/bin', '/bin', '/usr/sbin', '/sbin']

function locate(program: string): string {
  if (program.startsWith('/')) return program
  for (const d of searchPath) {
    const p = join(d, program)
    if (existsSync(p)) return p
  }
  throw new Error(`buildRootfs: ${program} not found on the host`)
}

// The shared objects a dynamically linked program loads, from ldd(1): "name => /path (addr)" or "/path (addr)".
function libraries(program: string): string[] {
  let out: string
  try {
    out = execFileSync('ldd', [program], { encoding: 'utf8' })
  } catch {
    return [] // statically linked: ldd exits non-zero
  }
  const libs: string[] = []
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)
    if (m?.[1]) libs.push(m[1])
  }
  return libs
}

function copyInto(root: string, hostPath: string, target: string): void {
  const dest = join(root, target)
  mkdirSync(dirname(dest), { recursive: true })
  if (!existsSync(dest)) copyFileSync(hostPath, dest) // follows symlinks: the real file lands under the link's name
  chmodSync(dest, 0o755)
}

/**
 * Create a root filesystem at `dir`: each program goes to /bin/<name> with the libraries it needs at their host
 * paths; etc/passwd, etc/group (and etc/master.passwd, etc/login.conf when asked) describe the users.
 * Returns `dir`.
 */
export function buildRootfs(dir: string, programs: string[], opts: RootfsOptions = {}): string {
  for (const d of ['bin', 'etc', 'tmp', 'root', 'dev', 'usr/bin']) mkdirSync(join(dir, d), { recursive: true })
  chmodSync(join(dir, 'tmp'), 0o1777)
  for (const program of programs) {
    const host = locate(program)
    copyInto(dir, host, join('bin', basename(program)))
    for (const lib of libraries(host)) copyInto(dir, lib, lib)
  }
  const users: Required<Omit<RootfsUser, 'loginClass'>>[] = [
    { name: 'root', uid: 0, gid: 0, groups: [], home: '/root', shell: '/bin/sh' },
  ]
  const classes = new Map<string, string>()
  for (const u of opts.users ?? []) {
    const home = u.home ?? `/home/${u.name}`
    users.push({ name: u.name, uid: u.uid, gid: u.gid, groups: u.groups ?? [], home, shell: u.shell ?? '/bin/sh' })
    if (u.loginClass !== undefined) classes.set(u.name, u.loginClass)
    mkdirSync(join(dir, home), { recursive: true })
  }
  const groups = new Map<string, { gid: number; members: string[] }>([['wheel', { gid: 0, members: ['root'] }]])
  for (const u of users) if (![...groups.values()].some(g => g.gid === u.gid)) groups.set(u.name, { gid: u.gid, members: [] })
  let next = 1000
  for (const u of users) {
    for (const g of u.groups) {
      while ([...groups.values()].some(x => x.gid === next)) next++
      const entry = groups.get(g) ?? { gid: next++, members: [] }
      entry.members.push(u.name)
      groups.set(g, entry)
    }
  }
  const passwd = users.map(u => `${u.name}:*:${u.uid}:${u.gid}:${u.name}:${u.home}:${u.shell}`)
  writeFileSync(join(dir, 'etc/passwd'), passwd.join('\n') + '\n')
  if (classes.size > 0) {
    const master = users.map(
      u => `${u.name}:*:${u.uid}:${u.gid}:${classes.get(u.name) ?? ''}:0:0:${u.name}:${u.home}:${u.shell}`,
    )
    writeFileSync(join(dir, 'etc/master.passwd'), master.join('\n') + '\n')
  }
  const group = [...groups].map(([name, g]) => `${name}:*:${g.gid}:${g.members.join(',')}`)
  writeFileSync(join(dir, 'etc/group'), group.join('\n') + '\n')
  if (opts.loginConf !== undefined) writeFileSync(join(dir, 'etc/login.conf'), opts.loginConf)
  return dir
}
