// Liveness of a container's process, guarded against pid reuse (design.md "Liveness"), and recording an observed exit.
import { decide } from '../domain/decide.js'
import type { ContainerState } from '../domain/state.js'
import { ContainerSession } from '../effects/session.js'
import type { HostPort, ProcessInfo } from '../host/port.js'
import type { LifecycleContext } from './context.js'

/** True when the recorded process is gone: absent, a zombie, or a recycled pid with another start time or jail. */
export async function processExited(state: ContainerState, host: HostPort): Promise<boolean> {
  if (state.status !== 'created' && state.status !== 'running' && state.status !== 'paused' && state.status !== 'creating') return false
  if (state.resources.pid === null) return false
  return exitedGiven({ status: state.status, ...state.resources }, await host.processInfo(state.resources.pid))
}

/** What the liveness rule needs to know about a container (from its state, or from the list index). */
export interface Liveness {
  readonly status: string
  readonly pid: number | null
  readonly pidStartTime: string | null
  readonly jid: number | null
}

/** The same rule given what ps said about the recorded pid (null: no such process); `list` asks ps once for all. */
export function exitedGiven(c: Liveness, info: ProcessInfo | null): boolean {
  if (c.status !== 'created' && c.status !== 'running' && c.status !== 'paused' && c.status !== 'creating') return false
  if (c.pid === null) return false
  if (info === null || info.state.startsWith('Z') || info.startTime !== c.pidStartTime) return true
  // Once started, the process lives in the jail; a pid outside it is not the container's.
  return (c.status === 'running' || c.status === 'paused') && c.jid !== null && info.jid !== c.jid
}

/** Under the lock: records ProcessExited when the process is gone, so decisions see `stopped`. */
export async function observeExit(session: ContainerSession, host: HostPort): Promise<void> {
  if (session.state.status === 'creating' || !(await processExited(session.state, host))) return
  if (session.state.status !== 'created' && session.state.status !== 'running' && session.state.status !== 'paused') return
  const pid = session.state.resources.pid as number
  await session.append(decide({ type: 'RecordProcessExit', id: session.id, pid, status: null }, session.state))
}

/** Outside the lock (state never waits): records the exit only if the lock is free right now. */
export async function recordExitIfFree(ctx: LifecycleContext, id: string): Promise<void> {
  await ctx.store
    .withLock(id, async () => observeExit(await ContainerSession.open(ctx.store, id, ctx.actor), ctx.host), { wait: false })
    .catch(() => undefined)
}
