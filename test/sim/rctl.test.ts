// Simulator tests for rctl(8): rule grammar and kernel validity, storage across jail removal, rctl -u from real
// processes, racct disabled, and enforcement of maxproc with cgroups where the machine has them.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildRootfs, installSimulator, type Sim } from './index.js'

const run = (sim: Sim, util: string, args: string[] = []) => {
  const r = spawnSync(sim.bin(util as 'rctl'), args, { encoding: 'utf8', env: sim.env() })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const rctl = (sim: Sim, ...args: string[]) => run(sim, 'rctl', args)

async function setup(t: Test, programs: string[] = ['sh', 'sleep']) {
  // registered before t.testdir() so that it runs before the directory goes: stop the jails, drop the cgroups
  let sim: Sim | undefined
  t.teardown(() => {
    if (!sim) return
    for (const j of sim.jails()) run(sim, 'jail', ['-r', j.name])
    sim.releaseCgroups()
  })
  const dir = t.testdir()
  sim = await installSimulator(join(dir, 'sim'))
  const root = join(dir, 'root')
  buildRootfs(root, programs)
  // sh gives background jobs /dev/null as stdin (best effort: needs root)
  spawnSync('/usr/bin/mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3'])
  return { sim, root }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

// A jexec'd command whose exit we can await (jexec execs: the child's pid is the jailed process).
function startInJail(sim: Sim, jail: string, argv: string[]) {
  const child = spawn('/usr/bin/env', ['-i', '--', sim.bin('jexec'), jail, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<{ code: number | null; out: string; err: string }>(res =>
    child.on('close', code => res({ code, out, err })),
  )
  return { pid: child.pid ?? -1, exited }
}

t.test('rule grammar and kernel validity: messages and the exit status as rctl.c and kern_rctl.c give them', async t => {
  const { sim } = await setup(t, ['sh'])
  const fail = (rule: string, why: string) => `rctl: failed to add rule '${rule}': ${why}\n`
  t.same(rctl(sim, '-a', 'jail:x:cputime:deny=10'), { code: 1, out: '', err: fail('jail:x:cputime:deny=10', 'Operation not supported') })
  for (const r of ['wallclock', 'readbps', 'writebps', 'readiops', 'writeiops']) {
    t.equal(rctl(sim, '-a', `jail:x:${r}:deny=10`).err, fail(`jail:x:${r}:deny=10`, 'Operation not supported'), `deny ${r}`)
  }
  t.equal(rctl(sim, '-a', 'jail:x:maxproc:throttle=1').err, fail('jail:x:maxproc:throttle=1', 'Operation not supported'))
  t.equal(rctl(sim, '-a', 'jail:x:pcpu:throttle=1').err, fail('jail:x:pcpu:throttle=1', 'Operation not supported'))
  t.equal(rctl(sim, '-a', 'jail:x:readbps:throttle=1m').code, 0, 'throttle is for the I/O resources')
  for (const r of ['pseudoterminals', 'swapuse', 'msgqqueued', 'msgqsize', 'nmsgq', 'nsem', 'nshm', 'shmsize']) {
    t.equal(rctl(sim, '-a', `jail:x:${r}:deny=1/process`).err, fail(`jail:x:${r}:deny=1/process`, 'Operation not supported'))
  }
  t.equal(rctl(sim, '-a', 'jail:x:openfiles:deny=100/process').code, 0, '/process is fine for the others')
  t.equal(rctl(sim, '-a', 'jail:x:bogus:deny=1').err, fail('jail:x:bogus:deny=1', 'Invalid argument'))
  t.equal(rctl(sim, '-a', 'jail:x:maxproc:punish=1').err, fail('jail:x:maxproc:punish=1', 'Invalid argument'))
  t.equal(rctl(sim, '-a', 'jail:x:maxproc:deny').err, fail('jail:x:maxproc:deny', 'Invalid argument'), 'no amount')
  t.equal(rctl(sim, '-a', 'prison:x:maxproc:deny=1').err, fail('prison:x:maxproc:deny=1', 'Invalid argument'))
  t.equal(rctl(sim, '-a', 'jail:x:maxproc:deny=1/box').err, fail('jail:x:maxproc:deny=1/box', 'Invalid argument'))
  t.equal(rctl(sim, '-a', 'jail:x:maxproc:deny=8e').err, fail('jail:x:maxproc:deny=8e', 'Result too large'))
  t.same(rctl(sim, '-a', 'jail'), { code: 1, out: '', err: "rctl: malformed rule 'jail': missing subject\n" })
  t.equal(rctl(sim, '-a', 'jail:x:memoryuse:deny=1q').err, "rctl: malformed rule 'jail:x:memoryuse:deny=1q': invalid numeric value '1q'\n")
  t.equal(rctl(sim, '-a', 'jail:x:memoryuse:deny=16e').err, "rctl: malformed rule 'jail:x:memoryuse:deny=16e': invalid numeric value '16e'\n")
  const many = rctl(sim, '-a', 'jail:y:maxproc:deny=5', 'jail:y:cputime:deny=1', 'jail', 'jail:y:nthr:deny=9')
  t.equal(many.code, 2, 'the exit status counts the failed rules')
  t.same(sim.rules().filter(r => r.startsWith('jail:y:')), ['jail:y:nthr:deny=9', 'jail:y:maxproc:deny=5'], 'the good ones stand')
  const usage = 'usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]\n'
  t.same(rctl(sim, '-a'), { code: 1, out: '', err: usage })
  t.same(rctl(sim, '-q'), { code: 1, out: '', err: 'rctl: illegal option -- q\n' + usage })
  t.equal(rctl(sim, '-a', '-r', 'jail:x').err, 'rctl: at most one of -a, -l, -r, or -u may be specified\n')
  t.equal(rctl(sim, '-l', 'jail:x').err, "rctl: failed to get limits for 'jail:x': Operation not supported\n")
  t.equal(rctl(sim, '-u', 'jail:').err, "rctl: failed to show resource consumption for 'jail:': Invalid argument\n")
  t.match(rctl(sim, '-a', 'user:root:maxproc:deny=1'), { code: 1, err: /^rctl: simulator: / }, 'only jail subjects')
})

t.test('amounts: suffixes are 1024 powers, stored as integers; -h humanizes; deny rules replace on amount', async t => {
  const { sim } = await setup(t, ['sh'])
  t.equal(rctl(sim, '-a', 'j:web:memoryuse:deny=512m', 'jail:web:vmemoryuse:deny=0x10K', 'JAIL:web:MaxProc:Deny=10').code, 0)
  t.same(sim.rules(), ['jail:web:maxproc:deny=10', 'jail:web:vmemoryuse:deny=16384', 'jail:web:memoryuse:deny=536870912'], 'newest first, names canonical')
  t.equal(rctl(sim, 'jail:web:memoryuse').out, 'jail:web:memoryuse:deny=536870912\n')
  t.equal(rctl(sim, '-h', 'jail:web').out, 'jail:web:maxproc:deny=10\njail:web:vmemoryuse:deny=16K\njail:web:memoryuse:deny=512M\n')
  t.equal(rctl(sim, '-a', 'jail:web:maxproc:deny=20').code, 0)
  t.same(sim.rules(), ['jail:web:maxproc:deny=20', 'jail:web:vmemoryuse:deny=16384', 'jail:web:memoryuse:deny=536870912'], 'replaced, now first')
  rctl(sim, '-a', 'jail:web:maxproc:log=5', 'jail:web:maxproc:log=6', 'jail:web:maxproc:log=6', 'jail:web:maxproc:deny=4/process')
  t.same(sim.rules().filter(r => r.includes(':maxproc:')), [
    'jail:web:maxproc:deny=4/process', 'jail:web:maxproc:log=6', 'jail:web:maxproc:log=5', 'jail:web:maxproc:deny=20',
  ], 'other actions only drop exact duplicates; per makes a rule of its own')
  rctl(sim, '-a', 'jail:db:maxproc:deny=1')
  t.equal(rctl(sim).out.split('\n')[0], 'jail:db:maxproc:deny=1', 'a jail first seen later is listed first')
  t.equal(rctl(sim, 'jail:nosuch').out, '', 'a filter matching nothing lists nothing')
})

t.test('rules outlive the jail; -r removes them, and fails with ESRCH when nothing matched', async t => {
  const { sim, root } = await setup(t)
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  rctl(sim, '-a', 'jail:web:maxproc:deny=10', 'jail:web:openfiles:deny=100', 'jail:other:nthr:deny=3')
  t.equal(run(sim, 'jail', ['-r', 'web']).code, 0)
  t.same(sim.rules(), ['jail:other:nthr:deny=3', 'jail:web:openfiles:deny=100', 'jail:web:maxproc:deny=10'], 'still there')
  t.same(rctl(sim, '-r', 'jail:web:maxproc'), { code: 0, out: '', err: '' })
  t.same(rctl(sim, '-r', 'jail:web'), { code: 0, out: '', err: '' })
  t.same(sim.rules(), ['jail:other:nthr:deny=3'])
  t.same(rctl(sim, '-r', 'jail:web'), { code: 1, out: '', err: "rctl: failed to remove rule 'jail:web': No such process\n" })
  t.same(rctl(sim, '-r', ':'), { code: 0, out: '', err: '' }, 'an empty filter removes every rule')
  t.same(sim.rules(), [])
})

t.test('racct disabled (kern.racct.enable=0) or absent: every rctl call fails as enosys() says', async t => {
  const { sim } = await setup(t, ['sh'])
  rctl(sim, '-a', 'jail:web:maxproc:deny=10')
  sim.setSysctl('kern.racct.enable', '0')
  const off = { code: 1, out: '', err: 'rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable\n' }
  t.same(rctl(sim), off)
  t.same(rctl(sim, '-a', 'jail:web:maxproc:deny=1'), off)
  t.same(rctl(sim, '-r', 'jail:web'), off)
  t.same(rctl(sim, '-u', 'jail:web'), off)
  t.equal(run(sim, 'sysctl', ['-n', 'kern.racct.enable']).out, '0\n', 'sysctl agrees')
  sim.setSysctl('kern.racct.enable', null)
  t.same(rctl(sim, 'jail:web'), { code: 1, out: '', err: 'rctl: RACCT/RCTL support not present in kernel; see rctl(8) for details\n' })
  sim.setSysctl('kern.racct.enable', '1')
  t.same(sim.rules(), ['jail:web:maxproc:deny=10'], 'nothing changed meanwhile')
  sim.injectFault('rctl-a', 'fail boom')
  t.same(rctl(sim, '-a', 'jail:web:maxproc:deny=1'), { code: 1, out: '', err: 'rctl: boom\n' }, 'fault rctl-a')
  t.equal(rctl(sim, 'jail:web').out, 'jail:web:maxproc:deny=10\n', 'a listing is not rctl-a')
})

const RESOURCES = [
  'cputime', 'datasize', 'stacksize', 'coredumpsize', 'memoryuse', 'memorylocked', 'maxproc', 'openfiles', 'vmemoryuse',
  'pseudoterminals', 'swapuse', 'nthr', 'msgqqueued', 'msgqsize', 'nmsgq', 'nsem', 'nsemop', 'nshm', 'shmsize',
  'wallclock', 'pcpu', 'readbps', 'writebps', 'readiops', 'writeiops',
]

t.test('rctl -u: every resource in the kernel order, counted from the jail\'s real processes', async t => {
  const { sim, root } = await setup(t)
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  const idle = rctl(sim, '-u', 'jail:web')
  t.equal(idle.code, 0, idle.err)
  t.same(idle.out, RESOURCES.map(r => `${r}=0\n`).join(''), 'no process: all zero')
  t.same(rctl(sim, '-u', 'jail:never-created').out, idle.out, 'any jail name has an (empty) racct')
  const p = startInJail(sim, 'web', ['/bin/sh', '-c', '/bin/sleep 30 & /bin/sleep 30 & wait'])
  let u: Record<string, number> = {}
  for (let i = 0; i < 100; i++) {
    const r = rctl(sim, '-u', 'jail:web')
    u = Object.fromEntries(r.out.trim().split('\n').map(l => [l.split('=')[0] ?? '', Number(l.split('=')[1])]))
    if (u.maxproc === 3) break
    await sleep(50)
  }
  t.same(Object.keys(u), RESOURCES)
  t.equal(u.maxproc, 3, 'sh and two sleeps')
  t.equal(u.nthr, 3)
  t.ok((u.memoryuse ?? 0) > 100_000, `memoryuse ${u.memoryuse} bytes of RSS`)
  t.ok((u.openfiles ?? 0) >= 6, `openfiles ${u.openfiles}`)
  t.equal(u.pcpu, 0)
  const h = rctl(sim, '-hu', 'jail:web').out
  t.match(h, /^memoryuse=\d+(\.\d)?[KMG]$/m, 'humanized')
  t.match(h, /^maxproc=3$/m)
  run(sim, 'jail', ['-r', 'web'])
  await p.exited
})

t.test('maxproc deny is enforced with a pids cgroup: a jailed sh cannot fork past it', async t => {
  const { sim, root } = await setup(t)
  if (!sim.cgroupsAvailable('pids')) {
    t.plan(0, 'skipped: no usable pids cgroup controller here (state/cgroups is empty): rules are only recorded')
    return
  }
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  t.equal(rctl(sim, '-a', 'jail:web:maxproc:deny=3').code, 0)
  const dir = sim.cgroupDir('web', 'pids') ?? ''
  t.equal(readFileSync(join(dir, 'pids.max'), 'utf8'), '3\n', 'the jail has a cgroup with pids.max')
  const forks = ['/bin/sh', '-c', 'for i in 1 2 3 4 5 6; do /bin/sleep 1 & done; wait']
  const denied = await startInJail(sim, 'web', forks).exited
  t.not(denied.code, 0, 'the shell gave up')
  t.match(denied.err, /fork/i, `sh could not fork: ${denied.err.trim()}`)
  // the process joined before exec: its pid stays the jailed process's
  const p = startInJail(sim, 'web', ['/bin/sleep', '5'])
  await sleep(300)
  t.match(readFileSync(`/proc/${p.pid}/cgroup`, 'utf8'), dir.slice(dir.indexOf('/runj-sim-')), 'in the jail cgroup')
  t.equal(rctl(sim, '-a', 'jail:web:maxproc:deny=10').code, 0)
  t.equal(readFileSync(join(dir, 'pids.max'), 'utf8'), '10\n', 'a new amount replaces the limit')
  t.equal((await startInJail(sim, 'web', forks).exited).code, 0, 'six sleeps fit under 10')
  t.equal(rctl(sim, '-r', 'jail:web').code, 0)
  t.equal(readFileSync(join(dir, 'pids.max'), 'utf8'), 'max\n', 'relaxed while processes remain in it')
  rctl(sim, '-a', 'jail:web:maxproc:deny=2')
  t.equal(run(sim, 'jail', ['-r', 'web']).code, 0)
  await p.exited
  t.notOk(existsSync(dir), 'jail -r removes the cgroup')
  t.same(sim.rules(), ['jail:web:maxproc:deny=2'], 'the rule stays')
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  t.not((await startInJail(sim, 'web', forks).exited).code, 0, 'a new jail of that name is limited again (jexec)')
  t.equal(readFileSync(join(dir, 'pids.max'), 'utf8'), '2\n')
})

t.test('a rule added while the jail runs moves its processes into the cgroup (rules apply to existing processes)', async t => {
  const { sim, root } = await setup(t)
  if (!sim.cgroupsAvailable('pids')) {
    t.plan(0, 'skipped: no usable pids cgroup controller here (state/cgroups is empty): rules are only recorded')
    return
  }
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  const p = startInJail(sim, 'web', ['/bin/sleep', '30'])
  await sleep(300)
  t.notMatch(readFileSync(`/proc/${p.pid}/cgroup`, 'utf8'), /runj-sim-/, 'no rule, no cgroup')
  rctl(sim, '-a', 'jail:web:maxproc:deny=5', 'jail:web:openfiles:deny=100')
  const dir = sim.cgroupDir('web', 'pids') ?? ''
  t.match(readFileSync(`/proc/${p.pid}/cgroup`, 'utf8'), dir.slice(dir.indexOf('/runj-sim-')))
  t.equal(readFileSync(join(dir, 'pids.current'), 'utf8'), '1\n')
  run(sim, 'jail', ['-r', 'web'])
  await p.exited
})

t.test('memoryuse deny is enforced with a memory cgroup', async t => {
  const { sim, root } = await setup(t)
  if (!sim.cgroupsAvailable('memory')) {
    t.plan(0, 'skipped: no usable memory cgroup controller here (on v1 only one whose root cgroup we are in is used)')
    return
  }
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  t.equal(rctl(sim, '-a', 'jail:web:memoryuse:deny=64m').code, 0)
  const dir = sim.cgroupDir('web', 'memory') ?? ''
  const f = existsSync(join(dir, 'memory.max')) ? 'memory.max' : 'memory.limit_in_bytes'
  t.equal(readFileSync(join(dir, f), 'utf8'), '67108864\n')
})
