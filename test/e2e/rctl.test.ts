// rctl end to end: rules from linux.resources, a policy and the annotation; enforcement; usage; update; removal on
// every path (delete, rollback, delete --force after a killed create); and refusals that change nothing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { leftovers, nothingLeft, oneLine, spawnRunj, statusOf, waitFor } from '../helpers/probes.js'

const rctlCalls = (w: World, from = 0) => w.sim.calls().slice(from).filter((c) => c[0] === 'rctl' || (c[0] === 'sysctl' && c.includes('kern.racct.enable')))

async function historyJson(w: World, id: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const result = await w.runj(['history', '--format', 'json', id])
  return JSON.parse(result.stdout) as { type: string; data: Record<string, unknown> }[]
}

async function refused(t: Test, w: World, args: string[], code: number, message: RegExp): Promise<void> {
  const before = w.sim.calls().length
  const result = await w.runj(args)
  t.equal(result.code, code, `exit ${code}: ${result.stderr.trim()}`)
  t.ok(oneLine(result.stderr), 'one stderr line')
  t.match(result.stderr, message)
  t.same(w.mutations(before), [], 'no host change')
}

t.test('rules from a policy, linux.resources and the annotation, in precedence order; removed at delete', async (t) => {
  const w = await world(t)
  const config = baseConfig({
    annotations: { 'org.freebsd.rctl.policy': 'small', 'org.freebsd.rctl.rules': 'openfiles:deny=100, memoryuse:log=256m' },
    linux: {
      resources: { memory: { limit: 536870912, swap: 805306368 }, pids: { limit: 64 }, cpu: { shares: 1024, quota: 50000, period: 100000 }, hugepageLimits: [] },
      namespaces: [{ type: 'pid' }],
    },
  })
  const created = await w.runj(['create', 'lim', w.bundle(config)])
  t.equal(created.code, 0, created.stderr)
  const events = await historyJson(w, 'lim')
  const request = events.find((e) => e.type === 'ContainerCreateRequested')
  const applied = events.find((e) => e.type === 'LimitsApplied')
  const rules = request?.data['rctlRules'] as string[]
  t.same(applied?.data['rules'], rules, 'LimitsApplied records exactly the rules requested')
  t.ok(events.findIndex((e) => e.type === 'JailCreated') < events.findIndex((e) => e.type === 'LimitsApplied'), 'after the jail exists')
  t.ok(events.findIndex((e) => e.type === 'LimitsApplied') < events.findIndex((e) => e.type === 'EntrypointSpawned'), 'before the process exists')
  // small.json sets memoryuse, swapuse, pcpu, maxproc, nthr, openfiles; linux.resources overrides four; the annotation one more.
  t.ok(rules.includes('memoryuse:deny=536870912'), 'memory.limit beats the policy')
  t.ok(rules.includes('swapuse:deny=268435456'), 'swap is memory+swap minus memory')
  t.ok(rules.includes('pcpu:deny=50'), 'quota/period as a percentage')
  t.ok(rules.includes('maxproc:deny=64'))
  t.ok(rules.includes('openfiles:deny=100'), 'the annotation beats the policy')
  t.ok(rules.includes('memoryuse:log=268435456'), 'a log rule coexists with the deny rule')
  t.same(request?.data['ignored'], ['linux.namespaces', 'linux.resources.cpu.shares', 'linux.resources.hugepageLimits'], 'ignored fields are recorded')
  t.same(new Set(w.sim.rules()), new Set(rules.map((r) => `jail:lim:${r}`)), 'the kernel (simulator) holds exactly those rules')
  const table = await w.runj(['history', 'lim'])
  t.match(table.stdout, /rctl: .*memoryuse:deny=512M/, 'history shows the rules readably')
  t.match(table.stdout, /ignored linux\.namespaces linux\.resources\.cpu\.shares/)

  t.equal((await w.runj(['delete', '--force', 'lim'])).code, 0)
  t.same(w.sim.rules(), [], 'no rule remains after delete')
  t.same(leftovers(w, 'lim'), nothingLeft)
})

