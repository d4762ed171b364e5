// create and its rollback against the recording host: the order of host actions, the events, and what is undone.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { LifecycleContext } from '../../src/lifecycle/context.js'
import { createContainer } from '../../src/lifecycle/create.js'
import { deleteContainer } from '../../src/lifecycle/delete.js'
import { FileEventStore } from '../../src/store/file-store.js'
import { RecordingHost } from '../helpers/recording-host.js'

const actor = { uid: 0, pid: 1, ppid: 1, command: 'test', runtime: 'runj test' }

function setup(t: Test, extra: Record<string, unknown> = {}) {
  const dir = t.testdir({ bundle: { rootfs: { etc: { passwd: 'root:*:0:0::/root:/bin/sh\n' }, bin: {} } } })
  const bundle = join(dir, 'bundle')
  const hook = { path: '/bin/true' }
  writeFileSync(
    join(bundle, 'config.json'),
    JSON.stringify({
      ociVersion: '1.3.0',
      root: { path: 'rootfs' },
      process: { args: ['/bin/sh'], env: ['SECRET=do-not-log'], cwd: '/', user: { uid: 0, gid: 0 } },
      mounts: [
        { destination: '/dev', type: 'devfs', source: 'devfs', options: ['ruleset=4'] },
        { destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      ],
      hooks: { createRuntime: [hook] },
      ...extra,
    }),
  )
  mkdirSync(join(dir, 'state'))
  const host = new RecordingHost()
  const warnings: string[] = []
  const ctx: LifecycleContext = { root: join(dir, 'state'), store: new FileEventStore(join(dir, 'state')), host, actor, warn: (m) => warnings.push(m) }
  return { dir, bundle, host, ctx, warnings }
}

const types = async (ctx: LifecycleContext, id: string) => (await ctx.store.readStream(id)).events.map((e) => e.type)

t.test('create runs jail, mounts, FIFO, trampoline, then createRuntime hooks, recording each outcome', async (t) => {
  const { bundle, host, ctx, dir } = setup(t)
  await createContainer(ctx, { id: 'web', bundle, pidFile: join(dir, 'pid') })
  const rootfs = join(bundle, 'rootfs')
  t.same(host.calls, [
    `jail -c name=web path=${rootfs} persist`,
    `mount devfs devfs ${rootfs}/dev`,
    `mount tmpfs tmpfs ${rootfs}/data`,
    `mkfifo ${ctx.root}/containers/web/start.fifo`,
    `spawn /usr/bin/env -i -- SECRET=do-not-log /usr/bin/jexec -d / web /bin/sh`,
    'hook /bin/true creating',
  ])
  t.same(await types(ctx, 'web'), ['ContainerCreateRequested', 'JailCreated', 'MountApplied', 'MountApplied', 'EntrypointSpawned', 'ContainerCreated'])
  t.ok(existsSync(join(rootfs, 'data')), 'the missing mount point was created inside the rootfs')
  const log = JSON.stringify((await ctx.store.readStream('web')).events)
  t.notMatch(log, /do-not-log/, 'env values never reach the log')
  t.match(log, /"envNames":\["SECRET"\]/)
})

t.test('a failed step undoes every completed one in reverse and archives the attempt', async (t) => {
  const { bundle, host, ctx, dir } = setup(t)
  host.fail.add('mkfifo')
  await t.rejects(createContainer(ctx, { id: 'web', bundle, pidFile: join(dir, 'pid') }), { message: 'mkfifo: injected failure' })
  const rootfs = join(bundle, 'rootfs')
  t.same(host.calls.slice(3), ['mkfifo ' + join(ctx.root, 'containers/web/start.fifo'), `fifo release ${ctx.root}/containers/web/start.fifo`, 'jail -r web', `umount ${rootfs}/data`, `umount ${rootfs}/dev`])
  t.same([...host.jails.keys(), ...host.mounted], [], 'no jail and no mount remain')
  t.equal((await ctx.store.readStream('web')).version, 0, 'no live stream remains')
  const archived = readdirSync(join(ctx.root, 'archive', 'web'))
  t.equal(archived.length, 1, 'the failed attempt is archived')
  t.notOk(existsSync(join(dir, 'pid')))
})

t.test('a failing createRuntime hook aborts create and kills the waiting entrypoint', async (t) => {
  const { bundle, host, ctx } = setup(t)
  host.fail.add('hook')
  await t.rejects(createContainer(ctx, { id: 'web', bundle, pidFile: undefined }), { message: /^createRuntime hook: injected failure/ })
  t.ok(host.calls.includes('kill SIGKILL 1000'), 'the entrypoint was killed')
  t.same(host.processes.size, 0)
})

t.test('delete --force after a create that died midway removes what the log did not record', async (t) => {
  const { bundle, host, ctx } = setup(t)
  host.fail.add('mkfifo')
  // Simulate a runj killed after jail -c: the jail exists but the log has only the intent.
  const { prepareCreate } = await import('../../src/lifecycle/prepare.js')
  const { spec } = await prepareCreate({ id: 'web', bundle, pidFile: undefined }, host)
  await ctx.store.appendToStream('web', [{ type: 'ContainerCreateRequested', data: spec }], { expectedVersion: 0, actor })
  host.jails.set('web', 9)
  host.mounted.push(spec.mounts[0]?.node as string)
  await deleteContainer(ctx, { id: 'web', force: true })
  t.same([...host.jails.keys(), ...host.mounted], [])
  t.ok(host.calls.includes('jail -r web'))
  t.equal((await ctx.store.readStream('web')).version, 0)
})
