// Races and crashes: concurrent commands on one id, and runj SIGKILLed in the middle of create, then cleaned up by delete --force.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { baseConfig, world } from '../helpers/e2e.js'
import { leftovers, nothingLeft, oneLine, spawnRunj, statusOf, waitFor } from '../helpers/probes.js'

t.test('two concurrent creates of one id: one wins, the other fails cleanly, the survivor is intact', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(baseConfig())
  const pidFiles = [join(w.dir, 'a.pid'), join(w.dir, 'b.pid')]
  const results = await Promise.all(pidFiles.map((p) => w.runj(['create', '--pid-file', p, 'dup', bundle])))
  const winner = results.findIndex((r) => r.code === 0)
  const loser = results[1 - winner]
  t.same(results.map((r) => r.code).sort(), [0, 1], 'exactly one succeeds')
  t.ok(loser && oneLine(loser.stderr), 'the loser prints one line')
  t.match(loser?.stderr, /^runj: container "dup" already exists \(it is (creating|created)\)\n$/)
  t.equal(w.sim.calls().filter((c) => c.slice(0, 2).join(' ') === 'jail -c').length, 1, 'one jail -c in all')
  t.same(w.sim.jails().map((j) => j.name), ['dup'], 'one jail')
  const state = await statusOf(w, 'dup')
  t.equal(state?.status, 'created')
  t.equal(readFileSync(pidFiles[winner] as string, 'utf8'), String(state?.pid), "the winner's pid file holds the pid")
  t.notOk(existsSync(pidFiles[1 - winner] as string), "the loser wrote no pid file")
  t.equal(leftovers(w, 'dup').trampolines.length, 1, 'one trampoline')

  const starts = await Promise.all([w.runj(['start', 'dup']), w.runj(['start', 'dup'])])
  t.same(starts.map((r) => r.code).sort(), [0, 1], 'two concurrent starts: exactly one succeeds')
  t.match(starts.find((r) => r.code === 1)?.stderr, /^runj: cannot start container "dup": it is running\n$/)
  t.equal((await statusOf(w, 'dup'))?.status, 'running')

  const deletes = await Promise.all([w.runj(['delete', '--force', 'dup']), w.runj(['delete', '--force', 'dup'])])
  t.same(deletes.map((r) => [r.code, r.stderr]), [[0, ''], [0, '']], 'two concurrent delete --force both succeed')
  t.equal(w.sim.calls().filter((c) => c.join(' ') === 'jail -r dup').length, 1, 'the jail is removed once')
  t.same(leftovers(w, 'dup'), nothingLeft)
})

// Each case: the utility that runj is waiting on when it is killed, and how to recognise that call.
const cases = [
  { key: 'jail-c', call: (c: string[]) => c[0] === 'jail' && c[1] === '-c' },
  { key: 'mount', call: (c: string[]) => c[0] === 'mount' && c[1] === '-t' },
  // ps -p right after the trampoline is spawned: it is alive, waiting on the FIFO, and not in the log yet.
  { key: 'ps', call: (c: string[]) => c[0] === 'ps' && c[1] === '-p' },
] as const

for (const { key, call } of cases) {
  t.test(`runj SIGKILLed while ${key} is slow during create: delete --force leaves nothing`, async (t) => {
    const w = await world(t)
    const bundle = w.bundle(baseConfig({ mounts: [{ destination: '/dev', type: 'devfs', source: 'devfs' }] }))
    w.sim.injectFault(key, 'sleep 2')
    const { child, exit } = spawnRunj(w, ['create', '--bundle', bundle, '--pid-file', join(w.dir, 'k.pid'), 'k'], join(w.dir, 'create.out'))
    await waitFor(() => (w.sim.calls().some((c) => call(c)) ? true : undefined), `runj to reach ${key}`, 15000)
    await sleep(300)
    child.kill('SIGKILL')
    t.same(await exit, { code: null, signal: 'SIGKILL' })
    await sleep(2500) // the slow utility outlives runj and then does its work
    const state = await statusOf(w, 'k')
    t.equal(state?.status, 'creating', 'an interrupted create reads as creating')

    const removed = await w.runj(['delete', '--force', 'k'])
    t.same([removed.code, removed.stderr], [0, ''], 'delete --force cleans up')
    await waitFor(() => (leftovers(w, 'k').trampolines.length === 0 ? true : undefined), 'the trampoline to exit').catch(() => undefined)
    t.same(leftovers(w, 'k'), nothingLeft, 'no jail, mount, jailed process, trampoline or state directory')
    t.equal(await statusOf(w, 'k'), null, 'the id is free')

    const again = await w.runj(['create', 'k', bundle])
    t.equal(again.code, 0, `and can be created again: ${again.stderr.trim()}`)
    t.equal((await w.runj(['delete', '--force', 'k'])).code, 0)
    t.same(leftovers(w, 'k'), nothingLeft)
  })
}
