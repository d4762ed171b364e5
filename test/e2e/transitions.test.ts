// Illegal lifecycle transitions through the CLI: each fails with one clear line and changes nothing on the host or in the log.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { leftovers, nothingLeft, oneLine, snapshot, statusOf, waitForStatus } from '../helpers/probes.js'

type Refusal = [args: string[], message: RegExp, options?: { logGrows?: boolean }]

/** Runs each refusal in turn: exit 1, one stderr line matching, nothing on stdout, and nothing changed for `id`. */
async function refused(t: Test, w: World, id: string, refusals: Refusal[]): Promise<void> {
  let before = await snapshot(w, id)
  for (const [args, message, options] of refusals) {
    const result = await w.runj(args)
    t.equal(result.code, 1, `${args.join(' ')} exits 1`)
    t.match(result.stderr, message, `${args.join(' ')}: ${result.stderr.trim()}`)
    t.ok(oneLine(result.stderr), 'one stderr line')
    t.equal(result.stdout, '', 'nothing on stdout')
    // kill is legal on created, so a failed kill's attempt is logged; everything else leaves the log alone.
    const after = await snapshot(w, id)
    t.same(w.mutations(before.calls), [], 'no host-mutating call')
    if (options?.logGrows !== true) t.equal(after.log, before.log, 'event log unchanged')
    t.equal(after.state, before.state, 'runj state unchanged')
    before = after
  }
}

t.test('created, running and stopped containers refuse what their status does not allow', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(baseConfig())
  t.equal((await w.runj(['create', 'web', bundle])).code, 0)
  await refused(t, w, 'web', [
    [['delete', 'web'], /^runj: cannot delete container "web": it is created\n/],
    [['create', 'web', bundle], /^runj: container "web" already exists \(it is created\)\n/],
  ])

  t.equal((await w.runj(['start', 'web'])).code, 0)
  t.equal((await statusOf(w, 'web'))?.status, 'running')
  await refused(t, w, 'web', [
    [['start', 'web'], /^runj: cannot start container "web": it is running\n/],
    [['delete', 'web'], /^runj: cannot delete container "web": it is running\n/],
    [['create', 'web', bundle], /already exists \(it is running\)/],
  ])

  t.equal((await w.runj(['kill', 'web', 'KILL'])).code, 0)
  await waitForStatus(w, 'web', 'stopped')
  await refused(t, w, 'web', [
    [['kill', 'web'], /^runj: cannot kill container "web": it is stopped\n/],
    [['kill', 'web', 'KILL', '--all'], /it is stopped/],
    [['start', 'web'], /^runj: cannot start container "web": it is stopped\n/],
    [['create', 'web', bundle], /already exists \(it is stopped\)/],
  ])

  t.equal((await w.runj(['delete', 'web'])).code, 0, 'a stopped container deletes without --force')
  t.same(leftovers(w, 'web'), nothingLeft)
})

t.test('an unknown id: state, start, kill and delete fail with exit 1; delete --force succeeds silently', async (t) => {
  const w = await world(t)
  const unknown = /^runj: container "ghost" does not exist\n$/
  await refused(t, w, 'ghost', [[['state', 'ghost'], unknown], [['start', 'ghost'], unknown], [['kill', 'ghost'], unknown], [['kill', 'ghost', 'KILL', '--all'], unknown], [['delete', 'ghost'], unknown]])
  t.notOk(existsSync(join(w.root, 'containers', 'ghost')), 'no state directory was made')
  const before = w.sim.calls().length
  // runc compatibility: podman's cleanup runs delete --force on containers that may be gone already.
  const forced = await w.runj(['delete', '--force', 'ghost'])
  t.same({ code: forced.code, stdout: forced.stdout, stderr: forced.stderr }, { code: 0, stdout: '', stderr: '' })
  t.same(w.mutations(before), [])
  t.notOk(existsSync(join(w.root, 'containers', 'ghost')))
  t.notOk(existsSync(join(w.root, 'archive', 'ghost')), 'nothing archived for a container that never existed')
})

t.test('a deleted id is unknown again, and delete --force twice is fine', async (t) => {
  const w = await world(t)
  t.equal((await w.runj(['create', 'web', w.bundle(baseConfig())])).code, 0)
  t.equal((await w.runj(['delete', '--force', 'web'])).code, 0)
  t.equal((await w.runj(['delete', '--force', 'web'])).code, 0)
  await refused(t, w, 'web', [[['start', 'web'], /^runj: container "web" does not exist\n$/]])
  t.same(leftovers(w, 'web'), nothingLeft)
})

t.test('a config without process: created with no pid, start is an error, delete needs --force', async (t) => {
  const w = await world(t)
  const config = baseConfig()
  delete config['process']
  const created = await w.runj(['create', 'bare', w.bundle(config)])
  t.equal(created.code, 0, created.stderr)
  const state = await statusOf(w, 'bare')
  t.equal(state?.status, 'created')
  t.notOk(state && 'pid' in state, 'no pid in the state JSON: there is no process')
  t.same(w.sim.jails().map((j) => j.name), ['bare'], 'the jail exists')
  t.same(leftovers(w, 'bare').trampolines, [], 'no trampoline was spawned')
  // runtime.md "start": an unset process MUST generate an error.
  await refused(t, w, 'bare', [
    [['start', 'bare'], /^runj: cannot start container "bare": config.json has no "process"\n$/],
    [['kill', 'bare'], /^runj: container "bare" has no live process to signal\n$/, { logGrows: true }],
    // runtime.md "delete": not stopped MUST be an error; such a container never stops, so only --force removes it.
    [['delete', 'bare'], /^runj: cannot delete container "bare": it is created\n$/],
  ])
  const forced = await w.runj(['delete', '--force', 'bare'])
  t.equal(forced.code, 0, forced.stderr)
  t.same(leftovers(w, 'bare'), nothingLeft)
})
