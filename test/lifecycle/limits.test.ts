// rctl in the lifecycle against the recording host: where rules are added and removed, update by difference,
// racct checks, and runc's merge of linux.resources.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { LifecycleContext } from '../../src/lifecycle/context.js'
import { createContainer } from '../../src/lifecycle/create.js'
import { deleteContainer } from '../../src/lifecycle/delete.js'
import { checkRacct, mergeResources } from '../../src/lifecycle/limits.js'
import { updateContainer } from '../../src/lifecycle/update.js'
import { FileEventStore } from '../../src/store/file-store.js'
import { RecordingHost } from '../helpers/recording-host.js'

const actor = { uid: 0, pid: 1, ppid: 1, command: 'test', runtime: 'runj test' }

function setup(t: Test, config: Record<string, unknown>) {
  const dir = t.testdir({ bundle: { rootfs: { etc: { passwd: 'root:*:0:0::/root:/bin/sh\n' }, bin: {} } } })
  const bundle = join(dir, 'bundle')
  writeFileSync(join(bundle, 'config.json'), JSON.stringify({
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    process: { args: ['/bin/sh'], cwd: '/', user: { uid: 0, gid: 0 } },
    mounts: [{ destination: '/data', type: 'tmpfs', source: 'tmpfs' }],
    ...config,
  }))
  mkdirSync(join(dir, 'state'))
  const host = new RecordingHost()
  const ctx: LifecycleContext = { root: join(dir, 'state'), store: new FileEventStore(join(dir, 'state')), host, actor, warn: () => undefined }
  return { bundle, host, ctx }
}

const types = async (ctx: LifecycleContext, id: string) => (await ctx.store.readStream(id)).events.map((e) => e.type)

t.test('rules go on after the jail and before mounts and the process; delete removes them after jail -r', async (t) => {
  const { bundle, host, ctx } = setup(t, { linux: { resources: { pids: { limit: 7 }, memory: { limit: 1048576 } } } })
  await createContainer(ctx, { id: 'web', bundle, pidFile: undefined })
  const calls = host.calls.map((c) => c.split(' ').slice(0, 2).join(' '))
  t.same(calls.slice(0, 4), ['sysctl kern.racct.enable', 'jail -c', 'rctl -a', 'mount tmpfs'])
  t.ok(host.calls.includes('rctl -a jail:web:memoryuse:deny=1048576 jail:web:maxproc:deny=7'), 'one rctl call with every rule and the jail subject')
  t.same(host.rules, ['jail:web:memoryuse:deny=1048576', 'jail:web:maxproc:deny=7'])
  await deleteContainer(ctx, { id: 'web', force: true })
  const teardown = host.calls.slice(host.calls.indexOf('jail -r web'))
  t.same(teardown.slice(0, 2), ['jail -r web', 'rctl -r jail:web'])
  t.same(host.rules, [])
})

t.test('no rules: neither sysctl nor rctl is called, on create or delete', async (t) => {
  const { bundle, host, ctx } = setup(t, { linux: { resources: { pids: { limit: -1 } } } })
  await createContainer(ctx, { id: 'web', bundle, pidFile: undefined })
  await deleteContainer(ctx, { id: 'web', force: true })
  t.same(host.calls.filter((c) => c.startsWith('rctl') || c.startsWith('sysctl')), [])
})

t.test('a failed rctl -a is rolled back like any step, and the rules are removed', async (t) => {
  const { bundle, host, ctx } = setup(t, { annotations: { 'org.freebsd.rctl.rules': 'maxproc:deny=3' } })
  host.fail.add('rctl')
  await t.rejects(createContainer(ctx, { id: 'web', bundle, pidFile: undefined }), /rctl: injected failure/)
  t.ok(host.calls.includes('rctl -r jail:web'), 'the rollback tries to remove the jail rules')
  t.same(host.jails.size, 0)
})

t.test('racct: 0 and an unknown oid are exit-1 errors that say what to do', async (t) => {
  const host = new RecordingHost()
  host.racct = '0'
  await t.rejects(checkRacct(host), { name: 'OperationError', message: /kern\.racct\.enable=0\); add kern\.racct\.enable=1 to \/boot\/loader\.conf and reboot/ })
  host.fail.add('sysctl')
  await t.rejects(checkRacct(host), { message: /this kernel has no racct .*options RACCT/ })
  host.fail.clear()
  host.racct = '1'
  await checkRacct(host)
})

