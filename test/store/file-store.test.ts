// The file store passes the event-store contract, and handles torn tails, bad lines and stale locks.
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { LogCorruptError } from '../../src/store/errors.js'
import { FileEventStore, streamPath } from '../../src/store/file-store.js'
import { actor, eventStoreContract, signal } from './contract.js'

const fixedClock = () => new Date('2026-12-03T18:00:00.000Z')

eventStoreContract(t, async (t) => new FileEventStore(t.testdir(), fixedClock))

t.test('the log is <root>/containers/<id>/events.jsonl, one canonical JSON line per event, mode 0600', async (t) => {
  const root = t.testdir()
  const store = new FileEventStore(root, fixedClock)
  await store.appendToStream('web', [signal(1), signal(2)], { expectedVersion: 0, actor })
  const path = join(root, 'containers', 'web', 'events.jsonl')
  t.equal(path, streamPath(root, 'web'))
  t.equal(statSync(path).mode & 0o777, 0o600)
  const lines = readFileSync(path, 'utf8').split('\n')
  t.equal(lines.length, 3, 'two lines, each ending in a newline')
  t.equal(lines[2], '')
  t.match(lines[0], /^\{"actor":\{.*\},"data":\{.*\},"hash":"[0-9a-f]{64}","prev":"0{64}","schema":1,"seq":1,"time":"2026-12-03T18:00:00.000Z","type":"SignalSent"\}$/)
  t.notOk(existsSync(join(root, 'locks', 'web.lock')), 'the lock is released')
})

t.test('a torn last line is reported, never parsed, and truncated by the next append', async (t) => {
  const root = t.testdir()
  const store = new FileEventStore(root, fixedClock)
  await store.appendToStream('web', [signal(1)], { expectedVersion: 0, actor })
  const path = streamPath(root, 'web')
  const good = readFileSync(path, 'utf8')
  const tail = '{"actor":{"uid":0},"data":{"sig'
  appendFileSync(path, tail)
  const torn = await store.readStream('web')
  t.equal(torn.version, 1)
  t.same(torn.torn, { offset: Buffer.byteLength(good), bytes: tail.length })
  const [next] = await store.appendToStream('web', [signal(2)], { expectedVersion: 1, actor })
  t.equal(next?.seq, 2)
  t.equal(next?.prev, torn.lastHash)
  const healed = await store.readStream('web')
  t.equal(healed.torn, null)
  t.equal(healed.version, 2)
  t.ok(readFileSync(path, 'utf8').startsWith(good))
})

t.test('a torn first line leaves an empty stream that the next append starts at seq 1', async (t) => {
  const root = t.testdir({ containers: { web: { 'events.jsonl': '{"seq":1,"ty' } } })
  const store = new FileEventStore(root, fixedClock)
  t.equal((await store.readStream('web')).version, 0)
  const [first] = await store.appendToStream('web', [signal(1)], { expectedVersion: 0, actor })
  t.equal(first?.seq, 1)
})

t.test('a bad line in the middle is an error naming its seq', async (t) => {
  const root = t.testdir()
  const store = new FileEventStore(root, fixedClock)
  await store.appendToStream('web', [signal(1), signal(2), signal(3)], { expectedVersion: 0, actor })
  const path = streamPath(root, 'web')
  const lines = readFileSync(path, 'utf8').split('\n')
  lines[1] = 'garbage'
  writeFileSync(path, lines.join('\n'))
  await t.rejects(store.readStream('web'), new LogCorruptError(path, 2, 'line is not valid JSON'))
})

t.test('long lines: the tail reader widens its window past 64 KiB', async (t) => {
  const root = t.testdir()
  const store = new FileEventStore(root, fixedClock)
  const big = { type: 'ActionFailed', data: { action: 'jail', message: 'x', stderr: 'e'.repeat(200_000) } } as const
  await store.appendToStream('web', [big, big], { expectedVersion: 0, actor })
  const [third] = await store.appendToStream('web', [signal(3)], { expectedVersion: 2, actor })
  t.equal(third?.seq, 3)
  t.equal((await store.readStream('web')).version, 3)
})

t.test('a lock left by a dead process is broken; one held by a live process is not', async (t) => {
  const root = t.testdir({ locks: { 'web.lock': '999999999 deadbeef' } })
  const store = new FileEventStore(root, fixedClock)
  await store.appendToStream('web', [signal(1)], { expectedVersion: 0, actor })
  t.equal((await store.readStream('web')).version, 1, 'the stale lock did not block')
  writeFileSync(join(root, 'locks', 'web.lock'), `${process.ppid} cafe`)
  await t.rejects(store.withLock('web', async () => undefined, { wait: false }), { name: 'LockedError', holder: process.ppid })
})
