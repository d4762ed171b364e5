// The exact command lines of runtime-tools, podman/conmon, buildah and the containerd shim, run against the real binary.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { chrootedInto, leftovers, nothingLeft, statusOf, waitFor, waitForStatus } from '../helpers/probes.js'

// A process that records USR1 and exits on TERM, so a signal's arrival (and its name) can be seen from the host.
const TRAPS = 'trap "echo usr1 >> /data/sig" USR1; trap "echo term >> /data/sig; exit 0" TERM; while :; do sleep 0.1; done'
const trapping = () => baseConfig({}, { args: ['/bin/sh', '-c', TRAPS] })
const signalsSeen = (w: World): string[] => (existsSync(join(w.dir, 'rootfs/data/sig')) ? readFileSync(join(w.dir, 'rootfs/data/sig'), 'utf8').split('\n').filter(Boolean) : [])
const seen = (w: World, count: number) => waitFor(() => (signalsSeen(w).length >= count ? signalsSeen(w) : undefined), `${count} signals`)

async function ok(t: Test, w: World, args: string[], options: { cwd?: string } = {}): Promise<void> {
  const result = await w.runj(args, options)
  t.equal(result.code, 0, `${args.join(' ')}${result.stderr === '' ? '' : `: ${result.stderr.trim()}`}`)
  t.equal(result.stderr, '', 'nothing on stderr')
}

t.test('OCI runtime-tools: create --pid-file P --bundle B, create with cwd = bundle, kill TERM/KILL/USR1, delete', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(trapping())
  const pidFile = join(w.dir, 'rt.pid')
  await ok(t, w, ['create', '--pid-file', pidFile, '--bundle', bundle, 'rt'])
  const created = await statusOf(w, 'rt')
  t.match(created, { id: 'rt', status: 'created', bundle })
  t.equal(readFileSync(pidFile, 'utf8'), String(created?.pid), 'the pid file holds the state pid, bare')
  await ok(t, w, ['start', 'rt'])
  t.match(await statusOf(w, 'rt'), { status: 'running', pid: created?.pid })
  await ok(t, w, ['kill', 'rt', 'USR1'])
  t.same(await seen(w, 1), ['usr1'], 'USR1 arrives as USR1')
  t.equal((await statusOf(w, 'rt'))?.status, 'running', 'and the process handles it')
  await ok(t, w, ['kill', 'rt', 'TERM'])
  t.same(await seen(w, 2), ['usr1', 'term'])
  await waitForStatus(w, 'rt', 'stopped')
  await ok(t, w, ['delete', 'rt'])
  t.same(leftovers(w, 'rt'), nothingLeft)

  await ok(t, w, ['create', 'rt2'], { cwd: bundle })
  t.equal((await statusOf(w, 'rt2'))?.bundle, bundle, 'the bundle defaults to the working directory, made absolute')
  await ok(t, w, ['start', 'rt2'])
  await ok(t, w, ['kill', 'rt2', 'KILL'])
  await waitForStatus(w, 'rt2', 'stopped')
  await ok(t, w, ['delete', '--force', 'rt2'])
  t.same(leftovers(w, 'rt2'), nothingLeft)
})

t.test('podman via conmon: --log-format=json --log F, --systemd-cgroup, kill by number, kill --all, delete --force', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(trapping())
  const log = join(w.dir, 'conmon.log')
  const g = ['--systemd-cgroup', '--log-format=json', '--log', log]
  await ok(t, w, [...g, 'create', '--bundle', bundle, '--pid-file', join(w.dir, 'pm.pid'), 'pm'])
  await ok(t, w, [...g, 'start', 'pm'])
  await ok(t, w, [...g, 'kill', 'pm', '30'])
  t.same(await seen(w, 1), ['usr1'], '30 is read as FreeBSD SIGUSR1')
  await ok(t, w, [...g, 'kill', 'pm', '9'])
  await waitForStatus(w, 'pm', 'stopped')
  await ok(t, w, [...g, 'delete', '--force', 'pm'])
  t.same(leftovers(w, 'pm'), nothingLeft)

  await ok(t, w, [...g, 'create', '--bundle', bundle, '--pid-file', join(w.dir, 'pm.pid'), 'pm'])
  await ok(t, w, [...g, 'start', 'pm'])
  await ok(t, w, [...g, 'kill', '--all', 'pm', '15'])
  t.same(await seen(w, 2), ['usr1', 'term'])
  await waitForStatus(w, 'pm', 'stopped')
  await ok(t, w, [...g, 'delete', '--force', 'pm'])
  t.same(leftovers(w, 'pm'), nothingLeft)
  t.notOk(existsSync(log) && readFileSync(log, 'utf8') !== '', 'success writes nothing to the conmon log')
})

