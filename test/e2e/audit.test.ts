// The audit trail and the index end to end: actors, history --follow/--all/--since/--type/--verify across
// generations, and list's index (repair, concurrency, status as state reports it).
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { chrootedInto, leftovers, nothingLeft, spawnRunj, statusOf, waitFor, waitForStatus } from '../helpers/probes.js'
import { RUNJ_BIN, cleanEnv } from '../helpers/runj.js'

interface Record_ { seq: number; type: string; time: string; actor: { uid: number; user?: string; pid: number; ppid: number; parent?: string; command: string }; data: Record<string, unknown>; generation?: number }

const historyOf = async (w: World, args: string[]): Promise<Record_[]> => {
  const result = await w.runj(['history', '--format', 'json', ...args])
  if (result.code !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Record_[]
}

/** A bundle with its own copy of the rootfs: the simulator tells jails apart by their root, so two live ones need two. */
function ownBundle(w: World, name: string, config: Record<string, unknown>): string {
  const bundle = w.bundle({ ...config, root: { path: 'rootfs' } }, name)
  execFileSync('cp', ['-a', join(w.dir, 'rootfs'), join(bundle, 'rootfs')])
  return bundle
}

/** runj run by /bin/sh (which stays its parent: the `; :` keeps sh from exec'ing it), output discarded. */
function runjUnderShell(w: World, args: string[]): Promise<number | null> {
  const quoted = [process.execPath, RUNJ_BIN, '--root', w.root, ...args].map((a) => `'${a}'`).join(' ')
  const out = openSync('/dev/null', 'w')
  const child = spawn('/bin/sh', ['-c', `${quoted} </dev/null >/dev/null 2>&1; :`], { env: cleanEnv(w.sim.env()), stdio: ['ignore', out, out] })
  closeSync(out)
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)))
}

t.test('a lifecycle driven by two parents records both actors', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(baseConfig())
  t.equal(await runjUnderShell(w, ['create', 'act', bundle]), 0)
  t.equal((await w.runj(['start', 'act'])).code, 0)
  const events = await historyOf(w, ['act'])
  const byCommand = (command: string) => events.find((e) => e.actor.command === command)?.actor
  const create = byCommand('create')
  const start = byCommand('start')
  t.match(create?.parent, /^\/bin\/sh -c /, "create's parent is the shell, with its command line")
  t.match(start?.parent, new RegExp(`^${process.execPath.replace(/[/.]/g, '\\$&')} `), "start's parent is the test's node process")
  t.equal(start?.ppid, process.pid)
  t.equal(create?.user, 'root')
  t.equal(create?.uid, 0)
  for (const e of events) t.equal(typeof e.actor.pid, 'number')
  const table = (await w.runj(['history', 'act'])).stdout
  t.match(table, /CreateRequested\s+root\/sh\s/, 'the table names the shell')
  t.match(table, /StartRequested\s+root\/node\s/, 'and node')
  t.equal((await w.runj(['delete', '--force', 'act'])).code, 0)
})

t.test('history --follow started before create prints the lifecycle as it happens and ends at delete', async (t) => {
  const w = await world(t)
  const outFile = join(w.dir, 'follow.out')
  const follower = spawnRunj(w, ['history', '--follow', '--format', 'ndjson', 'fol'], outFile)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const bundle = w.bundle(baseConfig({}, { args: ['/bin/sleep', '30'] }))
  t.equal((await w.runj(['create', 'fol', bundle])).code, 0)
  await waitFor(() => (readFileSync(outFile, 'utf8').includes('"ContainerCreated"') ? true : undefined), 'the follower to print ContainerCreated')
  t.equal((await w.runj(['start', 'fol'])).code, 0)
  t.equal((await w.runj(['kill', 'fol', 'KILL'])).code, 0)
  await waitForStatus(w, 'fol', 'stopped')
  t.equal((await w.runj(['delete', 'fol'])).code, 0)
  t.same(await follower.exit, { code: 0, signal: null }, 'the follower exits by itself once the stream is sealed')
  const lines = readFileSync(outFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record_)
  t.same(lines.map((l) => l.seq), lines.map((_, i) => i + 1), 'every event, once, in order')
  t.equal(lines.at(-1)?.type, 'ContainerDeleted')
  const archived = readdirSync(join(w.root, 'archive', 'fol'))
  t.equal(readFileSync(join(w.root, 'archive', 'fol', archived[0] as string), 'utf8'), readFileSync(outFile, 'utf8'), 'exactly the archived log')
})

