// config.json validation: accepted shapes, every refusal with the JSON path it reports, and the string checks behind them.
import t from 'tap'
import { InvalidInputError } from '../../src/errors.js'
import { parseOciConfig } from '../../src/oci/config.js'
import {
  isIPv4WithPrefix, isIPv6WithPrefix, isInterfaceName, isJailPath, isRfc1123Name, isSafeAbsolutePath, isSafeRelativePath,
} from '../../src/oci/validators.js'

const minimal = { ociVersion: '1.0.2', root: { path: 'rootfs' } }

// What podman 5 on FreeBSD writes for `podman run --network=private ...` (trimmed), spec 1.3.0.
const podmanFreeBSD = {
  ociVersion: '1.3.0',
  process: {
    terminal: false,
    user: { uid: 0, gid: 0, umask: 18 },
    args: ['/bin/sh', '-c', 'echo hello'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm', 'container=podman', 'HOSTNAME=3f2a9c1b7d4e'],
    cwd: '/',
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }],
  },
  root: { path: '/var/db/containers/storage/zfs/graph/abc/merged' },
  hostname: '3f2a9c1b7d4e',
  mounts: [
    { destination: '/dev', type: 'devfs', source: 'devfs', options: ['ruleset=4'] },
    { destination: '/dev/fd', type: 'fdescfs', source: 'fdesc', options: [] },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=1777', 'size=65536k'] },
    { destination: '/etc/resolv.conf', type: 'nullfs', source: '/var/db/containers/storage/zfs-containers/abc/userdata/resolv.conf', options: ['rbind', 'ro'] },
  ],
  annotations: {
    'io.container.manager': 'libpod',
    'org.opencontainers.image.stopSignal': '15',
    'org.freebsd.jail.allow.raw_sockets': 'true',
  },
  freebsd: {
    jail: { host: 'new', vnet: 'new', vnetInterfaces: ['epair0b'], sysvshm: 'new', enforceStatfs: 2, allow: { rawSockets: true, mount: ['tmpfs'] } },
  },
}

t.test('accepts a minimal config (no process: valid at create)', async (t) => {
  t.strictSame(parseOciConfig(JSON.stringify(minimal)).root, { path: 'rootfs' })
})

t.test('accepts a podman-like 1.3.0 FreeBSD config', async (t) => {
  const config = parseOciConfig(JSON.stringify(podmanFreeBSD))
  t.equal(config.process?.args[0], '/bin/sh')
  t.equal(config.freebsd?.jail?.vnet, 'new')
  t.equal(config.mounts?.length, 4)
})

const accepted: [string, Record<string, unknown>][] = [
  ['unknown annotation outside runj namespaces', { annotations: { 'org.freebsd.foo': 'anything', 'com.example/x': '' } }],
  ['unknown top-level property', { 'org.example.extension': { a: 1 } }],
  ['ociVersion with a pre-release suffix', { ociVersion: '1.3.0-rc.1' }],
  ['Linux-only process fields', { process: { args: ['x'], cwd: '/', user: { uid: 0, gid: 0 }, noNewPrivileges: true, apparmorProfile: 'p', capabilities: { bounding: [] }, oomScoreAdj: 0, selinuxLabel: 'l', ioPriority: { class: 'IOPRIO_CLASS_IDLE' } } }],
  ['a linux section', { linux: { resources: { memory: { limit: 1 } }, namespaces: [] } }],
  ['parentJail, vnet, addresses, sysv, allow and rctl annotations', { annotations: {
    'org.freebsd.parentJail': 'pod1.net', 'org.freebsd.jail.vnet': 'inherit', 'org.freebsd.jail.ip4.addr': '10.0.0.2/24,10.0.0.3',
    'org.freebsd.jail.ip6.addr': 'fd00::2/64,::ffff:10.0.0.1', 'org.freebsd.jail.sysvsem': 'disable', 'org.freebsd.jail.allow.mount.nullfs': '1',
    'org.freebsd.rctl.policy': 'web.small', 'org.freebsd.rctl.rules': 'jail:web:memoryuse:deny=1g' } }],
  ['hooks with absolute paths', { hooks: { createRuntime: [{ path: '/usr/local/bin/netns', args: ['netns', 'up'], env: ['A=1'], timeout: 5 }] } }],
  ['env with "=" in the value and an empty value', { process: { args: ['x'], cwd: '/', user: { uid: 0, gid: 0 }, env: ['A=b=c', 'EMPTY='] } }],
]
for (const [name, patch] of accepted) {
  t.test(`accepts ${name}`, async (t) => {
    t.doesNotThrow(() => parseOciConfig(JSON.stringify({ ...minimal, ...patch })))
  })
}

const proc = (patch: Record<string, unknown>) => ({ process: { args: ['/bin/sh'], cwd: '/', user: { uid: 0, gid: 0 }, ...patch } })

