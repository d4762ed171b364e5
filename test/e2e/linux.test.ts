// Linux-generated configs end to end: containerd's default spec runs, with every adaptation in history; rlimits through
// limits(1); Linux binaries need the compatibility layer; and the OCI hooks at the spec's points.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { leftovers, nothingLeft, oneLine, statusOf, waitFor, waitForStatus } from '../helpers/probes.js'


const fixtureOf = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown> & { root: { path: string }; mounts: { source?: string; type?: string }[] }

/** The fixture in a bundle of its own, with the test rootfs copied in (root.path "rootfs", as containerd lays it out). */
function linuxBundle(w: World): string {
  const bundle = w.bundle(fixtureOf('containerd-default-linux.json'), 'linux-bundle')
  cpSync(join(w.dir, 'rootfs'), join(bundle, 'rootfs'), { recursive: true })
  return bundle
}

t.test("containerd's default Linux config runs a whole lifecycle; history lists what was ignored and adapted", async (t) => {
  const w = await world(t)
  const bundle = linuxBundle(w)
  const created = await w.runj(['create', 'lx', bundle])
  t.equal(created.code, 0, created.stderr)
  t.same(w.sim.mounts().map((m) => [m.type, m.node.slice(join(bundle, 'rootfs').length)]), [
    ['linprocfs', '/proc'], ['devfs', '/dev'], ['tmpfs', '/dev/shm'], ['mqueuefs', '/dev/mqueue'], ['linsysfs', '/sys'], ['tmpfs', '/run'],
  ], 'proc, sysfs, mqueue mapped; /dev is devfs; devpts dropped')
  t.match(w.sim.mounts().find((m) => m.type === 'devfs')?.opts, /ruleset=4/, 'devfs with the jail ruleset')
  t.ok(w.sim.rules().includes('jail:lx:memoryuse:deny=536870912') && w.sim.rules().includes('jail:lx:maxproc:deny=100'), 'linux.resources became rctl rules')
  t.equal((await w.runj(['start', 'lx'])).code, 0)
  const state = await waitForStatus(w, 'lx', 'running')
  t.match(readFileSync(`/proc/${state.pid}/limits`, 'utf8'), /Max open files\s+1024\s+1024/, 'RLIMIT_NOFILE reached the process')
  const events = JSON.parse((await w.runj(['history', '--format', 'json', 'lx'])).stdout) as { type: string; data: Record<string, unknown> }[]
  const request = events[0]?.data as { ignored: string[]; adapted: string[] }
  t.same(request.ignored, [
    'linux.cgroupsPath', 'linux.namespaces', 'linux.maskedPaths', 'linux.readonlyPaths', 'linux.seccomp',
    'process.user.additionalGids', 'linux.resources.devices', 'linux.resources.cpu.shares',
  ])
  t.ok(request.adapted.includes('mounts[2] devpts on /dev/pts: dropped: devfs provides /dev/pts'))
  t.ok(request.adapted.some((a) => /^process\.args\[0\] "\/bin\/sh" is a Linux ELF binary/.test(a)))
  const table = (await w.runj(['history', 'lx'])).stdout
  t.match(table, /ignored linux\.cgroupsPath linux\.namespaces .* linux\.seccomp/, 'history shows the ignored fields in one line')
  t.match(table, /adapted \d+: mounts\[0\] proc on \/proc: mounted as linprocfs/)
  t.equal((await w.runj(['kill', 'lx', 'KILL'])).code, 0)
  await waitForStatus(w, 'lx', 'stopped')
  t.equal((await w.runj(['delete', 'lx'])).code, 0)
  t.same(w.sim.mounts(), [], 'every mount undone')
  t.same(leftovers(w, 'lx'), nothingLeft)
})

