// `runj update --resources`: runc's merge of linux.resources, the new rule set, and only the difference applied to rctl.
import { readFile } from 'node:fs/promises'
import { canUpdate, decide } from '../domain/decide.js'
import { planUpdate } from '../domain/plan.js'
import { firstFailure } from '../effects/pipeline.js'
import { ContainerSession } from '../effects/session.js'
import { StatusError } from '../errors.js'
import { configCopyPath, perform, type LifecycleContext } from './context.js'
import { checkRacct, mergeResources, resolveLimits } from './limits.js'
import { observeExit } from './observe.js'
import { rulesFromResources } from '../rctl/resources.js'

export async function updateContainer(ctx: LifecycleContext, input: { id: string; resources: unknown }): Promise<void> {
  // The patch alone is checked first: bad input is exit 2 whatever the container's status.
  mergeResources({}, input.resources)
  rulesFromResources(input.resources)
  await ctx.store.withLock(input.id, async () => {
    const session = await ContainerSession.open(ctx.store, input.id, ctx.actor)
    await observeExit(session, ctx.host)
    const state = session.state
    if (state.status === 'absent' || state.status === 'deleted' || !canUpdate(state))
      throw new StatusError(input.id, 'update', state.status === 'deleted' ? 'absent' : state.status)
    // The config was validated at create; the copy beside the log holds linux.resources as the bundle gave it.
    const config = JSON.parse(await readFile(configCopyPath(ctx.root, input.id), 'utf8')) as { linux?: { resources?: unknown } }
    const resources = mergeResources(state.resourcesOverride ?? config.linux?.resources ?? {}, input.resources)
    const limits = await resolveLimits(state.spec.annotations, resources)
    if (limits.rules.length > 0) await checkRacct(ctx.host)
    await session.append(decide({ type: 'UpdateLimits', id: input.id, data: { resources, rules: limits.rules, ignored: limits.ignored } }, state))
    const failure = firstFailure(await perform(ctx, session, planUpdate(session.state, limits.rules), true))
    if (failure !== null) throw failure
  })
}
