// `runj create`: validate the bundle, record the intent, run the create plan; on any failure undo every step and archive the attempt.
import { rm, writeFile } from 'node:fs/promises'
import { decide } from '../domain/decide.js'
import { planCreate, planTeardown } from '../domain/plan.js'
import { firstFailure } from '../effects/pipeline.js'
import { ContainerSession } from '../effects/session.js'
import { OperationError } from '../errors.js'
import { sealAndArchive } from './archive.js'
import { configCopyPath, fifoPath, perform, type LifecycleContext } from './context.js'
import { prepareCreate } from './prepare.js'

export async function createContainer(
  ctx: LifecycleContext,
  input: { id: string; bundle: string; pidFile: string | undefined; consoleSocket?: string | undefined; preserveFds?: string | undefined },
): Promise<void> {
  // Everything is validated before the lock and before any host action (runtime.md "create").
  const { spec, secrets, configText } = await prepareCreate(input, ctx.host)
  await ctx.store.withLock(input.id, async () => {
    let session = await ContainerSession.open(ctx.store, input.id, ctx.actor)
    if (session.state.status === 'deleted') {
      await sealAndArchive(session, ctx.root)
      session = await ContainerSession.open(ctx.store, input.id, ctx.actor)
    }
    await session.append(decide({ type: 'CreateContainer', data: spec }, session.state))
    try {
      // The full config (env values, hook env) stays out of the log: a 0600 copy beside it, removed at delete.
      await writeFile(configCopyPath(ctx.root, input.id), configText, { mode: 0o600 })
      const failure = firstFailure(await perform(ctx, session, planCreate(spec, secrets, fifoPath(ctx.root, input.id)), true))
      if (failure !== null) throw failure
      await session.append([{ type: 'ContainerCreated', data: { pid: session.state.status === 'creating' ? session.state.resources.pid : null } }])
    } catch (error) {
      await rollback(ctx, session, spec.pidFile)
      throw error
    }
  })
}

/** Compensating actions in reverse, recorded as events; the failed attempt stays readable in the archive. */
async function rollback(ctx: LifecycleContext, session: ContainerSession, pidFile: string | null): Promise<void> {
  const results = await perform(ctx, session, planTeardown(session.state, fifoPath(ctx.root, session.id)), false)
  const failure = firstFailure(results)
  if (failure !== null) {
    ctx.warn(`rollback of "${session.id}" is incomplete (${failure.message}); run \`runj delete --force ${session.id}\``)
    return
  }
  if (pidFile !== null) await rm(pidFile, { force: true })
  await session.append([{ type: 'CreateRolledBack', data: { undone: results.flatMap((r) => r.events.map((e) => e.type)) } }])
  await sealAndArchive(session, ctx.root).catch((error: Error) => {
    throw new OperationError(`create of "${session.id}" was rolled back but its log could not be archived: ${error.message}`)
  })
}