t.test('no rule requested: runj calls neither rctl nor sysctl', async (t) => {
  const w = await world(t)
  const config = baseConfig({ linux: { resources: { memory: { limit: -1 }, pids: { limit: -1 }, cpu: { shares: 2 } } } })
  t.equal((await w.runj(['create', 'free', w.bundle(config)])).code, 0)
  t.equal((await w.runj(['delete', '--force', 'free'])).code, 0)
  t.same(rctlCalls(w), [], 'no rctl or racct call at all')
})

t.test('pids.limit 5: the sixth process cannot be forked, and usage shows the live count', async (t) => {
  const w = await world(t)
  if (!w.sim.cgroupsAvailable('pids')) {
    await t.test('enforcement', { skip: 'this machine gives the simulator no pids cgroup controller, so maxproc cannot be enforced here' }, async () => {})
    return
  }
  t.teardown(() => w.sim.releaseCgroups())
  // The inner sh forks sleeps until a fork fails, which ends a non-interactive sh with "Cannot fork"; the outer sh
  // then execs a last sleep. At the failure: outer sh, inner sh and three sleeps = five processes.
  const inner = 'while :; do echo try >> /data/forks; sleep 30 & echo ok >> /data/forks; done'
  const script = `/bin/sh -c '${inner}' 2>/data/err; echo done >> /data/forks; exec sleep 30`
  // sh opens /dev/null for a background command's stdin; the simulator's devfs is an empty directory, so a file stands in.
  mkdirSync(join(w.dir, 'rootfs/dev'), { recursive: true })
  writeFileSync(join(w.dir, 'rootfs/dev/null'), '')
  const config = baseConfig({ linux: { resources: { pids: { limit: 5 } } } }, { args: ['/bin/sh', '-c', script] })
  t.equal((await w.runj(['create', 'five', w.bundle(config)])).code, 0)
  t.equal((await w.runj(['start', 'five'])).code, 0)
  const forks = join(w.dir, 'rootfs/data/forks')
  await waitFor(() => (existsSync(forks) && readFileSync(forks, 'utf8').includes('done') ? true : undefined), 'the script to finish forking')
  const lines = readFileSync(forks, 'utf8').trim().split('\n')
  t.equal(lines.filter((l) => l === 'ok').length, 3, 'three sleeps forked beside the two shells')
  t.equal(lines.filter((l) => l === 'try').length, 4, 'the fourth sleep, a sixth process, was refused')
  t.match(readFileSync(join(w.dir, 'rootfs/data/err'), 'utf8'), /fork/i, 'the shell said it could not fork')
  const usage = await w.runj(['usage', '--format', 'json', 'five'])
  t.equal(usage.code, 0, usage.stderr)
  const report = JSON.parse(usage.stdout) as { limits: { rule: string; usage: number; percent: number }[]; usage: Record<string, number> }
  t.same(report.limits.map((l) => [l.rule, l.usage, l.percent]), [['maxproc:deny=5', 4, 80]], 'the exec\'d sleep and three sleeps: four of five')
  t.equal(report.usage['maxproc'], 4)
  const table = await w.runj(['usage', 'five'])
  t.match(table.stdout, /^RESOURCE\s+USAGE\s+LIMIT\s+USE\nmaxproc\s+4\s+deny 5\s+80%\n/)
  t.equal((await w.runj(['delete', '--force', 'five'])).code, 0)
  t.same(leftovers(w, 'five'), nothingLeft)
})

