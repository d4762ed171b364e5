// runj usage's report: limits beside usage, exact JSON, a readable table; and humanRule for history.
import t from 'tap'
import { exactAmount, humanRule } from '../../src/rctl/rule.js'
import { humanAmount, usageJson, usageReport, usageTable } from '../../src/rctl/usage.js'

const usage = new Map<string, bigint>([
  ['cputime', 3n], ['memoryuse', 1610612736n], ['maxproc', 42n], ['openfiles', 0n], ['pcpu', 42n], ['writebps', 10240n],
])

t.test('report: percent of each limit, null when there is no figure or the amount is 0', async (t) => {
  const report = usageReport('web', 'web', ['memoryuse:deny=2147483648', 'maxproc:deny=64', 'pcpu:deny=200', 'coredumpsize:deny=0', 'nthr:sigterm=10/process'], usage)
  t.same(report.limits.map((l) => [l.resource, l.usage, l.percent, l.per]), [
    ['memoryuse', 1610612736n, 75, null],
    ['maxproc', 42n, 65.6, null],
    ['pcpu', 42n, 21, null],
    ['coredumpsize', null, null, null],
    ['nthr', null, null, 'process'],
  ])
})

t.test('table: aligned, limits first, then other resources in use, human units', async (t) => {
  const table = usageTable(usageReport('web', 'web', ['memoryuse:deny=2147483648', 'maxproc:deny=64', 'pcpu:deny=200'], usage))
  t.equal(table, [
    'RESOURCE   USAGE  LIMIT      USE',
    'memoryuse  1.5G   deny 2G    75%',
    'maxproc    42     deny 64    66%',
    'pcpu       42%    deny 200%  21%',
    'cputime    3s     -          -',
    'writebps   10K    -          -',
    '',
  ].join('\n'))
  for (const line of table.split('\n')) t.ok(line.length <= 80, 'fits 80 columns')
})

t.test('json: exact integers, strings beyond 2^53', async (t) => {
  const json = usageJson(usageReport('web', 'j', ['memoryuse:deny=9223372036854775807'], new Map([['memoryuse', 1n]]))) as Record<string, unknown>
  t.same(json, {
    id: 'web',
    jail: 'j',
    limits: [{ rule: 'memoryuse:deny=9223372036854775807', resource: 'memoryuse', action: 'deny', amount: '9223372036854775807', per: null, usage: 1, percent: 0 }],
    usage: { memoryuse: 1 },
  })
})

t.test('amounts for people', async (t) => {
  t.same(['memoryuse', 'memoryuse', 'memoryuse', 'memoryuse', 'maxproc', 'pcpu', 'wallclock'].map((r, i) => humanAmount(r, [512n, 1536n, 536870912n, 10n * 1024n ** 3n + 1n, 7n, 150n, 9n][i] as bigint)), ['512B', '1.5K', '512M', '10G', '7', '150%', '9s'])
  t.equal(exactAmount(536870912n), '512M')
  t.equal(exactAmount(1000n), '1000')
  t.equal(exactAmount(0n), '0')
  t.equal(humanRule('memoryuse:deny=536870912'), 'memoryuse:deny=512M')
  t.equal(humanRule('writebps:throttle=1048576/process'), 'writebps:throttle=1M/process')
  t.equal(humanRule('maxproc:deny=1024'), 'maxproc:deny=1024', 'counts stay numbers')
  t.equal(humanRule('not a rule'), 'not a rule')
})
