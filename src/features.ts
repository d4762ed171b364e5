// `runj features` (OCI features-linux.md/features.md, runtime-spec 1.3): what this runtime understands. Pure.
import { HOOK_STAGES } from './oci/hooks.js'
import { ANNOTATION_ALLOW_NAMES } from './oci/annotations.js'
import { GENERIC_MOUNT_OPTIONS, IGNORED_MOUNT_OPTIONS, TYPE_OPTIONS } from './oci/mounts.js'
import { RESOURCES } from './rctl/rule.js'
import { RUNJ_VERSION } from './version.js'

/** jail(8) parameters runj sets from a config (config-freebsd.md mapping and the org.freebsd.* annotations). */
const JAIL_PARAMETERS = [
  'name', 'path', 'persist', 'parent', 'host', 'host.hostname', 'host.domainname', 'ip4', 'ip4.addr', 'ip6', 'ip6.addr', 'vnet',
  'vnet.interface', 'interface', 'sysvmsg', 'sysvsem', 'sysvshm', 'enforce_statfs',
  ...ANNOTATION_ALLOW_NAMES.map((name) => `allow.${name}`),
  'allow.set_hostname', 'allow.socket_af', 'allow.reserved_ports',
]

export function features(): Record<string, unknown> {
  const mountOptions = new Set([...GENERIC_MOUNT_OPTIONS, ...IGNORED_MOUNT_OPTIONS])
  for (const patterns of Object.values(TYPE_OPTIONS)) for (const p of patterns) mountOptions.add(p.source.replace(/^\^/, '').replace(/(=.*)?\$$/, ''))
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: '1.3.0',
    hooks: [...HOOK_STAGES],
    mountOptions: [...mountOptions].sort(),
    // features.md: "annotations" describe the implementation, as runc puts its version and commit there.
    annotations: {
      'org.freebsd.runj.version': RUNJ_VERSION,
      'org.freebsd.runj.event-log': 'jsonl, sha256 hash chain over RFC 8785 canonical JSON',
    },
    // Annotations that change what a container may do to the host (jail(8) allow.* and the jail's network).
    potentiallyUnsafeConfigAnnotations: [
      'org.freebsd.jail.allow.',
      'org.freebsd.jail.vnet',
      'org.freebsd.jail.ip4.addr',
      'org.freebsd.jail.ip6.addr',
      'org.freebsd.parentJail',
    ],
    freebsd: {
      jailParameters: [...new Set(JAIL_PARAMETERS)].sort(),
      mountTypes: Object.keys(TYPE_OPTIONS).concat('bind').sort(),
      rctl: {
        resources: [...RESOURCES],
        actions: ['deny', 'log', 'devctl', 'throttle', 'sig<name>'],
        annotations: ['org.freebsd.rctl.policy', 'org.freebsd.rctl.rules'],
        linuxResources: ['memory.limit', 'memory.reservation', 'memory.swap', 'cpu.quota', 'cpu.period', 'pids.limit', 'blockIO.throttleReadBpsDevice', 'blockIO.throttleWriteBpsDevice', 'blockIO.throttleReadIOPSDevice', 'blockIO.throttleWriteIOPSDevice'],
      },
      annotations: ['org.freebsd.parentJail', 'org.freebsd.jail.vnet', 'org.freebsd.jail.ip4.addr', 'org.freebsd.jail.ip6.addr', 'org.freebsd.jail.sysvmsg', 'org.freebsd.jail.sysvsem', 'org.freebsd.jail.sysvshm', ...ANNOTATION_ALLOW_NAMES.map((n) => `org.freebsd.jail.allow.${n}`)],
    },
  }
}
