// The OCI state JSON (runtime.md "State"), produced by its own small exporter rather than by serialising internals.
import type { ContainerState } from './state.js'

export const JID_ANNOTATION = 'org.freebsd.jail.jid'

export interface OciStateJson {
  ociVersion: string
  id: string
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped'
  pid?: number
  bundle: string
  annotations: Record<string, string>
}

/** `status` is what the caller observed (a recorded `running` whose process died is `stopped`). */
export function ociStateJson(state: ContainerState, status: OciStateJson['status']): OciStateJson | null {
  if (state.status === 'absent' || state.status === 'deleted') return null
  const annotations: Record<string, string> = { ...state.spec.annotations }
  // Annotation values are strings (runtime.md "State"); the jid is there while the jail exists.
  if (state.resources.jid !== null) annotations[JID_ANNOTATION] = String(state.resources.jid)
  const json: OciStateJson = { ociVersion: state.spec.ociVersion, id: state.id, status, bundle: state.spec.bundle, annotations }
  if ((status === 'created' || status === 'running' || status === 'paused') && state.resources.pid !== null) json.pid = state.resources.pid
  return json
}
