// The event-store contract: every EventStore implementation runs this same suite.
import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { Test } from 'tap'
import type { DomainEvent } from '../../src/domain/events.js'
import { ConcurrencyError, LockedError } from '../../src/store/errors.js'
import { GENESIS_HASH, type Actor } from '../../src/store/record.js'
import type { EventStore } from '../../src/store/store.js'

export const actor: Actor = { uid: 0, pid: 4242, ppid: 4200, command: 'test', runtime: 'runj test' }

export const signal = (n: number): DomainEvent => ({ type: 'SignalSent', data: { signal: 'SIGUSR1', pids: [n] } })

/** An auditor's check, independent of the store's code: sha256 of the JCS form without `hash`. */
export function independentHash(record: object): string {
  const { hash: _hash, ...rest } = record as Record<string, unknown>
  return createHash('sha256').update(canonicalize(rest) as string).digest('hex')
}

export function eventStoreContract(t: Test, makeStore: (t: Test) => Promise<EventStore>): void {
  t.test('a stream that was never written is empty at version 0', async (t) => {
    const store = await makeStore(t)
    const read = await store.readStream('nothing')
    t.same([read.version, read.events, read.torn, read.lastHash], [0, [], null, GENESIS_HASH])
  })

  t.test('appends are numbered from 1, chained, hashed and stamped', async (t) => {
    const store = await makeStore(t)
    const first = await store.appendToStream('web', [signal(1)], { expectedVersion: 0, actor })
    const more = await store.appendToStream('web', [signal(2), signal(3)], { expectedVersion: 1, actor })
    const { events, version } = await store.readStream('web')
    t.equal(version, 3)
    t.same(events, [...first, ...more], 'what was returned is what is read back')
    t.same(events.map((e) => e.seq), [1, 2, 3])
    t.equal(events[0]?.prev, GENESIS_HASH)
    for (const [i, event] of events.entries()) {
      t.equal(event.hash, independentHash(event), `seq ${event.seq} hash is sha256(JCS(record without hash))`)
      if (i > 0) t.equal(event.prev, events[i - 1]?.hash, `seq ${event.seq} links to its predecessor`)
      t.equal(event.schema, 1)
      t.same(event.actor, actor)
      t.equal(event.time, '2026-12-03T18:00:00.000Z')
    }
    t.same(events.map((e) => e.data), [signal(1).data, signal(2).data, signal(3).data])
  })

  t.test('a wrong expected version is a conflict and writes nothing', async (t) => {
    const store = await makeStore(t)
    await store.appendToStream('web', [signal(1)], { expectedVersion: 0, actor })
    await t.rejects(store.appendToStream('web', [signal(2)], { expectedVersion: 0, actor }), ConcurrencyError)
    await t.rejects(store.appendToStream('web', [signal(2)], { expectedVersion: 5, actor }), { name: 'ConcurrencyError', message: 'container "web" changed concurrently: expected version 5, found 1' })
    t.equal((await store.readStream('web')).version, 1)
    await store.appendToStream('web', [signal(2)], { expectedVersion: 'any', actor })
    t.equal((await store.readStream('web')).version, 2, "'any' skips the check")
  })

  t.test('streams are independent', async (t) => {
    const store = await makeStore(t)
    await store.appendToStream('a', [signal(1), signal(2)], { expectedVersion: 0, actor })
    await store.appendToStream('b', [signal(3)], { expectedVersion: 0, actor })
    t.equal((await store.readStream('a')).version, 2)
    t.equal((await store.readStream('b')).events[0]?.prev, GENESIS_HASH)
  })

  t.test('concurrent appends in one process are serialised without loss', async (t) => {
    const store = await makeStore(t)
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.appendToStream('web', [signal(i + 1)], { expectedVersion: 'any', actor })))
    const { events } = await store.readStream('web')
    t.same(events.map((e) => e.seq), Array.from({ length: 40 }, (_, i) => i + 1))
    t.same(events.map((e) => (e.data as { pids: number[] }).pids[0]).sort((x, y) => (x as number) - (y as number)), Array.from({ length: 40 }, (_, i) => i + 1))
  })

  t.test('the lock is re-entrant inside withLock and exclusive outside it', async (t) => {
    const store = await makeStore(t)
    await store.withLock('web', async () => {
      await store.appendToStream('web', [signal(1)], { expectedVersion: 0, actor })
      const nested = await store.withLock('web', async () => 'nested ran', { wait: false })
      t.equal(nested, 'nested ran', 'the holder can take its own lock again')
    })
    let inside = false
    const holder = store.withLock('web', async () => {
      inside = true
      await new Promise((resolve) => setTimeout(resolve, 30))
      inside = false
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    await t.rejects(store.withLock('web', async () => undefined, { wait: false }), LockedError, 'a held lock refuses wait: false')
    await store.withLock('web', async () => t.notOk(inside, 'a waiting caller runs after the holder'))
    await holder
  })
}
