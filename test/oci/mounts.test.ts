// Mount normalisation: bind → nullfs, per-type option filtering, and refused types and options.
import t from 'tap'
import { parseOciConfig } from '../../src/oci/config.js'
import { normalizeMounts } from '../../src/oci/mounts.js'

const withMounts = (mounts: unknown[]) => parseOciConfig(JSON.stringify({ ociVersion: '1.3.0', root: { path: 'rootfs' }, mounts }))

t.test('no mounts', async (t) => {
  t.strictSame(normalizeMounts(parseOciConfig('{"ociVersion":"1.0.0","root":{"path":"r"}}')), { mounts: [], adapted: [] })
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
  ])).mounts, [
    { index: 0, type: 'devfs', source: 'devfs', destination: '/dev', options: ['ruleset=4', 'nosuid'] },
    { index: 1, type: 'fdescfs', source: 'fdescfs', destination: '/dev/fd', options: ['linrdlnk'] },
    { index: 2, type: 'tmpfs', source: 'tmpfs', destination: '/tmp', options: ['nosuid', 'mode=1777', 'size=65536k'] },
    { index: 3, type: 'nullfs', source: '/var/run/c1/resolv.conf', destination: '/etc/resolv.conf', options: ['ro'] },
    { index: 4, type: 'nullfs', source: '/srv/data', destination: '/data', options: ['rw', 'noexec'] },
    { index: 5, type: 'nullfs', source: '/srv/cache', destination: '/cache', options: [] },
    { index: 6, type: 'nullfs', source: '/srv/more', destination: '/more', options: ['ro'] },
  ])
})

t.test("containerd's and podman's Linux mounts: mapped, dropped, and every change recorded", async (t) => {
  const { mounts, adapted } = normalizeMounts(withMounts([
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
  ]))
  t.strictSame(mounts, [
    { index: 0, type: 'linprocfs', source: 'linprocfs', destination: '/proc', options: ['nosuid', 'noexec'] },
    { index: 1, type: 'devfs', source: 'devfs', destination: '/dev', options: ['nosuid', 'ruleset=4'] },
    { index: 3, type: 'tmpfs', source: 'shm', destination: '/dev/shm', options: ['nosuid', 'noexec', 'mode=1777', 'size=65536k'] },
    { index: 4, type: 'mqueuefs', source: 'mqueuefs', destination: '/dev/mqueue', options: ['nosuid', 'noexec'] },
    { index: 5, type: 'linsysfs', source: 'linsysfs', destination: '/sys', options: ['nosuid', 'noexec', 'ro'] },
  ])
  t.strictSame(adapted, [
    'mounts[0] proc on /proc: mounted as linprocfs',
    'mounts[0] linprocfs on /proc: options nodev dropped (no FreeBSD equivalent)',
    'mounts[1] tmpfs on /dev: mounted as devfs with ruleset=4',
    'mounts[1] devfs on /dev: options strictatime mode=755 size=65536k dropped (no FreeBSD equivalent)',
    'mounts[2] devpts on /dev/pts: dropped: devfs provides /dev/pts',
    'mounts[3] tmpfs on /dev/shm: options nodev dropped (no FreeBSD equivalent)',
    'mounts[4] mqueue on /dev/mqueue: mounted as mqueuefs',
    'mounts[4] mqueuefs on /dev/mqueue: options nodev dropped (no FreeBSD equivalent)',
    'mounts[5] sysfs on /sys: mounted as linsysfs',
    'mounts[5] linsysfs on /sys: options nodev dropped (no FreeBSD equivalent)',
    'mounts[6] cgroup on /sys/fs/cgroup: dropped: FreeBSD has no cgroups (limits are rctl rules)',
  ])
})

t.test("Linux tmpfs options: nr_inodes is FreeBSD's inodes; a bind's propagation flags are dropped and said so", async (t) => {
  const { mounts, adapted } = normalizeMounts(withMounts([
    { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nr_inodes=4k', 'mode=755'] },
    { destination: '/etc/hosts', type: 'bind', source: '/srv/hosts', options: ['bind', 'rprivate', 'ro'] },
  ]))
  t.strictSame(mounts.map((m) => m.options), [['inodes=4k', 'mode=755'], ['ro']])
  t.strictSame(adapted, ['mounts[0] tmpfs on /run: option nr_inodes=4k as inodes=4k', 'mounts[1] nullfs on /etc/hosts: options rprivate dropped (no FreeBSD equivalent)'])
})

const refused: [string, unknown[], string, RegExp][] = [
  ['an option linprocfs does not take', [{ destination: '/proc', type: 'proc', options: ['hidepid=2'] }], 'mounts[0].options[0]', /unsupported linprocfs option "hidepid=2"/],
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
