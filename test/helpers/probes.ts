// Shared probes for the e2e tests: OCI state, "nothing changed" snapshots, leftovers on the host, and raw runj spawns.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import type { World } from './e2e.js'
import { RUNJ_BIN, cleanEnv } from './runj.js'

export interface OciState { status: string; pid?: number; bundle: string; id: string; annotations: Record<string, string> }

export async function statusOf(w: World, id: string): Promise<OciState | null> {
  const result = await w.runj(['state', id])
  return result.code === 0 ? (JSON.parse(result.stdout) as OciState) : null
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 6000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) {
    const value = await probe()
    if (value !== undefined) return value
  }
  throw new Error(`timed out waiting for ${what}`)
}

export const waitForStatus = (w: World, id: string, status: string): Promise<OciState> =>
  waitFor(async () => {
    const state = await statusOf(w, id)
    return state?.status === status ? state : undefined
  }, `${id} to be ${status}`)

const pids = (): string[] => readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))
const safely = <T>(f: () => T): T | null => {
  try {
    return f()
  } catch {
    return null
  }
}

/** Live processes whose root directory is `root` (the simulator's notion of "in the jail"). */
export const chrootedInto = (root: string): number[] => pids().filter((p) => safely(() => readlinkSync(`/proc/${p}/root`)) === root).map(Number)

/** Processes whose command line mentions `text`, e.g. a trampoline waiting on a FIFO under the state root. */
export const mentioning = (text: string): number[] =>
  pids().filter((p) => Number(p) !== process.pid && (safely(() => readFileSync(`/proc/${p}/cmdline`, 'utf8')) ?? '').includes(text)).map(Number)

/** Everything a container could leave on the host; all empty when it is gone. */
export function leftovers(w: World, id: string) {
  return {
    jails: w.sim.jails().map((j) => j.name),
    mounts: w.sim.mounts().filter((m) => m.node.startsWith(w.dir)).map((m) => m.node),
    chrooted: chrootedInto(join(w.dir, 'rootfs')),
    trampolines: mentioning(join(w.root, 'containers')),
    stateDir: existsSync(join(w.root, 'containers', id)),
    rules: w.sim.rules(),
  }
}

export const nothingLeft = { jails: [], mounts: [], chrooted: [], trampolines: [], stateDir: false, rules: [] }

/** What an illegal operation must not change: host calls, the OCI state, the event log. */
export async function snapshot(w: World, id: string) {
  const log = join(w.root, 'containers', id, 'events.jsonl')
  const state = await w.runj(['state', id])
  return { calls: w.sim.calls().length, state: state.stdout, log: existsSync(log) ? readFileSync(log, 'utf8') : null, logPath: log }
}

export async function assertUnchanged(t: Test, w: World, id: string, before: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  t.same(w.mutations(before.calls), [], 'no host-mutating call')
  t.equal(existsSync(before.logPath) ? readFileSync(before.logPath, 'utf8') : null, before.log, 'event log unchanged')
  t.equal((await w.runj(['state', id])).stdout, before.state, 'runj state unchanged')
}

/** The event types of every archived attempt of `id`, one list per <root>/archive/<id>/*.jsonl file. */
export function archived(w: World, id: string): { file: string; types: string[]; text: string }[] {
  const dir = join(w.root, 'archive', id)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8')
      return { file: f, text, types: text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { type: string }).type) }
    })
}

/** runj spawned directly (to SIGKILL it, or to keep the stdio a container inherits), stdout+stderr to `outFile`. */
export function spawnRunj(w: World, args: readonly string[], outFile: string): { child: ChildProcess; exit: Promise<{ code: number | null; signal: string | null }> } {
  const fd = openSync(outFile, 'a')
  const child = spawn(process.execPath, [RUNJ_BIN, '--root', w.root, ...args], { env: cleanEnv(w.sim.env()), stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, exit }
}

/** stderr is exactly one `runj: ...` line. */
export const oneLine = (stderr: string): boolean => /^runj: [^\n]+\n$/.test(stderr)
