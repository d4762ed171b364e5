// The state fast path (src/cli/fast.ts) takes only argv that main's parser would read the same way,
// and gives the same output, errors and exit codes as the full parser.
import t from 'tap'
import { parseStateArgv } from '../../src/cli/fast.js'
import { baseConfig, world } from '../helpers/e2e.js'

t.test('which argv take the fast path', async (t) => {
  t.same(parseStateArgv(['state', 'web']), { logFormat: 'text', id: 'web' })
  t.same(parseStateArgv(['--root', '/r', '--log=/l', '--log-format', 'json', '--systemd-cgroup', 'state', 'web']), { root: '/r', log: '/l', logFormat: 'json', id: 'web' })
  t.same(parseStateArgv(['--log-level', 'debug', '--debug', 'state', '../x']), { logFormat: 'text', id: '../x' }, 'the id is checked by the verb, as through main')
  for (const argv of [
    [],
    ['state'],
    ['state', 'a', 'b'],
    ['state', '--help'],
    ['state', '--', 'web'],
    ['state', '-h'],
    ['--root', 'state', 'web'],
    ['--root', '-x', 'state', 'web'],
    ['--root', '/a', '--root', '/b', 'state', 'web'],
    ['--log-format', 'xml', 'state', 'web'],
    ['--bogus', 'state', 'web'],
    ['kill', 'web'],
    ['--version'],
  ])
    t.equal(parseStateArgv(argv), null, `full parser for ${JSON.stringify(argv)}`)
})

t.test('fast path and full parser agree on output and exit codes', async (t) => {
  const w = await world(t)
  t.equal((await w.runj(['create', 'web', w.bundle(baseConfig())])).code, 0)
  // "state -- <id>" is not taken by the fast path: commander reads it.
  for (const id of ['web', 'nope', '..']) {
    const fast = await w.runj(['state', id])
    const full = await w.runj(['state', '--', id])
    t.same([fast.code, fast.stdout, fast.stderr], [full.code, full.stdout, full.stderr], `state ${id}`)
  }
  t.equal(JSON.parse((await w.runj(['state', 'web'])).stdout).status, 'created')
  t.equal((await w.runj(['delete', '--force', 'web'])).code, 0)
})
