// The OCI lifecycle end to end: the real runj binary against the FreeBSD simulator, real processes in chroots.
import { existsSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { baseConfig, world } from '../helpers/e2e.js'

async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = probe()
    if (value !== undefined) return value
    await sleep(20)
  }
  throw new Error(`timed out waiting for ${what}`)
}

const statusOf = async (w: Awaited<ReturnType<typeof world>>, id: string) => {
  const result = await w.runj(['state', id])
  return result.code === 0 ? (JSON.parse(result.stdout) as { status: string; pid?: number; bundle: string; annotations: Record<string, string> }) : null
}

t.test('the process runs with exactly the config\'s user, cwd, environment, hostname and umask', async (t) => {
  const w = await world(t)
  const script = 'id -u > /data/out; id -g >> /data/out; pwd >> /data/out; hostname >> /data/out; umask >> /data/out; exec sleep 60'
  const bundle = w.bundle(baseConfig({}, { args: ['/bin/sh', '-c', script], env: ['PATH=/bin:/usr/bin', 'GREETING=hello world', 'TRICKY=a=b c'], cwd: '/data', user: { uid: 1000, gid: 1000, umask: 0o027 } }))
  const pidFile = join(w.dir, 'pid')
  const created = await w.runj(['create', '--bundle', bundle, '--pid-file', pidFile, 'web'])
  t.equal(created.code, 0, created.stderr)
  const pid = Number(readFileSync(pidFile, 'utf8'))
  t.match(readFileSync(pidFile, 'utf8'), /^[1-9][0-9]*$/, 'the pid file holds the bare number')
  t.notOk(existsSync(join(w.dir, 'rootfs', 'data', 'out')), 'process.args do not run before start')
  t.equal((await w.runj(['start', 'web'])).code, 0)
  const out = await waitFor(() => {
    const text = existsSync(join(w.dir, 'rootfs', 'data', 'out')) ? readFileSync(join(w.dir, 'rootfs', 'data', 'out'), 'utf8') : ''
    return text.split('\n').length >= 6 ? text : undefined
  }, 'the process output')
  t.same(out.trim().split('\n'), ['1000', '1000', '/data', 'web', '0027'])
  // The container process (after exec, same pid as at create) has exactly the config's environment.
  const environ = await waitFor(() => {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8')
    return env.includes('GREETING') && readlinkSync(`/proc/${pid}/exe`).endsWith('sleep') ? env : undefined
  }, 'the container process to exec sleep')
  t.same(environ.split('\0').filter(Boolean).sort(), ['GREETING=hello world', 'PATH=/bin:/usr/bin', 'PWD=/data', 'TRICKY=a=b c'].sort(), 'env exactly as configured (PWD is exported by sh)')
  t.equal(readlinkSync(`/proc/${pid}/root`), join(w.dir, 'rootfs'), 'the process is chrooted into the jail path')
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  t.match(status, /\nUid:\t1000\t1000\t1000\t1000\n/)
  t.match(status, /\nGid:\t1000\t1000\t1000\t1000\n/)
  t.equal((await w.runj(['delete', '--force', 'web'])).code, 0)
})

t.test('status after each step, and the OCI state JSON', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(baseConfig({ annotations: { 'com.example.note': 'kept' } }))
  t.equal(await statusOf(w, 'web'), null, 'unknown before create')
  t.equal((await w.runj(['create', 'web', bundle])).code, 0)
  const created = await statusOf(w, 'web')
  t.match(created, { status: 'created', bundle, annotations: { 'com.example.note': 'kept', 'org.freebsd.jail.jid': /^[0-9]+$/ } })
  t.type(created?.pid, 'number')
  t.same(w.sim.jails().map((j) => j.name), ['web'])
  t.equal((await w.runj(['start', 'web'])).code, 0)
  t.match(await statusOf(w, 'web'), { status: 'running', pid: created?.pid })
  t.equal((await w.runj(['kill', 'web'])).code, 0, 'TERM by default')
  await waitFor(async () => undefined, 'nothing').catch(() => undefined)
  t.equal((await waitForStatus(w, 'web', 'stopped'))?.status, 'stopped')
  t.equal((await w.runj(['delete', 'web'])).code, 0)
  t.equal(await statusOf(w, 'web'), null, 'gone after delete')
  t.same(w.sim.jails(), [], 'no jail remains')
  t.same(w.sim.mounts().filter((m) => m.node.startsWith(w.dir)), [], 'no mount remains')
})

async function waitForStatus(w: Awaited<ReturnType<typeof world>>, id: string, status: string) {
  for (let i = 0; i < 100; i++) {
    const state = await statusOf(w, id)
    if (state?.status === status) return state
    await sleep(50)
  }
  return statusOf(w, id)
}

export { statusOf, waitFor, waitForStatus }
