// process.rlimits -> limits(1): letters, infinity, the two-invocation rule for soft < hard, and refusals.
import t from 'tap'
import { rlimitArgs } from '../../src/oci/rlimits.js'

t.test('none, equal pairs, infinity, and soft below hard', async (t) => {
  t.same(rlimitArgs(undefined), [])
  t.same(rlimitArgs([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLIMIT_CPU', soft: 18446744073709551615, hard: 18446744073709551615 }]), [['-B', '-n', '1024', '-B', '-t', 'infinity']])
  t.same(rlimitArgs([{ type: 'RLIMIT_CORE', soft: 0, hard: 18446744073709551615 }, { type: 'RLIMIT_NPROC', soft: 50, hard: 50 }]), [['-H', '-c', 'infinity', '-B', '-u', '50'], ['-S', '-c', '0']])
  const letters = ['RLIMIT_NOFILE', 'RLIMIT_NPROC', 'RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_MEMLOCK', 'RLIMIT_STACK', 'RLIMIT_AS', 'RLIMIT_RSS', 'RLIMIT_NPTS', 'RLIMIT_SWAP', 'RLIMIT_SBSIZE', 'RLIMIT_KQUEUES', 'RLIMIT_UMTXP']
    .map((type) => (rlimitArgs([{ type, soft: 1, hard: 1 }])[0] as string[])[1])
  t.same(letters, ['-n', '-u', '-c', '-t', '-d', '-f', '-l', '-s', '-v', '-m', '-p', '-w', '-b', '-k', '-o'])
  t.same(rlimitArgs([{ type: 'RLIMIT_VMEM', soft: 1, hard: 1 }]), [['-B', '-v', '1']])
})

t.test('refusals name the field', async (t) => {
  for (const type of ['RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME', 'RLIMIT_SIGPENDING', 'RLIMIT_LOCKS'])
    t.throws(() => rlimitArgs([{ type, soft: 1, hard: 1 }]), { name: 'InvalidInputError', where: 'process.rlimits[0].type', problem: `${type} is Linux-only: FreeBSD has no such limit` })
  t.throws(() => rlimitArgs([{ type: 'RLIMIT_AS', soft: 1, hard: 1 }, { type: 'RLIMIT_VMEM', soft: 1, hard: 1 }]), { name: 'InvalidInputError', where: 'process.rlimits[1].type', problem: /set twice/ })
  t.throws(() => rlimitArgs([{ type: 'RLIMIT_NOFILE', soft: 2, hard: 1 }]), { name: 'InvalidInputError', where: 'process.rlimits[0].soft' })
  t.throws(() => rlimitArgs([{ type: 'RLIMIT_NOFILE', soft: -1, hard: 1 }]), { name: 'InvalidInputError', where: 'process.rlimits[0].soft' })
  t.throws(() => rlimitArgs([{ type: 'nofile', soft: 1, hard: 1 }]), { name: 'InvalidInputError', where: 'process.rlimits[0].type', problem: /unknown rlimit "nofile"/ })
})
