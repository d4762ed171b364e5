// `runj state`: the OCI state JSON; never waits on a lock (buildah polls it), records an observed exit only when the lock is free.
import { ociStateJson, type OciStateJson } from '../domain/oci-state.js'
import { evolve, initialState } from '../domain/state.js'
import { StatusError } from '../errors.js'
import type { LifecycleContext } from './context.js'
import { processExited, recordExitIfFree } from './observe.js'

export async function containerState(ctx: LifecycleContext, id: string): Promise<OciStateJson> {
  const stream = await ctx.store.readStream(id)
  const state = stream.events.reduce(evolve, initialState())
  if (state.status === 'absent' || state.status === 'deleted') throw new StatusError(id, 'query', 'absent')
  let status: OciStateJson['status'] = state.status
  if (await processExited(state, ctx.host)) {
    status = 'stopped'
    await recordExitIfFree(ctx, id)
  }
  return ociStateJson(state, status) as OciStateJson
}
