// `runj ps`: the processes of a container's jail (ps -J), read-only.
import { evolve, initialState, isLive } from '../domain/state.js'
import { StatusError } from '../errors.js'
import type { JailProcess } from '../host/port.js'
import type { LifecycleContext } from './context.js'

export async function containerProcesses(ctx: LifecycleContext, id: string): Promise<JailProcess[]> {
  const state = (await ctx.store.readStream(id)).events.reduce(evolve, initialState())
  if (state.status === 'absent' || state.status === 'deleted') throw new StatusError(id, 'list the processes of', 'absent')
  if (!isLive(state.status) || state.resources.jid === null) return []
  return ctx.host.jailProcesses(state.spec.jail.name)
}
