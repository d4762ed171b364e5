// rctl rule grammar: accepted rules with their canonical text, and every refusal with the reason it gives.
import t from 'tap'
import { InvalidInputError } from '../../src/errors.js'
import { formatRule, parseAmount, parseRule, ruleKey } from '../../src/rctl/rule.js'

const WHERE = 'annotations["org.freebsd.rctl.rules"]'

// [input, canonical text]
const accepted: [string, string][] = [
  ['memoryuse:deny=512m', 'memoryuse:deny=536870912'],
  ['maxproc:deny=100', 'maxproc:deny=100'],
  ['coredumpsize:deny=0', 'coredumpsize:deny=0'],
  ['datasize:deny=1k', 'datasize:deny=1024'],
  ['datasize:deny=1K', 'datasize:deny=1024'],
  ['vmemoryuse:deny=2g', 'vmemoryuse:deny=2147483648'],
  ['shmsize:deny=1t', 'shmsize:deny=1099511627776'],
  ['shmsize:deny=1P', 'shmsize:deny=1125899906842624'],
  ['shmsize:deny=7e', 'shmsize:deny=8070450532247928832'],
  ['MemoryUse:DENY=1G', 'memoryuse:deny=1073741824'],
  ['cputime:sigxcpu=3600', 'cputime:sigxcpu=3600'],
  ['wallclock:sigterm=86400', 'wallclock:sigterm=86400'],
  ['pcpu:deny=250', 'pcpu:deny=250'],
  ['readbps:throttle=10m', 'readbps:throttle=10485760'],
  ['writeiops:throttle=500', 'writeiops:throttle=500'],
  ['readbps:log=1m', 'readbps:log=1048576'],
  ['memoryuse:devctl=1g', 'memoryuse:devctl=1073741824'],
  ['openfiles:deny=256/process', 'openfiles:deny=256/process'],
  ['openfiles:deny=256/JAIL', 'openfiles:deny=256/jail'],
  ['swapuse:deny=1g/jail', 'swapuse:deny=1073741824/jail'],
  ['nthr:sigkill=10000', 'nthr:sigkill=10000'],
]
for (const [input, canonical] of accepted) {
  t.test(`accepts ${input}`, async (t) => {
    const rule = parseRule(input, WHERE)
    t.equal(formatRule(rule), canonical)
    t.strictSame(parseRule(canonical, WHERE), rule, 'the canonical text parses back to the same rule')
  })
}

t.test('parses into resource, action, bigint amount and per', async (t) => {
  t.strictSame(parseRule('memoryuse:deny=512m', WHERE), { resource: 'memoryuse', action: 'deny', amount: 536870912n, per: null })
  t.strictSame(parseRule('openfiles:log=10/process', WHERE), { resource: 'openfiles', action: 'log', amount: 10n, per: 'process' })
  t.equal(ruleKey(parseRule('memoryuse:devctl=1g', WHERE)), 'memoryuse:devctl')
})

// [input, fragment of the reason]
const refused: [string, string][] = [
  ['cputime:deny=10', 'cputime cannot be denied'],
  ['wallclock:deny=10', 'wallclock cannot be denied'],
  ['readbps:deny=1m', 'readbps cannot be denied (use log, devctl, a signal or throttle)'],
  ['writeiops:deny=10', 'writeiops cannot be denied'],
  ['memoryuse:throttle=1g', 'throttle applies only to readbps, writebps, readiops and writeiops'],
  ['pcpu:throttle=50', 'throttle applies only to'],
  ['writebps:throttle=0', 'a throttle amount must be at least 1'],
  ['swapuse:deny=1g/process', 'swapuse is accounted per jail only'],
  ['pseudoterminals:deny=4/process', 'pseudoterminals is accounted per jail only'],
  ['nshm:deny=4/process', 'nshm is accounted per jail only'],
  ['memoryuse:deny=1g/user', 'per must be "process" or "jail"'],
  ['memory:deny=1g', 'unknown resource "memory"'],
  ['memoryuse:kill=1g', 'unknown action "kill"'],
  ['memoryuse:sigfoo=1g', 'unknown action "sigfoo"'],
  ['memoryuse:deny=1x', 'must be a non-negative decimal integer'],
  ['memoryuse:deny=1kb', 'must be a non-negative decimal integer'],
  ['memoryuse:deny=-1', 'must be a non-negative decimal integer'],
  ['memoryuse:deny=0x10', 'must be a non-negative decimal integer'],
  ['memoryuse:deny=1.5g', 'must be a non-negative decimal integer'],
  ['memoryuse:deny=', 'must be a non-negative decimal integer'],
  ['memoryuse:deny=8e', 'outside rctl\'s range 0..9223372036854775807'],
  ['pcpu:deny=9223372036855', 'outside rctl\'s range 0..9223372036854'],
  ['memoryuse:deny', 'expected resource:action=amount'],
  ['memoryuse=1g', 'expected resource:action=amount'],
  ['memoryuse:deny=1g/process/x', 'expected resource:action=amount'],
  ['memoryuse: deny=1g', 'unknown action " deny"'],
  ['jail:web:memoryuse:deny=1g', 'runj supplies the jail:<name> subject'],
]
for (const [input, why] of refused) {
  t.test(`refuses ${input}`, async (t) => {
    const error = t.throws(() => parseRule(input, WHERE)) as InvalidInputError
    t.type(error, InvalidInputError)
    t.equal(error.where, WHERE)
    t.ok(error.problem.startsWith(`invalid rctl rule ${JSON.stringify(input)}: `), error.problem)
    t.ok(error.problem.includes(why), `"${error.problem}" mentions "${why}"`)
  })
}

t.test('amounts: every suffix is a power of 1024', async (t) => {
  const expected: [string, bigint][] = [['7', 7n], ['1k', 1024n], ['1m', 1024n ** 2n], ['1g', 1024n ** 3n], ['1t', 1024n ** 4n], ['1p', 1024n ** 5n], ['1e', 1024n ** 6n]]
  for (const [text, value] of expected) t.equal(parseAmount(text), value, text)
  t.type(parseAmount('1 k'), 'string')
})
