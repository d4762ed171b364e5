// A minimal jail root filesystem from host programs: /rescue's static ones on FreeBSD, else each program and its libraries.
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { InvalidInputError } from '../errors.js'
import { sharedLibrariesSync } from '../host/system.js'

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
  /** Content of etc/login.conf (jexec -U applies the login class from it, setusercontext(3)). */
  loginConf?: string
  /** The directory of static programs to prefer (FreeBSD's /rescue); none elsewhere. */
  rescue?: string | null
}

// hier(7): where a FreeBSD or Linux host keeps its programs.
const SEARCH_PATH = ['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/local/bin']
// rtld(1): FreeBSD's ldd lists a program's libraries but not the run-time linker, which every dynamic program needs.
const FREEBSD_RTLD = '/libexec/ld-elf.so.1'

export interface HostProgram {
  readonly name: string
  readonly path: string
  /** A crunchgen(1) /rescue program: static, and hard-linked to its siblings. */
  readonly rescue: boolean
}

/** Where a program named on the command line is on this host; refuses (exit 2) one that is not there. */
export function locateProgram(program: string, rescue: string | null): HostProgram {
  if (program === '' || program.includes('\0')) throw new InvalidInputError('--from-host', `${JSON.stringify(program)} is not a program name`)
  const name = basename(program)
  if (program.includes('/')) {
    if (!program.startsWith('/') || !existsSync(program) || !statSync(program).isFile()) throw new InvalidInputError('--from-host', `${JSON.stringify(program)} is not an absolute path to a host program`)
    return { name, path: program, rescue: false }
  }
  if (rescue !== null && existsSync(join(rescue, program))) return { name, path: join(rescue, program), rescue: true }
  for (const dir of SEARCH_PATH) if (existsSync(join(dir, program)) && statSync(join(dir, program)).isFile()) return { name, path: join(dir, program), rescue: false }
  throw new InvalidInputError('--from-host', `${JSON.stringify(program)} is not on this host (searched ${[...(rescue === null ? [] : [rescue]), ...SEARCH_PATH].join(':')})`)
}

/** Copies `host` to `target` inside `root` (following symlinks: the real file lands under the link's name); its size. */
function copyInto(root: string, host: string, target: string, mode: number): number {
  const dest = join(root, target)
  if (existsSync(dest)) return 0
  mkdirSync(dirname(dest), { recursive: true })
  copyFileSync(host, dest)
  chmodSync(dest, mode)
  return statSync(dest).size
}

export interface RootfsSummary {
  readonly programs: number
  readonly libraries: number
  readonly bytes: number
}

/**
 * Creates a root filesystem at `dir`: each program at /bin/<name>, the libraries it needs at their host paths,
 * etc/passwd and etc/group (etc/master.passwd and etc/login.conf when asked) describing root and `users`.
 */
export function buildRootfs(dir: string, programs: readonly string[], options: RootfsOptions = {}): RootfsSummary {
  const rescue = options.rescue === undefined ? (process.platform === 'freebsd' && existsSync('/rescue') ? '/rescue' : null) : options.rescue
  const located = programs.map((program) => locateProgram(program, rescue))
  for (const d of ['bin', 'etc', 'tmp', 'root', 'dev', 'usr/bin']) mkdirSync(join(dir, d), { recursive: true })
  chmodSync(join(dir, 'tmp'), 0o1777)
  const libraries = new Set<string>()
  const copies = new Map<string, string>() // "dev:ino" of a /rescue program -> its copy in the rootfs
  let bytes = 0
  for (const program of located) {
    const target = join(dir, 'bin', program.name)
    if (existsSync(target)) continue
    if (program.rescue) {
      const info = statSync(program.path)
      const first = copies.get(`${info.dev}:${info.ino}`)
      if (first !== undefined) {
        linkSync(first, target)
        continue
      }
      bytes += copyInto(dir, program.path, join('bin', program.name), 0o555)
      copies.set(`${info.dev}:${info.ino}`, target)
      continue
    }
    bytes += copyInto(dir, program.path, join('bin', program.name), 0o755)
    const needs = sharedLibrariesSync(program.path)
    if (needs.length > 0 && process.platform === 'freebsd') needs.push(FREEBSD_RTLD)
    for (const library of needs) {
      if (libraries.has(library)) continue
      libraries.add(library)
      bytes += copyInto(dir, library, library, 0o755)
    }
  }
  writeAccounts(dir, options)
  return { programs: located.length, libraries: libraries.size, bytes }
}

/** passwd(5), group(5), and master.passwd(5) with login classes: what jexec -U and runj's uid lookup read. */
function writeAccounts(dir: string, options: RootfsOptions): void {
  const users: Required<Omit<RootfsUser, 'loginClass'>>[] = [{ name: 'root', uid: 0, gid: 0, groups: [], home: '/root', shell: '/bin/sh' }]
  const classes = new Map<string, string>()
  for (const u of options.users ?? []) {
    const home = u.home ?? `/home/${u.name}`
    users.push({ name: u.name, uid: u.uid, gid: u.gid, groups: u.groups ?? [], home, shell: u.shell ?? '/bin/sh' })
    if (u.loginClass !== undefined) classes.set(u.name, u.loginClass)
    // FreeBSD's convention for a user without a home (nobody) is /nonexistent, which must stay absent.
    if (home !== '/nonexistent') mkdirSync(join(dir, home), { recursive: true })
  }
  const groups = new Map<string, { gid: number; members: string[] }>([['wheel', { gid: 0, members: ['root'] }]])
  for (const u of users) if (![...groups.values()].some((g) => g.gid === u.gid)) groups.set(u.name, { gid: u.gid, members: [] })
  let next = 1000
  for (const u of users) {
    for (const g of u.groups) {
      while ([...groups.values()].some((x) => x.gid === next)) next++
      const entry = groups.get(g) ?? { gid: next++, members: [] }
      entry.members.push(u.name)
      groups.set(g, entry)
    }
  }
  const lines = (rows: string[]) => `${rows.join('\n')}\n`
  writeFileSync(join(dir, 'etc/passwd'), lines(users.map((u) => `${u.name}:*:${u.uid}:${u.gid}:${u.name}:${u.home}:${u.shell}`)))
  if (classes.size > 0) writeFileSync(join(dir, 'etc/master.passwd'), lines(users.map((u) => `${u.name}:*:${u.uid}:${u.gid}:${classes.get(u.name) ?? ''}:0:0:${u.name}:${u.home}:${u.shell}`)))
  writeFileSync(join(dir, 'etc/group'), lines([...groups].map(([name, g]) => `${name}:*:${g.gid}:${g.members.join(',')}`)))
  if (options.loginConf !== undefined) writeFileSync(join(dir, 'etc/login.conf'), options.loginConf)
}
