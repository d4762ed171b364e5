// The container index's entries: a projection of each log (design.md "The data flow": projection -> list). Pure.
import type { ContainerState } from '../domain/state.js'

export interface IndexEntry {
  readonly id: string
  /** The status the log records; `list` still checks created/running ones against ps, as `state` does. */
  readonly status: 'creating' | 'created' | 'running' | 'paused' | 'stopped'
  readonly pid: number | null
  /** ps's start time of `pid` and the jail's jid: the liveness check's guards against pid reuse. */
  readonly pidStartTime: string | null
  readonly jid: number | null
  readonly bundle: string
  readonly jail: string
  /** Time of the first event of this generation (ContainerCreateRequested). */
  readonly created: string
  /** rctl rules in force (canonical, without the jail subject). */
  readonly limits: readonly string[]
  /** Size in bytes of the log this entry was projected from: a different size means the entry is stale. */
  readonly logSize: number
}

export interface IndexData {
  readonly version: 1
  containers: Record<string, IndexEntry>
}

export const emptyIndex = (): IndexData => ({ version: 1, containers: {} })

/** The entry for a replayed log, or null when the container is gone (sealed) or never existed. */
export function projectEntry(state: ContainerState, created: string | null, logSize: number): IndexEntry | null {
  if (state.status === 'absent' || state.status === 'deleted' || created === null) return null
  return {
    id: state.id,
    status: state.status,
    pid: state.resources.pid,
    pidStartTime: state.resources.pidStartTime,
    jid: state.resources.jid,
    bundle: state.spec.bundle,
    jail: state.spec.jail.name,
    created,
    limits: [...state.resources.rctlRules],
    logSize,
  }
}

/** Whether parsed JSON is an index this runj wrote (anything else is rebuilt from the logs). */
export function isIndexData(value: unknown): value is IndexData {
  if (value === null || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  if (v['version'] !== 1 || v['containers'] === null || typeof v['containers'] !== 'object' || Array.isArray(v['containers'])) return false
  return Object.entries(v['containers'] as Record<string, unknown>).every(([id, entry]) => {
    if (entry === null || typeof entry !== 'object') return false
    const e = entry as Record<string, unknown>
    return e['id'] === id && typeof e['status'] === 'string' && typeof e['logSize'] === 'number' && typeof e['bundle'] === 'string' &&
      typeof e['created'] === 'string' && Array.isArray(e['limits']) && (e['pid'] === null || typeof e['pid'] === 'number')
  })
}
