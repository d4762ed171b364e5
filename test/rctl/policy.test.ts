// Rule precedence, host caps, the rules annotation list, and policy/host.json validation (pure, no files).
import t from 'tap'
import { InvalidInputError } from '../../src/errors.js'
import { checkCaps, mergeRules, parseHostCaps, parsePolicy, parseRuleList, strictestCaps } from '../../src/rctl/policy.js'
import { formatRule, parseRule } from '../../src/rctl/rule.js'

const rules = (...texts: string[]) => texts.map((text) => parseRule(text, 'test'))
const texts = (list: readonly Parameters<typeof formatRule>[0][]) => list.map(formatRule)

t.test('precedence is per resource:action: policy < linux.resources < annotation', async (t) => {
  const policy = rules('memoryuse:deny=512m', 'maxproc:deny=128', 'openfiles:deny=1024', 'memoryuse:devctl=400m')
  const fromResources = rules('memoryuse:deny=1g', 'pcpu:deny=50')
  const explicit = rules('maxproc:deny=64', 'memoryuse:log=900m')
  t.strictSame(texts(mergeRules(policy, fromResources, explicit)), [
    'memoryuse:deny=1073741824', 'maxproc:deny=64', 'openfiles:deny=1024', 'memoryuse:devctl=419430400', 'pcpu:deny=50', 'memoryuse:log=943718400',
  ])
  t.strictSame(texts(mergeRules([], [], [])), [])
  t.strictSame(texts(mergeRules(rules('pcpu:deny=10'), [], rules('pcpu:deny=20'))), ['pcpu:deny=20'], 'the annotation beats the policy')
  t.strictSame(texts(mergeRules(rules('memoryuse:deny=1g'), rules('memoryuse:devctl=1g'), [])), ['memoryuse:deny=1073741824', 'memoryuse:devctl=1073741824'],
    'deny and devctl on one resource coexist')
})

t.test('the rules annotation: a comma-separated list', async (t) => {
  t.strictSame(texts(parseRuleList('memoryuse:deny=1g, maxproc:deny=10 ,pcpu:deny=50', 'a')), ['memoryuse:deny=1073741824', 'maxproc:deny=10', 'pcpu:deny=50'])
  t.throws(() => parseRuleList('memoryuse:deny=1g,,pcpu:deny=5', 'a'), { name: 'InvalidInputError', where: 'a', problem: 'empty rule in the comma-separated list' })
  t.throws(() => parseRuleList('memoryuse:deny=1g,', 'a'), { name: 'InvalidInputError', where: 'a', problem: 'empty rule in the comma-separated list' })
  t.throws(() => parseRuleList('memoryuse:deny=1g,memoryuse:deny=2g', 'a'), { name: 'InvalidInputError', where: 'a', problem: 'memoryuse:deny is already set by "memoryuse:deny=1g"' })
  t.throws(() => parseRuleList('memoryuse:deny=1g,cputime:deny=5', 'a'), { name: 'InvalidInputError', where: 'a', problem: /^invalid rctl rule "cputime:deny=5": cputime cannot be denied/ })
})

t.test('caps refuse deny and throttle rules above them, naming resource, request and cap', async (t) => {
  const caps = parseHostCaps({ caps: { memoryuse: '8g', maxproc: 10000, writebps: '100m' } }, '/etc/host.json')
  t.strictSame([...caps], [['memoryuse', 8589934592n], ['maxproc', 10000n], ['writebps', 104857600n]])
  t.doesNotThrow(() => checkCaps(rules('memoryuse:deny=8g', 'maxproc:deny=10000', 'pcpu:deny=400'), caps), 'at the cap, and uncapped resources')
  t.doesNotThrow(() => checkCaps(rules('memoryuse:devctl=16g', 'memoryuse:log=16g', 'memoryuse:sigkill=16g'), caps), 'reporting actions are not capped')
  const error = t.throws(() => checkCaps(rules('maxproc:deny=64', 'memoryuse:deny=16g'), caps)) as InvalidInputError
  t.type(error, InvalidInputError)
  t.equal(error.message, 'rctl: memoryuse:deny=17179869184 requests 17179869184 of memoryuse, above the host cap of 8589934592 (host.json)')
  t.throws(() => checkCaps(rules('writebps:throttle=200m'), caps), { name: 'InvalidInputError', problem: 'writebps:throttle=209715200 requests 209715200 of writebps, above the host cap of 104857600 (host.json)' })
})

