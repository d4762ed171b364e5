// TypeScript handle on a FreeBSD userland simulator instance (test/sim/sim.sh) for runj tests.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export { buildRootfs } from './rootfs.js'
export type { RootfsOptions, RootfsUser } from './rootfs.js'

/** Directory holding sim.sh and install.sh. */
export const simDir = dirname(fileURLToPath(import.meta.url))

/** Utilities the simulator answers to (each is a symlink to sim.sh in binDir). */
export const simulatedUtilities = [
  'jail', 'jls', 'jexec', 'ps', 'mount', 'umount', 'sysctl', 'ifconfig', 'kldstat', 'rctl', 'limits',
] as const

/** Keys of state/faults/<key>; see README.md. */
export type FaultKey =
  | 'jail-c' | 'jail-r' | 'jail-m' | 'jls' | 'jexec' | 'mount' | 'umount' | 'ps' | 'sysctl' | 'ifconfig' | 'kldstat'
  | 'rctl' | 'rctl-a' | 'rctl-r' | 'limits'

export interface SimJail {
  name: string
  jid: number
  path: string
  /** Parameters as given to jail -c, normalised (booleans true/false, jailsys values new/inherit/disable). */
  params: Record<string, string>
}

export interface SimMount {
  special: string
  node: string
  type: string
  opts: string
}

/** cgroup controllers the simulator can use to enforce rctl deny rules (maxproc -> pids, memoryuse -> memory). */
export type CgroupController = 'pids' | 'memory'

/** A limit limits(1) was asked to set that Linux has no rlimit for (sbsize, pseudoterminals, swapuse, ...). */
export interface SimUnappliedLimit {
  /** The pid limits ran as: the command it exec'd keeps it. */
  pid: number
  /** FreeBSD resource name (login.conf / rctl style): sbsize, pseudoterminals, swapuse, kqueues, umtxp, pipebuf. */
  resource: string
  /** Soft and hard values; 'infinity' when unlimited. */
  soft: string
  hard: string
}

export interface Sim {
  /** The instance directory (holds bin/ and state/). */
  dir: string
  binDir: string
  stateDir: string
  /** A process environment with binDir first on PATH, plus `extra`. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv
  /** Absolute path of a simulated utility. */
  bin(utility: (typeof simulatedUtilities)[number]): string
  /** Every call so far, oldest first: [utility, ...argv]. */
  calls(): string[][]
  /** Make the next matching call act as `content` says ("fail <message>" or "sleep <seconds>"; add " always"). */
  injectFault(key: FaultKey, content: string): void
  jails(): SimJail[]
  mounts(): SimMount[]
  /** Interfaces and the jid of the vnet they are in (0 = host). */
  ifaces(): { name: string; jid: number }[]
  /** Override an oid; null makes it unknown (`sysctl: unknown oid`). */
  setSysctl(oid: string, value: string | null): void
  /** jail -r waits this long for SIGTERMed processes before SIGKILL (FreeBSD default 10 s). */
  setStopTimeout(seconds: number): void
  /** Make kldstat -m <module> find (or not find) the module. */
  setKld(module: string, loaded: boolean): void
  /** Host account databases seen by jexec -u, ps and limits -C (files under state/host/etc, e.g. passwd, login.conf). */
  setHostEtc(file: string, content: string): void
  /** rctl rules as `rctl` lists them (`jail:web:maxproc:deny=10`), in the kernel's order; they outlive their jail. */
  rules(): string[]
  /**
   * Whether rctl deny rules are enforced with cgroups on this machine (maxproc -> pids, memoryuse -> memory); without
   * an argument, whether any controller is usable. When false, rules are only recorded (tests should skip).
   */
  cgroupsAvailable(controller?: CgroupController): boolean
  /** The cgroup directory of a jail for a controller (it exists only while rules need it and the jail exists). */
  cgroupDir(jail: string, controller: CgroupController): string | null
  /** Remove this instance's cgroups (best effort: only empty ones go). Call when a test ends. */
  releaseCgroups(): void
  /** Limits that limits(1) recorded but could not apply on Linux, oldest first. */
  unappliedLimits(): SimUnappliedLimit[]
}

