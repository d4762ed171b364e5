// Tests of the FreeBSD userland simulator (test/sim): real processes in a chroot jail, jls/ps views, jail -r, strictness.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildRootfs, installSimulator, type Sim } from './sim/index.js'

const run = (sim: Sim, util: string, args: string[] = [], env?: NodeJS.ProcessEnv) => {
  const r = spawnSync(join(sim.binDir, util), args, { encoding: 'utf8', env: env ?? sim.env() })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

async function setup(t: Test) {
  const dir = t.testdir()
  const sim = await installSimulator(join(dir, 'sim'))
  const root = join(dir, 'root')
  buildRootfs(root, ['sh', 'id', 'env', 'sleep', 'cat'])
  return { sim, root }
}

// A jexec'd command whose exit we can await; jexec execs, so the child's pid is the jailed process.
function startInJail(sim: Sim, jail: string, argv: string[], env: string[] = []) {
  const child = spawn('/usr/bin/env', ['-i', '--', ...env, sim.bin('jexec'), jail, ...argv], { stdio: 'ignore' })
  const exited = new Promise<NodeJS.Signals | number | null>(res => child.on('exit', (code, sig) => res(sig ?? code)))
  return { pid: child.pid ?? -1, exited }
}

const psJson = (sim: Sim, jail: string) => {
  const r = run(sim, 'ps', ['--libxo', 'json', '-x', '-J', jail])
  return { code: r.code, procs: (JSON.parse(r.out) as PsOut)['process-information']?.process ?? [] }
}
type PsOut = { 'process-information'?: { process: Record<string, string>[] } }

// Polls until the jail runs `n` processes (a fixed delay would be flaky on a loaded machine).
async function waitForProcs(sim: Sim, jail: string, n: number) {
  for (let i = 0; i < 100 && psJson(sim, jail).procs.length < n; i++) await new Promise(r => setTimeout(r, 50))
}

t.test('a jexec process runs chrooted with exactly the given environment and keeps its pid', async t => {
  const { sim, root } = await setup(t)
  t.equal(run(sim, 'jail', ['-c', '-i', 'name=web', `path=${root}`, 'persist']).out, '1\n')
  t.same(sim.jails().map(j => [j.name, j.jid, j.path]), [['web', 1, root]])
  const env = ['A=1', 'SPACED=a b=c', 'NL=x\ny', 'PATH=/bin']
  const e = spawnSync('/usr/bin/env', ['-i', '--', ...env, sim.bin('jexec'), 'web', '/bin/env', '-0'], { encoding: 'utf8' })
  t.equal(e.status, 0, e.stderr)
  t.same(e.stdout.split('\0').filter(x => x !== ''), env, 'no SHLVL, PWD or _ added')
  const sh = ['/bin/sh', '-c', 'id -u >/tmp/out; pwd >>/tmp/out; echo $$ >>/tmp/out']
  const p = spawnSync('/usr/bin/env', ['-i', '--', sim.bin('jexec'), '-d', '/tmp', 'web', ...sh], { encoding: 'utf8' })
  t.equal(p.status, 0, p.stderr)
  t.equal(readFileSync(join(root, 'tmp/out'), 'utf8'), `0\n/tmp\n${p.pid}\n`, 'uid, cwd inside the jail, same pid')
})

t.test('ps sees jailed processes with their jid; jail -r stops them and removes the jail', async t => {
  const { sim, root } = await setup(t)
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  const p = startInJail(sim, 'web', ['/bin/sleep', '300'])
  await waitForProcs(sim, 'web', 1)
  const ps = psJson(sim, 'web')
  t.equal(ps.code, 0)
  t.same(ps.procs.map(x => [x.pid, x.command]), [[String(p.pid), '/bin/sleep 300']])
  t.match(ps.procs[0], { 'terminal-name': '- ', state: /^[SI]s?J$/, 'cpu-time': /^\d+:\d\d\.\d\d$/ })
  const o = run(sim, 'ps', ['-p', String(p.pid), '-o', 'jid=', '-o', 'state=', '-o', 'lstart=', '-o', 'etimes=', '-o', 'user='])
  t.match(o.out, /^1 [SI]s?J +\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} +\d+ root\n$/)
  t.equal(run(sim, 'ps', ['-p', String(p.pid), '-o', 'pid=,jid=']).out, `,jid=\n${String(p.pid).padStart(5)}\n`, 'FreeBSD: "=" takes the rest')
  t.equal(run(sim, 'jail', ['-r', 'web']).code, 0)
  t.equal(await p.exited, 'SIGTERM')
  t.same(sim.jails(), [])
  t.match(run(sim, 'ps', ['-J', 'web']), { code: 1, out: '', err: 'ps: Invalid jail id: web\n' }, 'jail gone')
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  t.same(psJson(sim, 'web'), { code: 1, procs: [] }, 'no process: exit 1')
  t.equal(run(sim, 'ps', ['-p', '999999', '-o', 'pid']).out, 'PID\n', 'header only when nothing matched')
})