t.test("podman's and the runtime-tools generator's Linux configs run too, every Linux field ignored and listed", async (t) => {
  const w = await world(t)
  // podman's bind sources live in its storage: files and a directory made here, in their place.
  const podman = fixtureOf('podman-default-linux.json')
  podman.root.path = join(w.dir, 'rootfs')
  for (const mount of podman.mounts.filter((m) => m.type === 'bind')) {
    const source = join(w.dir, 'storage', (mount.source as string).replaceAll('/', '_'))
    mkdirSync(join(w.dir, 'storage'), { recursive: true })
    if (mount.source?.endsWith('/shm') === true) mkdirSync(source)
    else writeFileSync(source, 'x\n')
    mount.source = source
  }
  const tools = fixtureOf('runtime-tools-generate.json')
  tools.root.path = '../rootfs'
  const cases = [
    ['pod', podman, ['linux.sysctl', 'linux.cgroupsPath', 'linux.namespaces', 'linux.seccomp', 'linux.maskedPaths', 'linux.readonlyPaths', 'process.user.additionalGids']],
    ['gen', tools, ['linux.namespaces', 'linux.maskedPaths', 'linux.readonlyPaths', 'linux.resources.devices']],
  ] as const
  for (const [id, config, ignored] of cases) {
    const created = await w.runj(['create', id, w.bundle(config, id)])
    t.equal(created.code, 0, `${id}: ${created.stderr}`)
    t.equal((await w.runj(['start', id])).code, 0)
    await waitForStatus(w, id, 'running')
    const request = (JSON.parse((await w.runj(['history', '--format', 'json', id])).stdout) as { data: { ignored: string[]; adapted: string[] } }[])[0]?.data
    for (const field of ignored) t.ok(request?.ignored.includes(field), `${id}: ${field} ignored and recorded`)
    t.ok(request?.adapted.some((a) => /devpts on \/dev\/pts: dropped/.test(a)), `${id}: devpts dropped and recorded`)
    t.match((await w.runj(['history', id])).stdout, /ignored linux\./, `${id}: history says what was ignored`)
    t.equal((await w.runj(['kill', id, 'KILL'])).code, 0)
    await waitForStatus(w, id, 'stopped')
    t.equal((await w.runj(['delete', id])).code, 0)
    t.same(leftovers(w, id), nothingLeft)
  }
  t.same(w.sim.mounts(), [], 'every mount undone')
})

t.test('the runtime-tools harness layout: the rootfs is the bundle (root.path "."), and create needs an id', async (t) => {
  const w = await world(t)
  const bundle = join(w.dir, 'harness')
  cpSync(join(w.dir, 'rootfs'), bundle, { recursive: true })
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(baseConfig({ root: { path: '.' } }, { args: ['/bin/sh', '-c', 'hostname > /tmp/out; exec sleep 60'] })))
  const pidFile = join(w.dir, 'harness.pid')
  const noId = await w.runj(['create', '--bundle', bundle])
  t.equal(noId.code, 2)
  t.match(noId.stderr, /^runj: missing required argument 'id'\n$/)
  t.equal((await w.runj(['create', '--pid-file', pidFile, '--bundle', bundle, 'harness'])).code, 0)
  t.match(readFileSync(pidFile, 'utf8'), /^[1-9][0-9]*$/, 'the pid file holds the bare number')
  t.equal((await w.runj(['start', 'harness'])).code, 0)
  const state = await waitForStatus(w, 'harness', 'running')
  t.equal(state.bundle, bundle, 'state.bundle is the absolute bundle path')
  t.equal(state.pid, Number(readFileSync(pidFile, 'utf8')))
  t.equal(await waitFor(() => (existsSync(join(bundle, 'tmp/out')) ? readFileSync(join(bundle, 'tmp/out'), 'utf8') : undefined), 'the process output'), 'web\n', 'the process runs in the bundle as its root')
  t.equal((await w.runj(['delete', '--force', 'harness'])).code, 0)
  t.same(leftovers(w, 'harness'), nothingLeft)
})

t.test('rlimits: soft and hard read back from the process; Linux-only ones are refused with no host change', async (t) => {
  const w = await world(t)
  const rlimits = [
    { type: 'RLIMIT_NOFILE', soft: 64, hard: 64 },
    { type: 'RLIMIT_CORE', soft: 0, hard: 18446744073709551615 },
    { type: 'RLIMIT_STACK', soft: 1048576, hard: 8388608 },
  ]
  t.equal((await w.runj(['create', 'rl', w.bundle(baseConfig({}, { rlimits }))])).code, 0)
  t.equal((await w.runj(['start', 'rl'])).code, 0)
  const pid = (await waitForStatus(w, 'rl', 'running')).pid as number
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8')
  t.match(limits, /Max open files\s+64\s+64\s/)
  t.match(limits, /Max core file size\s+0\s+unlimited\s/)
  t.match(limits, /Max stack size\s+1048576\s+8388608\s/)
  t.ok(w.sim.calls().some((c) => c[0] === 'limits'), 'set by limits(1) in the exec chain')
  t.equal((await w.runj(['delete', '--force', 'rl'])).code, 0)
  for (const [limit, message] of [
    [{ type: 'RLIMIT_MSGQUEUE', soft: 1, hard: 1 }, /^runj: process\.rlimits\[0\]\.type: RLIMIT_MSGQUEUE is Linux-only: FreeBSD has no such limit\n$/],
    [{ type: 'RLIMIT_RTPRIO', soft: 1, hard: 1 }, /RLIMIT_RTPRIO is Linux-only/],
    [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }, /unknown rlimit "RLIMIT_BOGUS"/],
    [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 5 }, /^runj: process\.rlimits\[0\]\.soft: 10 is above the hard limit 5\n$/],
  ] as const) {
    const before = w.sim.calls().length
    const r = await w.runj(['create', 'bad', w.bundle(baseConfig({}, { rlimits: [limit] }), 'bad')])
    t.equal(r.code, 2, r.stderr)
    t.ok(oneLine(r.stderr))
    t.match(r.stderr, message)
    t.same(w.mutations(before), [], 'no host change')
  }
  t.same(leftovers(w, 'bad'), nothingLeft)
})

