// `runj usage`: rctl -u for the container's jail beside the rules in force (read-only: no lock, no event).
import { evolve, initialState } from '../domain/state.js'
import { OperationError, StatusError } from '../errors.js'
import { HostError } from '../host/port.js'
import { usageReport, type UsageReport } from '../rctl/usage.js'
import type { LifecycleContext } from './context.js'

export async function containerUsage(ctx: LifecycleContext, id: string): Promise<UsageReport> {
  const state = (await ctx.store.readStream(id)).events.reduce(evolve, initialState())
  if (state.status !== 'created' && state.status !== 'running' && state.status !== 'paused') throw new StatusError(id, 'show the usage of', state.status === 'deleted' ? 'absent' : state.status)
  const jail = state.spec.jail.name
  let usage: Map<string, bigint>
  try {
    usage = await ctx.host.rctlUsage(`jail:${jail}`)
  } catch (error) {
    if (error instanceof HostError && /disabled/.test(error.stderr))
      throw new OperationError(`${error.message} (racct is off: add kern.racct.enable=1 to /boot/loader.conf and reboot)`, { cause: error })
    throw error
  }
  return usageReport(id, jail, state.resources.rctlRules, usage)
}
