// Policy directories: their order, later-wins lookup, host.json caps, file checks, and the shipped presets.
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { InvalidInputError } from '../../src/errors.js'
import { checkCaps, parsePolicy } from '../../src/rctl/policy.js'
import { loadHostCaps, loadPolicy, policyDirectories, SYSTEM_POLICY_DIR } from '../../src/rctl/policy-dirs.js'
import { formatRule } from '../../src/rctl/rule.js'

const shippedDir = fileURLToPath(new URL('../../policies/', import.meta.url)).replace(/\/$/, '')
const policy = (name: string, ...rules: string[]) => JSON.stringify({ name, description: `${name} for tests`, rules })

t.test('directories: shipped, then the system one, then RUNJ_POLICY_DIR if set', async (t) => {
  t.strictSame(await policyDirectories({}), [shippedDir, SYSTEM_POLICY_DIR])
  t.strictSame(await policyDirectories({ RUNJ_POLICY_DIR: '' }), [shippedDir, SYSTEM_POLICY_DIR])
  t.strictSame(await policyDirectories({ RUNJ_POLICY_DIR: '/srv/policies' }), [shippedDir, SYSTEM_POLICY_DIR, '/srv/policies'])
  await t.rejects(policyDirectories({ RUNJ_POLICY_DIR: 'policies' }), { name: 'InvalidInputError', where: 'RUNJ_POLICY_DIR', problem: 'must be an absolute path, not "policies"' })
})

t.test('every shipped preset loads, validates and has a real description', async (t) => {
  const files = (await readdir(shippedDir)).filter((f) => f.endsWith('.json'))
  t.ok(files.length >= 5, `${files.length} presets`)
  t.notOk(files.includes('host.json'), 'no host.json is shipped')
  for (const file of files) {
    const name = file.slice(0, -'.json'.length)
    const parsed = parsePolicy(JSON.parse(await readFile(`${shippedDir}/${file}`, 'utf8')), name, file)
    t.ok(parsed.description.length > 40, `${name}: described`)
    t.ok(parsed.rules.length > 0, `${name}: has rules`)
    t.strictSame((await loadPolicy(name, {})).rules, parsed.rules, `${name}: found by loadPolicy`)
  }
})

t.test('a later directory wins; unknown names list what is known', async (t) => {
  const dir = t.testdir({ 'small.json': policy('small', 'memoryuse:deny=1m'), 'mine.json': policy('mine', 'maxproc:deny=7'), 'notes.txt': 'x' })
  const env = { RUNJ_POLICY_DIR: dir }
  t.strictSame((await loadPolicy('small', env)).rules.map(formatRule), ['memoryuse:deny=1048576'], 'RUNJ_POLICY_DIR overrides a shipped preset')
  t.strictSame((await loadPolicy('mine', env)).rules.map(formatRule), ['maxproc:deny=7'])
  t.strictSame((await loadPolicy('medium', env)).name, 'medium', 'shipped presets stay visible')
  const error = await loadPolicy('nope', env).then(() => undefined, (e: unknown) => e) as InvalidInputError
  t.type(error, InvalidInputError)
  t.equal(error.where, 'annotations["org.freebsd.rctl.policy"]')
  t.match(error.problem, /^unknown policy "nope"; known: (?:[a-z.-]+, )*build, .*large, medium, mine, small, untrusted/)
  await t.rejects(loadPolicy('host', env), { name: 'InvalidInputError', where: 'annotations["org.freebsd.rctl.policy"]', problem: '"host" is not a policy name' })
  await t.rejects(loadPolicy('../etc/passwd', env), { name: 'InvalidInputError', problem: '"../etc/passwd" is not a policy name' })
})

t.test('file problems name the file', async (t) => {
  const dir = t.testdir({
    'broken.json': '{ "name": ',
    'misnamed.json': policy('other', 'maxproc:deny=1'),
    'badrule.json': policy('badrule', 'memoryuse:throttle=1'),
    'huge.json': ' '.repeat(64 * 1024 + 1),
  })
  const env = { RUNJ_POLICY_DIR: dir }
  await t.rejects(loadPolicy('broken', env), { name: 'InvalidInputError', where: `${dir}/broken.json`, problem: /^not valid JSON: / })
  await t.rejects(loadPolicy('misnamed', env), { name: 'InvalidInputError', where: `${dir}/misnamed.json: name`, problem: 'is "other" but the file is misnamed.json' })
  await t.rejects(loadPolicy('badrule', env), { name: 'InvalidInputError', where: `${dir}/badrule.json: rules[0]`, problem: /throttle applies only to/ })
  await t.rejects(loadPolicy('huge', env), { name: 'InvalidInputError', where: `${dir}/huge.json`, problem: 'larger than 65536 bytes' })
})

t.test('host caps: none shipped; RUNJ_POLICY_DIR adds host.json', async (t) => {
  t.equal((await loadHostCaps({})).size, 0, 'no host.json anywhere')
  const dir = t.testdir({ 'host.json': JSON.stringify({ description: 'test host', caps: { memoryuse: '4g', maxproc: 1000 } }) })
  const caps = await loadHostCaps({ RUNJ_POLICY_DIR: dir })
  t.equal(caps.get('memoryuse'), 4n * 1024n ** 3n)
  const large = await loadPolicy('large', { RUNJ_POLICY_DIR: dir })
  t.throws(() => checkCaps(large.rules, caps), {
    name: 'InvalidInputError',
    problem: 'memoryuse:deny=8589934592 requests 8589934592 of memoryuse, above the host cap of 4294967296 (host.json)',
  })
  const bad = t.testdir({ 'host.json': JSON.stringify({ caps: { memoryuse: 'lots' } }) })
  await t.rejects(loadHostCaps({ RUNJ_POLICY_DIR: bad }), { name: 'InvalidInputError', where: `${bad}/host.json: caps.memoryuse` })
})
