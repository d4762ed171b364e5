// Simulator tests for the host-side utilities: mount/umount (EBUSY), sysctl, kldstat, ifconfig vnet, fault injection.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildRootfs, installSimulator, type Sim } from './index.js'

const run = (sim: Sim, util: string, args: string[]) => {
  const r = spawnSync(join(sim.binDir, util), args, { encoding: 'utf8', env: sim.env() })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

t.test('mount records nullfs/devfs/tmpfs mounts without touching the host; umount refuses while busy', async t => {
  const dir = t.testdir({ src: { f: 'x' }, file: 'y', target: 'z' })
  const sim = await installSimulator(join(dir, 'sim'))
  const root = join(dir, 'root')
  buildRootfs(root, ['sh', 'sleep'])
  mkdirSync(join(root, 'data/sub'), { recursive: true })
  t.equal(run(sim, 'mount', ['-t', 'nullfs', '-o', 'ro', join(dir, 'src'), join(root, 'data')]).code, 0)
  t.equal(run(sim, 'mount', ['-t', 'devfs', 'devfs', join(root, 'dev')]).code, 0)
  t.equal(run(sim, 'mount', ['-t', 'nullfs', join(dir, 'file'), join(dir, 'target')]).code, 0, 'file over file')
  t.same(sim.mounts()[0], { special: join(dir, 'src'), node: join(root, 'data'), type: 'nullfs', opts: 'ro' })
  const fstab = run(sim, 'mount', ['-p']).out.split('\n').map(l => l.split(/\s+/))
  t.same(fstab[0], ['/dev/vtbd0p2', '/', 'ufs', 'rw', '1', '1'])
  t.same(fstab[2], [join(dir, 'src'), join(root, 'data'), 'nullfs', 'ro', '0', '0'])
  t.match(run(sim, 'mount', []).out, `${join(dir, 'src')} on ${join(root, 'data')} (nullfs, local, read-only)\n`)
  t.match(run(sim, 'mount', ['-t', 'nullfs', join(dir, 'src'), join(root, 'nope')]), {
    code: 1,
    err: `mount: ${join(root, 'nope')}: No such file or directory\n`,
  })
  t.match(run(sim, 'mount', ['-t', 'nullfs', join(dir, 'nope'), join(root, 'data')]), { code: 64, err: /^mount_nullfs: / })
  t.match(run(sim, 'mount', ['-t', 'bogusfs', 'x', join(root, 'data')]), { code: 1, err: 'mount: x: Operation not supported by device\n' })

  // a mount below, then a process whose root is the jail: both make the unmount fail with EBUSY
  t.equal(run(sim, 'mount', ['-t', 'tmpfs', 'tmpfs', join(root, 'data/sub')]).code, 0)
  t.match(run(sim, 'umount', [join(root, 'data')]), { code: 1, err: `umount: unmount of ${join(root, 'data')} failed: Device busy\n` })
  t.equal(run(sim, 'umount', [join(root, 'data/sub')]).code, 0)
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  const child = spawn(sim.bin('jexec'), ['-d', '/data', 'web', '/bin/sleep', '30'], { stdio: 'ignore' })
  for (let i = 0; i < 100 && run(sim, 'ps', ['-J', 'web']).code !== 0; i++) await new Promise(r => setTimeout(r, 50))
  t.match(run(sim, 'umount', [join(root, 'data')]), { code: 1, err: /Device busy/ }, 'a cwd inside')
  t.equal(run(sim, 'umount', [join(root, 'dev')]).code, 0, 'a root above the mount does not hold it')
  t.equal(run(sim, 'jail', ['-r', 'web']).code, 0)
  child.kill()
  t.equal(run(sim, 'mount', ['-t', 'tmpfs', 'tmpfs', join(root, 'data/sub')]).code, 0)
  t.equal(run(sim, 'umount', ['-f', join(root, 'data')]).code, 0, '-f ignores EBUSY')
  t.match(run(sim, 'umount', [join(root, 'data')]), { code: 1, err: `umount: ${join(root, 'data')}: not a file system root directory\n` })
  t.equal(run(sim, 'umount', [join(root, 'data/sub')]).code, 0)
  t.same(sim.mounts().map(m => m.node), [join(dir, 'target')])
})

t.test('sysctl knows a fixed set of oids; overrides and unknown oids', async t => {
  const sim = await installSimulator(join(t.testdir(), 'sim'))
  t.equal(run(sim, 'sysctl', ['-n', 'kern.racct.enable', 'security.jail.jailed', 'kern.osrelease']).out, '1\n0\n14.3-RELEASE\n')
  t.equal(run(sim, 'sysctl', ['hw.machine_arch']).out, 'hw.machine_arch: amd64\n')
  t.match(run(sim, 'sysctl', ['-n', 'kern.nope']), { code: 1, err: "sysctl: unknown oid 'kern.nope'\n" })
  sim.setSysctl('kern.racct.enable', '0')
  t.equal(run(sim, 'sysctl', ['-n', 'kern.racct.enable']).out, '0\n')
  sim.setSysctl('kern.racct.enable', null)
  t.match(run(sim, 'sysctl', ['-n', 'kern.racct.enable']), { code: 1, err: "sysctl: unknown oid 'kern.racct.enable'\n" })
  t.match(run(sim, 'sysctl', ['security.jail.jailed=1']), { code: 1, err: "sysctl: oid 'security.jail.jailed' is read only\n" })
})

t.test('kldstat -q -m answers with the exit status only', async t => {
  const sim = await installSimulator(join(t.testdir(), 'sim'))
  t.match(run(sim, 'kldstat', ['-q', '-m', 'nullfs']), { code: 0, out: '', err: '' })
  sim.setKld('nullfs', false)
  t.match(run(sim, 'kldstat', ['-q', '-m', 'nullfs']), { code: 1, out: '', err: '' })
  t.match(run(sim, 'kldstat', ['-m', 'nullfs']), { code: 1, err: "kldstat: can't find module nullfs: No such file or directory\n" })
})

t.test('ifconfig moves interfaces into vnet jails and back', async t => {
  const dir = t.testdir()
  const sim = await installSimulator(join(dir, 'sim'))
  const a = join(dir, 'a')
  buildRootfs(a, [])
  const b = join(dir, 'b')
  buildRootfs(b, [])
  run(sim, 'jail', ['-c', 'name=v', `path=${a}`, 'persist', 'vnet'])
  run(sim, 'jail', ['-c', 'name=plain', `path=${b}`, 'persist'])
  t.equal(run(sim, 'ifconfig', ['epair', 'create']).out, 'epair0a\n')
  t.equal(run(sim, 'ifconfig', ['epair0b', 'vnet', 'v']).code, 0)
  t.equal(run(sim, 'ifconfig', ['-l']).out, 'lo0 em0 epair0a\n')
  t.equal(run(sim, 'ifconfig', ['-j', 'v', '-l']).out, 'epair0b\n')
  t.match(run(sim, 'ifconfig', ['epair0a', 'vnet', 'plain']), { code: 1, err: 'ifconfig: SIOCSIFVNET: File exists\n' })
  t.match(run(sim, 'ifconfig', ['nope0', 'vnet', 'v']), { code: 1, err: 'ifconfig: interface nope0 does not exist\n' })
  t.match(run(sim, 'ifconfig', ['em0', 'vnet', 'gone']), { code: 1, err: 'ifconfig: jail "gone" not found\n' })
  run(sim, 'jail', ['-r', 'v'])
  t.same(sim.ifaces(), ['lo0', 'em0', 'epair0a', 'epair0b'].map(name => ({ name, jid: 0 })), 'back on the host')
})

t.test('faults: one-shot or always, fail or sleep', async t => {
  const dir = t.testdir()
  const sim = await installSimulator(join(dir, 'sim'))
  const root = join(dir, 'root')
  buildRootfs(root, [])
  sim.injectFault('jail-c', 'fail jail_set: Operation not permitted')
  const c = ['-c', 'name=web', `path=${root}`, 'persist']
  t.match(run(sim, 'jail', c), { code: 1, err: 'jail: jail_set: Operation not permitted\n' })
  t.same(sim.jails(), [], 'no state change')
  t.equal(run(sim, 'jail', c).code, 0, 'one-shot')
  sim.injectFault('jls', 'fail boom always')
  t.match(run(sim, 'jls', ['-j', 'web']), { code: 1, err: 'jls: boom\n' })
  t.match(run(sim, 'jls', ['-j', 'web']), { code: 1, err: 'jls: boom\n' })
  sim.injectFault('jail-r', 'sleep 0.4')
  const t0 = Date.now()
  t.equal(run(sim, 'jail', ['-r', 'web']).code, 0)
  t.ok(Date.now() - t0 >= 400, 'slept first, then acted')
  t.same(sim.jails(), [])
  writeFileSync(join(sim.stateDir, 'faults', 'ps'), 'explode\n')
  t.match(run(sim, 'ps', ['-p', '1']), { code: 70, err: /bad fault/ })
})