// [case, patch over the minimal config, expected "where: problem" prefix]
const refused: [string, Record<string, unknown>, string][] = [
  ['ociVersion "invalid"', { ociVersion: 'invalid' }, 'ociVersion: unsupported ociVersion "invalid": runj supports 1.0.0 to 1.3.x'],
  ['ociVersion 1.4.0', { ociVersion: '1.4.0' }, 'ociVersion: unsupported ociVersion "1.4.0"'],
  ['ociVersion 2.0.0', { ociVersion: '2.0.0' }, 'ociVersion: unsupported'],
  ['missing root', { root: undefined }, 'root: is required'],
  ['empty root.path', { root: { path: '' } }, 'root.path: must not be empty'],
  ['process.user.uid -1', proc({ user: { uid: -1, gid: 0 } }), 'process.user.uid: expected a non-negative integer'],
  ['process.user.gid 1.5', proc({ user: { uid: 0, gid: 1.5 } }), 'process.user.gid: expected a non-negative integer'],
  ['process.user missing', proc({ user: undefined }), 'process.user: is required'],
  ['env key "-S/bin/sh -c x"', proc({ env: ['PATH=/bin', '-S/bin/sh -c x=1'] }), 'process.env[1]: KEY must not start with "-"'],
  ['env entry without "="', proc({ env: ['-S/bin/sh -c x'] }), 'process.env[0]: must be KEY=value'],
  ['env entry with empty key', proc({ env: ['=x'] }), 'process.env[0]: must be KEY=value'],
  ['env entry with NUL', proc({ env: ['A=b\0c'] }), 'process.env[0]: must not contain NUL'],
  ['relative cwd', proc({ cwd: 'srv' }), 'process.cwd: must be an absolute path'],
  ['empty args', proc({ args: [] }), 'process.args: must not be empty'],
  ['NUL in args', proc({ args: ['/bin/sh', 'a\0b'] }), 'process.args[1]: must not contain NUL'],
  ['relative hook path', { hooks: { createRuntime: [{ path: 'bin/hook' }] } }, 'hooks.createRuntime[0].path: must be an absolute path'],
  ['hook timeout 0', { hooks: { poststop: [{ path: '/bin/true', timeout: 0 }] } }, 'hooks.poststop[0].timeout: must be a positive integer'],
  ['mount destination "../../etc"', { mounts: [{ destination: '/tmp', type: 'tmpfs' }, { destination: '../../etc', type: 'nullfs', source: '/' }] }, 'mounts[1].destination: must be an absolute path with no ".."'],
  ['mount destination "/a/../../etc"', { mounts: [{ destination: '/a/../../etc', type: 'tmpfs' }] }, 'mounts[0].destination: must be an absolute path with no ".."'],
  ['mount source starting with "-"', { mounts: [{ destination: '/x', type: 'nullfs', source: '-oexec' }] }, 'mounts[0].source: must not start with "-"'],
  ['hostname with newline', { hostname: 'web\nallow.raw_sockets' }, 'hostname: must be an RFC 1123 name'],
  ['hostname label ending with "-"', { hostname: 'web-.example' }, 'hostname: must be an RFC 1123 name'],
  ['hostname with "="', { hostname: 'a=b' }, 'hostname: must be an RFC 1123 name'],
  ['domainname too long', { domainname: `${'a'.repeat(63)}.`.repeat(4) + 'com' }, 'domainname: must be an RFC 1123 name'],
  ['annotation org.freebsd.jail.vnet=bogus', { annotations: { 'org.freebsd.jail.vnet': 'bogus' } }, 'annotations["org.freebsd.jail.vnet"]: must be "new" or "inherit"'],
  ['unknown org.freebsd.jail.foo', { annotations: { 'org.freebsd.jail.foo': '1' } }, 'annotations["org.freebsd.jail.foo"]: unknown annotation'],
  ['unknown org.freebsd.rctl.bar', { annotations: { 'org.freebsd.rctl.bar': '1' } }, 'annotations["org.freebsd.rctl.bar"]: unknown annotation'],
  ['allow annotation "yes"', { annotations: { 'org.freebsd.jail.allow.mlock': 'yes' } }, 'annotations["org.freebsd.jail.allow.mlock"]: must be "true" or "false" or "1" or "0"'],
  ['ip4.addr annotation with an interface', { annotations: { 'org.freebsd.jail.ip4.addr': 'em0|10.0.0.2' } }, 'annotations["org.freebsd.jail.ip4.addr"]: must be a comma-separated list'],
  ['ip6.addr annotation with a bad address', { annotations: { 'org.freebsd.jail.ip6.addr': 'fd00:::1' } }, 'annotations["org.freebsd.jail.ip6.addr"]: must be a comma-separated list'],
  ['parentJail with a space', { annotations: { 'org.freebsd.parentJail': 'a b' } }, 'annotations["org.freebsd.parentJail"]: must be a jail name'],
  ['rctl rules with a newline', { annotations: { 'org.freebsd.rctl.rules': 'a\nb' } }, 'annotations["org.freebsd.rctl.rules"]: must not contain a newline or NUL'],
  ['non-string annotation', { annotations: { a: 1 } }, 'annotations.a: Invalid input'],
  ['freebsd.jail.vnet "disable"', { freebsd: { jail: { vnet: 'disable' } } }, 'freebsd.jail.vnet: Invalid option'],
  ['freebsd.jail.enforceStatfs 3', { freebsd: { jail: { enforceStatfs: 3 } } }, 'freebsd.jail.enforceStatfs: must be 0, 1 or 2'],
  ['unknown freebsd.jail field', { freebsd: { jail: { mlock: true } } }, 'freebsd.jail.mlock: unknown field'],
  ['unknown freebsd.jail.allow field', { freebsd: { jail: { allow: { raw_sockets: true } } } }, 'freebsd.jail.allow.raw_sockets: unknown field'],
  ['ip4Addr that is not an address', { freebsd: { jail: { ip4Addr: ['10.0.0.256'] } } }, 'freebsd.jail.ip4Addr[0]: must be a numeric IPv4 address'],
  ['allow.mount entry with a dot', { freebsd: { jail: { allow: { mount: ['tmpfs', 'nullfs.x'] } } } }, 'freebsd.jail.allow.mount[1]: must be a file system type name'],
  ['vnetInterfaces entry with a newline', { freebsd: { jail: { vnetInterfaces: ['epair0b\n'] } } }, 'freebsd.jail.vnetInterfaces[0]: must be a network interface name'],
  ['device path with ".."', { freebsd: { devices: [{ path: '../etc/passwd' }] } }, 'freebsd.devices[0].path: must be a path relative to /dev'],
]
for (const [name, patch, expected] of refused) {
  t.test(`refuses ${name}`, async (t) => {
    const error = t.throws(() => parseOciConfig(JSON.stringify({ ...minimal, ...patch })))
    t.type(error, InvalidInputError)
    t.ok((error as Error).message.startsWith(expected), `"${(error as Error).message}" starts with "${expected}"`)
  })
}

