// One-line human summaries of events for `runj history --format table`.
import type { DomainEvent } from '../domain/events.js'
import { assertNever } from '../domain/state.js'
import { humanRule } from '../rctl/rule.js'

const rules = (list: readonly string[]): string => (list.length === 0 ? '(none)' : list.map(humanRule).join(' '))

export function summarize(event: DomainEvent): string {
  switch (event.type) {
    case 'ContainerCreateRequested': {
      const d = event.data
      const adapted = d.adapted ?? []
      const extra = `${d.ignored.length > 0 ? `; ignored ${d.ignored.join(' ')}` : ''}${adapted.length > 0 ? `; adapted ${adapted.length}: ${adapted.join('; ')}` : ''}`
      return `bundle ${d.bundle}, config sha256 ${d.configSha256.slice(0, 12)}${extra}`
    }
    case 'JailCreated':
      return `jail ${event.data.jid} created as ${event.data.name}`
    case 'MountApplied':
      return `${event.data.type} ${event.data.source} on ${event.data.node}`
    case 'LimitsApplied':
      return `rctl: ${rules(event.data.rules)}`
    case 'EntrypointSpawned':
      return `entrypoint pid ${event.data.pid} waiting for start`
    case 'ContainerCreated':
      return event.data.pid === null ? 'created (no process)' : `created, pid ${event.data.pid}`
    case 'ContainerStartRequested':
      return 'start requested'
    case 'ContainerStarted':
      return `started pid ${event.data.pid}`
    case 'KillRequested':
      return `${event.data.signal} requested${event.data.all ? ' for every process' : ''}`
    case 'SignalSent':
      return `${event.data.signal} to pid ${event.data.pids.join(',')}`
    case 'ProcessExited':
      return `pid ${event.data.pid} exited${event.data.status === null ? '' : ` with status ${event.data.status}`} (observed)`
    case 'ContainerDeleteRequested':
      return event.data.force ? 'forced delete requested' : 'delete requested'
    case 'JailRemoved':
      return `jail ${event.data.name} removed`
    case 'MountReleased':
      return `unmounted ${event.data.node}`
    case 'LimitsRemoved':
      return `rctl rules removed: ${rules(event.data.rules)}`
    case 'ActionFailed':
      return `${event.data.action} failed: ${event.data.message}`
    case 'CreateRolledBack':
      return `rolled back: ${event.data.undone.join(', ') || 'nothing to undo'}`
    case 'ContainerDeleted':
      return `deleted; log archived as ${event.data.archivedAs}`
    case 'LimitsUpdateRequested':
      return `update requested: ${rules(event.data.rules)}${event.data.ignored.length > 0 ? `; ignored ${event.data.ignored.join(' ')}` : ''}`
    case 'LimitsUpdated': {
      const { added, removed } = event.data
      return `rctl now ${rules(event.data.rules)} (added ${rules(added)}; removed ${rules(removed)})`
    }
    case 'PauseRequested':
      return 'pause requested'
    case 'ContainerPaused':
      return `SIGSTOP to ${event.data.pids.length === 0 ? 'no process' : `pid ${event.data.pids.join(',')}`}`
    case 'ResumeRequested':
      return 'resume requested'
    case 'ContainerResumed':
      return `SIGCONT to ${event.data.pids.length === 0 ? 'no process' : `pid ${event.data.pids.join(',')}`}`
    case 'ExecRequested': {
      const d = event.data
      return `exec ${d.exec}: ${d.args.join(' ')} (uid ${d.uid}, cwd ${d.cwd}${d.terminal ? ', tty' : ''}${d.detach ? ', detached' : ''})`
    }
    case 'ExecStarted':
      return `exec ${event.data.exec} started, pid ${event.data.pid}`
    case 'ExecExited':
      return `exec ${event.data.exec} pid ${event.data.pid} exited with status ${event.data.status}`
    default:
      return assertNever(event)
  }
}
