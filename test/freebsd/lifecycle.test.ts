// The lifecycle on a REAL FreeBSD host, as root: real jail(8), jls(8), jexec(8), ps(1), a rootfs from /rescue.
// Elsewhere (Linux build machines, or FreeBSD without root) the whole file reports as skipped, with the reason.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { buildRootfs } from '../../src/demo/rootfs.js'
import { cleanEnv, runj, type RunResult } from '../helpers/runj.js'

const skipReason =
  process.platform !== 'freebsd'
    ? `skipped: needs FreeBSD and root (this host is ${process.platform}; the simulator suites cover Linux)`
    : process.getuid?.() !== 0
      ? 'skipped: needs FreeBSD and root (jail(8) needs root; run as root)'
      : !existsSync('/rescue/sh')
        ? 'skipped: needs FreeBSD and root, and /rescue (the rootfs is built from /rescue)'
        : null

// jail, jls, jexec live in /usr/sbin, mount and sysctl in /sbin: make sure runj finds them whatever PATH tap has.
const PATH = [process.env['PATH'] ?? '', '/sbin', '/bin', '/usr/sbin', '/usr/bin'].filter((dir) => dir !== '').join(':')
const env = cleanEnv({ PATH })

interface OciState {
  status: string
  pid?: number
  bundle: string
  annotations: Record<string, string>
}

interface Fixture {
  readonly dir: string
  readonly root: string
  readonly bundle: string
  readonly rootfs: string
  readonly id: string
  runj(args: readonly string[]): Promise<RunResult>
  state(): Promise<OciState | null>
}

let serial = 0

/** A rootfs from /rescue with a /data, a bundle, a state root and a unique jail name; teardown removes them all. */
function fixture(t: Test, script: string): Fixture {
  // Not t.testdir(): its removal could run before the jail is gone; this one is removed last, and only when unmounted.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'runj-freebsd-')))
  const rootfs = join(dir, 'bundle', 'rootfs')
  buildRootfs(rootfs, ['sh', 'sleep', 'hostname'], { rescue: '/rescue' })
  mkdirSync(join(rootfs, 'data'))
  const id = `runjtest${process.pid}x${++serial}`
  const config = {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    hostname: id,
    process: { args: ['/bin/sh', '-c', script], env: ['PATH=/bin:/usr/bin'], cwd: '/', user: { uid: 0, gid: 0 } },
  }
  writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify(config))
  const root = join(dir, 'state')
  const run = (args: readonly string[]) => runj(['--root', root, ...args], { env, cwd: dir })
  t.teardown(async () => {
    // Whatever a failed assertion left behind: the container, then the jail itself.
    await run(['delete', '--force', id])
    if (jid(id) !== null) spawnSync('jail', ['-r', id], { env, stdio: 'ignore' })
    const mounted = mountsUnder(dir)
    if (mounted.length === 0 && jid(id) === null) rmSync(dir, { recursive: true, force: true })
    else t.comment(`left ${dir} in place: ${jid(id) === null ? '' : `jail ${id} exists; `}mounted: ${mounted.join(', ') || 'nothing'}`)
  })
  return {
    dir,
    root,
    bundle: join(dir, 'bundle'),
    rootfs,
    id,
    runj: run,
    state: async () => {
      const result = await run(['state', id])
      return result.code === 0 ? (JSON.parse(result.stdout) as OciState) : null
    },
  }
}

/** Mount points (mount -p, second field) at or under `dir`. */
function mountsUnder(dir: string): string[] {
  const out = execFileSync('mount', ['-p'], { env, encoding: 'utf8' })
  return out.split('\n').map((line) => line.split(/\s+/)[1] ?? '').filter((node) => node === dir || node.startsWith(`${dir}/`))
}

/** jls -j <name> jid: the jail's jid, null when there is no such jail. */
function jid(name: string): number | null {
  const result = spawnSync('jls', ['-j', name, 'jid'], { env, encoding: 'utf8' })
  return result.status === 0 ? Number(result.stdout.trim()) : null
}

/** ps -p <pid> -o jid= -o state= -o comm=: null when the process is gone. */
function processInfo(pid: number): { jid: number; state: string; comm: string } | null {
  const result = spawnSync('ps', ['-p', String(pid), '-o', 'jid=', '-o', 'state=', '-o', 'comm='], { env, encoding: 'utf8' })
  const match = /^\s*(\d+)\s+(\S+)\s+(\S+)/.exec(result.stdout)
  return result.status === 0 && match !== null ? { jid: Number(match[1]), state: match[2] as string, comm: match[3] as string } : null
}

