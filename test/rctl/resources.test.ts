// linux.resources to rctl rules: the mapping table row by row, its edges, the ignored fields and the refusals.
import t from 'tap'
import { InvalidInputError } from '../../src/errors.js'
import { rulesFromResources } from '../../src/rctl/resources.js'
import { formatRule } from '../../src/rctl/rule.js'

const rulesOf = (resources: unknown): string[] => rulesFromResources(resources).rules.map(formatRule)
const dev = (rate: number, minor = 0) => ({ major: 8, minor, rate })

// [case, linux.resources, rules in canonical text]
const mapped: [string, unknown, string[]][] = [
  ['nothing', undefined, []],
  ['an empty object', {}, []],
  ['memory.limit', { memory: { limit: 536870912 } }, ['memoryuse:deny=536870912']],
  ['memory.limit -1', { memory: { limit: -1 } }, []],
  ['memory.limit 0 (unset, as runc)', { memory: { limit: 0 } }, []],
  ['memory.reservation (notification only)', { memory: { reservation: 268435456 } }, ['memoryuse:devctl=268435456']],
  ['memory.reservation -1', { memory: { reservation: -1 } }, []],
  ['limit and reservation coexist', { memory: { limit: 1024, reservation: 512 } }, ['memoryuse:deny=1024', 'memoryuse:devctl=512']],
  ['memory.swap above the limit', { memory: { limit: 1024, swap: 3072 } }, ['memoryuse:deny=1024', 'swapuse:deny=2048']],
  ['memory.swap equal to the limit (no swap)', { memory: { limit: 1024, swap: 1024 } }, ['memoryuse:deny=1024', 'swapuse:deny=0']],
  ['memory.swap -1', { memory: { limit: 1024, swap: -1 } }, ['memoryuse:deny=1024']],
  ['memory.swap 0 (unset)', { memory: { limit: 1024, swap: 0 } }, ['memoryuse:deny=1024']],
  ['memory.swap with unlimited memory (taken as is, as runc)', { memory: { limit: -1, swap: 4096 } }, ['swapuse:deny=4096']],
  ['cpu.quota and cpu.period', { cpu: { quota: 50000, period: 100000 } }, ['pcpu:deny=50']],
  ['cpu.quota of two cores', { cpu: { quota: 200000, period: 100000 } }, ['pcpu:deny=200']],
  ['cpu.quota rounded up', { cpu: { quota: 1, period: 100000 } }, ['pcpu:deny=1']],
  ['cpu.quota 33.4% rounded up', { cpu: { quota: 33400, period: 100000 } }, ['pcpu:deny=34']],
  ['cpu.quota without period (100000 assumed)', { cpu: { quota: 25000 } }, ['pcpu:deny=25']],
  ['cpu.quota with period 0 (100000 assumed)', { cpu: { quota: 150000, period: 0 } }, ['pcpu:deny=150']],
  ['cpu.quota -1', { cpu: { quota: -1, period: 100000 } }, []],
  ['cpu.quota 0', { cpu: { quota: 0, period: 100000 } }, []],
  ['cpu.period alone', { cpu: { period: 50000 } }, []],
  ['pids.limit', { pids: { limit: 100 } }, ['maxproc:deny=100']],
  ['pids.limit -1', { pids: { limit: -1 } }, []],
  ['pids.limit 0 (a real limit since runtime-spec 1.3.0)', { pids: { limit: 0 } }, ['maxproc:deny=0']],
  ['pids without limit', { pids: {} }, []],
  ['one read bps device', { blockIO: { throttleReadBpsDevice: [dev(1048576)] } }, ['readbps:throttle=1048576']],
  ['several devices: the highest rate', { blockIO: { throttleWriteBpsDevice: [dev(100), dev(300, 16), dev(200, 32)] } }, ['writebps:throttle=300']],
  ['iops, both kinds', { blockIO: { throttleReadIOPSDevice: [dev(1000)], throttleWriteIOPSDevice: [dev(300), dev(500, 1)] } },
    ['readiops:throttle=1000', 'writeiops:throttle=500']],
  ['a device rate of 0 (removed) among others', { blockIO: { throttleReadBpsDevice: [dev(0), dev(4096, 1)] } }, ['readbps:throttle=4096']],
  ['only rates of 0 and -1', { blockIO: { throttleReadBpsDevice: [dev(0), dev(-1, 1)] } }, []],
  ['an empty device list', { blockIO: { throttleWriteIOPSDevice: [] } }, []],
  ['everything at once', {
    memory: { limit: 2147483648, reservation: 1073741824, swap: 3221225472 }, cpu: { quota: 150000, period: 100000 }, pids: { limit: 512 },
    blockIO: { throttleReadBpsDevice: [dev(10485760)], throttleWriteBpsDevice: [dev(5242880)], throttleReadIOPSDevice: [dev(200)], throttleWriteIOPSDevice: [dev(100)] },
  }, ['memoryuse:deny=2147483648', 'memoryuse:devctl=1073741824', 'swapuse:deny=1073741824', 'pcpu:deny=150', 'maxproc:deny=512',
    'readbps:throttle=10485760', 'writebps:throttle=5242880', 'readiops:throttle=200', 'writeiops:throttle=100']],
]
for (const [name, resources, expected] of mapped) {
  t.test(`maps ${name}`, async (t) => {
    t.strictSame(rulesOf(resources), expected)
  })
}

