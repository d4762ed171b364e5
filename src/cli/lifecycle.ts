// The lifecycle verbs' thin CLI layer: argument checks, then the use case (loaded lazily: `state` must not pay for zod or rxjs), then the output.
import { FreeBSDHost } from '../host/freebsd.js'
import { validateContainerId } from '../ids.js'
import { InvalidInputError } from '../errors.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import type { Context } from './context.js'
import { warn } from './log.js'

const lifecycle = (context: Context, command: string): LifecycleContext => ({
  root: context.root,
  store: context.store,
  host: new FreeBSDHost(),
  actor: context.actor(command),
  warn,
})

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
  await createContainer(lifecycle(context, 'create'), { id, bundle: bundleArg ?? options.bundle ?? '.', pidFile: options.pidFile })
}

export async function start(context: Context, id: string): Promise<void> {
  const { startContainer } = await import('../lifecycle/start.js')
  await startContainer(lifecycle(context, 'start'), validateContainerId(id))
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
  await killContainer(lifecycle(context, 'kill'), { id: validateContainerId(id), signal: signal ?? 'TERM', all: options.all === true, pid })
}

export async function remove(context: Context, id: string, options: { force?: boolean }): Promise<void> {
  const { deleteContainer } = await import('../lifecycle/delete.js')
  await deleteContainer(lifecycle(context, 'delete'), { id: validateContainerId(id), force: options.force === true })
}
