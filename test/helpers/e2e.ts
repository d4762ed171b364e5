// End-to-end fixture: a simulator first on PATH, a rootfs built from host binaries, a bundle, and the real runj binary.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { buildRootfs, installSimulator, type Sim } from '../sim/index.js'
import { cleanEnv, runj, type RunResult } from './runj.js'

export interface World {
  readonly sim: Sim
  readonly root: string
  readonly dir: string
  /** Writes `<dir>/<name>/config.json` (rootfs shared) and returns the bundle directory. */
  bundle(config: Record<string, unknown>, name?: string): string
  runj(args: readonly string[], options?: { cwd?: string; env?: Record<string, string> }): Promise<RunResult>
  /** Host-mutating simulator calls since `from` (an index into sim.calls()). */
  mutations(from: number): string[][]
}

export const PROGRAMS = ['sh', 'sleep', 'id', 'env', 'cat', 'pwd', 'hostname', 'echo', 'ls']

export function baseConfig(overrides: Record<string, unknown> = {}, process: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ociVersion: '1.3.0',
    root: { path: '../rootfs' },
    hostname: 'web',
    process: { args: ['/bin/sleep', '60'], env: ['PATH=/bin:/usr/bin'], cwd: '/', user: { uid: 0, gid: 0 }, ...process },
    ...overrides,
  }
}

const MUTATING = new Set(['jail -c', 'jail -r', 'mount -t', 'umount', 'jexec', 'ifconfig', 'rctl -a', 'rctl -r'])

export async function world(t: Test): Promise<World> {
  const dir = t.testdir()
  const sim = await installSimulator(join(dir, 'sim'))
  sim.setStopTimeout(1)
  buildRootfs(join(dir, 'rootfs'), PROGRAMS, { users: [{ name: 'app', uid: 1000, gid: 1000 }] })
  mkdirSync(join(dir, 'rootfs', 'data'))
  chmodSync(join(dir, 'rootfs', 'data'), 0o777)
  const root = join(dir, 'state')
  return {
    sim,
    root,
    dir,
    bundle(config, name = 'bundle') {
      mkdirSync(join(dir, name), { recursive: true })
      writeFileSync(join(dir, name, 'config.json'), JSON.stringify(config))
      return join(dir, name)
    },
    runj: (args, options = {}) => runj(['--root', root, ...args], { env: cleanEnv({ ...sim.env(), ...options.env }), ...(options.cwd ? { cwd: options.cwd } : {}) }),
    mutations: (from) => sim.calls().slice(from).filter((call) => MUTATING.has(call.slice(0, 2).join(' ')) || MUTATING.has(call[0] as string)),
  }
}