t.test('update changes the live rules by difference; history shows applied, updated and removed sets', async (t) => {
  const w = await world(t)
  const config = baseConfig({ annotations: { 'org.freebsd.rctl.rules': 'nthr:deny=100' }, linux: { resources: { memory: { limit: 1073741824 }, pids: { limit: 50 } } } })
  t.equal((await w.runj(['create', 'up', w.bundle(config)])).code, 0)
  t.equal((await w.runj(['start', 'up'])).code, 0)
  const patch = join(w.dir, 'patch.json')
  writeFileSync(patch, JSON.stringify({ memory: { limit: 2147483648 }, pids: { limit: -1 }, cpu: { quota: 200000 } }))
  const before = w.sim.calls().length
  const updated = await w.runj(['update', '--resources', patch, 'up'])
  t.equal(updated.code, 0, updated.stderr)
  t.same(new Set(w.sim.rules()), new Set(['jail:up:nthr:deny=100', 'jail:up:memoryuse:deny=2147483648', 'jail:up:pcpu:deny=200']), 'merged: memory changed, pids removed, cpu added, the annotation kept')
  const calls = rctlCalls(w, before).map((c) => c.join(' '))
  t.notOk(calls.some((c) => c.includes('nthr')), 'an unchanged rule is not touched')
  t.ok(calls.includes('rctl -r jail:up:maxproc:deny'), 'a removed rule is removed by its resource and action')
  // From standard input, runc's single-value options, and a merge over the previous update.
  t.equal((await w.runj(['update', '--pids-limit', '10', 'up'])).code, 0)
  t.ok(w.sim.rules().includes('jail:up:maxproc:deny=10'))
  t.ok(w.sim.rules().includes('jail:up:memoryuse:deny=2147483648'), 'the earlier update still holds')
  const events = await historyJson(w, 'up')
  t.same(events.filter((e) => e.type === 'LimitsUpdated').map((e) => e.data['removed']), [['memoryuse:deny=1073741824', 'maxproc:deny=50'], []])
  const table = (await w.runj(['history', 'up'])).stdout
  t.match(table, /rctl now .*memoryuse:deny=2G.*added .*pcpu:deny=200/)
  t.equal((await w.runj(['delete', '--force', 'up'])).code, 0)
  t.same(leftovers(w, 'up'), nothingLeft, 'no rule remains')
})

t.test('update is refused for a stopped or unknown container, and for bad input, with no host change', async (t) => {
  const w = await world(t)
  t.equal((await w.runj(['create', 'st', w.bundle(baseConfig({}, { args: ['/bin/sh', '-c', 'exit 0'] }))])).code, 0)
  t.equal((await w.runj(['start', 'st'])).code, 0)
  await waitFor(async () => ((await statusOf(w, 'st'))?.status === 'stopped' ? true : undefined), 'the process to exit')
  await refused(t, w, ['update', '--pids-limit', '5', 'st'], 1, /^runj: cannot update container "st": it is stopped\n$/)
  await refused(t, w, ['update', '--pids-limit', '5', 'nope'], 1, /^runj: container "nope" does not exist\n$/)
  await refused(t, w, ['update', 'st'], 2, /^runj: update: nothing to update/)
  await refused(t, w, ['update', '--memory', '12q', 'st'], 2, /^runj: --memory: "12q" is not an amount of bytes/)
  const bad = join(w.dir, 'bad.json')
  writeFileSync(bad, '[1]')
  await refused(t, w, ['update', '--resources', bad, 'st'], 2, /^runj: --resources: must be a JSON object/)
  writeFileSync(bad, '{"pids":{"limit":"many"}}')
  await refused(t, w, ['update', '--resources', bad, 'st'], 2, /^runj: linux\.resources\.pids\.limit: must be -1 \(unlimited\) or a non-negative integer\n$/)
  t.equal((await w.runj(['delete', 'st'])).code, 0)
})

