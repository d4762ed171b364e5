// `runj delete`: only stopped, or anything with --force (kill first); removes jail, mounts and state, then seals and archives the log.
import { decide } from '../domain/decide.js'
import { planTeardown } from '../domain/plan.js'
import { firstFailure } from '../effects/pipeline.js'
import { ContainerSession } from '../effects/session.js'
import { sealAndArchive } from './archive.js'
import { fifoPath, perform, type LifecycleContext } from './context.js'
import { observeExit } from './observe.js'
import { hooksOf } from './start.js'

export async function deleteContainer(ctx: LifecycleContext, input: { id: string; force: boolean }): Promise<void> {
  await ctx.store.withLock(input.id, async () => {
    const session = await ContainerSession.open(ctx.store, input.id, ctx.actor)
    // runc: delete --force of a container that does not exist succeeds (podman's cleanup relies on it).
    if (input.force && (session.state.status === 'absent' || session.state.status === 'deleted')) {
      if (session.state.status === 'deleted') await sealAndArchive(session, ctx.root)
      return
    }
    await observeExit(session, ctx.host)
    await session.append(decide({ type: 'DeleteContainer', id: input.id, force: input.force }, session.state))
    const hooks = await hooksOf(ctx, input.id)
    const failure = firstFailure(await perform(ctx, session, planTeardown(session.state, fifoPath(ctx.root, input.id)), false))
    if (failure !== null) throw failure
    // runtime.md "Lifecycle" step 12: poststop hooks; a failure is a warning.
    if (hooks.poststop.length > 0) await perform(ctx, session, [{ kind: 'runHooks', stage: 'poststop', hooks: hooks.poststop, fatal: false }], false)
    await sealAndArchive(session, ctx.root)
  })
}
