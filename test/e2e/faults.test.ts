// A host utility failing at each step of create (and jexec at start): the utility's words, exit 1, a full rollback, an archived attempt.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { archived, leftovers, nothingLeft, oneLine, spawnRunj, statusOf, waitFor, waitForStatus } from '../helpers/probes.js'

async function mountingWorld(t: Test): Promise<{ w: World; bundle: string; pidFile: string }> {
  const w = await world(t)
  const mounts = [
    { destination: '/dev', type: 'devfs', source: 'devfs', options: ['ruleset=4'] },
    { destination: '/mnt/shared', type: 'nullfs', source: join(w.dir, 'sim'), options: ['ro'] },
  ]
  return { w, bundle: w.bundle(baseConfig({ mounts })), pidFile: join(w.dir, 'c.pid') }
}

const create = (w: World, bundle: string, pidFile: string) => w.runj(['create', '--bundle', bundle, '--pid-file', pidFile, 'c'])

/** After a failed create: the utility's message, nothing on the host, the id free, and the attempt archived with its rollback. */
async function assertRolledBack(t: Test, w: World, result: { code: number | null; stderr: string }, message: string, pidFile: string) {
  t.equal(result.code, 1, 'exit 1')
  t.ok(oneLine(result.stderr), `one stderr line: ${result.stderr.trim()}`)
  t.equal(result.stderr, `runj: ${message}\n`, 'the utility\'s own message')
  t.same(leftovers(w, 'c'), nothingLeft, 'no jail, mount, jailed process, trampoline or state directory')
  t.notOk(existsSync(pidFile), 'no pid file')
  const state = await w.runj(['state', 'c'])
  t.same([state.code, state.stderr], [1, 'runj: container "c" does not exist\n'])
  const history = await w.runj(['history', 'c'])
  t.same([history.code, history.stderr], [1, 'runj: container "c" has no history; it has 1 deleted generation: use --all\n'], 'history reads the live log only; the attempt is in the archive')
  const [attempt, ...more] = archived(w, 'c')
  t.equal(more.length, 0, 'one archived attempt')
  const types = attempt?.types ?? []
  for (const type of ['ContainerCreateRequested', 'ActionFailed', 'CreateRolledBack', 'ContainerDeleted']) t.ok(types.includes(type), `archive holds ${type}`)
  t.ok(types.indexOf('ActionFailed') < types.indexOf('CreateRolledBack'), 'the failure comes before the rollback')
  t.match(attempt?.text, JSON.stringify(message), 'the failure is recorded with the message')
  // The id is free again and a clean create works.
  const again = await w.runj(['create', 'c', join(w.dir, 'bundle')])
  t.equal(again.code, 0, `the id can be reused: ${again.stderr.trim()}`)
  t.equal((await w.runj(['delete', '--force', 'c'])).code, 0)
  t.same(leftovers(w, 'c'), nothingLeft)
}

t.test('jail -c fails: nothing was mounted and nothing remains', async (t) => {
  const { w, bundle, pidFile } = await mountingWorld(t)
  w.sim.injectFault('jail-c', 'fail cannot create jail: Operation not permitted')
  const result = await create(w, bundle, pidFile)
  t.same(w.sim.calls().filter((c) => c[0] === 'mount' && c[1] === '-t'), [], 'no mount after the failed jail')
  await assertRolledBack(t, w, result, 'jail: cannot create jail: Operation not permitted', pidFile)
})

t.test('the first mount (devfs) fails: the jail is removed', async (t) => {
  const { w, bundle, pidFile } = await mountingWorld(t)
  w.sim.injectFault('mount', 'fail devfs: Operation not supported by device')
  const result = await create(w, bundle, pidFile)
  t.ok(w.sim.calls().some((c) => c.join(' ') === 'jail -r c'), 'jail -r ran')
  await assertRolledBack(t, w, result, 'mount: devfs: Operation not supported by device', pidFile)
})

