// Container state as a union tagged by OCI status, and `evolve`, the fold that replays a stream.
import type { DomainEvent, EventData } from './events.js'

/** What a container owns on the host; every entry is something delete and rollback must undo. */
export interface HostResources {
  readonly jid: number | null
  readonly mounts: readonly string[]
  readonly rctlRules: readonly string[]
  readonly pid: number | null
  readonly pidStartTime: string | null
}

interface Known {
  readonly id: string
  readonly spec: EventData<'ContainerCreateRequested'>
  readonly resources: HostResources
  /** An intent whose outcome has not been recorded yet (the log is a write-ahead log). */
  readonly pending: 'start' | 'delete' | null
  readonly failed: boolean
  /** rctl was or may have been called for this jail: teardown must remove its rules (they outlive the jail). */
  readonly rctl: boolean
  /** linux.resources after the last update (null: as in the bundle's config.json). */
  readonly resourcesOverride: Readonly<Record<string, unknown>> | null
}

export type ContainerState =
  | { readonly status: 'absent' }
  | (Known & { readonly status: 'creating' | 'created' | 'running' | 'paused' | 'stopped' })
  | (Known & { readonly status: 'deleted' })

export type OciStatus = ContainerState['status']

export const initialState = (): ContainerState => ({ status: 'absent' })

/** A container whose process may be alive: created, running, or paused (runc's status for a frozen container). */
export const isLive = (status: string): status is 'created' | 'running' | 'paused' => status === 'created' || status === 'running' || status === 'paused'

const noResources: HostResources = { jid: null, mounts: [], rctlRules: [], pid: null, pidStartTime: null }

/** Applies one event; an event that cannot follow the state is ignored, since decide never emits it. */
export function evolve(state: ContainerState, event: DomainEvent): ContainerState {
  if (event.type === 'ContainerCreateRequested') {
    return { status: 'creating', id: event.data.id, spec: event.data, resources: noResources, pending: null, failed: false, rctl: event.data.rctlRules.length > 0, resourcesOverride: null }
  }
  if (state.status === 'absent' || state.status === 'deleted') return state
  const r = state.resources
  switch (event.type) {
    case 'JailCreated':
      return { ...state, resources: { ...r, jid: event.data.jid } }
    case 'MountApplied':
      return { ...state, resources: { ...r, mounts: [...r.mounts, event.data.node] } }
    case 'LimitsApplied':
      return { ...state, resources: { ...r, rctlRules: event.data.rules } }
    case 'EntrypointSpawned':
      return { ...state, resources: { ...r, pid: event.data.pid, pidStartTime: event.data.startTime } }
    case 'ContainerCreated':
      return { ...state, status: 'created' }
    case 'ContainerStartRequested':
      return { ...state, pending: 'start' }
    case 'ContainerStarted':
      return { ...state, status: 'running', pending: null }
    case 'ProcessExited':
      return { ...state, status: 'stopped', pending: state.pending === 'start' ? null : state.pending }
    case 'ContainerDeleteRequested':
      return { ...state, pending: 'delete' }
    case 'JailRemoved':
      return { ...state, resources: { ...r, jid: null } }
    case 'MountReleased':
      return { ...state, resources: { ...r, mounts: r.mounts.filter((node) => node !== event.data.node) } }
    case 'LimitsRemoved':
      return { ...state, resources: { ...r, rctlRules: [] } }
    case 'LimitsUpdateRequested':
      return { ...state, rctl: state.rctl || event.data.rules.length > 0, resourcesOverride: event.data.resources }
    case 'LimitsUpdated':
      return { ...state, resources: { ...r, rctlRules: event.data.rules } }
    case 'ActionFailed':
      return { ...state, failed: true }
    case 'CreateRolledBack':
      return { ...state, status: 'stopped', resources: noResources }
    case 'ContainerDeleted':
      return { ...state, status: 'deleted', pending: null }
    case 'PauseRequested':
    case 'ResumeRequested':
      return state
    case 'ContainerPaused':
      return { ...state, status: 'paused' }
    case 'ContainerResumed':
      return { ...state, status: 'running' }
    case 'KillRequested':
    case 'SignalSent':
    case 'ExecRequested':
    case 'ExecStarted':
    case 'ExecExited':
      return state
    default:
      return assertNever(event)
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`)
}