t.test('a Linux binary on a host without the Linux layer: a clear error naming linux_enable, and nothing done', async (t) => {
  const w = await world(t)
  w.sim.setKld('linux64', false)
  const before = w.sim.calls().length
  const r = await w.runj(['create', 'nolx', w.bundle(baseConfig())])
  t.equal(r.code, 1)
  t.ok(oneLine(r.stderr))
  t.match(r.stderr, /^runj: process\.args\[0\] "\/bin\/sleep" is a Linux ELF binary and this host has no Linux binary compatibility .*linux_enable="YES".*\/etc\/rc\.conf/)
  t.same(w.mutations(before), [])
  t.same(leftovers(w, 'nolx'), nothingLeft)
  // A program that is not ELF (a script) is not checked; FreeBSD's own binaries need nothing either.
  writeFileSync(join(w.dir, 'rootfs/bin/script'), '#!/bin/sh\nexec sleep 60\n')
  chmodSync(join(w.dir, 'rootfs/bin/script'), 0o755)
  const ok = await w.runj(['create', 'scr', w.bundle(baseConfig({}, { args: ['script'] }), 'scr')])
  t.equal(ok.code, 0, ok.stderr)
  t.equal((await w.runj(['delete', '--force', 'scr'])).code, 0)
})

t.test('hooks run on the host at the spec\'s points with the state on stdin; a failing early hook leaves nothing', async (t) => {
  const w = await world(t)
  const log = join(w.dir, 'hooks.log')
  const hook = join(w.dir, 'hook.sh')
  // Each hook appends its name and the state it was given: `cat` reads the state JSON from stdin.
  writeFileSync(hook, `#!/bin/sh\nprintf '%s ' "$1" >> ${log}\ncat >> ${log}\necho >> ${log}\n`)
  chmodSync(hook, 0o755)
  const stages = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']
  const hooks = Object.fromEntries(stages.map((stage) => [stage, [{ path: hook, args: ['hook.sh', stage] }]]))
  t.equal((await w.runj(['create', 'hk', w.bundle(baseConfig({ hooks }))])).code, 0)
  const afterCreate = readFileSync(log, 'utf8').trim().split('\n')
  t.same(afterCreate.map((l) => l.split(' ')[0]), ['prestart', 'createRuntime', 'createContainer'], 'create runs prestart, createRuntime, createContainer')
  t.same(afterCreate.map((l) => (JSON.parse(l.slice(l.indexOf(' ') + 1)) as { status: string }).status), ['creating', 'creating', 'creating'])
  t.equal((await w.runj(['start', 'hk'])).code, 0)
  const afterStart = readFileSync(log, 'utf8').trim().split('\n').slice(3)
  t.same(afterStart.map((l) => l.split(' ')[0]), ['startContainer', 'poststart'])
  const states = afterStart.map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)) as { status: string; pid: number; id: string; bundle: string })
  t.same(states.map((s) => s.status), ['created', 'running'])
  t.equal(states[0]?.id, 'hk')
  t.equal(states[0]?.bundle, join(w.dir, 'bundle'), 'state.bundle is the absolute bundle path')
  t.ok(Number.isInteger(states[1]?.pid))
  t.equal((await w.runj(['delete', '--force', 'hk'])).code, 0)
  const last = readFileSync(log, 'utf8').trim().split('\n').slice(5)
  t.same(last.map((l) => [l.split(' ')[0], (JSON.parse(l.slice(l.indexOf(' ') + 1)) as { status: string }).status]), [['poststop', 'stopped']], 'delete runs poststop')

  for (const stage of ['prestart', 'createRuntime'] as const) {
    const failing = join(w.dir, `fail-${stage}.sh`)
    writeFileSync(failing, '#!/bin/sh\necho "hook says no" >&2\nexit 3\n')
    chmodSync(failing, 0o755)
    const r = await w.runj(['create', 'hf', w.bundle(baseConfig({ hooks: { [stage]: [{ path: failing }] } }), `hf-${stage}`)])
    t.equal(r.code, 1, `${stage} failure aborts create`)
    t.match(r.stderr, new RegExp(`^runj: ${stage} hook ${failing.replace(/[.]/g, '\\.')} failed \\(exit 3\\): hook says no\\n$`))
    t.same(leftovers(w, 'hf'), nothingLeft, 'nothing left behind')
    t.equal(await statusOf(w, 'hf'), null)
  }
  t.ok(existsSync(log))
})