t.test('the second mount (nullfs) fails: the devfs mount and the jail are undone, newest first', async (t) => {
  const { w, bundle, pidFile } = await mountingWorld(t)
  // The first mount consumes a slow fault; while it sleeps, a failing one is armed for the next.
  w.sim.injectFault('mount', 'sleep 1')
  const running = create(w, bundle, pidFile)
  await waitFor(() => (w.sim.calls().some((c) => c[0] === 'mount' && c.includes('devfs')) && !existsSync(join(w.sim.stateDir, 'faults/mount')) ? true : undefined), 'the devfs mount')
  w.sim.injectFault('mount', 'fail mount_nullfs: Permission denied')
  const result = await running
  const undo = w.sim.calls().map((c) => c.join(' ')).filter((c) => /^(jail -r|umount)/.test(c))
  t.same(undo, ['jail -r c', `umount ${join(w.dir, 'rootfs/dev')}`], 'the jail, then the devfs mount')
  await assertRolledBack(t, w, result, 'mount: mount_nullfs: Permission denied', pidFile)
})

t.test('ps fails after the trampoline is spawned: the trampoline is released and everything is undone', async (t) => {
  const { w, bundle, pidFile } = await mountingWorld(t)
  w.sim.injectFault('ps', 'fail kvm_getprocs: Cannot allocate memory')
  const result = await create(w, bundle, pidFile)
  await waitFor(() => (leftovers(w, 'c').trampolines.length === 0 ? true : undefined), 'the trampoline to exit').catch(() => undefined)
  t.equal(result.code, 1)
  t.same(leftovers(w, 'c'), nothingLeft)
  t.notOk(existsSync(pidFile), 'no pid file')
  t.equal(await statusOf(w, 'c'), null, 'the id is free')
})

t.test('ps fails after the spawn: the error is ps\'s, not "exited at once"', async (t) => {
  const { w, bundle, pidFile } = await mountingWorld(t)
  w.sim.injectFault('ps', 'fail kvm_getprocs: Cannot allocate memory')
  await assertRolledBack(t, w, await create(w, bundle, pidFile), 'ps: kvm_getprocs: Cannot allocate memory', pidFile)
})

t.test('jexec fails at start: create is untouched, the container process fails with jexec\'s message and stops', async (t) => {
  const { w, bundle, pidFile } = await mountingWorld(t)
  w.sim.injectFault('jexec', 'fail jail "c" not found')
  // The container inherits create's stdio: keep that file to read what the process printed.
  const out = join(w.dir, 'container.out')
  t.same(await spawnRunj(w, ['create', '--bundle', bundle, '--pid-file', pidFile, 'c'], out).exit, { code: 0, signal: null })
  t.ok(existsSync(join(w.sim.stateDir, 'faults/jexec')), 'create runs no jexec')
  t.equal((await statusOf(w, 'c'))?.status, 'created')
  const start = await w.runj(['start', 'c'])
  // runj cannot see the exec chain fail after the FIFO is released (runc's start also returns before the exec).
  t.equal(start.code, 0, 'start itself succeeds')
  await waitFor(() => (readFileSync(out, 'utf8').includes('jexec: jail "c" not found') ? true : undefined), "jexec's message on the container's stderr")
  await waitForStatus(w, 'c', 'stopped')
  const removed = await w.runj(['delete', 'c'])
  t.equal(removed.code, 0, removed.stderr)
  await sleep(50)
  t.same(leftovers(w, 'c'), nothingLeft)
  t.notOk(existsSync(join(w.root, 'containers', 'c')))
})

t.test('ps failing while a container runs does not make runj record it as stopped', async (t) => {
  const { w, bundle, pidFile } = await mountingWorld(t)
  t.equal((await create(w, bundle, pidFile)).code, 0)
  t.equal((await w.runj(['start', 'c'])).code, 0)
  w.sim.injectFault('ps', 'fail kvm_getprocs: Cannot allocate memory always')
  const during = await w.runj(['state', 'c'])
  rmSync(join(w.sim.stateDir, 'faults/ps'))
  t.not(JSON.parse(during.stdout || '{}').status, 'stopped', `state during the fault does not claim stopped: ${during.stderr.trim()}`)
  t.equal(leftovers(w, 'c').chrooted.length, 1, 'the process is alive')
  t.equal((await statusOf(w, 'c'))?.status, 'running', 'once ps works again, the container is running')
  const kill = await w.runj(['kill', 'c', 'KILL'])
  t.equal(kill.code, 0, `and can be killed: ${kill.stderr.trim()}`)
  t.equal((await w.runj(['delete', '--force', 'c'])).code, 0)
  t.same(leftovers(w, 'c'), nothingLeft)
})
