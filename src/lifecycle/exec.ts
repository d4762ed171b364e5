// `runj exec`: another process in a running container's jail, through the same env -i ... jexec ... chain as the
// container's own. The lock is held only to record the request and the start: a long exec must not block kill.
import { randomBytes } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { decide } from '../domain/decide.js'
import { evolve, initialState } from '../domain/state.js'
import { ContainerSession } from '../effects/session.js'
import { StatusError } from '../errors.js'
import type { SpawnedProcess } from '../host/port.js'
import { parseOciProcess, type OciProcess } from '../oci/config.js'
import { lookupUser } from '../host/rootfs.js'
import { configCopyPath, type LifecycleContext } from './context.js'
import { inheritedFds } from './fds.js'
import { observeExit } from './observe.js'
import { jexecArgv, terminalFor } from './prepare.js'

/** runc's exec without --process: the container's own process, with these changes. */
export interface ExecOverrides {
  readonly args: readonly string[]
  readonly cwd: string | undefined
  /** Added to (or replacing, by name) the container's environment. */
  readonly env: readonly string[]
  readonly user: { readonly uid: number; readonly gid: number | undefined } | undefined
  readonly tty: boolean
}

export interface ExecInput {
  readonly id: string
  readonly process: { readonly kind: 'spec'; readonly spec: OciProcess } | ({ readonly kind: 'overrides' } & ExecOverrides)
  readonly detach: boolean
  readonly pidFile: string | undefined
  readonly consoleSocket: string | undefined
  readonly preserveFds: string | undefined
}

/** Runs the exec; resolves with its exit status (0 at once when detached). */
export async function execProcess(ctx: LifecycleContext, input: ExecInput): Promise<number> {
  // Input first (exit 2 whatever the status), against the container as it is now; re-checked under the lock.
  const seen = (await ctx.store.readStream(input.id)).events.reduce(evolve, initialState())
  if (seen.status === 'absent' || seen.status === 'deleted') throw new StatusError(input.id, 'exec into', 'absent')
  const proc = input.process.kind === 'spec' ? input.process.spec : await fromOverrides(ctx.root, input.id, seen.spec.rootfs, input.process)
  const terminal = terminalFor(proc, input.consoleSocket)
  const inherited = inheritedFds(input.preserveFds, process.env)
  const { exec: argv, gid } = await jexecArgv(proc, seen.spec.rootfs, seen.spec.jail.name, ctx.host, inherited.env)
  const execId = randomBytes(6).toString('hex')
  let started: SpawnedProcess | null = null
  let generation: string | null = null

  await ctx.store.withLock(input.id, async () => {
    const session = await ContainerSession.open(ctx.store, input.id, ctx.actor)
    await observeExit(session, ctx.host)
    await session.append(decide({ type: 'ExecProcess', id: input.id, data: requested() }, session.state))
    try {
      started = await ctx.host.spawnProcess({ exec: argv, gid, umask: proc.user.umask ?? 0o022, extraFds: inherited.fds, terminal, detach: input.detach })
    } catch (error) {
      await session.append([{ type: 'ActionFailed', data: { action: 'exec', message: (error as Error).message, stderr: '' } }])
      throw error
    }
    await session.append([{ type: 'ExecStarted', data: { exec: execId, pid: started.pid } }])
    if (input.pidFile !== undefined) await writePidFile(resolve(input.pidFile), started.pid)
    generation = session.firstTime
  })
  const child = started as SpawnedProcess | null
  if (child === null || input.detach) return 0
  const status = await child.exit
  // Recorded only in the generation it ran in: the container may have been deleted (and re-created) meanwhile.
  await ctx.store
    .withLock(input.id, async () => {
      const session = await ContainerSession.open(ctx.store, input.id, ctx.actor)
      if (session.firstTime === generation && session.state.status !== 'absent' && session.state.status !== 'deleted')
        await session.append([{ type: 'ExecExited', data: { exec: execId, pid: child.pid, status } }])
    })
    .catch((error: Error) => ctx.warn(`the exit of exec ${execId} was not recorded: ${error.message}`))
  return status

  function requested() {
    return {
      exec: execId,
      args: proc.args,
      envNames: (proc.env ?? []).map((e) => e.slice(0, e.indexOf('='))),
      cwd: proc.cwd,
      uid: proc.user.uid,
      gid,
      terminal: terminal !== null,
      detach: input.detach,
    }
  }
}

/** runc: the container's process from config.json, with the args, cwd, env, user and tty given on the command line. */
async function fromOverrides(root: string, id: string, rootfs: string, o: ExecOverrides): Promise<OciProcess> {
  const config = JSON.parse(await readFile(configCopyPath(root, id), 'utf8')) as { process?: OciProcess }
  const base = config.process
  const names = new Set(o.env.map((e) => e.slice(0, e.indexOf('='))))
  const env = [...(base?.env ?? []).filter((e) => !names.has(e.slice(0, e.indexOf('=')))), ...o.env]
  let user: OciProcess['user'] = base?.user ?? { uid: 0, gid: 0 }
  if (o.user !== undefined) user = { uid: o.user.uid, gid: o.user.gid ?? (o.user.uid === 0 ? 0 : (await lookupUser(rootfs, o.user.uid)).gid) }
  // Checked as config.json's process is: what the command line gave must be as valid as a file would be.
  return parseOciProcess(JSON.stringify({ ...(base ?? {}), args: [...o.args], cwd: o.cwd ?? base?.cwd ?? '/', env, user, terminal: o.tty }), 'exec')
}

async function writePidFile(path: string, pid: number): Promise<void> {
  const temp = join(dirname(path), `.${process.pid}.runj-pid`)
  await writeFile(temp, String(pid))
  await rename(temp, path)
}