t.test('history --follow ends on SIGINT (exit 0); --follow with json or --all is refused', async (t) => {
  const w = await world(t)
  const outFile = join(w.dir, 'f.out')
  const follower = spawnRunj(w, ['history', '-f', 'never'], outFile)
  await new Promise((resolve) => setTimeout(resolve, 400))
  follower.child.kill('SIGINT')
  t.same(await follower.exit, { code: 0, signal: null })
  t.match(readFileSync(outFile, 'utf8'), /^TIME\s+SEQ\s+EVENT\s+ACTOR\s+SUMMARY\n$/)
  for (const args of [['--format', 'json'], ['--all'], ['--verify']]) {
    const r = await w.runj(['history', '--follow', ...args, 'x'])
    t.equal(r.code, 2, `--follow ${args.join(' ')}: ${r.stderr.trim()}`)
  }
})

t.test('generations: history shows the live one, --all every one marked, --verify checks archives, tampering is found', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(baseConfig())
  for (let i = 0; i < 2; i++) {
    t.equal((await w.runj(['create', 'gen', bundle])).code, 0)
    t.equal((await w.runj(['delete', '--force', 'gen'])).code, 0)
  }
  t.equal((await w.runj(['create', 'gen', bundle])).code, 0)
  const live = await historyOf(w, ['gen'])
  t.equal(live[0]?.type, 'ContainerCreateRequested')
  t.notOk(live.some((e) => e.type === 'ContainerDeleted'), 'the live generation only')
  const all = await historyOf(w, ['--all', 'gen'])
  t.same([...new Set(all.map((e) => e.generation))], [1, 2, 3], 'three generations, oldest first, each marked')
  t.equal(all.filter((e) => e.type === 'ContainerDeleted').length, 2)
  const table = (await w.runj(['history', '--all', 'gen'])).stdout
  t.match(table, /== generation 1 of 3: archived \(.*\/archive\/gen\/.*\.jsonl\) ==/)
  t.match(table, /== generation 3 of 3: live \(.*\/containers\/gen\/events\.jsonl\) ==/)
  const ndjson = (await w.runj(['history', '--all', '--format', 'ndjson', 'gen'])).stdout.trimEnd().split('\n')
  t.equal(ndjson.length, all.length)
  t.ok(ndjson.every((line) => /,"generation":[123]}$/.test(line)))

  const verified = await w.runj(['history', '--verify', '--all', 'gen'])
  t.equal(verified.code, 0, verified.stderr)
  t.equal(verified.stdout.split('\n').filter((l) => l.endsWith('chain intact')).length, 3, 'three chains verified')
  t.equal((await w.runj(['delete', '--force', 'gen'])).code, 0)
  const gone = await w.runj(['history', 'gen'])
  t.same([gone.code, gone.stderr], [1, 'runj: container "gen" has no history; it has 3 deleted generations: use --all\n'])

  const dir = join(w.root, 'archive', 'gen')
  const oldest = join(dir, readdirSync(dir).sort()[0] as string)
  writeFileSync(oldest, readFileSync(oldest, 'utf8').replace('host.hostname=web', 'host.hostname=evil'))
  const tampered = await w.runj(['history', '--verify', '--all', 'gen'])
  t.equal(tampered.code, 1)
  t.match(tampered.stderr, new RegExp(`^runj: ${oldest.replace(/[.]/g, '\\.')}: seq 1: hash does not match the record \\(edited\\)\\n$`))
})

t.test('--since and --type filter; bad values are exit 2', async (t) => {
  const w = await world(t)
  t.equal((await w.runj(['create', 'flt', w.bundle(baseConfig())])).code, 0)
  t.equal((await w.runj(['start', 'flt'])).code, 0)
  const typed = await historyOf(w, ['--type', 'JailCreated,ContainerStarted', 'flt'])
  t.same(typed.map((e) => e.type), ['JailCreated', 'ContainerStarted'])
  const all = await historyOf(w, ['flt'])
  const cut = all[3]?.time as string
  t.same((await historyOf(w, ['--since', cut, 'flt'])).map((e) => e.seq), all.filter((e) => e.time >= cut).map((e) => e.seq))
  t.equal((await historyOf(w, ['--since', '1h', 'flt'])).length, all.length, 'a duration back from now')
  t.equal((await historyOf(w, ['--since', '2999-01-01', 'flt'])).length, 0)
  for (const [flag, value, message] of [['--type', 'Bogus', /unknown event type "Bogus"/], ['--since', 'yesterday', /--since: "yesterday" is not a time/]] as const) {
    const r = await w.runj(['history', flag, value, 'flt'])
    t.equal(r.code, 2)
    t.match(r.stderr, message)
  }
  t.equal((await w.runj(['delete', '--force', 'flt'])).code, 0)
})

