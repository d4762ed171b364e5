// Hostile ids and bundles: one clear line, exit 2, no host change; and rootfs symlinks never lead a mount out of the rootfs.
import { existsSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { leftovers, nothingLeft, oneLine } from '../helpers/probes.js'

/** Nothing runj keeps per container was made, and the simulator saw no call at all. */
function untouched(t: Test, w: World, callsBefore: number): void {
  t.same(w.sim.calls().slice(callsBefore), [], 'no host utility ran')
  const containers = join(w.root, 'containers')
  t.same(existsSync(containers) ? readdirSync(containers) : [], [], 'no <root>/containers/<id>')
  t.same(w.sim.jails(), [])
}

async function rejected(t: Test, w: World, args: string[], where: RegExp): Promise<void> {
  const before = w.sim.calls().length
  const result = await w.runj(args)
  t.equal(result.code, 2, `exit 2: ${result.stderr.trim()}`)
  t.ok(oneLine(result.stderr), 'one stderr line')
  t.match(result.stderr, where)
  t.equal(result.stdout, '')
  untouched(t, w, before)
}

t.test('ids that cannot name a jail or a state directory', async (t) => {
  const w = await world(t)
  const bundle = w.bundle(baseConfig())
  const pattern = /^runj: id "[^\n]*": container id must match \[A-Za-z0-9\]\[A-Za-z0-9_-\]\* \(jail names cannot contain "\." or "\/"\)\n$/
  for (const id of ['a/b', '..', '.', 'a.b', '../../etc', '_x', 'a b', 'a\nb', 'é']) await rejected(t, w, ['create', id, bundle], pattern)
  await rejected(t, w, ['create', '1234', bundle], /^runj: id "1234": container id cannot be all digits/)
  await rejected(t, w, ['create', 'x'.repeat(129), bundle], /^runj: id "x{129}": container id is longer than 128 characters\n$/)
  await rejected(t, w, ['create', '', bundle], /^runj: id "": container id is empty\n$/)
  // The other verbs check the id the same way before touching anything.
  for (const verb of [['state'], ['start'], ['kill'], ['delete'], ['delete', '--force']]) await rejected(t, w, [...verb, '../x'], /^runj: id "\.\.\/x": container id must match/)
  const longest = await w.runj(['create', 'x'.repeat(128), bundle])
  t.equal(longest.code, 0, '128 characters is allowed')
  t.equal((await w.runj(['delete', '--force', 'x'.repeat(128)])).code, 0)
})

t.test('hostile config.json fields are refused before any host action, naming the field', async (t) => {
  const w = await world(t)
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['mount-dotdot', baseConfig({ mounts: [{ destination: '../../etc', type: 'tmpfs', source: 'tmpfs' }] }), /^runj: mounts\[0\]\.destination: must be an absolute path with no "\.\." component/],
    ['mount-abs-dotdot', baseConfig({ mounts: [{ destination: '/data/../../etc', type: 'tmpfs', source: 'tmpfs' }] }), /^runj: mounts\[0\]\.destination: /],
    ['hook-relative', baseConfig({ hooks: { createRuntime: [{ path: 'bin/true' }] } }), /^runj: hooks\.createRuntime\[0\]\.path: must be an absolute path\n$/],
    ['oci-version', baseConfig({ ociVersion: 'invalid' }), /^runj: ociVersion: unsupported ociVersion "invalid"/],
    ['hostname-newline', baseConfig({ hostname: 'web\nname=evil' }), /^runj: hostname: must be an RFC 1123 name/],
    ['annotation-newline', baseConfig({ annotations: { 'org.freebsd.jail.allow.raw_sockets': 'yes\nname=evil' } }), /^runj: annotations\["org\.freebsd\.jail\.allow\.raw_sockets"\]: must be "true" or "false" or "1" or "0"\n$/],
    ['env-dash', baseConfig({}, { env: ['PATH=/bin', '-S/bin/sh -c id=x'] }), /^runj: process\.env\[1\]: KEY must not start with "-"\n$/],
    ['uid-unknown', baseConfig({}, { user: { uid: 4242, gid: 4242 } }), /^runj: process\.user\.uid: uid 4242 has no entry in the image's \/etc\/passwd/],
    ['root-newline', { ...baseConfig(), root: { path: '../root\nfs' } }, /^runj: root\.path: must not contain a newline or NUL\n$/],
    ['annotation-owned', baseConfig({ annotations: { 'org.freebsd.jail.path': '/' } }), /^runj: annotations\["org\.freebsd\.jail\.path"\]: unknown annotation in a namespace runj interprets/],
    ['parent-jail', baseConfig({ annotations: { 'org.freebsd.parentJail': '../x' } }), /^runj: annotations\["org\.freebsd\.parentJail"\]: must be a jail name/],
    ['option-comma', baseConfig({ mounts: [{ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=1m,exec'] }] }), /^runj: mounts\[0\]\.options\[0\]: unsupported tmpfs option "size=1m,exec"\n$/],
    ['param-equals', baseConfig({ annotations: { 'org.freebsd.jail.ip4.addr': '192.0.2.1,exec.start=/bin/sh' } }), /^runj: annotations\["org\.freebsd\.jail\.ip4\.addr"\]: /],
    ['param-newline', { ...baseConfig(), freebsd: { jail: { parent: 'web\nexec.start=x' } } }, /^runj: freebsd\.jail\.parent: must be a jail name/],
    ['param-interface', { ...baseConfig(), freebsd: { jail: { interface: 'em0=x' } } }, /^runj: freebsd\.jail\.interface: must be a network interface name/],
    ['source-dash', baseConfig({ mounts: [{ destination: '/x', type: 'tmpfs', source: '-oexec' }] }), /^runj: mounts\[0\]\.source: must not start with "-"\n$/],
  ]
  for (const [name, config, message] of cases) {
    t.comment(name)
    await rejected(t, w, ['create', 'web', w.bundle(config, name)], message)
  }
})

t.test('a rootfs symlink to an outside path is resolved inside the rootfs for a mount destination', async (t) => {
  const w = await world(t)
  const rootfs = join(w.dir, 'rootfs')
  symlinkSync('/etc', join(rootfs, 'escape'))
  symlinkSync('../../../../../../../../etc', join(rootfs, 'climb'))
  const bundle = w.bundle(baseConfig({
    mounts: [
      { destination: '/escape/x', type: 'tmpfs', source: 'tmpfs' },
      { destination: '/climb/y', type: 'tmpfs', source: 'tmpfs' },
    ],
  }))
  const created = await w.runj(['create', 'web', bundle])
  t.equal(created.code, 0, created.stderr)
  const nodes = w.sim.mounts().map((m) => m.node)
  t.same(nodes, [join(rootfs, 'etc/x'), join(rootfs, 'etc/y')], 'the sim mounted <rootfs>/etc/x and <rootfs>/etc/y')
  t.notOk(w.sim.calls().some((c) => c[0] === 'mount' && c.some((a) => a === '/etc/x' || a === '/etc/y')), 'no call names host /etc')
  t.notOk(existsSync('/etc/x') || existsSync('/etc/y'), 'nothing was created in host /etc')
  t.ok(existsSync(join(rootfs, 'etc/x')) && existsSync(join(rootfs, 'etc/y')), 'the mount points were made inside the rootfs')
  t.equal((await w.runj(['delete', '--force', 'web'])).code, 0)
  t.same(leftovers(w, 'web'), nothingLeft)
})

t.test('a mount destination that is a regular file in the image is refused before any host action', async (t) => {
  const w = await world(t)
  await rejected(t, w, ['create', 'web', w.bundle(baseConfig({ mounts: [{ destination: '/etc/passwd', type: 'tmpfs', source: 'tmpfs' }] }))], /^runj: "\/etc\/passwd": "\/etc\/passwd" exists in the rootfs and is not a directory\n$/)
})
