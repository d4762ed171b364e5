// Liveness of a container's process, guarded against pid reuse (design.md "Liveness"), and recording an observed exit.
import { decide } from '../domain/decide.js'
import type { ContainerState } from '../domain/state.js'
import { ContainerSession } from '../effects/session.js'
import type { HostPort } from '../host/port.js'
import type { LifecycleContext } from './context.js'

/** True when the recorded process is gone: absent, a zombie, or a recycled pid with another start time or jail. */
export async function processExited(state: ContainerState, host: HostPort): Promise<boolean> {
  if (state.status !== 'created' && state.status !== 'running' && state.status !== 'creating') return false
  const { pid, pidStartTime, jid } = state.resources
  if (pid === null) return false
  const info = await host.processInfo(pid)
  if (info === null || info.state.startsWith('Z') || info.startTime !== pidStartTime) return true
  // Once started, the process lives in the jail; a pid outside it is not the container's.
  return state.status === 'running' && jid !== null && info.jid !== jid
}

/** Under the lock: records ProcessExited when the process is gone, so decisions see `stopped`. */
export async function observeExit(session: ContainerSession, host: HostPort): Promise<void> {
  if (session.state.status === 'creating' || !(await processExited(session.state, host))) return
  if (session.state.status !== 'created' && session.state.status !== 'running') return
  const pid = session.state.resources.pid as number
  await session.append(decide({ type: 'RecordProcessExit', id: session.id, pid, status: null }, session.state))
}

/** Outside the lock (state never waits): records the exit only if the lock is free right now. */
export async function recordExitIfFree(ctx: LifecycleContext, id: string): Promise<void> {
  await ctx.store
    .withLock(id, async () => observeExit(await ContainerSession.open(ctx.store, id, ctx.actor), ctx.host), { wait: false })
    .catch(() => undefined)
}
