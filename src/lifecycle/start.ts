// `runj start`: only from created (runtime.md "start"); releases the trampoline, which execs the container process.
import { readFile } from 'node:fs/promises'
import { decide } from '../domain/decide.js'
import { planStart, type CreateSecrets } from '../domain/plan.js'
import { firstFailure } from '../effects/pipeline.js'
import { ContainerSession } from '../effects/session.js'
import type { OciConfig } from '../oci/config.js'
import { hooksByStage } from '../oci/hooks.js'
import { configCopyPath, fifoPath, perform, type LifecycleContext } from './context.js'
import { observeExit } from './observe.js'

/**
 * The hooks, read back from the config copy (they may carry secrets, so the log does not). The
 * copy was validated at create and lives in a 0600 directory: plain JSON.parse, no zod to load.
 */
export async function hooksOf(ctx: LifecycleContext, id: string): Promise<CreateSecrets['hooks']> {
  const text = await readFile(configCopyPath(ctx.root, id), 'utf8').catch(() => '{}')
  return hooksByStage(JSON.parse(text) as OciConfig)
}

export async function startContainer(ctx: LifecycleContext, id: string): Promise<void> {
  await ctx.store.withLock(id, async () => {
    const session = await ContainerSession.open(ctx.store, id, ctx.actor)
    await observeExit(session, ctx.host)
    await session.append(decide({ type: 'StartContainer', id }, session.state))
    const hooks = await hooksOf(ctx, id)
    const failure = firstFailure(await perform(ctx, session, planStart(session.state, fifoPath(ctx.root, id), { exec: null, hooks, extraFds: [], terminal: null }), true))
    if (failure !== null) throw failure
  })
}
