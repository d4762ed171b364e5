// Reads and validates a bundle before any host action: config.json to the create intent and its secrets.
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { access, open, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import type { EventData } from '../domain/events.js'
import type { CreateSecrets, TerminalSpec } from '../domain/plan.js'
import { inheritedFds } from './fds.js'
import { InvalidInputError, OperationError } from '../errors.js'
import type { HostPort } from '../host/port.js'
import { checkMountPoint, lookupUser, mountsAFile, readElfAbi, realRoot, resolveInRoot } from '../host/rootfs.js'
import { parseOciConfig, type OciConfig, type OciProcess } from '../oci/config.js'
import { jailParameters } from '../oci/jail-params.js'
import { hooksByStage } from '../oci/hooks.js'
import { normalizeMounts } from '../oci/mounts.js'
import { rlimitArgs } from '../oci/rlimits.js'
import { checkRacct, resolveLimits } from './limits.js'

const MAX_CONFIG_BYTES = 4 * 1024 * 1024

export interface Prepared {
  readonly spec: EventData<'ContainerCreateRequested'>
  readonly secrets: CreateSecrets
  readonly configText: string
}

async function readConfig(bundle: string): Promise<string> {
  const path = resolve(bundle, 'config.json')
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new InvalidInputError('bundle', `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`)
  })
  try {
    const { size } = await handle.stat()
    if (size > MAX_CONFIG_BYTES) throw new InvalidInputError('config.json', `is ${size} bytes; runj reads at most ${MAX_CONFIG_BYTES}`)
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

/** Linux fields FreeBSD has no use for: accepted (runtimes ignore other platforms' sections) and recorded. */
function ignoredFields(config: OciConfig): string[] {
  // linux.resources is mapped to rctl rules; its own unmapped fields come from resolveLimits.
  const ignored = Object.keys(config.linux ?? {}).filter((key) => key !== 'resources').map((key) => `linux.${key}`)
  if ((config.process?.user.additionalGids ?? []).length > 0) ignored.push('process.user.additionalGids')
  return ignored
}

/**
 * The argv the trampoline execs at start: `env -i -- K=V ... jexec -d cwd [-U user] name [env -i -- K=V ...] args`.
 * jexec -U sets USER, HOME and SHELL and applies the image's login class (PATH, setenv, umask:
 * jexec.c, setusercontext(3)), so for any user but root the config's environment is set again
 * inside the jail by the image's own env(1).
 */
async function processExec(config: OciConfig, rootfs: string, jailName: string, host: HostPort, extraEnv: readonly string[]): Promise<{ exec: string[] | null; gid: number }> {
  const proc = config.process
  if (proc === undefined) return { exec: null, gid: 0 }
  return jexecArgv(proc, rootfs, jailName, host, extraEnv)
}

/**
 * A Linux program runs only under the Linuxulator (design.md: the image's args[0] by its ELF brand; kldstat -q -m
 * linux64), checked before any host action, with what to do when it is off. Returns the note for the create event.
 * A program runj cannot read yet (it may come from a mount made at create) is left to jexec.
 */
async function checkLinuxBinary(proc: OciProcess | undefined, rootfs: string, host: HostPort): Promise<string[]> {
  if (proc === undefined) return []
  // env(1) sets the entries in order, so the last PATH= is the one jexec's execvp(3) searches.
  const path = [...(proc.env ?? [])].reverse().find((entry) => entry.startsWith('PATH='))?.slice('PATH='.length)
  const program = proc.args[0] as string
  const searchPath = path?.split(':').filter((dir) => dir.startsWith('/'))
  const abi = await readElfAbi(rootfs, program, proc.cwd, searchPath).catch((error: unknown) => {
    if (error instanceof InvalidInputError) return 'unknown'
    throw error
  })
  if (abi !== 'linux') return []
  if (!(await host.moduleLoaded('linux64')))
    throw new OperationError(`process.args[0] ${JSON.stringify(program)} is a Linux ELF binary and this host has no Linux binary compatibility (kldstat -m linux64 finds nothing): add linux_enable="YES" to /etc/rc.conf and run "service linux start"`)
  return [`process.args[0] ${JSON.stringify(program)} is a Linux ELF binary: runs under the Linux compatibility layer (linux64)`]
}

/** process.terminal and --console-socket go together (runc's rule): one without the other is an error. */
export function terminalFor(proc: OciProcess | undefined, consoleSocket: string | undefined): TerminalSpec | null {
  const wanted = proc?.terminal === true
  if (wanted && consoleSocket === undefined) throw new InvalidInputError('process.terminal', 'is true: --console-socket is required to receive the terminal')
  if (!wanted && consoleSocket !== undefined) throw new InvalidInputError('--console-socket', 'is given but process.terminal is not true')
  if (consoleSocket === undefined || proc === undefined) return null
  return { socket: resolve(consoleSocket), size: proc.consoleSize }
}

/** The same argv for any OCI process (create's, and exec's); `extraEnv` is appended to the process's environment. */
export async function jexecArgv(proc: OciProcess, rootfs: string, jailName: string, host: HostPort, extraEnv: readonly string[]): Promise<{ exec: string[]; gid: number }> {
  if ((proc.args[0] as string).includes('=')) throw new InvalidInputError('process.args[0]', 'must not contain "=" (env(1) would read it as a variable)')
  const env = [...(proc.env ?? []), ...extraEnv]
  const [envPath, jexecPath] = await Promise.all([host.which('env'), host.which('jexec')])
  const user: string[] = []
  const inner: string[] = []
  if (proc.user.uid !== 0) {
    const entry = await lookupUser(rootfs, proc.user.uid)
    if (entry.gid !== proc.user.gid)
      throw new InvalidInputError('process.user.gid', `${proc.user.gid} differs from ${entry.name}'s group ${entry.gid} in the image's /etc/passwd, which jexec -U applies`)
    user.push('-U', entry.name)
    inner.push(await imageEnv(rootfs), '-i', '--', ...env)
  }
  // rlimits: limits(1) sets them on itself and execs jexec, so they are inherited into the jail.
  const limits = rlimitArgs(proc.rlimits)
  const limitsPath = limits.length > 0 ? await host.which('limits') : ''
  const limitsCall = limits.flatMap((args) => [limitsPath, ...args])
  const exec = [envPath, '-i', '--', ...env, ...limitsCall, jexecPath, '-d', proc.cwd, ...user, jailName, ...inner, ...proc.args]
  return { exec, gid: proc.user.gid }
}

/** The image's env(1), as the jail sees it. */
async function imageEnv(rootfs: string): Promise<string> {
  for (const candidate of ['/usr/bin/env', '/bin/env'])
    if (await exists(await resolveInRoot(rootfs, candidate, { allowMissing: true }), constants.X_OK)) return candidate
  throw new InvalidInputError('process.user.uid', 'a non-root user needs env(1) in the image (/usr/bin/env) to undo what jexec -U adds to the environment')
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  )
}