t.test('update applies only the difference; a deny amount change is added in place, a log rule is replaced', async (t) => {
  const { bundle, host, ctx } = setup(t, {
    annotations: { 'org.freebsd.rctl.rules': 'memoryuse:log=100m' },
    linux: { resources: { memory: { limit: 1073741824 }, pids: { limit: 10 }, cpu: { quota: 50000 } } },
  })
  await createContainer(ctx, { id: 'web', bundle, pidFile: undefined })
  const from = host.calls.length
  await updateContainer(ctx, { id: 'web', resources: { memory: { limit: 2147483648 }, pids: { limit: -1 } } })
  t.same(host.calls.slice(from), [
    'sysctl kern.racct.enable',
    'rctl -r jail:web:maxproc:deny',
    'rctl -a jail:web:memoryuse:deny=2147483648',
  ], 'maxproc removed, memoryuse deny replaced in place, pcpu and the log rule untouched')
  const events = (await ctx.store.readStream('web')).events
  const updated = events.find((e) => e.type === 'LimitsUpdated')
  t.same(updated?.data, { rules: ['memoryuse:deny=2147483648', 'pcpu:deny=50', 'memoryuse:log=104857600'], added: ['memoryuse:deny=2147483648'], removed: ['memoryuse:deny=1073741824', 'maxproc:deny=10'] })
  // The annotation's log rule changes only through the annotation; a resources patch cannot remove it.
  await updateContainer(ctx, { id: 'web', resources: { cpu: { quota: 100000 } } })
  t.ok(host.calls.includes('rctl -r jail:web:pcpu:deny') === false, 'a deny rule is never removed to change its amount')
  t.ok(host.calls.includes('rctl -a jail:web:pcpu:deny=100'))
  t.same(await types(ctx, 'web'), [
    'ContainerCreateRequested', 'JailCreated', 'LimitsApplied', 'MountApplied', 'EntrypointSpawned', 'ContainerCreated',
    'LimitsUpdateRequested', 'LimitsUpdated', 'LimitsUpdateRequested', 'LimitsUpdated',
  ])
})

t.test('update from no rules to some: teardown then removes them', async (t) => {
  const { bundle, host, ctx } = setup(t, {})
  await createContainer(ctx, { id: 'web', bundle, pidFile: undefined })
  await updateContainer(ctx, { id: 'web', resources: { pids: { limit: 4 } } })
  t.same(host.rules, ['jail:web:maxproc:deny=4'])
  await deleteContainer(ctx, { id: 'web', force: true })
  t.same(host.rules, [])
})

t.test('a non-deny rule that changes is removed by resource:action and the new set for that key added', async (t) => {
  const { bundle, host, ctx } = setup(t, { linux: { resources: { memory: { reservation: 1024 } } } })
  await createContainer(ctx, { id: 'web', bundle, pidFile: undefined })
  const from = host.calls.length
  await updateContainer(ctx, { id: 'web', resources: { memory: { reservation: 2048 } } })
  t.same(host.calls.slice(from), ['sysctl kern.racct.enable', 'rctl -r jail:web:memoryuse:devctl', 'rctl -a jail:web:memoryuse:devctl=2048'])
})

t.test("mergeResources is runc's: object fields replaced one level deep, other fields kept", async (t) => {
  t.same(mergeResources({ memory: { limit: 1, swap: 2 }, pids: { limit: 3 } }, { memory: { limit: 5 }, cpu: { quota: 1 } }), {
    memory: { limit: 5, swap: 2 },
    pids: { limit: 3 },
    cpu: { quota: 1 },
  })
  t.same(mergeResources(undefined, { pids: { limit: -1 } }), { pids: { limit: -1 } })
  t.throws(() => mergeResources({}, [1]), { message: '--resources: must be a JSON object (linux.resources)' })
  t.throws(() => mergeResources({}, null), { name: 'InvalidInputError' })
})
