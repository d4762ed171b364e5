// `runj kill`: only created or running (runtime.md "kill"); the process, one pid of the jail, or all of them.
import { decide } from '../domain/decide.js'
import { parseSignal } from '../domain/signals.js'
import { firstFailure } from '../effects/pipeline.js'
import { ContainerSession } from '../effects/session.js'
import { perform, type LifecycleContext } from './context.js'
import { observeExit } from './observe.js'

export async function killContainer(ctx: LifecycleContext, input: { id: string; signal: string; all: boolean; pid: number | null }): Promise<void> {
  const { name } = parseSignal(input.signal)
  await ctx.store.withLock(input.id, async () => {
    const session = await ContainerSession.open(ctx.store, input.id, ctx.actor)
    await observeExit(session, ctx.host)
    await session.append(decide({ type: 'KillContainer', id: input.id, signal: name, all: input.all, pid: input.pid }, session.state))
    const failure = firstFailure(await perform(ctx, session, [{ kind: 'signal', signal: name, all: input.all, pid: input.pid }], true))
    if (failure !== null) throw failure
  })
}
