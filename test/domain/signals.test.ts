// parseSignal: FreeBSD numbers and names in every accepted spelling, and what it refuses.
import t from 'tap'
import { parseSignal } from '../../src/domain/signals.js'

// FreeBSD sys/sys/signal.h, checked independently of the table in the source.
const freebsd: [string, number][] = [
  ['SIGHUP', 1], ['SIGINT', 2], ['SIGQUIT', 3], ['SIGILL', 4], ['SIGTRAP', 5], ['SIGABRT', 6], ['SIGEMT', 7], ['SIGFPE', 8],
  ['SIGKILL', 9], ['SIGBUS', 10], ['SIGSEGV', 11], ['SIGSYS', 12], ['SIGPIPE', 13], ['SIGALRM', 14], ['SIGTERM', 15],
  ['SIGURG', 16], ['SIGSTOP', 17], ['SIGTSTP', 18], ['SIGCONT', 19], ['SIGCHLD', 20], ['SIGTTIN', 21], ['SIGTTOU', 22],
  ['SIGIO', 23], ['SIGXCPU', 24], ['SIGXFSZ', 25], ['SIGVTALRM', 26], ['SIGPROF', 27], ['SIGWINCH', 28], ['SIGINFO', 29],
  ['SIGUSR1', 30], ['SIGUSR2', 31],
]

t.test('every FreeBSD signal by number, full name and short name', async (t) => {
  for (const [name, number] of freebsd) {
    const expected = { name, number }
    t.strictSame(parseSignal(String(number)), expected, `${number}`)
    t.strictSame(parseSignal(name), expected, name)
    t.strictSame(parseSignal(name.slice(3)), expected, name.slice(3))
  }
})

const spellings: [string, string, number][] = [
  ['TERM', 'SIGTERM', 15],
  ['sigterm', 'SIGTERM', 15],
  ['SIGKILL', 'SIGKILL', 9],
  ['9', 'SIGKILL', 9],
  ['kill', 'SIGKILL', 9],
  ['Usr1', 'SIGUSR1', 30],
  ['SigUsr2', 'SIGUSR2', 31],
  ['info', 'SIGINFO', 29],
  ['emt', 'SIGEMT', 7],
  ['010', 'SIGBUS', 10],
]

t.test('names in any case, with or without SIG', async (t) => {
  for (const [input, name, number] of spellings) t.strictSame(parseSignal(input), { name, number }, input)
})

const refused: [string, RegExp][] = [
  ['', /^signal: unknown signal ""$/],
  ['FOO', /^signal: unknown signal "FOO"$/],
  ['SIG', /unknown signal "SIG"/],
  ['SIGSIGTERM', /unknown signal/],
  ['PWR', /unknown signal "PWR"/], // Linux only
  ['STKFLT', /unknown signal/], // Linux only
  ['THR', /unknown signal/], // FreeBSD 32, reserved for libthr
  ['ſigterm', /unknown signal/], // upper-cases to SIGTERM, but is not ASCII
  [' 9', /unknown signal/],
  ['+9', /unknown signal/],
  ['-9', /unknown signal/],
  ['9.0', /unknown signal/],
  ['TERM\n', /unknown signal "TERM\\n"/],
  ['0', /^signal: signal number 0 is out of range \(FreeBSD signals are 1\.\.31\)$/],
  ['32', /out of range/],
  ['99999999999999999999999', /out of range/],
]

t.test('unknown names, blanks and out-of-range numbers are bad input', async (t) => {
  for (const [input, message] of refused) {
    t.throws(() => parseSignal(input), { name: 'InvalidInputError', where: 'signal', message }, JSON.stringify(input))
  }
})
