// state: liveness guarded against pid reuse and zombies, an observed exit recorded only when the lock is free.
import t from 'tap'
import type { LifecycleContext } from '../../src/lifecycle/context.js'
import { containerState } from '../../src/lifecycle/state.js'
import { MemoryEventStore } from '../../src/store/memory-store.js'
import { eventsTo } from '../helpers/events.js'
import { RecordingHost } from '../helpers/recording-host.js'

const actor = { uid: 0, pid: 1, ppid: 1, command: 'test', runtime: 'runj test' }
const recordedStart = 'Thu Dec  3 18:00:00 2026'

async function running() {
  const store = new MemoryEventStore()
  await store.appendToStream('web', eventsTo('running'), { expectedVersion: 0, actor })
  const host = new RecordingHost()
  const ctx: LifecycleContext = { root: '/nonexistent', store, host, actor, warn: () => undefined }
  return { store, host, ctx }
}

const cases: [string, { jid: number; state: string; startTime: string } | null, string][] = [
  ['alive in its jail', { jid: 7, state: 'S', startTime: recordedStart }, 'running'],
  ['gone', null, 'stopped'],
  ['a zombie', { jid: 7, state: 'Z', startTime: recordedStart }, 'stopped'],
  ['a recycled pid (another start time)', { jid: 7, state: 'S', startTime: 'Thu Dec  3 19:00:00 2026' }, 'stopped'],
  ['a pid outside the jail', { jid: 0, state: 'S', startTime: recordedStart }, 'stopped'],
]

for (const [name, info, status] of cases) {
  t.test(`the process is ${name}: ${status}`, async (t) => {
    const { host, ctx, store } = await running()
    if (info !== null) host.processes.set(4242, { pid: 4242, ...info })
    const json = await containerState(ctx, 'web')
    t.equal(json.status, status)
    t.equal(json.pid, status === 'running' ? 4242 : undefined, 'pid only while running')
    const last = (await store.readStream('web')).events.at(-1)
    t.equal(last?.type, status === 'stopped' ? 'ProcessExited' : 'ContainerStarted', 'an observed exit is recorded')
  })
}

t.test('state does not wait for a held lock: it reports stopped and records nothing', async (t) => {
  const { ctx, store } = await running()
  let release!: () => void
  const held = store.withLock('web', () => new Promise<void>((resolve) => (release = resolve)))
  await new Promise((resolve) => setTimeout(resolve, 10))
  const json = await containerState(ctx, 'web')
  t.equal(json.status, 'stopped')
  t.equal((await store.readStream('web')).events.at(-1)?.type, 'ContainerStarted', 'nothing recorded while another holds the lock')
  release()
  await held
})