t.test('invalid rules, unknown policies and host caps are refused before any host action (exit 2)', async (t) => {
  const w = await world(t)
  const policyDir = join(w.dir, 'policies')
  mkdirSync(policyDir)
  writeFileSync(join(policyDir, 'host.json'), JSON.stringify({ caps: { memoryuse: '1g', maxproc: 100 } }))
  const env = { RUNJ_POLICY_DIR: policyDir }
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['deny-cputime', { annotations: { 'org.freebsd.rctl.rules': 'cputime:deny=10' } }, /^runj: annotations\["org\.freebsd\.rctl\.rules"\]: invalid rctl rule "cputime:deny=10": cputime cannot be denied/],
    ['throttle-memory', { annotations: { 'org.freebsd.rctl.rules': 'memoryuse:throttle=1m' } }, /throttle applies only to readbps, writebps, readiops and writeiops/],
    ['unknown-resource', { annotations: { 'org.freebsd.rctl.rules': 'bogus:deny=1' } }, /unknown resource "bogus"/],
    ['bad-amount', { annotations: { 'org.freebsd.rctl.rules': 'memoryuse:deny=1x' } }, /amount "1x"/],
    ['subject', { annotations: { 'org.freebsd.rctl.rules': 'jail:other:memoryuse:deny=1g' } }, /runj supplies the jail:<name> subject/],
    ['unknown-policy', { annotations: { 'org.freebsd.rctl.policy': 'huge' } }, /^runj: annotations\["org\.freebsd\.rctl\.policy"\]: unknown policy "huge"; known: build, large, medium, small, untrusted\n$/],
    ['negative', { linux: { resources: { memory: { limit: -5 } } } }, /^runj: linux\.resources\.memory\.limit: must be -1 \(unlimited\) or a non-negative integer\n$/],
    ['cap', { linux: { resources: { memory: { limit: 2147483648 } } } }, /^runj: rctl: memoryuse:deny=2147483648 requests 2147483648 of memoryuse, above the host cap of 1073741824 \(host\.json\)\n$/],
    ['cap-policy', { annotations: { 'org.freebsd.rctl.policy': 'large' } }, /above the host cap/],
  ]
  for (const [name, overrides, message] of cases) {
    t.comment(name)
    const before = w.sim.calls().length
    const result = await w.runj(['create', 'bad', w.bundle(baseConfig(overrides), name)], { env })
    t.equal(result.code, 2, `${name}: exit 2: ${result.stderr.trim()}`)
    t.ok(oneLine(result.stderr))
    t.match(result.stderr, message)
    t.same(w.sim.calls().slice(before).filter((c) => c[0] !== 'ps'), [], 'no utility ran')
    t.same(leftovers(w, 'bad'), nothingLeft)
  }
})

t.test('racct disabled: create with rules fails (exit 1) naming the tunable; without rules it works', async (t) => {
  const w = await world(t)
  w.sim.setSysctl('kern.racct.enable', '0')
  await refused(t, w, ['create', 'r', w.bundle(baseConfig({ linux: { resources: { pids: { limit: 10 } } } }))], 1,
    /^runj: rctl rules were requested but racct is disabled \(kern\.racct\.enable=0\); add kern\.racct\.enable=1 to \/boot\/loader\.conf and reboot/)
  t.same(leftovers(w, 'r'), nothingLeft)
  t.equal((await w.runj(['create', 'r', w.bundle(baseConfig(), 'plain')])).code, 0, 'no rules: no racct needed')
  t.equal((await w.runj(['delete', '--force', 'r'])).code, 0)
  w.sim.setSysctl('kern.racct.enable', null)
  await refused(t, w, ['create', 'r', w.bundle(baseConfig({ linux: { resources: { pids: { limit: 10 } } } }), 'b2')], 1, /this kernel has no racct/)
})

t.test('a failing rctl -a rolls create back: no jail, no rule', async (t) => {
  const w = await world(t)
  w.sim.injectFault('rctl-a', 'fail failed to add rule \'jail:rb:maxproc:deny=10\': Resource temporarily unavailable')
  const result = await w.runj(['create', 'rb', w.bundle(baseConfig({ linux: { resources: { pids: { limit: 10 } } } }))])
  t.equal(result.code, 1)
  t.match(result.stderr, /^runj: rctl: failed to add rule/)
  t.ok(w.sim.calls().some((c) => c.join(' ') === 'rctl -r jail:rb'), 'the rollback removes the jail\'s rules')
  t.same(leftovers(w, 'rb'), nothingLeft)
})

t.test('runj SIGKILLed while rctl -a is slow, then delete --force: no rule remains', async (t) => {
  const w = await world(t)
  w.sim.injectFault('rctl-a', 'sleep 2')
  const bundle = w.bundle(baseConfig({ linux: { resources: { pids: { limit: 10 } } } }))
  const { child, exit } = spawnRunj(w, ['create', 'kk', bundle], join(w.dir, 'create.out'))
  await waitFor(() => (w.sim.calls().some((c) => c[0] === 'rctl' && c[1] === '-a') ? true : undefined), 'rctl -a', 15000)
  await sleep(200)
  child.kill('SIGKILL')
  await exit
  await sleep(2500) // the slow rctl finishes after runj died: the rule is in the kernel, not in the log
  t.same(w.sim.rules(), ['jail:kk:maxproc:deny=10'])
  const removed = await w.runj(['delete', '--force', 'kk'])
  t.same([removed.code, removed.stderr], [0, ''])
  t.same(leftovers(w, 'kk'), nothingLeft, 'delete --force removed the rule the log never recorded')
})
