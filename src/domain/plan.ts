// Pure planning: which host actions an intent needs (design.md "The data flow": plan(event, state) -> HostAction[]).
import type { EventData } from './events.js'
import type { ContainerState } from './state.js'

type Spec = EventData<'ContainerCreateRequested'>
type Mount = Spec['mounts'][number]

export interface HookCall {
  readonly path: string
  readonly args?: readonly string[] | undefined
  readonly env?: readonly string[] | undefined
  readonly timeout?: number | undefined
}

/** What the log must not hold (env values, hook env): read from the config copy in the state directory. */
export interface CreateSecrets {
  /** env -i -- K=V ... jexec ... : the argv the trampoline execs at start; null without a process. */
  readonly exec: readonly string[] | null
  readonly hooks: Readonly<Record<HookStage, readonly HookCall[]>>
  /** fds of runj's that the process inherits as 3, 4, ... (LISTEN_FDS, --preserve-fds). */
  readonly extraFds: readonly number[]
  /** process.terminal: the console socket that receives the pty master, and the initial size. */
  readonly terminal: TerminalSpec | null
}

export interface TerminalSpec {
  readonly socket: string
  readonly size: { readonly height: number; readonly width: number } | undefined
}

export type HookStage = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop'

export type HostAction =
  | { readonly kind: 'createJail'; readonly name: string; readonly parameters: readonly string[] }
  | { readonly kind: 'mount'; readonly mount: Mount }
  | { readonly kind: 'makeFifo'; readonly path: string }
  | { readonly kind: 'spawnEntrypoint'; readonly fifo: string; readonly exec: readonly string[]; readonly gid: number; readonly umask: number; readonly pidFile: string | null; readonly extraFds: readonly number[]; readonly terminal: TerminalSpec | null }
  | { readonly kind: 'runHooks'; readonly stage: HookStage; readonly hooks: readonly HookCall[]; readonly fatal: boolean }
  | { readonly kind: 'startEntrypoint'; readonly fifo: string; readonly pid: number; readonly startTime: string }
  | { readonly kind: 'signal'; readonly signal: string; readonly all: boolean; readonly pid: number | null }
  | { readonly kind: 'killJail'; readonly name: string }
  | { readonly kind: 'releaseEntrypoint'; readonly fifo: string; readonly pid: number | null; readonly startTime: string | null }
  | { readonly kind: 'removeJail'; readonly name: string }
  | { readonly kind: 'unmount'; readonly node: string }
  /** SIGSTOP (pause) or SIGCONT (resume) to every process of the jail, swept until no new pid appears. */
  | { readonly kind: 'freeze'; readonly name: string; readonly stop: boolean }
  /** rctl -a jail:<name>:<rule> for each rule (rules without their subject). */
  | { readonly kind: 'applyLimits'; readonly name: string; readonly rules: readonly string[] }
  /** rctl -r jail:<name>: every rule of the jail, whatever the log recorded. */
  | { readonly kind: 'removeLimits'; readonly name: string }
  /** The difference from the rules in force to `rules`: remove what went away or changed, add what is new. */
  | { readonly kind: 'updateLimits'; readonly name: string; readonly from: readonly string[]; readonly rules: readonly string[] }

/** create: jail, mounts (on the host, before any process exists), FIFO, trampoline, then the create-time hooks. */
export function planCreate(spec: Spec, secrets: CreateSecrets, fifo: string): HostAction[] {
  const actions: HostAction[] = [
    { kind: 'createJail', name: spec.jail.name, parameters: spec.jail.parameters },
    // Rules after the jail exists and before any process can (design.md "Resource limits"); none: no rctl call.
    ...(spec.rctlRules.length > 0 ? [{ kind: 'applyLimits', name: spec.jail.name, rules: spec.rctlRules } as const] : []),
    ...spec.mounts.map((mount): HostAction => ({ kind: 'mount', mount })),
  ]
  if (spec.process !== null && secrets.exec !== null) {
    actions.push({ kind: 'makeFifo', path: fifo })
    actions.push({ kind: 'spawnEntrypoint', fifo, exec: secrets.exec, gid: spec.process.gid, umask: spec.process.umask, pidFile: spec.pidFile, extraFds: secrets.extraFds, terminal: secrets.terminal })
  }
  // runtime.md "Lifecycle" steps 5-6: prestart (deprecated) and createRuntime, then createContainer.
  for (const stage of ['prestart', 'createRuntime', 'createContainer'] as const)
    if (secrets.hooks[stage].length > 0) actions.push({ kind: 'runHooks', stage, hooks: secrets.hooks[stage], fatal: true })
  return actions
}

/** start: release the trampoline, then poststart hooks (a poststart failure is an error in spec 1.3). */
export function planStart(state: ContainerState, fifo: string, secrets: CreateSecrets): HostAction[] {
  if (state.status !== 'created' || state.resources.pid === null) return []
  const actions: HostAction[] = []
  if (secrets.hooks.startContainer.length > 0) actions.push({ kind: 'runHooks', stage: 'startContainer', hooks: secrets.hooks.startContainer, fatal: true })
  actions.push({ kind: 'startEntrypoint', fifo, pid: state.resources.pid, startTime: state.resources.pidStartTime ?? '' })
  if (secrets.hooks.poststart.length > 0) actions.push({ kind: 'runHooks', stage: 'poststart', hooks: secrets.hooks.poststart, fatal: true })
  return actions
}

/**
 * Undo everything create could have done, in reverse. Planned from the intent (spec), not only
 * from recorded outcomes: a crash between a host step and its event leaves state the log does
 * not show, so each step probes the host and is a no-op when there is nothing to undo.
 */
export function planTeardown(state: ContainerState, fifo: string): HostAction[] {
  if (state.status === 'absent' || state.status === 'deleted') return []
  return [
    { kind: 'killJail', name: state.spec.jail.name },
    { kind: 'releaseEntrypoint', fifo, pid: state.resources.pid, startTime: state.resources.pidStartTime },
    { kind: 'removeJail', name: state.spec.jail.name },
    // rctl rules outlive the jail and would bind the next jail of that name.
    ...(state.rctl ? [{ kind: 'removeLimits', name: state.spec.jail.name } as const] : []),
    ...[...state.spec.mounts].reverse().map((mount): HostAction => ({ kind: 'unmount', node: mount.node })),
  ]
}

/** update: the new rule set against the one in force (pure; the pipeline applies it). */
export function planUpdate(state: ContainerState, rules: readonly string[]): HostAction[] {
  if (state.status !== 'created' && state.status !== 'running' && state.status !== 'paused') return []
  return [{ kind: 'updateLimits', name: state.spec.jail.name, from: state.resources.rctlRules, rules }]
}

/** The rule-level difference: a rule is `resource:action=amount[/per]`; its key is `resource:action[/per]`. */
export function diffRules(from: readonly string[], to: readonly string[]): { added: string[]; removed: string[] } {
  const fromSet = new Set(from)
  const toSet = new Set(to)
  return { added: to.filter((rule) => !fromSet.has(rule)), removed: from.filter((rule) => !toSet.has(rule)) }
}