t.test('refuses text that is not JSON, and a top level that is not an object', async (t) => {
  t.throws(() => parseOciConfig('{'), { name: 'InvalidInputError', where: 'config.json', message: /^config\.json: not valid JSON: / })
  t.throws(() => parseOciConfig('[]'), { name: 'InvalidInputError', where: 'config.json' })
})

// The pure string checks behind names and addresses that reach jail(8).
const cases: [string, (s: string) => boolean, string[], string[]][] = [
  ['isIPv4WithPrefix', isIPv4WithPrefix, ['0.0.0.0', '10.0.0.2/24', '255.255.255.255/32'], ['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4/33', '1.2.3.4/', 'em0|1.2.3.4', '1.2.3.4 up', '1.2.3.4/8/8']],
  ['isIPv6WithPrefix', isIPv6WithPrefix, ['::', '::1', 'fd00::2/64', '2001:db8:0:0:0:0:0:1', '1:2:3:4:5:6:7::', '::ffff:10.0.0.1', 'fe80::1/128'],
    ['fd00:::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1/129', 'g::1', '1::2::3', ':1::', '::ffff:300.0.0.1', '1.2.3.4', 'fe80::1%em0']],
  ['isRfc1123Name', isRfc1123Name, ['web', 'web-1.example.org', '3f2a9c1b7d4e', 'a'.repeat(63)], ['', '-web', 'web-', 'a..b', 'a_b', 'a'.repeat(64), 'a\nb', 'a=b', `${'a'.repeat(63)}.`.repeat(4) + 'abc']],
  ['isJailPath', isJailPath, ['web', 'pod1.web', 'a_b-c'], ['', '.web', 'web.', '123', 'a b', '-a', 'a/b']],
  ['isInterfaceName', isInterfaceName, ['epair0b', 'lo1', 'vlan.10'], ['', 'a'.repeat(16), 'em0\n', '..', 'em 0']],
  ['isSafeAbsolutePath', isSafeAbsolutePath, ['/', '/etc/hosts', '/a/..b'], ['etc', '/a/../b', '/..', '/a\0', '/a\n']],
  ['isSafeRelativePath', isSafeRelativePath, ['pf', 'net/tun0'], ['', '/pf', '../pf', 'a/../../b']],
]
for (const [name, check, good, bad] of cases) {
  t.test(name, async (t) => {
    for (const s of good) t.ok(check(s), `accepts ${JSON.stringify(s)}`)
    for (const s of bad) t.notOk(check(s), `refuses ${JSON.stringify(s)}`)
  })
}
