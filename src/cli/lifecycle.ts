// The lifecycle verbs' thin CLI layer: argument checks, then the use case (loaded lazily: `state` must not pay for zod or rxjs), then the output.
import { commandLineOf, FreeBSDHost } from '../host/freebsd.js'
import { validateContainerId } from '../ids.js'
import { InvalidInputError, StatusError } from '../errors.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import type { Context } from './context.js'
import { warn } from './log.js'

/** The actor is built on first use: `state` usually appends nothing and must not pay for the parent's command line. */
function lifecycle(context: Context, command: string): LifecycleContext {
  let actor: LifecycleContext['actor'] | undefined
  return {
    root: context.root,
    store: context.store,
    host: new FreeBSDHost(),
    get actor() {
      actor ??= { ...context.actor(command), parent: commandLineOf(process.ppid) }
      return actor
    },
    warn,
  }
}

/**
 * Runs a command that appends, then brings the container's entry in index.json up to date (under the index lock),
 * whether the command succeeded or not. The log is the truth: a failed index update is a warning, and `list`
 * repairs any entry whose log changed since.
 */
async function indexed(context: Context, id: string, command: Promise<void>): Promise<void> {
  const refresh = async (): Promise<void> => {
    const { syncIndex } = await import('../index/index-file.js')
    await syncIndex(context.store, { only: id }).catch((error: Error) => warn(`index.json not updated (runj list will repair it): ${error.message}`))
  }
  try {
    await command
  } catch (error) {
    // Refused input and refused transitions append nothing: nothing to index, and no file is touched.
    if (!(error instanceof InvalidInputError || error instanceof StatusError)) await refresh()
    throw error
  }
  await refresh()
}

export interface CreateOptions {
  readonly bundle?: string
  readonly pidFile?: string
  readonly consoleSocket?: string
  readonly preserveFds?: string
}

export async function create(context: Context, id: string, bundleArg: string | undefined, options: CreateOptions): Promise<void> {
  validateContainerId(id)
  if (bundleArg !== undefined && options.bundle !== undefined) throw new InvalidInputError('bundle', 'give it as an argument or with --bundle, not both')
  const { createContainer } = await import('../lifecycle/create.js')
  await indexed(context, id, createContainer(lifecycle(context, 'create'), { id, bundle: bundleArg ?? options.bundle ?? '.', pidFile: options.pidFile, consoleSocket: options.consoleSocket, preserveFds: options.preserveFds }))
}

export async function start(context: Context, id: string): Promise<void> {
  const { startContainer } = await import('../lifecycle/start.js')
  await indexed(context, id, startContainer(lifecycle(context, 'start'), validateContainerId(id)))
}

export async function state(context: Context, id: string): Promise<void> {
  const { containerState } = await import('../lifecycle/state.js')
  const json = await containerState(lifecycle(context, 'state'), validateContainerId(id))
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
}

export async function kill(context: Context, id: string, signal: string | undefined, options: { all?: boolean; pid?: string }): Promise<void> {
  let pid: number | null = null
  if (options.pid !== undefined) {
    if (!/^[1-9][0-9]*$/.test(options.pid)) throw new InvalidInputError('--pid', `${JSON.stringify(options.pid)} is not a process id`)
    pid = Number(options.pid)
  }
  const { killContainer } = await import('../lifecycle/kill.js')
  await indexed(context, id, killContainer(lifecycle(context, 'kill'), { id: validateContainerId(id), signal: signal ?? 'TERM', all: options.all === true, pid }))
}

export async function remove(context: Context, id: string, options: { force?: boolean }): Promise<void> {
  const { deleteContainer } = await import('../lifecycle/delete.js')
  await indexed(context, id, deleteContainer(lifecycle(context, 'delete'), { id: validateContainerId(id), force: options.force === true }))
}

export interface UpdateOptions {
  readonly resources?: string
  readonly memory?: string
  readonly memoryReservation?: string
  readonly memorySwap?: string
  readonly cpuQuota?: string
  readonly cpuPeriod?: string
  readonly pidsLimit?: string
}

