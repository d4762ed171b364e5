// Pure mapping of a validated config.json to the jail(8) parameters runj passes after `jail -c -i`.
//
// jail(8) "Jail Parameters": each parameter is one argv entry "name=value", split at the FIRST "=".
// Booleans are the bare name for true and the name with "no" before its last component for false
// (allow.raw_sockets / allow.noraw_sockets): jail(8) documents the "no" prefix, and libjail's
// jailparam_init resolves "allow.noX" to the boolean allow.X. Values from the freebsd.jail section
// win over the same parameter set by an org.freebsd.jail.* annotation (the spec section is the
// standard place; annotations are the pre-1.3 podman channel).
import { InvalidInputError } from '../errors.js'
import { validateContainerId } from '../ids.js'
import { annotationBoolean, annotationProblem, JAIL_ANNOTATION_PREFIX, PARENT_JAIL_ANNOTATION } from './annotations.js'
import type { OciConfig, OciFreeBSDJail } from './config.js'
import { hasControlBreak } from './validators.js'

export interface JailParameters {
  /** The jail name, "<parent>.<id>" for a child of another jail (jail(8) "Hierarchical Jails"). */
  name: string
  /** One argv entry each, in a stable order. */
  params: string[]
}

type Value = string | boolean

/** config-freebsd.md "Jail" allow.* fields and the jail(8) booleans they set. */
const ALLOW_FIELDS = [
  ['setHostname', 'allow.set_hostname'], ['rawSockets', 'allow.raw_sockets'], ['chflags', 'allow.chflags'],
  ['quotas', 'allow.quotas'], ['socketAf', 'allow.socket_af'], ['mlock', 'allow.mlock'],
  ['reservedPorts', 'allow.reserved_ports'], ['suser', 'allow.suser'], ['sysvipc', 'allow.sysvipc'],
] as const

const booleanParam = (name: string, on: boolean): string => (on ? name : name.replace(/([^.]+)$/, 'no$1'))

function parentOf(jail: OciFreeBSDJail, annotations: Record<string, string>): string | undefined {
  const fromSpec = jail.parent
  const fromAnnotation = annotations[PARENT_JAIL_ANNOTATION]
  if (fromSpec !== undefined && fromAnnotation !== undefined && fromSpec !== fromAnnotation) {
    throw new InvalidInputError('freebsd.jail.parent', `is "${fromSpec}" but annotation ${PARENT_JAIL_ANNOTATION} is "${fromAnnotation}"`)
  }
  return fromSpec ?? fromAnnotation
}

/** Parameters from the freebsd.jail section and the top-level hostname/domainname (config-freebsd.md mapping table). */
function fromSpec(config: OciConfig, jail: OciFreeBSDJail): Map<string, Value> {
  const values = new Map<string, Value>()
  const set = (name: string, value: Value | undefined): void => {
    if (value !== undefined) values.set(name, value)
  }
  // jail(8) "host": setting host.hostname implies host=new, so it cannot go with host=inherit.
  for (const field of ['hostname', 'domainname'] as const) {
    if (config[field] !== undefined && jail.host === 'inherit') {
      throw new InvalidInputError(field, 'cannot be set when freebsd.jail.host is "inherit" (jail(8): host.' + field + ' implies host=new)')
    }
  }
  set('host.hostname', config.hostname)
  set('host.domainname', config.domainname)
  set('host', jail.host)
  set('ip4', jail.ip4)
  set('ip4.addr', jail.ip4Addr?.join(','))
  set('ip6', jail.ip6)
  set('ip6.addr', jail.ip6Addr?.join(','))
  set('vnet', jail.vnet)
  set('interface', jail.interface)
  set('sysvmsg', jail.sysvmsg)
  set('sysvsem', jail.sysvsem)
  set('sysvshm', jail.sysvshm)
  set('enforce_statfs', jail.enforceStatfs?.toString())
  for (const [field, param] of ALLOW_FIELDS) set(param, jail.allow?.[field])
  // allow.mount.<fs> is effective only together with allow.mount (jail(8) "allow.mount.*").
  const mountable = jail.allow?.mount ?? []
  if (mountable.length > 0) set('allow.mount', true)
  for (const fs of mountable) set(`allow.mount.${fs}`, true)
  return values
}

/** The `jail -c -i` arguments for a container; throws InvalidInputError on contradictory settings. */
export function jailParameters(config: OciConfig, { id, rootPath }: { id: string; rootPath: string }): JailParameters {
  validateContainerId(id)
  if (!rootPath.startsWith('/') || hasControlBreak(rootPath)) {
    throw new InvalidInputError('root.path', 'must resolve to an absolute path without newline or NUL')
  }
  const jail = config.freebsd?.jail ?? {}
  const annotations = config.annotations ?? {}
  const parent = parentOf(jail, annotations)
  const name = parent === undefined ? id : `${parent}.${id}`

  const values = fromSpec(config, jail)
  for (const [key, value] of Object.entries(annotations)) {
    const problem = annotationProblem(key, value)
    if (problem !== undefined) throw new InvalidInputError(`annotations[${JSON.stringify(key)}]`, problem)
    if (!key.startsWith(JAIL_ANNOTATION_PREFIX)) continue
    const param = key.slice(JAIL_ANNOTATION_PREFIX.length)
    if (!values.has(param)) values.set(param, param.startsWith('allow.') ? annotationBoolean(value) : value)
  }

  // jail(8) "ip4": setting ip4.addr implies ip4=new, so addresses with inherit/disable are contradictory.
  for (const family of ['ip4', 'ip6'] as const) {
    const mode = values.get(family)
    if (values.has(`${family}.addr`) && mode !== undefined && mode !== 'new') {
      throw new InvalidInputError(`freebsd.jail.${family}`, `is "${String(mode)}" but ${family} addresses are set (jail(8): ${family}.addr implies ${family}=new)`)
    }
  }
  // jail(8) "vnet.interface" moves an interface into the jail's own network stack, which needs vnet=new.
  const vnetInterfaces = jail.vnetInterfaces ?? []
  if (vnetInterfaces.length > 0 && values.get('vnet') !== 'new') {
    throw new InvalidInputError('freebsd.jail.vnetInterfaces', 'requires vnet "new"')
  }
  // vnet=inherit is the kernel default; it is not passed so as not to depend on how a kernel treats an explicit inherit.
  if (values.get('vnet') === 'inherit') values.delete('vnet')

  const params = [`name=${name}`, `path=${rootPath}`, 'persist']
  for (const [param, value] of values) params.push(typeof value === 'boolean' ? booleanParam(param, value) : `${param}=${value}`)
  // vnet.interface is a jail(8) pseudo-parameter that appends when repeated on the command line.
  for (const ifname of vnetInterfaces) params.push(`vnet.interface=${ifname}`)
  return { name, params }
}