/** The pids ps -J lists for a jail (ps exits 1 when none matched). */
function jailPids(name: string): number[] {
  const out = spawnSync('ps', ['-x', '-J', name, '-o', 'pid='], { env, encoding: 'utf8' }).stdout ?? ''
  return out.split('\n').filter((line) => line.trim() !== '').map(Number)
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, seconds = 10): Promise<T> {
  for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; await sleep(50)) {
    const value = await probe()
    if (value !== undefined) return value
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`)
}

if (skipReason !== null) {
  t.plan(0, skipReason)
} else {
  t.test('create, start, state, kill, delete and history --verify with real jails', async (t) => {
    const f = fixture(t, 'hostname > /data/out; exec sleep 60')
    t.equal(await f.state(), null, 'unknown before create')

    const created = await f.runj(['create', '--bundle', f.bundle, f.id])
    t.equal(created.code, 0, `create: ${created.stderr}`)
    const afterCreate = await f.state()
    t.match(afterCreate, { status: 'created', bundle: f.bundle, annotations: { 'org.freebsd.jail.jid': /^[1-9][0-9]*$/ } })
    const pid = afterCreate?.pid as number
    t.type(pid, 'number', 'state has the pid while created')
    const jailId = jid(f.id)
    t.not(jailId, null, 'jls finds the jail after create')
    t.equal(String(jailId), afterCreate?.annotations['org.freebsd.jail.jid'], 'the jid annotation is the jail jls shows')
    t.equal(processInfo(pid)?.jid, 0, 'before start the entrypoint waits outside the jail (jid 0)')
    t.notOk(existsSync(join(f.rootfs, 'data', 'out')), 'process.args do not run before start')

    const started = await f.runj(['start', f.id])
    t.equal(started.code, 0, `start: ${started.stderr}`)
    t.match(await f.state(), { status: 'running', pid }, 'running, same pid')
    const out = await until('the process output', () => {
      const text = existsSync(join(f.rootfs, 'data', 'out')) ? readFileSync(join(f.rootfs, 'data', 'out'), 'utf8') : ''
      return text.endsWith('\n') ? text : undefined
    })
    t.equal(out.trim(), f.id, 'the process sees the config hostname (host.hostname)')
    const running = await until('the process to exec sleep in the jail', () => {
      const info = processInfo(pid)
      return info?.comm === 'sleep' ? info : undefined
    })
    t.equal(running.jid, jailId, 'after start the process (same pid) is in the jail')
    t.same(jailPids(f.id), [pid], 'ps -J lists exactly the container process')

    const killed = await f.runj(['kill', f.id, 'TERM'])
    t.equal(killed.code, 0, `kill: ${killed.stderr}`)
    const stopped = await until('status stopped', async () => ((await f.state())?.status === 'stopped' ? true : undefined))
    t.ok(stopped, 'stopped after kill TERM')
    t.equal(processInfo(pid), null, 'the process is gone (ps -p)')
    t.not(jid(f.id), null, 'the jail persists until delete')

    const history = await f.runj(['history', f.id])
    t.equal(history.code, 0, history.stderr)
    for (const type of ['ContainerCreateRequested', 'JailCreated', 'ContainerStarted', 'SignalSent', 'ProcessExited']) t.match(history.stdout, type)
    const verified = await f.runj(['history', '--verify', f.id])
    t.equal(verified.code, 0, verified.stderr)
    t.match(verified.stdout, /: \d+ events verified, chain intact/)

    const deleted = await f.runj(['delete', f.id])
    t.equal(deleted.code, 0, `delete: ${deleted.stderr}`)
    t.equal(jid(f.id), null, 'jls no longer finds the jail')
    t.equal(await f.state(), null, 'state: the container does not exist')
    const archive = join(f.root, 'archive', f.id)
    t.equal(existsSync(archive) ? readdirSync(archive).length : 0, 1, 'the log is archived')
    t.same(mountsUnder(f.dir), [], 'nothing stays mounted under the test directory')
  })

  t.test('delete --force of a running container kills it and removes the jail', async (t) => {
    const f = fixture(t, 'exec sleep 60')
    t.equal((await f.runj(['create', '--bundle', f.bundle, f.id])).code, 0)
    const pid = (await f.state())?.pid as number
    t.equal((await f.runj(['start', f.id])).code, 0)
    await until('the process in the jail', () => (processInfo(pid)?.jid === jid(f.id) ? true : undefined))
    const started = performance.now()
    const deleted = await f.runj(['delete', '--force', f.id])
    t.equal(deleted.code, 0, deleted.stderr)
    t.ok(performance.now() - started < 9000, 'SIGKILL first: no wait for jail -r stop.timeout (10 s)')
    t.equal(jid(f.id), null, 'the jail is gone')
    await until('the process to be reaped', () => (processInfo(pid) === null ? true : undefined))
    t.equal(await f.state(), null)
  })

  t.test('delete --force of a created container releases the entrypoint waiting outside the jail', async (t) => {
    const f = fixture(t, 'exec sleep 60')
    t.equal((await f.runj(['create', '--bundle', f.bundle, f.id])).code, 0)
    const pid = (await f.state())?.pid as number
    t.equal(processInfo(pid)?.jid, 0, 'the entrypoint waits on the host (jid 0)')
    const deleted = await f.runj(['delete', '--force', f.id])
    t.equal(deleted.code, 0, deleted.stderr)
    t.equal(jid(f.id), null, 'the jail is gone')
    await until('the entrypoint to exit', () => (processInfo(pid) === null ? true : undefined))
  })
}