/** runc's RAMInBytes: a number with an optional k/m/g/t/p (and b) suffix, binary; -1 is unlimited. */
function bytesOption(name: string, text: string): number {
  const match = /^(-1|[0-9]+)([kmgtp]?)b?$/i.exec(text)
  if (match === null) throw new InvalidInputError(name, `${JSON.stringify(text)} is not an amount of bytes (such as 512m, 2g or -1)`)
  const shift = 'kmgtp'.indexOf((match[2] ?? '').toLowerCase()) + 1
  return match[1] === '-1' ? -1 : Number(BigInt(match[1] as string) << BigInt(shift * 10))
}

function integerOption(name: string, text: string): number {
  if (!/^(-1|[0-9]+)$/.test(text)) throw new InvalidInputError(name, `${JSON.stringify(text)} is not an integer (or -1)`)
  return Number(text)
}

async function readResources(source: string): Promise<unknown> {
  const { readFileSync } = await import('node:fs')
  let text: string
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8')
  } catch (error) {
    throw new InvalidInputError('--resources', `cannot read ${source === '-' ? 'standard input' : source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new InvalidInputError('--resources', `not valid JSON: ${(error as Error).message}`)
  }
}

export async function update(context: Context, id: string, options: UpdateOptions): Promise<void> {
  validateContainerId(id)
  const resources: Record<string, Record<string, unknown>> = {}
  const set = (group: string, field: string, value: number): void => {
    resources[group] = { ...resources[group], [field]: value }
  }
  if (options.memory !== undefined) set('memory', 'limit', bytesOption('--memory', options.memory))
  if (options.memoryReservation !== undefined) set('memory', 'reservation', bytesOption('--memory-reservation', options.memoryReservation))
  if (options.memorySwap !== undefined) set('memory', 'swap', bytesOption('--memory-swap', options.memorySwap))
  if (options.cpuQuota !== undefined) set('cpu', 'quota', integerOption('--cpu-quota', options.cpuQuota))
  if (options.cpuPeriod !== undefined) set('cpu', 'period', integerOption('--cpu-period', options.cpuPeriod))
  if (options.pidsLimit !== undefined) set('pids', 'limit', integerOption('--pids-limit', options.pidsLimit))
  const flags = Object.keys(resources).length > 0
  if (options.resources !== undefined && flags) throw new InvalidInputError('--resources', 'give either a resources file or the single-value options, not both')
  if (options.resources === undefined && !flags) throw new InvalidInputError('update', 'nothing to update: give --resources FILE|- or an option such as --memory')
  const patch = options.resources === undefined ? resources : await readResources(options.resources)
  const { updateContainer } = await import('../lifecycle/update.js')
  await indexed(context, id, updateContainer(lifecycle(context, 'update'), { id, resources: patch }))
}

export async function usage(context: Context, id: string, options: { format: string }): Promise<void> {
  const [{ containerUsage }, { usageJson, usageTable }] = await Promise.all([import('../lifecycle/usage.js'), import('../rctl/usage.js')])
  const report = await containerUsage(lifecycle(context, 'usage'), validateContainerId(id))
  process.stdout.write(options.format === 'json' ? `${JSON.stringify(usageJson(report), null, 2)}\n` : usageTable(report))
}

export async function list(context: Context, options: { format: string; quiet?: boolean; rebuild?: boolean }): Promise<void> {
  const [{ listContainers }, { listTable, listJson }] = await Promise.all([import('../lifecycle/list.js'), import('../index/format.js')])
  const { containers } = await listContainers(lifecycle(context, 'list'), { rebuild: options.rebuild === true })
  if (options.quiet === true) process.stdout.write(containers.map((c) => `${c.id}\n`).join(''))
  else process.stdout.write(options.format === 'json' ? listJson(containers) : listTable(containers))
}

export async function featuresCommand(): Promise<void> {
  const { features } = await import('../features.js')
  process.stdout.write(`${JSON.stringify(features(), null, 2)}\n`)
}

export interface ExecOptions {
  readonly process?: string
  readonly cwd?: string
  readonly env?: string[]
  readonly user?: string
  readonly tty?: boolean
  readonly pidFile?: string
  readonly detach?: boolean
  readonly consoleSocket?: string
  readonly preserveFds?: string
}

/** runc's exec: --process FILE, or the container's process with args and overrides; resolves with the exit status. */
export async function exec(context: Context, id: string, args: readonly string[], options: ExecOptions): Promise<number> {
  validateContainerId(id)
  let process_: import('../lifecycle/exec.js').ExecInput['process']
  if (options.process !== undefined) {
    if (args.length > 0) throw new InvalidInputError('exec', 'give the command either in --process or as arguments, not both')
    for (const flag of ['cwd', 'env', 'user', 'tty'] as const)
      if (options[flag] !== undefined) throw new InvalidInputError(`--${flag}`, 'cannot be used with --process (set it in the process file)')
    const { readFileSync } = await import('node:fs')
    let text: string
    try {
      text = readFileSync(options.process, 'utf8')
    } catch (error) {
      throw new InvalidInputError('--process', `cannot read ${options.process}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
    const { parseOciProcess } = await import('../oci/config.js')
    process_ = { kind: 'spec', spec: parseOciProcess(text, options.process) }
  } else {
    if (args.length === 0) throw new InvalidInputError('exec', 'no command: give it as arguments after the id, or with --process FILE')
    let user: { uid: number; gid: number | undefined } | undefined
    if (options.user !== undefined) {
      const match = /^([0-9]+)(?::([0-9]+))?$/.exec(options.user)
      if (match === null) throw new InvalidInputError('--user', `${JSON.stringify(options.user)} is not uid[:gid] (numbers, as runc takes them)`)
      user = { uid: Number(match[1]), gid: match[2] === undefined ? undefined : Number(match[2]) }
    }
    for (const entry of options.env ?? []) if (!/^[^=]+=/.test(entry)) throw new InvalidInputError('--env', `${JSON.stringify(entry)} is not KEY=VALUE`)
    process_ = { kind: 'overrides', args, cwd: options.cwd, env: options.env ?? [], user, tty: options.tty === true }
  }
  const { execProcess } = await import('../lifecycle/exec.js')
  let status = 0
  await indexed(context, id, (async () => {
    status = await execProcess(lifecycle(context, 'exec'), {
      id,
      process: process_,
      detach: options.detach === true,
      pidFile: options.pidFile,
      consoleSocket: options.consoleSocket,
      preserveFds: options.preserveFds,
    })
  })())
  return status
}

export async function pause(context: Context, id: string, stop: boolean): Promise<void> {
  const { pauseContainer } = await import('../lifecycle/pause.js')
  await indexed(context, id, pauseContainer(lifecycle(context, stop ? 'pause' : 'resume'), validateContainerId(id), stop))
}

export async function ps(context: Context, id: string, options: { format: string }): Promise<void> {
  const { containerProcesses } = await import('../lifecycle/ps.js')
  const processes = await containerProcesses(lifecycle(context, 'ps'), validateContainerId(id))
  if (options.format === 'json') {
    // runc ps --format json: the pids, which is what containerd reads.
    process.stdout.write(`${JSON.stringify(processes.map((p) => p.pid))}\n`)
    return
  }
  const rows = [['PID', 'PPID', 'USER', 'STAT', 'TIME', 'COMMAND'], ...processes.map((p) => [String(p.pid), String(p.ppid), p.user, p.state, p.time, p.command])]
  const widths = (rows[0] as string[]).map((_, col) => Math.max(...rows.map((row) => (row[col] as string).length)))
  process.stdout.write(rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : col < 2 ? cell.padStart(widths[col] as number) : cell.padEnd(widths[col] as number))).join(' ').trimEnd()).join('\n') + '\n')
}
