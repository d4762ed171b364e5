// The decider: commands, named status guards, and `decide`, which turns a command into events or a StatusError.
import { OperationError, StatusError } from '../errors.js'
import type { DomainEvent, EventData } from './events.js'
import { assertNever, type ContainerState } from './state.js'

export type Command =
  | { type: 'CreateContainer'; data: EventData<'ContainerCreateRequested'> }
  | { type: 'StartContainer'; id: string }
  | { type: 'KillContainer'; id: string; signal: string; all: boolean; pid: number | null }
  | { type: 'DeleteContainer'; id: string; force: boolean }
  | { type: 'RecordProcessExit'; id: string; pid: number; status: number | null }
  | { type: 'UpdateLimits'; id: string; data: EventData<'LimitsUpdateRequested'> }
  | { type: 'PauseContainer'; id: string }
  | { type: 'ResumeContainer'; id: string }
  | { type: 'ExecProcess'; id: string; data: EventData<'ExecRequested'> }

// OCI runtime.md "Operations": start only from created; kill only created or running; delete only stopped.
export const canCreate = (s: ContainerState): boolean => s.status === 'absent' || s.status === 'deleted'
export const canStart = (s: ContainerState): boolean => s.status === 'created' && s.pending === null
// runc: kill also reaches a paused container (a stopped process takes SIGKILL; other signals wait for resume).
export const canKill = (s: ContainerState): boolean => s.status === 'created' || s.status === 'running' || s.status === 'paused'
/** `force` lets delete clean up any live or half-created container (design.md: delete --force). */
export const canDelete = (s: ContainerState, force: boolean): boolean =>
  s.status === 'stopped' || (force && (s.status === 'creating' || s.status === 'created' || s.status === 'running' || s.status === 'paused'))
/** runc's update: only a container whose jail exists and whose process has not been seen to exit. */
export const canUpdate = (s: ContainerState): boolean => (s.status === 'created' || s.status === 'running' || s.status === 'paused') && s.pending === null
/** runc: pause only a running container, resume only a paused one; exec only into a running one. */
export const canPause = (s: ContainerState): boolean => s.status === 'running' && s.pending === null
export const canResume = (s: ContainerState): boolean => s.status === 'paused' && s.pending === null
export const canExec = (s: ContainerState): boolean => s.status === 'running' && s.pending === null
export const canRecordExit = (s: ContainerState): boolean =>
  s.status === 'creating' || s.status === 'created' || s.status === 'running' || s.status === 'paused'

const commandVerb: Record<Command['type'], string> = {
  CreateContainer: 'create',
  StartContainer: 'start',
  KillContainer: 'kill',
  DeleteContainer: 'delete',
  RecordProcessExit: 'record the exit of',
  UpdateLimits: 'update',
  PauseContainer: 'pause',
  ResumeContainer: 'resume',
  ExecProcess: 'exec into',
}

function refuse(state: ContainerState, command: Command): never {
  const id = command.type === 'CreateContainer' ? command.data.id : command.id
  throw new StatusError(id, commandVerb[command.type], state.status === 'deleted' ? 'absent' : state.status)
}

/** Pure: no I/O, no clock. Returns the intent events a command produces, or throws StatusError. */
export function decide(command: Command, state: ContainerState): DomainEvent[] {
  switch (command.type) {
    case 'CreateContainer':
      if (!canCreate(state)) refuse(state, command)
      return [{ type: 'ContainerCreateRequested', data: command.data }]
    case 'StartContainer':
      if (!canStart(state)) refuse(state, command)
      // OCI runtime.md "start": an unset process MUST generate an error.
      if (state.status === 'created' && state.spec.process === null)
        throw new OperationError(`cannot start container "${command.id}": config.json has no "process"`)
      return [{ type: 'ContainerStartRequested', data: {} }]
    case 'KillContainer':
      if (!canKill(state)) refuse(state, command)
      return [{ type: 'KillRequested', data: { signal: command.signal, all: command.all, pid: command.pid } }]
    case 'DeleteContainer':
      if (!canDelete(state, command.force)) refuse(state, command)
      return [{ type: 'ContainerDeleteRequested', data: { force: command.force } }]
    case 'RecordProcessExit':
      if (!canRecordExit(state)) refuse(state, command)
      return [{ type: 'ProcessExited', data: { pid: command.pid, observed: true, status: command.status } }]
    case 'UpdateLimits':
      if (!canUpdate(state)) refuse(state, command)
      return [{ type: 'LimitsUpdateRequested', data: command.data }]
    case 'PauseContainer':
      if (!canPause(state)) refuse(state, command)
      return [{ type: 'PauseRequested', data: {} }]
    case 'ResumeContainer':
      if (!canResume(state)) refuse(state, command)
      return [{ type: 'ResumeRequested', data: {} }]
    case 'ExecProcess':
      if (!canExec(state)) refuse(state, command)
      return [{ type: 'ExecRequested', data: command.data }]
    default:
      return assertNever(command)
  }
}
