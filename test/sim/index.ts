// TypeScript handle on a FreeBSD userland simulator instance (test/sim/sim.sh) for runj tests.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export { buildRootfs } from './rootfs.js'
export type { RootfsOptions, RootfsUser } from './rootfs.js'

/** Directory holding sim.sh and install.sh. */
export const simDir = dirname(fileURLToPath(import.meta.url))

/** Utilities the simulator answers to (each is a symlink to sim.sh in binDir). */
export const simulatedUtilities = ['jail', 'jls', 'jexec', 'ps', 'mount', 'umount', 'sysctl', 'ifconfig', 'kldstat'] as const

/** Keys of state/faults/<key>; see README.md. */
export type FaultKey = 'jail-c' | 'jail-r' | 'jls' | 'jexec' | 'mount' | 'umount' | 'ps' | 'sysctl' | 'ifconfig' | 'kldstat'

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
  /** Host account databases seen by jexec -u and ps (files under state/host/etc, e.g. passwd, group, login.conf). */
  setHostEtc(file: string, content: string): void
}

function lines(file: string): string[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').filter(l => l !== '')
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
  }
}
