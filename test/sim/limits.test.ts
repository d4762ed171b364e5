// Simulator tests for limits(1): rlimits set with prlimit on its own pid before exec (the pid and the environment
// are kept), FreeBSD value syntax and errors, login classes, FreeBSD-only resources, and limits run inside a jail.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildRootfs, installSimulator, type Sim } from './index.js'

// Runs `env -i <env> limits <args>` and returns what the command printed.
function limits(sim: Sim, args: string[], env: string[] = ['PATH=/usr/bin:/bin']) {
  const r = spawnSync('/usr/bin/env', ['-i', '--', ...env, sim.bin('limits'), ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const usage = 'usage: limits [-C class|-P pid|-U user] [-eaSHBE] [-bcdfklmnostuvpwy [val]] [[name=val ...] cmd]\n'

async function setup(t: Test) {
  const dir = t.testdir()
  const sim = await installSimulator(join(dir, 'sim'))
  return { sim, dir }
}

// /proc/<pid>/limits row for a resource: [soft, hard]
function procLimit(pid: number, row: string): string[] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find(l => l.startsWith(row)) ?? ''
  return [line.slice(26, 47).trim(), line.slice(47, 68).trim()]
}

t.test('limits -n 64 cmd: the command runs with the limit, as the same process, with the environment exactly', async t => {
  const { sim } = await setup(t)
  t.same(limits(sim, ['-n', '64', '/bin/sh', '-c', 'ulimit -Sn; ulimit -Hn']), { code: 0, out: '64\n64\n', err: '' })
  const env = ['A=1', 'SPACED=a b=c', 'NL=x\ny', 'PATH=/usr/bin:/bin']
  const e = spawnSync('/usr/bin/env', ['-i', '--', ...env, sim.bin('limits'), '-n', '64', '/usr/bin/env', '-0'], { encoding: 'utf8' })
  t.same(e.stdout.split('\0').filter(x => x !== ''), env, 'no SHLVL, PWD or _ added')
  t.same(limits(sim, ['-n', '64', 'B=2', 'A=3', 'env'], ['A=1', 'PATH=/usr/bin:/bin']).out.split('\n').filter(Boolean),
    ['A=3', 'PATH=/usr/bin:/bin', 'B=2'], 'name=val before the command, as env(1)')
  t.same(limits(sim, ['-E', '-n', '64', 'B=2', '/usr/bin/env'], ['A=1']).out, 'B=2\n', '-E starts from an empty environment')
  // the exec'd command keeps limits' pid and carries the limit
  const child = spawn('/usr/bin/env', ['-i', sim.bin('limits'), '-n', '64', '-c', '1m', '/bin/sleep', '5'], { stdio: 'ignore' })
  const exited = new Promise(res => child.on('exit', res))
  let ok = false
  for (let i = 0; i < 100 && !ok; i++) {
    await new Promise(r => setTimeout(r, 30))
    ok = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').startsWith('/bin/sleep')
  }
  t.ok(ok, 'limits exec\'d sleep in place')
  t.same(procLimit(child.pid ?? 0, 'Max open files'), ['64', '64'])
  t.same(procLimit(child.pid ?? 0, 'Max core file size'), ['1048576', '1048576'], '1m = 1048576 bytes')
  child.kill()
  await exited
  t.same(sim.calls().at(-1), ['limits', '-n', '64', '-c', '1m', '/bin/sleep', '5'])
})

t.test('-S and -H set one side (both by default); values with units, infinity and the time syntax', async t => {
  const { sim } = await setup(t)
  const hard = spawnSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()
  t.equal(limits(sim, ['-S', '-n', '32', '/bin/sh', '-c', 'ulimit -Sn; ulimit -Hn']).out, `32\n${hard}\n`)
  t.equal(limits(sim, ['-H', '-n', '40', '/bin/sh', '-c', 'ulimit -Sn; ulimit -Hn']).out, '40\n40\n', 'the soft one follows down')
  t.equal(limits(sim, ['-t', '1m30s', '/bin/sh', '-c', 'ulimit -t']).out, '90\n', 'minutes and seconds')
  t.equal(limits(sim, ['-t', '2h', '/bin/sh', '-c', 'ulimit -t']).out, '7200\n')
  t.equal(limits(sim, ['-d', '1m', '-s', '512k', '/bin/sh', '-c', 'ulimit -d; ulimit -s']).out, '1024\n512\n', 'sizes, in kB for sh')
  t.equal(limits(sim, ['-v', '0x40000000', '/bin/sh', '-c', 'ulimit -v']).out, '1048576\n', 'strtoq base 0')
  t.equal(limits(sim, ['-Sc', '0', '-f', 'unlimited', '/bin/sh', '-c', 'ulimit -c; ulimit -f']).out, '0\nunlimited\n')
  t.equal(limits(sim, ['-Sc', '0', '-c', 'infinity', '/bin/sh', '-c', 'ulimit -c']).out, 'unlimited\n', 'the last option wins')
  t.equal(limits(sim, ['-S', '-n', '99999999', '/bin/sh', '-c', 'ulimit -Sn; ulimit -Hn']).out, `${hard}\n${hard}\n`,
    'a soft limit above the hard one is lowered to it (kern_proc_setrlimit)')
  t.equal(limits(sim, ['-Sc', '10b', '/bin/sh', '-c', 'ulimit -c']).out, '10\n', 'b = 512-byte blocks (sh counts 512s too)')
})

t.test('errors as limits.c gives them: usage, bad values, -e with a command, setrlimit failures, execvp', async t => {
  const { sim } = await setup(t)
  t.same(limits(sim, ['-n', 'abc', 'true']), { code: 1, out: '', err: "limits: invalid value -n `abc'\n" + usage })
  t.same(limits(sim, ['-n', '10x', 'true']), { code: 1, out: '', err: "limits: invalid value -n `10x'\n" + usage })
  t.same(limits(sim, ['-x', 'true']), { code: 1, out: '', err: usage }, 'getopt is silent (":" optstring)')
  t.same(limits(sim, ['-C']), { code: 1, out: '', err: usage })
  t.same(limits(sim, ['-e', '-n', '5', 'true']), { code: 1, out: '', err: "limits: -e cannot be used with `cmd' option\n" + usage })
  t.same(limits(sim, ['-n', '64', 'A=1']), { code: 1, out: '', err: usage }, 'only assignments: no command')
  t.same(limits(sim, ['-n', '64', '/nonexistent']), { code: 1, out: '', err: 'limits: /nonexistent: No such file or directory\n' })
  t.same(limits(sim, ['-n', '64', 'nosuchcmd']), { code: 1, out: '', err: 'limits: nosuchcmd: No such file or directory\n' })
  t.match(limits(sim, ['-P', '1', '-n', '5']), { code: 1, err: /^limits: simulator: / })
  sim.injectFault('limits', 'fail boom')
  t.same(limits(sim, ['-n', '64', 'true']), { code: 1, out: '', err: 'limits: boom\n' })
})

t.test('FreeBSD-only resources are accepted and recorded, since Linux has no such rlimit', async t => {
  const { sim } = await setup(t)
  const r = spawnSync('/usr/bin/env', ['-i', sim.bin('limits'), '-p', '10', '-k', '5', '-b', '1m', '-Sw', '2g', '-n', '50', '/bin/sh', '-c', 'echo $$; ulimit -n'], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stderr)
  const [pid, n] = r.stdout.trim().split('\n')
  t.equal(n, '50')
  t.same(sim.unappliedLimits(), [
    { pid: Number(pid), resource: 'sbsize', soft: '1048576', hard: '1048576' },
    { pid: Number(pid), resource: 'pseudoterminals', soft: '10', hard: '10' },
    { pid: Number(pid), resource: 'swapuse', soft: '2147483648', hard: 'infinity' },
    { pid: Number(pid), resource: 'kqueues', soft: '5', hard: '5' },
  ], 'in resource order, with the pid of the command')
})

t.test('-C class takes the limits of a login class (name, name-cur, name-max)', async t => {
  const { sim } = await setup(t)
  sim.setHostEtc('login.conf', 'default:\\\n\t:openfiles=200:\nsmall:\\\n\t:openfiles-cur=40:\\\n\t:openfiles-max=60:\\\n\t:tc=default:\n')
  t.equal(limits(sim, ['-C', 'small', '/bin/sh', '-c', 'ulimit -Sn; ulimit -Hn']).out, '40\n60\n')
  t.equal(limits(sim, ['-C', 'small', '-n', '30', '/bin/sh', '-c', 'ulimit -Sn; ulimit -Hn']).out, '30\n30\n', 'options win')
  const none = limits(sim, ['-C', 'nosuch', '/bin/sh', '-c', 'ulimit -n'])
  t.same(none, { code: 0, out: '200\n', err: "login class 'nosuch' non-existent, using default\n" })
  const shown = limits(sim, ['-C', 'small']).out.split('\n')
  t.equal(shown[0], 'Resource limits for class small:', 'display')
  t.ok(shown.includes('  openfiles-cur              40'), 'soft limits by default')
  t.ok(limits(sim, ['-C', 'small', '-B']).out.split('\n').includes('  openfiles-max              60'), '-B shows both')
  t.equal(limits(sim, ['-e', '-n', '64']).out, 'ulimit -n 64;\n', '-e: commands for sh')
})

t.test('jexec jail limits ... (FreeBSD\'s /usr/bin/limits inside the jail) works without limits in the rootfs', async t => {
  const { sim, dir } = await setup(t)
  const root = join(dir, 'root')
  buildRootfs(root, ['sh', 'id'], { users: [{ name: 'alice', uid: 1001, gid: 1001 }] })
  spawnSync(sim.bin('jail'), ['-c', 'name=web', `path=${root}`, 'persist'])
  const jexec = (args: string[]) => {
    const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/bin:/usr/bin', 'K=v', sim.bin('jexec'), ...args], { encoding: 'utf8' })
    return { code: r.status, out: r.stdout, err: r.stderr }
  }
  t.same(jexec(['web', '/usr/bin/limits', '-n', '50', '/bin/sh', '-c', 'ulimit -n; pwd; echo $K']), { code: 0, out: '50\n/\nv\n', err: '' })
  t.same(jexec(['-U', 'alice', 'web', 'limits', '-S', '-n', '20', 'id', '-u']), { code: 0, out: '1001\n', err: '' }, 'as a jail user')
  t.same(jexec(['-U', 'alice', 'web', 'limits', '-n', 'infinity', 'id']), {
    code: 1, out: '', err: 'limits: setrlimit openfiles: Operation not permitted\n',
  }, 'a user cannot raise the hard limit')
  t.same(jexec(['web', 'limits', '-n', '50', 'nosuch']), { code: 1, out: '', err: 'limits: nosuch: No such file or directory\n' }, 'looked up in the jail')
  t.same(sim.calls().filter(c => c[0] === 'limits').at(0), ['limits', '-n', '50', '/bin/sh', '-c', 'ulimit -n; pwd; echo $K'], 'logged as called inside')
  spawnSync(sim.bin('jail'), ['-r', 'web'])
})
