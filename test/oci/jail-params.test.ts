// jail(8) parameter mapping: exact argv snapshots and the contradictions that are refused.
import t from 'tap'
import { parseOciConfig } from '../../src/oci/config.js'
import { jailParameters } from '../../src/oci/jail-params.js'

const config = (patch: Record<string, unknown>) => parseOciConfig(JSON.stringify({ ociVersion: '1.3.0', root: { path: 'rootfs' }, ...patch }))
const target = { id: 'web', rootPath: '/abs/root' }

const snapshots: [string, Record<string, unknown>, { name: string; params: string[] }][] = [
  ['minimal config', {}, { name: 'web', params: ['name=web', 'path=/abs/root', 'persist'] }],
  ['hostname and inherited IPv4', { hostname: 'web.example', freebsd: { jail: { ip4: 'inherit' } } },
    { name: 'web', params: ['name=web', 'path=/abs/root', 'persist', 'host.hostname=web.example', 'ip4=inherit'] }],
  ['podman-like vnet jail', {
    hostname: '3f2a9c1b7d4e',
    annotations: { 'io.container.manager': 'libpod', 'org.freebsd.jail.allow.raw_sockets': 'true' },
    freebsd: { jail: { host: 'new', vnet: 'new', vnetInterfaces: ['epair0b'], sysvshm: 'new', enforceStatfs: 2, allow: { rawSockets: true, mount: ['tmpfs', 'nullfs'] } } },
  }, { name: 'web', params: [
    'name=web', 'path=/abs/root', 'persist', 'host.hostname=3f2a9c1b7d4e', 'host=new', 'vnet=new', 'sysvshm=new', 'enforce_statfs=2',
    'allow.raw_sockets', 'allow.mount', 'allow.mount.tmpfs', 'allow.mount.nullfs', 'vnet.interface=epair0b',
  ] }],
  ['every freebsd.jail field', {
    domainname: 'example.org',
    freebsd: { jail: {
      parent: 'pod1', ip4: 'new', ip4Addr: ['10.0.0.2/24', '10.0.0.3'], ip6: 'new', ip6Addr: ['fd00::2'], interface: 'lo1',
      sysvmsg: 'disable', sysvsem: 'inherit', allow: { setHostname: false, chflags: true, quotas: false, socketAf: true, mlock: true, reservedPorts: true, suser: false, sysvipc: false },
    } },
  }, { name: 'pod1.web', params: [
    'name=pod1.web', 'path=/abs/root', 'persist', 'host.domainname=example.org', 'ip4=new', 'ip4.addr=10.0.0.2/24,10.0.0.3', 'ip6=new', 'ip6.addr=fd00::2',
    'interface=lo1', 'sysvmsg=disable', 'sysvsem=inherit', 'allow.noset_hostname', 'allow.chflags', 'allow.noquotas', 'allow.socket_af',
    'allow.mlock', 'allow.reserved_ports', 'allow.nosuser', 'allow.nosysvipc',
  ] }],
  ['annotations only', { annotations: {
    'org.freebsd.parentJail': 'pods.net', 'org.freebsd.jail.vnet': 'new', 'org.freebsd.jail.ip4.addr': '192.0.2.7', 'org.freebsd.jail.sysvmsg': 'new',
    'org.freebsd.jail.allow.mount': 'true', 'org.freebsd.jail.allow.mount.nullfs': '0', 'org.freebsd.jail.allow.mlock': '1',
    'org.freebsd.rctl.policy': 'small', 'org.freebsd.foo': 'ignored',
  } }, { name: 'pods.net.web', params: [
    'name=pods.net.web', 'path=/abs/root', 'persist', 'vnet=new', 'ip4.addr=192.0.2.7', 'sysvmsg=new', 'allow.mount', 'allow.mount.nonullfs', 'allow.mlock',
  ] }],
  ['the freebsd section wins over annotations', {
    annotations: { 'org.freebsd.jail.vnet': 'new', 'org.freebsd.jail.allow.raw_sockets': 'true', 'org.freebsd.jail.sysvshm': 'inherit', 'org.freebsd.parentJail': 'p' },
    freebsd: { jail: { parent: 'p', vnet: 'inherit', sysvshm: 'disable', allow: { rawSockets: false } } },
  }, { name: 'p.web', params: ['name=p.web', 'path=/abs/root', 'persist', 'sysvshm=disable', 'allow.noraw_sockets'] }],
]
for (const [name, patch, expected] of snapshots) {
  t.test(name, async (t) => {
    t.strictSame(jailParameters(config(patch), target), expected)
  })
}

const refused: [string, Record<string, unknown>, string][] = [
  ['hostname with host=inherit', { hostname: 'web', freebsd: { jail: { host: 'inherit' } } }, 'hostname: cannot be set when freebsd.jail.host is "inherit"'],
  ['domainname with host=inherit', { domainname: 'example.org', freebsd: { jail: { host: 'inherit' } } }, 'domainname: cannot be set'],
  ['differing parents', { annotations: { 'org.freebsd.parentJail': 'a' }, freebsd: { jail: { parent: 'b' } } }, 'freebsd.jail.parent: is "b" but annotation org.freebsd.parentJail is "a"'],
  ['ip4Addr with ip4=inherit', { freebsd: { jail: { ip4: 'inherit', ip4Addr: ['10.0.0.2'] } } }, 'freebsd.jail.ip4: is "inherit" but ip4 addresses are set'],
  ['annotated ip6.addr with ip6=disable', { annotations: { 'org.freebsd.jail.ip6.addr': '::1' }, freebsd: { jail: { ip6: 'disable' } } }, 'freebsd.jail.ip6: is "disable"'],
  ['vnetInterfaces without vnet=new', { freebsd: { jail: { vnetInterfaces: ['epair0b'] } } }, 'freebsd.jail.vnetInterfaces: requires vnet "new"'],
]
for (const [name, patch, expected] of refused) {
  t.test(`refuses ${name}`, async (t) => {
    t.throws(() => jailParameters(config(patch), target), { name: 'InvalidInputError', message: new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) })
  })
}

t.test('refuses a bad id or root path', async (t) => {
  t.throws(() => jailParameters(config({}), { id: 'a.b', rootPath: '/r' }), { name: 'InvalidInputError' })
  t.throws(() => jailParameters(config({}), { id: 'web', rootPath: 'rootfs' }), { name: 'InvalidInputError', where: 'root.path' })
  t.throws(() => jailParameters(config({}), { id: 'web', rootPath: '/r\nallow.mount' }), { name: 'InvalidInputError', where: 'root.path' })
})

t.test('re-checks annotations of a config that did not come from parseOciConfig', async (t) => {
  const handBuilt = { ociVersion: '1.3.0', root: { path: 'rootfs' }, annotations: { 'org.freebsd.jail.vnet': 'new\nallow.mount' } }
  t.throws(() => jailParameters(handBuilt, target), { name: 'InvalidInputError', where: 'annotations["org.freebsd.jail.vnet"]' })
})