t.test('jail -r SIGKILLs what survives SIGTERM after stop.timeout, child jails included', async t => {
  const { sim, root } = await setup(t)
  const kid = join(root, 'kid')
  buildRootfs(kid, ['sh', 'sleep'])
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist'])
  t.equal(run(sim, 'jail', ['-c', '-i', 'name=web.kid', `path=${kid}`, 'persist']).out, '2\n')
  sim.setStopTimeout(0.3)
  const stubborn = startInJail(sim, 'web', ['/bin/sh', '-c', "trap '' TERM; while :; do /bin/sleep 1; done"])
  const inKid = startInJail(sim, 'web.kid', ['/bin/sleep', '300'])
  await waitForProcs(sim, 'web', 2) // sh and its sleep
  await waitForProcs(sim, 'web.kid', 1)
  t.equal(run(sim, 'jls', ['-j', 'web.kid', 'parent']).out, '1\n')
  t.equal(run(sim, 'jail', ['-r', 'web']).code, 0)
  t.equal(await stubborn.exited, 'SIGKILL')
  t.equal(await inKid.exited, 'SIGKILL', 'jail_remove(2) kills child jails without SIGTERM')
  t.same(sim.jails(), [])
})

t.test('jls formats', async t => {
  const { sim, root } = await setup(t)
  run(sim, 'jail', ['-c', 'name=web', `path=${root}`, 'persist', 'host.hostname=w 1', 'ip4.addr=10.0.0.1,10.0.0.2'])
  t.equal(run(sim, 'jls', ['-j', 'web', 'jid']).out, '1\n')
  t.equal(run(sim, 'jls', ['-j', '1', 'name', 'path', 'jid']).out, `web ${root} 1\n`)
  t.equal(run(sim, 'jls', ['-n', '-j', 'web', 'persist', 'host.hostname', 'ip4.addr']).out, 'persist host.hostname=w 1 ip4.addr=10.0.0.1,10.0.0.2\n')
  t.equal(run(sim, 'jls', ['-nq', '-j', 'web', 'host.hostname', 'vnet']).out, 'host.hostname="w 1" vnet=inherit\n')
  t.equal(
    run(sim, 'jls').out,
    '   JID  IP Address      Hostname                      Path\n' + `     1  10.0.0.1        w 1                           ${root}\n`,
  )
  t.same(JSON.parse(run(sim, 'jls', ['--libxo', 'json', '-j', 'web']).out), {
    __version: '2',
    'jail-information': { jail: [{ jid: 1, ipv4: '10.0.0.1', hostname: 'w 1', path: root }] },
  })
  t.match(run(sim, 'jls', ['-n', '-j', 'web']).out, /^devfs_ruleset=0 nodying enforce_statfs=2 host=new ip4=new .* allow\.noraw_sockets /)
})

t.test('strictness: FreeBSD messages and exit codes', async t => {
  const { sim, root } = await setup(t)
  const c = (...a: string[]) => run(sim, 'jail', ['-c', `path=${root}`, 'persist', ...a])
  t.match(c('name=x', 'foo=1'), { code: 1, err: 'jail: unknown parameter: foo\n' })
  t.match(c('name=0123'), { code: 1, err: 'jail: name cannot be numeric (unless it is the jid)\n' })
  t.match(c('name=p.c'), { code: 1, err: 'jail: jail "p" not found\n' })
  t.match(c('name=x', 'allow.mount=yes'), { code: 1, err: 'jail: allow.mount: unknown boolean value "yes"\n' })
  t.match(c('name=x', 'vnet', 'ip4.addr=10.0.0.1'), { code: 1, err: 'jail: vnet jails cannot have IP address restrictions\n' })
  t.match(run(sim, 'jail', ['-c', 'name=x', `path=${root}`]), { code: 1, err: 'jail: new jail must persist or attach\n' })
  t.match(run(sim, 'jail', ['-c', 'name=x', `path=${root}/nope`, 'persist']), { code: 1, err: `jail: path ${root}/nope: No such file or directory\n` })
  t.equal(c('name=x').code, 0)
  t.match(c('name=x'), { code: 1, err: 'jail: "x" already exists\n' })
  t.match(run(sim, 'jls', ['-j', 'nope']), { code: 1, err: 'jls: jail "nope" not found\n' })
  t.match(run(sim, 'jls', ['-j', '7', 'jid']), { code: 1, err: 'jls: jail 7 not found\n' })
  t.match(run(sim, 'jls', ['-j', 'x', 'bogus']), { code: 1, err: 'jls: unknown parameter: bogus\n' })
  t.match(run(sim, 'jexec', ['nope', '/bin/sh']), { code: 1, err: 'jexec: jail "nope" not found\n' })
  t.match(run(sim, 'jexec', ['-U', '0', 'x', '/bin/sh']), { code: 1, err: 'jexec: 0: no such user\n' })
  t.match(run(sim, 'jexec', ['x', 'nosuch']), { code: 1, err: 'jexec: execvp: nosuch: No such file or directory\n' })
  t.match(run(sim, 'jail', ['-r', 'nope']), { code: 1, err: 'jail: "nope" not found\n' })
  t.match(run(sim, 'jail', ['-m', 'name=x']), { code: 1, err: /^jail: simulator: / })
})

t.test('calls.log records every call as a JSON array, escaped', async t => {
  const { sim } = await setup(t)
  const odd = ['q"uote', 'back\\slash', 'new\nline', 'tab\t', '\x01ctl', 'é']
  run(sim, 'jls', ['-j', ...odd])
  run(sim, 'sysctl', ['-n', 'kern.osrelease'])
  t.same(sim.calls(), [['jls', '-j', ...odd], ['sysctl', '-n', 'kern.osrelease']])
})