t.test('reports every unmapped field by its path, and no mapped one', async (t) => {
  const { ignored } = rulesFromResources({
    memory: { limit: 1024, kernel: -1, kernelTCP: -1, swappiness: 0, disableOOMKiller: false },
    cpu: { shares: 1024, quota: 50000, period: 100000, burst: 0, realtimeRuntime: 0, realtimePeriod: 0, cpus: '0-3', mems: '0', idle: 0 },
    blockIO: { weight: 10, leafWeight: 10, weightDevice: [{ major: 8, minor: 0, weight: 500 }], throttleReadBpsDevice: [dev(1)] },
    pids: { limit: 10 },
    hugepageLimits: [{ pageSize: '2MB', limit: 209715200 }],
    network: { classID: 1 },
    rdma: { mlx5_1: { hcaHandles: 3 } },
    unified: { 'io.max': '259:0 rbps=2097152' },
    devices: [{ allow: false, access: 'rwm' }],
  })
  t.strictSame(ignored, [
    'linux.resources.memory.kernel', 'linux.resources.memory.kernelTCP', 'linux.resources.memory.swappiness', 'linux.resources.memory.disableOOMKiller',
    'linux.resources.cpu.shares', 'linux.resources.cpu.burst', 'linux.resources.cpu.realtimeRuntime', 'linux.resources.cpu.realtimePeriod',
    'linux.resources.cpu.cpus', 'linux.resources.cpu.mems', 'linux.resources.cpu.idle',
    'linux.resources.blockIO.weight', 'linux.resources.blockIO.leafWeight', 'linux.resources.blockIO.weightDevice',
    'linux.resources.hugepageLimits', 'linux.resources.network', 'linux.resources.rdma', 'linux.resources.unified', 'linux.resources.devices',
  ])
  t.strictSame(rulesFromResources({ memory: { limit: 1 } }).ignored, [])
})

// [case, linux.resources, where, fragment of the problem]
const refused: [string, unknown, string, string][] = [
  ['memory.swap below the limit (runc refuses it too)', { memory: { limit: 2048, swap: 1024 } }, 'linux.resources.memory.swap', 'memory+swap (1024) must be at least memory.limit (2048)'],
  ['memory.swap without memory.limit', { memory: { swap: 1024 } }, 'linux.resources.memory.swap', 'a swap limit needs memory.limit'],
  ['memory.swap with memory.limit 0', { memory: { limit: 0, swap: 1024 } }, 'linux.resources.memory.swap', 'a swap limit needs memory.limit'],
  ['memory.limit -2', { memory: { limit: -2 } }, 'linux.resources.memory.limit', 'must be -1 (unlimited) or a non-negative integer'],
  ['memory.limit as a string', { memory: { limit: '1g' } }, 'linux.resources.memory.limit', 'must be -1 (unlimited) or a non-negative integer'],
  ['pids.limit 1.5', { pids: { limit: 1.5 } }, 'linux.resources.pids.limit', 'must be -1'],
  ['a device without rate', { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0 }] } }, 'linux.resources.blockIO.throttleReadBpsDevice[0].rate', 'is required'],
  ['a device with a string major', { blockIO: { throttleWriteBpsDevice: [{ major: '8', minor: 0, rate: 1 }] } }, 'linux.resources.blockIO.throttleWriteBpsDevice[0].major', 'expected an integer'],
  ['memory that is not an object', { memory: 5 }, 'linux.resources.memory', ''],
  ['resources that are not an object', [], 'linux.resources', ''],
  ['memory.limit beyond int64', { memory: { limit: 2 ** 63 } }, 'linux.resources.memory.limit', 'outside rctl\'s range'],
  ['cpu.quota giving a pcpu beyond the kernel range', { cpu: { quota: 2 ** 62, period: 1 } }, 'linux.resources.cpu.quota', 'outside rctl\'s range'],
]
for (const [name, resources, where, problem] of refused) {
  t.test(`refuses ${name}`, async (t) => {
    const error = t.throws(() => rulesFromResources(resources)) as InvalidInputError
    t.type(error, InvalidInputError)
    t.equal(error.where, where)
    t.ok(error.problem.includes(problem), `"${error.problem}" mentions "${problem}"`)
  })
}