t.test('several host.json files: the lowest cap per resource wins', async (t) => {
  const admin = parseHostCaps({ caps: { memoryuse: '8g', maxproc: 1000 } }, 'a')
  const caller = parseHostCaps({ caps: { memoryuse: '64g', openfiles: 100 } }, 'b')
  t.strictSame([...strictestCaps([admin, caller])], [['memoryuse', 8589934592n], ['maxproc', 1000n], ['openfiles', 100n]])
  t.strictSame([...strictestCaps([caller, admin])].sort(), [['maxproc', 1000n], ['memoryuse', 8589934592n], ['openfiles', 100n]])
  t.equal(strictestCaps([]).size, 0)
})

// [case, host.json content, where, fragment of the problem]
const badCaps: [string, unknown, string, string][] = [
  ['an unknown resource', { caps: { memory: '1g' } }, 'h.json: caps.memory', 'must be an rctl(8) resource'],
  ['a bad amount', { caps: { memoryuse: '1gb' } }, 'h.json: caps.memoryuse', 'must be a non-negative decimal integer'],
  ['a negative number', { caps: { maxproc: -1 } }, 'h.json: caps.maxproc', ''],
  ['no caps', { description: 'x' }, 'h.json: caps', ''],
  ['an unknown field', { caps: {}, limits: {} }, 'h.json: limits', 'unknown field'],
  ['not an object', 'caps', 'h.json', ''],
]
for (const [name, json, where, problem] of badCaps) {
  t.test(`host.json: refuses ${name}`, async (t) => {
    const error = t.throws(() => parseHostCaps(json, 'h.json')) as InvalidInputError
    t.type(error, InvalidInputError)
    t.equal(error.where, where)
    t.ok(error.problem.includes(problem), `"${error.problem}" mentions "${problem}"`)
  })
}

t.test('policy files: a valid one, and each refusal names the file and field', async (t) => {
  const good = { name: 'web', description: 'A web server.', rules: ['memoryuse:deny=1g', 'memoryuse:devctl=900m'] }
  const policy = parsePolicy(good, 'web', '/p/web.json')
  t.equal(policy.description, 'A web server.')
  t.strictSame(texts(policy.rules), ['memoryuse:deny=1073741824', 'memoryuse:devctl=943718400'])
  const refusals: [unknown, string, string, string | RegExp][] = [
    [good, 'other', '/p/other.json: name', 'is "web" but the file is other.json'],
    [{ ...good, rules: ['memoryuse:deny=1g', 'cputime:deny=1'] }, 'web', '/p/web.json: rules[1]', /^invalid rctl rule "cputime:deny=1"/],
    [{ ...good, rules: ['pcpu:deny=1', 'pcpu:deny=2'] }, 'web', '/p/web.json: rules[1]', 'pcpu:deny is already set by "pcpu:deny=1"'],
    [{ ...good, description: ' ' }, 'web', '/p/web.json: description', 'must not be empty'],
    [{ ...good, extra: 1 }, 'web', '/p/web.json: extra', 'unknown field'],
    [{ name: 'web', description: 'x' }, 'web', '/p/web.json: rules', /./],
    [{ ...good, name: 'host' }, 'host', '/p/host.json: name', '"host" is reserved for host.json'],
    [{ ...good, name: '../x' }, 'web', '/p/web.json: name', /^must be a policy name/],
  ]
  for (const [json, base, where, problem] of refusals) t.throws(() => parsePolicy(json, base, `/p/${base}.json`), { name: 'InvalidInputError', where, problem }, where)
})
