// process.rlimits (config.md "POSIX process") as limits(1) arguments: FreeBSD's resources by their limits(1) letter,
// Linux-only ones refused as the spec requires ("the runtime MUST generate an error for any values which cannot be
// mapped to a relevant kernel interface"). Pure.
import { InvalidInputError } from '../errors.js'
import type { OciRlimit } from './config.js'

/** RLIMIT_* name -> limits(1) letter (usr.bin/limits/limits.c resources[]). */
const LETTERS: Readonly<Record<string, string>> = {
  RLIMIT_CPU: 't', RLIMIT_FSIZE: 'f', RLIMIT_DATA: 'd', RLIMIT_STACK: 's', RLIMIT_CORE: 'c', RLIMIT_RSS: 'm',
  RLIMIT_MEMLOCK: 'l', RLIMIT_NPROC: 'u', RLIMIT_NOFILE: 'n', RLIMIT_SBSIZE: 'b', RLIMIT_AS: 'v', RLIMIT_VMEM: 'v',
  RLIMIT_NPTS: 'p', RLIMIT_SWAP: 'w', RLIMIT_KQUEUES: 'k', RLIMIT_UMTXP: 'o',
}
const LINUX_ONLY = new Set(['RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME', 'RLIMIT_SIGPENDING', 'RLIMIT_LOCKS'])

/** 2^64-1 (RLIM_INFINITY) and anything at or above 2^63 (beyond rlim_t; JSON has already rounded it) is unlimited. */
const value = (n: number): string => (n >= 2 ** 63 ? 'infinity' : String(n))

/**
 * The limits(1) invocations for the rlimits, each an option list ([] when there are none). limits(1) keeps one value
 * per resource (limits.c set_limits[]), so a soft limit below its hard one needs a second invocation: the first sets
 * the equal pairs (-B) and the hard values (-H), the second, which it execs, the soft values (-S).
 */
export function rlimitArgs(rlimits: readonly OciRlimit[] | undefined): string[][] {
  const both: string[] = []
  const soft: string[] = []
  const seen = new Set<string>()
  ;(rlimits ?? []).forEach((limit, i) => {
    const where = `process.rlimits[${i}]`
    const letter = LETTERS[limit.type]
    if (LINUX_ONLY.has(limit.type)) throw new InvalidInputError(`${where}.type`, `${limit.type} is Linux-only: FreeBSD has no such limit`)
    if (letter === undefined) throw new InvalidInputError(`${where}.type`, `unknown rlimit ${JSON.stringify(limit.type)} (FreeBSD has ${Object.keys(LETTERS).join(', ')})`)
    // RLIMIT_AS and RLIMIT_VMEM are one FreeBSD resource (vmemoryuse).
    if (seen.has(letter)) throw new InvalidInputError(`${where}.type`, `${limit.type} is set twice (config.md: types are unique; RLIMIT_AS is RLIMIT_VMEM)`)
    seen.add(letter)
    for (const [field, n] of [['soft', limit.soft], ['hard', limit.hard]] as const)
      if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`${where}.${field}`, 'must be a non-negative integer (18446744073709551615 is unlimited)')
    if (limit.soft > limit.hard) throw new InvalidInputError(`${where}.soft`, `${limit.soft} is above the hard limit ${limit.hard}`)
    if (value(limit.soft) === value(limit.hard)) both.push('-B', `-${letter}`, value(limit.hard))
    else {
      both.push('-H', `-${letter}`, value(limit.hard))
      soft.push('-S', `-${letter}`, value(limit.soft))
    }
  })
  return [both, soft].filter((args) => args.length > 0)
}
