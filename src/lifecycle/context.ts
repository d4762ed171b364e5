// What a lifecycle use case needs: the state root, the store, the host, the actor of its events, and a warning channel.
import { join } from 'node:path'
import { executeAction } from '../effects/execute.js'
import { runActions, type ActionResult } from '../effects/pipeline.js'
import type { ContainerSession } from '../effects/session.js'
import type { HostAction } from '../domain/plan.js'
import type { HostPort } from '../host/port.js'
import type { Actor } from '../store/record.js'
import type { EventStore } from '../store/store.js'
import { containerDir } from '../store/file-store.js'

export interface LifecycleContext {
  readonly root: string
  readonly store: EventStore
  readonly host: HostPort
  readonly actor: Actor
  readonly warn: (message: string) => void
}

export const fifoPath = (root: string, id: string): string => join(containerDir(root, id), 'start.fifo')
export const configCopyPath = (root: string, id: string): string => join(containerDir(root, id), 'config.json')

/** Runs planned actions through the rxjs pipeline, appending each outcome to the session's log. */
export function perform(ctx: LifecycleContext, session: ContainerSession, actions: readonly HostAction[], stopOnFailure: boolean): Promise<ActionResult[]> {
  return runActions(
    actions,
    (action) => executeAction(action, { host: ctx.host, session, warn: ctx.warn }),
    (events) => session.append(events),
    { stopOnFailure },
  )
}