function lines(file: string): string[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').filter(l => l !== '')
}

// state/cgroups (written by install.sh): "controller v1|v2 parent-dir" per usable controller
function cgroups(stateDir: string): { controller: CgroupController; version: string; dir: string }[] {
  return lines(join(stateDir, 'cgroups')).flatMap(l => {
    const [controller, version = '', dir = ''] = l.split(' ')
    return controller === 'pids' || controller === 'memory' ? [{ controller, version, dir }] : []
  })
}

// rmdir(2) of a cgroup: fails while it holds processes or children, which is fine here.
function rmdirQuiet(dir: string): void {
  try {
    rmdirSync(dir)
  } catch {
    // busy or gone
  }
}

function readJail(stateDir: string, name: string): SimJail {
  const d = join(stateDir, 'jails', name)
  const params: Record<string, string> = {}
  for (const l of lines(join(d, 'params'))) {
    const i = l.indexOf('=')
    if (i > 0) params[l.slice(0, i)] = l.slice(i + 1)
  }
  const jid = Number(lines(join(d, 'jid'))[0])
  const path = lines(join(d, 'path'))[0] ?? ''
  return { name, jid, path, params }
}

/** Lay out a simulator instance in `dir` (idempotent) and return a handle on it. */
export async function installSimulator(dir: string): Promise<Sim> {
  const out = execFileSync('/bin/sh', [join(simDir, 'install.sh'), dir], { encoding: 'utf8' }).trim()
  const binDir = join(out, 'bin')
  const stateDir = join(out, 'state')
  const write = (rel: string, content: string): void => {
    const f = join(stateDir, rel)
    mkdirSync(dirname(f), { recursive: true })
    writeFileSync(f, content)
  }
  return {
    dir: out,
    binDir,
    stateDir,
    env: extra => ({ ...process.env, PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...extra }),
    bin: utility => join(binDir, utility),
    calls: () => lines(join(stateDir, 'calls.log')).map(l => JSON.parse(l) as string[]),
    injectFault: (key, content) => write(join('faults', key), content.endsWith('\n') ? content : content + '\n'),
    jails: () =>
      readdirSync(join(stateDir, 'jails'))
        .map(name => readJail(stateDir, name))
        .sort((a, b) => a.jid - b.jid),
    mounts: () =>
      lines(join(stateDir, 'mounts')).map(l => {
        const [special = '', node = '', type = '', opts = ''] = l.split('\t')
        return { special, node, type, opts }
      }),
    ifaces: () =>
      lines(join(stateDir, 'ifaces')).map(l => {
        const [name = '', jid = '0'] = l.split(' ')
        return { name, jid: Number(jid) }
      }),
    setSysctl: (oid, value) => {
      if (value === null) {
        rmSync(join(stateDir, 'sysctl', oid), { force: true })
        write(join('sysctl-unknown', oid), '')
      } else {
        rmSync(join(stateDir, 'sysctl-unknown', oid), { force: true })
        write(join('sysctl', oid), value + '\n')
      }
    },
    setStopTimeout: seconds => write('stop_timeout', `${seconds}\n`),
    setKld: (module, loaded) => {
      if (loaded) write(join('kld', module), '')
      else rmSync(join(stateDir, 'kld', module), { force: true })
    },
    setHostEtc: (file, content) => write(join('host', 'etc', file), content),
    rules: () => lines(join(stateDir, 'rctl')),
    cgroupsAvailable: controller => cgroups(stateDir).some(c => controller === undefined || c.controller === controller),
    cgroupDir: (jail, controller) => {
      const c = cgroups(stateDir).find(x => x.controller === controller)
      return c ? join(c.dir, jail) : null
    },
    releaseCgroups: () => {
      for (const { dir } of cgroups(stateDir)) {
        if (!existsSync(dir)) continue
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          if (e.isDirectory()) rmdirQuiet(join(dir, e.name))
        }
        rmdirQuiet(dir)
      }
    },
    unappliedLimits: () =>
      lines(join(stateDir, 'limits-unapplied')).map(l => {
        const [pid = '0', resource = '', soft = '', hard = ''] = l.split(' ')
        return { pid: Number(pid), resource, soft, hard }
      }),
  }
}
