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
  if (options.consoleSocket !== undefined)
    throw new InvalidInputError('--console-socket', 'is only for process.terminal, which this runj does not support yet')
  if (options.preserveFds !== undefined && options.preserveFds !== '0') throw new InvalidInputError('--preserve-fds', 'is not supported by this runj yet')
  const { createContainer } = await import('../lifecycle/create.js')
  await indexed(context, id, createContainer(lifecycle(context, 'create'), { id, bundle: bundleArg ?? options.bundle ?? '.', pidFile: options.pidFile }))
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
