// Parses the signal argument of `runj kill <id> [signal]` into a FreeBSD signal name and number.
import { InvalidInputError } from '../errors.js'

export interface Signal {
  /** Canonical name with the SIG prefix, e.g. "SIGTERM". */
  name: string
  /** The number FreeBSD gives it, which is what a number typed at `runj kill` means. */
  number: number
}

// FreeBSD sys/sys/signal.h (signal(3)), signals 1..31. Numbers differ from Linux (USR1 is 30 here, 10 there),
// so a number is only ever read as a FreeBSD number and the rest of runj carries the NAME: the host layer
// sends by name (process.kill(pid, 'SIGUSR1') or kill(1) -s), which the host's own libc maps to its number.
// EMT and INFO exist on FreeBSD but not in Node on Linux; they still parse, and the host layer decides
// whether it can deliver them. SIGTHR (32) and SIGLIBRT (33) are reserved for libthr/librt and not offered.
const FREEBSD_SIGNALS: readonly string[] = [
  'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'EMT', 'FPE', 'KILL', 'BUS', 'SEGV', 'SYS', 'PIPE', 'ALRM', 'TERM', 'URG',
  'STOP', 'TSTP', 'CONT', 'CHLD', 'TTIN', 'TTOU', 'IO', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'INFO', 'USR1', 'USR2',
]

/**
 * Accepts a FreeBSD signal number (1..31) or a name in any case, with or without "SIG"
 * ("TERM", "sigterm", "SIGKILL", "9", "Usr1"): the signal operand of the OCI `kill` operation (runtime.md "Kill").
 */
export function parseSignal(input: string): Signal {
  // Digits only: no sign, blanks or exponent, so "+9", " 9" and "9e0" are refused rather than coerced.
  if (/^[0-9]+$/.test(input)) {
    const number = Number(input)
    const short = FREEBSD_SIGNALS[number - 1]
    if (number < 1 || short === undefined) throw new InvalidInputError('signal', `signal number ${input} is out of range (FreeBSD signals are 1..${FREEBSD_SIGNALS.length})`)
    return { name: `SIG${short}`, number }
  }
  // ASCII letters only before upper-casing: "ſigterm".toUpperCase() is "SIGTERM", and such look-alikes are refused.
  const upper = /^[A-Za-z0-9]+$/.test(input) ? input.toUpperCase() : ''
  const short = upper.startsWith('SIG') ? upper.slice(3) : upper
  const index = FREEBSD_SIGNALS.indexOf(short)
  if (index < 0) throw new InvalidInputError('signal', `unknown signal ${JSON.stringify(input)}`)
  return { name: `SIG${short}`, number: index + 1 }
}
