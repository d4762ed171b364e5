// The rxjs effects pipeline: host actions run one after another, each outcome (or failure) appended as events.
import { catchError, concatMap, defer, from, lastValueFrom, map, takeWhile, toArray } from 'rxjs'
import type { DomainEvent } from '../domain/events.js'
import type { HostAction } from '../domain/plan.js'
import { HostError } from '../host/port.js'

export interface ActionResult {
  readonly action: HostAction
  /** The outcome events it appended (none when there was nothing to do). */
  readonly events: readonly DomainEvent[]
  readonly error: Error | null
}

export interface PipelineOptions {
  /** create and start stop at the first failure; teardown goes on and records every failure. */
  readonly stopOnFailure: boolean
}

const failureEvent = (action: HostAction, error: Error): DomainEvent => ({
  type: 'ActionFailed',
  data: { action: action.kind, message: error.message, stderr: error instanceof HostError ? error.stderr : '' },
})

/** Runs `actions` in order through `execute`, appending what each produced; returns every result. */
export function runActions(
  actions: readonly HostAction[],
  execute: (action: HostAction) => Promise<readonly DomainEvent[]>,
  append: (events: readonly DomainEvent[]) => Promise<void>,
  options: PipelineOptions,
): Promise<ActionResult[]> {
  const results$ = from(actions).pipe(
    concatMap((action) =>
      defer(() => execute(action)).pipe(
        concatMap((events) => defer(() => append(events)).pipe(map((): ActionResult => ({ action, events, error: null })))),
        catchError((error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error))
          const events = [failureEvent(action, failure)]
          return defer(() => append(events)).pipe(map((): ActionResult => ({ action, events, error: failure })))
        }),
      ),
    ),
    takeWhile((result) => !(options.stopOnFailure && result.error !== null), true),
    toArray(),
  )
  return lastValueFrom(results$, { defaultValue: [] })
}

export const firstFailure = (results: readonly ActionResult[]): Error | null => results.find((r) => r.error !== null)?.error ?? null
