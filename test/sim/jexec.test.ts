// Simulator tests for jexec users: -U/-u lookups, supplementary groups, login.conf emulation, -l and -d.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildRootfs, installSimulator, type Sim } from './index.js'

const loginConf = [
  '# FreeBSD login.conf(5) syntax',
  'default:\\',
  '\t:path=/sbin /bin ~/bin:\\',
  '\t:setenv=BLOCKSIZE=K,GREETING=hello there:\\',
  '\t:umask=027:\\',
  '\t:tc=base:',
  'base:\\',
  '\t:lang=C.UTF-8:\\',
  '\t:umask=077:',
  'strict:\\',
  '\t:umask=077:',
  '',
].join('\n')

// Runs `env -i <env> jexec <args>` (runj's way) and returns the jailed command's stdout lines.
function jexec(sim: Sim, env: string[], args: string[]) {
  const r = spawnSync('/usr/bin/env', ['-i', '--', ...env, sim.bin('jexec'), ...args], { encoding: 'utf8' })
  return { code: r.status, lines: r.stdout.split('\n').filter(l => l !== ''), err: r.stderr }
}
const envOf = (lines: string[]) => lines.filter(l => /^[A-Z_]+=/.test(l)).sort()

async function setup(t: Test) {
  const dir = t.testdir()
  const sim = await installSimulator(join(dir, 'sim'))
  const root = join(dir, 'root')
  buildRootfs(root, ['sh', 'id', 'env'], {
    users: [
      { name: 'alice', uid: 1001, gid: 1001, groups: ['staff', 'ops'] },
      { name: 'bob', uid: 1002, gid: 1002, loginClass: 'strict' },
    ],
    loginConf,
  })
  spawnSync(sim.bin('jail'), ['-c', 'name=web', `path=${root}`, 'persist'])
  return { sim, root }
}

const probe = ['/bin/sh', '-c', '/bin/id; umask; pwd; /bin/env']

t.test('without a user there is no login class: the environment passes through untouched', async t => {
  const { sim } = await setup(t)
  const r = jexec(sim, ['A=1', 'PATH=/usr/bin'], ['web', ...probe])
  t.equal(r.code, 0, r.err)
  t.equal(r.lines[0], 'uid=0(root) gid=0(wheel) groups=0(wheel)')
  t.equal(r.lines[1], '0022', 'the umask jexec inherited')
  t.same(envOf(r.lines), ['A=1', 'PATH=/usr/bin', 'PWD=/'], 'only what sh itself adds (PWD)')
})

t.test('-U applies the jail user, its groups and the login class (setusercontext)', async t => {
  const { sim } = await setup(t)
  const r = jexec(sim, ['A=1', 'PATH=/usr/bin', 'HOME=/nowhere'], ['-U', 'alice', 'web', ...probe])
  t.equal(r.code, 0, r.err)
  t.equal(r.lines[0], 'uid=1001(alice) gid=1001(alice) groups=1001(alice),1000(staff),1003(ops)', 'initgroups(3)')
  t.equal(r.lines[1], '0027', 'umask from the default class (first definition wins over tc=)')
  t.equal(r.lines[2], '/', 'without -l the directory stays /')
  t.same(envOf(r.lines), [
    'A=1', 'BLOCKSIZE=K', 'GREETING=hello there', 'HOME=/home/alice', 'LANG=C.UTF-8',
    'PATH=/sbin:/bin:/home/alice/bin', 'PWD=/', 'SHELL=/bin/sh', 'USER=alice',
  ])
  const b = jexec(sim, [], ['-U', 'bob', 'web', ...probe])
  t.equal(b.lines[1], '0077', 'class from master.passwd')
  t.notOk(b.lines.some(l => l.startsWith('BLOCKSIZE=')), 'class "strict" has no setenv')
})

t.test('-l cleans the environment and starts in the home directory unless -d is given', async t => {
  const { sim } = await setup(t)
  const r = jexec(sim, ['A=1', 'TERM=vt100'], ['-l', '-U', 'alice', 'web', ...probe])
  t.equal(r.lines[2], '/home/alice')
  t.notOk(r.lines.includes('A=1'))
  t.ok(r.lines.includes('TERM=vt100'), 'TERM is kept')
  t.equal(jexec(sim, [], ['-l', '-d', '/tmp', '-U', 'alice', 'web', ...probe]).lines[2], '/tmp')
})

t.test('-u looks the user up on the host, where a user unknown to the jail is fine', async t => {
  const { sim } = await setup(t)
  sim.setHostEtc('passwd', 'root:*:0:0:root:/root:/bin/sh\nhostie:*:2001:2001:h:/:/bin/sh\n')
  sim.setHostEtc('group', 'hostie:*:2001:\nextra:*:2002:hostie\n')
  const r = jexec(sim, [], ['-u', 'hostie', 'web', '/bin/id', '-u'])
  t.same(r.lines, ['2001'], r.err)
  t.match(jexec(sim, [], ['-U', 'hostie', 'web', '/bin/id']), { code: 1, err: 'jexec: hostie: no such user\n' })
  t.match(jexec(sim, [], ['-u', 'alice', 'web', '/bin/id']), { code: 1, err: 'jexec: alice: no such user\n' })
  t.match(jexec(sim, [], ['-u', 'x', '-U', 'x', 'web', '/bin/id']), { code: 1, err: /^usage: jexec / })
})