export async function prepareCreate(
  input: { id: string; bundle: string; pidFile: string | undefined; consoleSocket?: string | undefined; preserveFds?: string | undefined },
  host: HostPort,
): Promise<Prepared> {
  const bundle = resolve(input.bundle)
  if (!(await stat(bundle).then((s) => s.isDirectory(), () => false))) throw new InvalidInputError('bundle', `${bundle} is not a directory`)
  const configText = await readConfig(bundle)
  const config = parseOciConfig(configText)
  const rootfs = await realRoot(isAbsolute(config.root.path) ? config.root.path : resolve(bundle, config.root.path))
  const jail = jailParameters(config, { id: input.id, rootPath: rootfs })
  const normalized = normalizeMounts(config)
  const mounts = await Promise.all(
    normalized.mounts.map(async (mount) => {
      if (mount.type === 'nullfs' && !(await exists(mount.source))) throw new InvalidInputError(`mounts[${mount.index}].source`, `${mount.source} does not exist`)
      const node = await resolveInRoot(rootfs, mount.destination, { allowMissing: true })
      await checkMountPoint(rootfs, node, mount.destination, await mountsAFile(mount))
      return { type: mount.type, destination: mount.destination, source: mount.source, node, options: mount.options }
    }),
  )
  const terminal = terminalFor(config.process, input.consoleSocket)
  const inherited = inheritedFds(input.preserveFds, process.env)
  const { exec, gid } = await processExec(config, rootfs, jail.name, host, inherited.env)
  const limits = await resolveLimits(config.annotations ?? {}, config.linux?.['resources'])
  // What the host is asked comes last: invalid input is refused before any utility runs.
  const linuxAbi = await checkLinuxBinary(config.process, rootfs, host)
  if (limits.rules.length > 0) await checkRacct(host)
  const proc = config.process
  return {
    configText,
    secrets: { exec, hooks: hooksByStage(config), extraFds: inherited.fds, terminal },
    spec: {
      id: input.id,
      bundle,
      configSha256: createHash('sha256').update(configText).digest('hex'),
      ociVersion: config.ociVersion,
      rootfs,
      jail: { name: jail.name, parameters: jail.params },
      mounts,
      process:
        proc === undefined
          ? null
          : { args: proc.args, envNames: (proc.env ?? []).map((e) => e.slice(0, e.indexOf('='))), cwd: proc.cwd, uid: proc.user.uid, gid, umask: proc.user.umask ?? 0o022, terminal: terminal !== null },
      rctlRules: limits.rules,
      ignored: [...ignoredFields(config), ...limits.ignored],
      adapted: [...normalized.adapted, ...linuxAbi],
      pidFile: input.pidFile === undefined ? null : resolve(input.pidFile),
      annotations: config.annotations ?? {},
    },
  }
}