t.test('buildah: create --bundle B --pid-file B/pid NAME, kill NAME SIGKILL, delete NAME', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(baseConfig())
  await ok(t, w, ['create', '--bundle', bundle, '--pid-file', join(bundle, 'pid'), 'bd-run'])
  const pid = Number(readFileSync(join(bundle, 'pid'), 'utf8'))
  t.equal((await statusOf(w, 'bd-run'))?.pid, pid)
  await ok(t, w, ['start', 'bd-run'])
  await ok(t, w, ['kill', 'bd-run', 'SIGKILL'])
  await waitForStatus(w, 'bd-run', 'stopped')
  await ok(t, w, ['delete', 'bd-run'])
  t.same(leftovers(w, 'bd-run'), nothingLeft)
})

t.test('containerd shim: create ID BUNDLE, kill ID 15 --pid N, kill ID SIGTERM --all', async (t) => {
  const w = await world(t)
  const one = w.bundle(trapping(), 'one')
  await ok(t, w, ['create', 'ctd', one])
  await ok(t, w, ['start', 'ctd'])
  const pid = (await statusOf(w, 'ctd'))?.pid as number
  const stranger = await w.runj(['kill', 'ctd', '15', '--pid', String(process.pid)])
  t.equal(stranger.code, 1, 'a pid outside the container is refused')
  t.match(stranger.stderr, `runj: pid ${process.pid} is not a process of container "ctd"`)
  await ok(t, w, ['kill', 'ctd', '15', '--pid', String(pid)])
  t.same(await seen(w, 1), ['term'])
  await waitForStatus(w, 'ctd', 'stopped')
  await ok(t, w, ['delete', '--force', 'ctd'])

  // Three processes in the jail (sh and a pipeline; a background job would need /dev/null, which the simulated devfs lacks): --all reaches them all.
  const two = w.bundle(baseConfig({}, { args: ['/bin/sh', '-c', 'sleep 60 | sleep 61'] }), 'two')
  await ok(t, w, ['create', 'ctd', two])
  await ok(t, w, ['start', 'ctd'])
  const rootfs = join(w.dir, 'rootfs')
  await waitFor(() => (chrootedInto(rootfs).length === 3 ? true : undefined), 'three processes in the jail')
  await ok(t, w, ['kill', 'ctd', 'SIGTERM', '--all'])
  await waitFor(() => (chrootedInto(rootfs).length === 0 ? true : undefined), 'every process of the jail to die')
  await waitForStatus(w, 'ctd', 'stopped')
  await ok(t, w, ['delete', 'ctd'])
  t.same(leftovers(w, 'ctd'), nothingLeft)
})

t.test("podman's file bind mounts (/etc/resolv.conf over a file, /etc/hosts where there is none)", async (t) => {
  const w = await world(t)
  writeFileSync(join(w.dir, 'rootfs/etc/resolv.conf'), 'nameserver 192.0.2.1\n')
  const mounts = [
    { destination: '/etc/resolv.conf', type: 'bind', source: join(w.dir, 'resolv.conf'), options: ['bind', 'rprivate'] },
    { destination: '/etc/hosts', type: 'bind', source: join(w.dir, 'hosts'), options: ['bind', 'rprivate', 'ro'] },
  ]
  for (const m of mounts) writeFileSync(m.source, `# ${m.destination} from podman\n`)
  const created = await w.runj(['create', '--bundle', w.bundle(baseConfig({ mounts })), 'files'])
  t.equal(created.code, 0, created.stderr.trim())
  t.same(w.sim.mounts().map((m) => [m.special, m.node, m.type]), mounts.map((m) => [m.source, join(w.dir, 'rootfs', m.destination), 'nullfs']))
  t.equal((await w.runj(['delete', '--force', 'files'])).code, 0)
  t.same(leftovers(w, 'files'), nothingLeft)
})
