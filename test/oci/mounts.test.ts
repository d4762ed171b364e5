// Mount normalisation: bind → nullfs, per-type option filtering, and refused types and options.
import t from 'tap'
import { parseOciConfig } from '../../src/oci/config.js'
import { normalizeMounts } from '../../src/oci/mounts.js'

const withMounts = (mounts: unknown[]) => parseOciConfig(JSON.stringify({ ociVersion: '1.3.0', root: { path: 'rootfs' }, mounts }))

t.test('no mounts', async (t) => {
  t.strictSame(normalizeMounts(parseOciConfig('{"ociVersion":"1.0.0","root":{"path":"r"}}')), [])
})

t.test('maps every supported form', async (t) => {
  t.strictSame(normalizeMounts(withMounts([
    { destination: '/dev', type: 'devfs', source: 'devfs', options: ['ruleset=4', 'nosuid'] },
    { destination: '/dev/fd', type: 'fdescfs', options: ['linrdlnk'] },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: '/var/run/c1/resolv.conf', options: ['rbind', 'ro', 'rprivate'] },
    { destination: '/data', type: 'none', source: '/srv/data', options: ['bind', 'rw', 'noexec'] },
    { destination: '/cache', source: '/srv/cache', options: ['rbind'] },
    { destination: '/more', type: 'nullfs', source: '/srv/more', options: ['ro'] },
  ])), [
    { type: 'devfs', source: 'devfs', destination: '/dev', options: ['ruleset=4', 'nosuid'] },
    { type: 'fdescfs', source: 'fdescfs', destination: '/dev/fd', options: ['linrdlnk'] },
    { type: 'tmpfs', source: 'tmpfs', destination: '/tmp', options: ['nosuid', 'mode=1777', 'size=65536k'] },
    { type: 'nullfs', source: '/var/run/c1/resolv.conf', destination: '/etc/resolv.conf', options: ['ro'] },
    { type: 'nullfs', source: '/srv/data', destination: '/data', options: ['rw', 'noexec'] },
    { type: 'nullfs', source: '/srv/cache', destination: '/cache', options: [] },
    { type: 'nullfs', source: '/srv/more', destination: '/more', options: ['ro'] },
  ])
})

const refused: [string, unknown[], string, RegExp][] = [
  ['Linux proc', [{ destination: '/tmp', type: 'tmpfs' }, { destination: '/proc', type: 'proc', source: 'proc' }], 'mounts[1].type', /Linux mount type "proc" is not supported yet/],
  ['Linux sysfs', [{ destination: '/sys', type: 'sysfs' }], 'mounts[0].type', /Linux mount type "sysfs"/],
  ['Linux devpts', [{ destination: '/dev/pts', type: 'devpts' }], 'mounts[0].type', /Linux mount type "devpts"/],
  ['Linux mqueue', [{ destination: '/dev/mqueue', type: 'mqueue' }], 'mounts[0].type', /Linux mount type "mqueue"/],
  ['Linux cgroup', [{ destination: '/sys/fs/cgroup', type: 'cgroup' }], 'mounts[0].type', /Linux mount type "cgroup"/],
  ['an unknown type', [{ destination: '/x', type: 'zfs', source: 'tank/x' }], 'mounts[0].type', /unsupported mount type "zfs"/],
  ['a missing type without bind', [{ destination: '/x', source: '/y' }], 'mounts[0].type', /is required unless options contain "bind"/],
  ['bind with another type', [{ destination: '/x', type: 'tmpfs', options: ['bind'] }], 'mounts[0].options', /cannot be used with type "tmpfs"/],
  ['a relative bind source', [{ destination: '/x', type: 'bind', source: 'data' }], 'mounts[0].source', /must be an absolute host path/],
  ['a missing bind source', [{ destination: '/x', type: 'nullfs' }], 'mounts[0].source', /must be an absolute host path/],
  ['a devfs ruleset that is not a number', [{ destination: '/dev', type: 'devfs', options: ['ruleset=4,exec'] }], 'mounts[0].options[0]', /unsupported devfs option/],
  ['a tmpfs size with a bad suffix', [{ destination: '/t', type: 'tmpfs', options: ['size=1x'] }], 'mounts[0].options[0]', /unsupported tmpfs option "size=1x"/],
  ['a tmpfs option on nullfs', [{ destination: '/t', type: 'bind', source: '/s', options: ['size=1m'] }], 'mounts[0].options[0]', /unsupported nullfs option/],
  ['an unknown option', [{ destination: '/t', type: 'tmpfs', options: ['ro', 'union'] }], 'mounts[0].options[1]', /unsupported tmpfs option "union"/],
]
for (const [name, mounts, where, problem] of refused) {
  t.test(`refuses ${name}`, async (t) => {
    t.throws(() => normalizeMounts(withMounts(mounts)), { name: 'InvalidInputError', where, problem })
  })
}
