// `runj pause` / `runj resume`: SIGSTOP / SIGCONT to every process of the jail (FreeBSD has no cgroup freezer), as
// runc reports it: status `paused` until resume. Limits of this approach are in docs/lifecycle.md.
import { decide } from '../domain/decide.js'
import { firstFailure } from '../effects/pipeline.js'
import { ContainerSession } from '../effects/session.js'
import { perform, type LifecycleContext } from './context.js'
import { observeExit } from './observe.js'

export async function pauseContainer(ctx: LifecycleContext, id: string, stop: boolean): Promise<void> {
  await ctx.store.withLock(id, async () => {
    const session = await ContainerSession.open(ctx.store, id, ctx.actor)
    await observeExit(session, ctx.host)
    await session.append(decide({ type: stop ? 'PauseContainer' : 'ResumeContainer', id }, session.state))
    if (session.state.status === 'absent' || session.state.status === 'deleted') return
    const failure = firstFailure(await perform(ctx, session, [{ kind: 'freeze', name: session.state.spec.jail.name, stop }], true))
    if (failure !== null) throw failure
  })
}