t.test('list: the index is repaired when missing or garbage, and shows what state shows', async (t) => {
  const w = await world(t)
  const limited = baseConfig({ linux: { resources: { pids: { limit: 64 } } } })
  const quick = ownBundle(w, 'quick', baseConfig({}, { args: ['/bin/sh', '-c', 'exit 0'] }))
  const ca = await w.runj(['create', 'a', ownBundle(w, 'ba', limited)])
  t.equal(ca.code, 0, ca.stderr)
  const cb = await w.runj(['create', 'b', quick])
  t.equal(cb.code, 0, cb.stderr)
  t.equal((await w.runj(['start', 'b'])).code, 0)
  t.equal((await w.runj(['create', 'c', ownBundle(w, 'bc', limited)])).code, 0)
  t.equal((await w.runj(['start', 'c'])).code, 0)
  // b's process exits on its own; nobody records it: list must still say stopped, as state does.
  await waitFor(() => (chrootedInto(join(quick, 'rootfs')).length === 0 && (JSON.parse(readFileSync(join(w.root, 'index.json'), 'utf8')) as { containers: Record<string, unknown> }).containers['b'] !== undefined ? true : undefined), 'b to exit')
  const index = join(w.root, 'index.json')
  const expected = async () => Promise.all(['a', 'b', 'c'].map(async (id) => ({ id, status: (await statusOf(w, id))?.status, pid: (await statusOf(w, id))?.pid })))
  const listed = async () => {
    const r = await w.runj(['list', '--format', 'json'])
    t.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as { id: string; status: string; pid: number; bundle: string; limits: string[] }[]
  }
  const first = await listed()
  const truth = await expected()
  t.same(first.map((c) => [c.id, c.status]), truth.map((c) => [c.id, c.status]), 'list and state agree')
  t.same(first.map((c) => c.status), ['created', 'stopped', 'running'])
  t.equal(first[2]?.pid, truth[2]?.pid)
  t.same(first[0]?.limits, ['maxproc:deny=64'])
  for (const damage of ['delete', 'garbage', 'wrong shape']) {
    if (damage === 'delete') rmSync(index)
    else writeFileSync(index, damage === 'garbage' ? '{"version":1,"contain' : '{"version":1,"containers":{"a":{"id":"b"}}}')
    t.same((await listed()).map((c) => [c.id, c.status]), first.map((c) => [c.id, c.status]), `list tells the truth after ${damage}`)
    const repaired = JSON.parse(readFileSync(index, 'utf8')) as { containers: Record<string, { logSize: number }> }
    t.same(Object.keys(repaired.containers).sort(), ['a', 'b', 'c'], 'and repaired the index')
  }
  const quiet = await w.runj(['list', '-q'])
  t.equal(quiet.stdout, 'a\nb\nc\n')
  const table = await w.runj(['list'])
  t.match(table.stdout, /^ID\s+PID\s+STATUS\s+CREATED\s+BUNDLE\s+LIMITS\na\s+\d+\s+created\s+\S+Z\s+\S+\s+maxproc:deny=64\nb\s+0\s+stopped/)
  for (const id of ['a', 'b', 'c']) t.equal((await w.runj(['delete', '--force', id])).code, 0)
  t.same(JSON.parse(readFileSync(index, 'utf8')).containers, {}, 'deleted containers leave the index')
  t.equal((await w.runj(['list', '-q'])).stdout, '')
})

t.test('20 concurrent lifecycles on different ids leave an index that matches the logs exactly', async (t) => {
  const w = await world(t)
  const ids = Array.from({ length: 20 }, (_, i) => `c${i}`)
  const bundles = ids.map((id) => ownBundle(w, `b-${id}`, baseConfig()))
  const results = await Promise.all(ids.map(async (id, i) => {
    const steps = [['create', id, bundles[i] as string], ['start', id], ['state', id], ...(i % 2 === 0 ? [['kill', id, 'KILL'], ['delete', '--force', id]] : [])]
    for (const step of steps) {
      const r = await w.runj(step)
      if (r.code !== 0) return `${step.join(' ')}: ${r.stderr}`
    }
    return 'ok'
  }))
  t.same(results, ids.map(() => 'ok'))
  const index = JSON.parse(readFileSync(join(w.root, 'index.json'), 'utf8')) as { containers: Record<string, { status: string; pid: number; logSize: number }> }
  const survivors = ids.filter((_, i) => i % 2 === 1)
  t.same(Object.keys(index.containers).sort(), [...survivors].sort(), 'exactly the containers with a live log')
  for (const id of survivors) {
    const entry = index.containers[id]
    t.equal(entry?.logSize, statSync(join(w.root, 'containers', id, 'events.jsonl')).size, `${id}: projected from the whole log`)
    t.equal(entry?.status, 'running')
    t.equal(entry?.pid, (await statusOf(w, id))?.pid)
  }
  for (const id of survivors) t.equal((await w.runj(['delete', '--force', id])).code, 0)
  t.notOk(existsSync(join(w.root, 'containers', 'c1')))
  t.same(leftovers(w, 'c1'), nothingLeft)
})
