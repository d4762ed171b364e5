// `runj demo rootfs` and `runj demo spec` with the real binary, then create/start of their bundle through the simulator.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { installSimulator } from '../sim/index.js'
import { cleanEnv, runj } from '../helpers/runj.js'

async function waitForFile(path: string, lines: number): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : ''
    if (text.split('\n').length > lines) return text
    await sleep(20)
  }
  throw new Error(`timed out waiting for ${path}`)
}

t.test('demo rootfs + demo spec make a bundle that runj create accepts as it is, as root and --rootless', async (t) => {
  const dir = t.testdir()
  const sim = await installSimulator(join(dir, 'sim'))
  sim.setStopTimeout(1)
  const env = cleanEnv(sim.env())
  const run = (args: string[]) => runj(['--root', join(dir, 'state'), ...args], { env, cwd: dir })

  const rootfs = await run(['demo', 'rootfs', '-o', 'bundle/rootfs'])
  t.equal(rootfs.code, 0, rootfs.stderr)
  t.match(rootfs.stdout, /^bundle\/rootfs: 10 programs, \d+ libraries, [\d.]+ (KiB|MiB) from host programs and their shared libraries; users root and nobody\n$/)
  for (const program of ['sh', 'env', 'ls', 'id', 'sleep']) t.ok(statSync(join(dir, 'bundle/rootfs/bin', program)).mode & 0o111, `bin/${program} is executable`)
  t.match(readFileSync(join(dir, 'bundle/rootfs/etc/passwd'), 'utf8'), /^root:\*:0:0:root:\/root:\/bin\/sh\nnobody:\*:65534:65534:nobody:\/nonexistent:\/usr\/sbin\/nologin\n$/)
  t.match(readFileSync(join(dir, 'bundle/rootfs/etc/group'), 'utf8'), /^nobody:\*:65534:$/m)
  t.notOk(existsSync(join(dir, 'bundle/rootfs/nonexistent')), "nobody's home stays nonexistent")
  t.same(readdirSync(join(dir, 'bundle')), ['rootfs'], 'no staging directory is left')

  const spec = await run(['demo', 'spec', '-b', 'bundle', '--args', '/bin/sh', '-c', 'id -u > /tmp/out; hostname >> /tmp/out; exec sleep 60'])
  t.equal(spec.code, 0, spec.stderr)
  const config = JSON.parse(readFileSync(join(dir, 'bundle/config.json'), 'utf8'))
  t.match(config, { ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { args: ['/bin/sh', '-c', /^id -u/], user: { uid: 0, gid: 0 }, terminal: false }, freebsd: { jail: { ip4: 'inherit' } } })
  t.same(config.mounts, [{ destination: '/dev', type: 'devfs', source: 'devfs', options: ['ruleset=4'] }])

  t.equal((await run(['create', '-b', 'bundle', 'demo1'])).code, 0)
  t.equal((await run(['start', 'demo1'])).code, 0)
  t.same((await waitForFile(join(dir, 'bundle/rootfs/tmp/out'), 2)).trim().split('\n'), ['0', 'runj'])
  t.match(sim.jails()[0]?.params, { ip4: 'inherit', 'host.hostname': 'runj' })
  t.ok(sim.mounts().some((m) => m.type === 'devfs' && m.node === join(dir, 'bundle/rootfs/dev') && /ruleset=4/.test(m.opts)), 'devfs with ruleset 4')
  t.equal((await run(['delete', '--force', 'demo1'])).code, 0)

  // --rootless: the same rootfs, the process as nobody.
  mkdirSync(join(dir, 'nobody'))
  const rootless = await run(['demo', 'spec', '-b', 'nobody', '--rootless', '--args', '/bin/sh', '-c', 'id -u > /tmp/nobody; id -g >> /tmp/nobody; exec sleep 60'])
  t.equal(rootless.code, 0, rootless.stderr)
  const nobodyConfig = JSON.parse(readFileSync(join(dir, 'nobody/config.json'), 'utf8'))
  nobodyConfig.root.path = '../bundle/rootfs'
  writeFileSync(join(dir, 'nobody/config.json'), JSON.stringify(nobodyConfig))
  t.equal((await run(['create', '-b', 'nobody', 'demo2'])).code, 0)
  t.equal((await run(['start', 'demo2'])).code, 0)
  t.same((await waitForFile(join(dir, 'bundle/rootfs/tmp/nobody'), 2)).trim().split('\n'), ['65534', '65534'])
  t.equal((await run(['delete', '--force', 'demo2'])).code, 0)
})

t.test('demo spec never overwrites and refuses stray arguments', async (t) => {
  const dir = t.testdir({ bundle: { 'config.json': 'mine' } })
  const again = await runj(['demo', 'spec', '-b', join(dir, 'bundle')])
  t.equal(again.code, 1)
  t.match(again.stderr, /^runj: .*bundle\/config\.json exists: remove it first/)
  t.equal(readFileSync(join(dir, 'bundle/config.json'), 'utf8'), 'mine', 'untouched')
  const stray = await runj(['demo', 'spec', '-b', dir, 'sh'])
  t.equal(stray.code, 2)
  t.match(stray.stderr, /unexpected argument "sh": give the process after --args/)
  const noArgs = await runj(['demo', 'spec', '-b', dir, '--args'])
  t.equal(noArgs.code, 2)
  t.match(noArgs.stderr, /--args: needs the command/)
  const missing = await runj(['demo', 'spec', '-b', join(dir, 'nope')])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /--bundle: ".*nope" does not exist/)
  t.same(readdirSync(dir), ['bundle'], 'nothing else was written')
  const shell = await runj(['demo', 'spec', '-b', dir])
  t.equal(shell.code, 0, shell.stderr)
  t.same(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).process.args, ['/bin/sh'], 'a shell by default')
})

t.test('demo rootfs writes nothing when a program is missing or the directory is in use', async (t) => {
  const dir = t.testdir({ used: { keep: 'x' }, file: 'x' })
  const missing = await runj(['demo', 'rootfs', '-o', join(dir, 'new'), '--from-host', 'sh', 'no-such-program'])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /^runj: --from-host: "no-such-program" is not on this host \(searched \/bin:/)
  const relative = await runj(['demo', 'rootfs', '-o', join(dir, 'new'), '--from-host', 'bin/sh'])
  t.equal(relative.code, 2)
  t.match(relative.stderr, /"bin\/sh" is not an absolute path to a host program/)
  const used = await runj(['demo', 'rootfs', '-o', join(dir, 'used')])
  t.equal(used.code, 1)
  t.match(used.stderr, /used is not empty: runj demo rootfs never writes into an existing tree/)
  const file = await runj(['demo', 'rootfs', '-o', join(dir, 'file')])
  t.equal(file.code, 2)
  t.match(file.stderr, /-o: .*file exists and is not a directory/)
  t.same(readdirSync(dir).sort(), ['file', 'used'], 'nothing was created')
  t.same(readdirSync(join(dir, 'used')), ['keep'])
  const absolute = await runj(['demo', 'rootfs', '-o', join(dir, 'abs'), '--from-host', '/bin/sh', 'sleep'])
  t.equal(absolute.code, 0, absolute.stderr)
  t.same(readdirSync(join(dir, 'abs/bin')).sort(), ['sh', 'sleep'])
})
