// Builders of domain events and commands for tests: a realistic create intent and the lifecycle events after it.
import type { EventData, DomainEvent } from '../../src/domain/events.js'

export function createRequest(id = 'web', overrides: Partial<EventData<'ContainerCreateRequested'>> = {}): EventData<'ContainerCreateRequested'> {
  return {
    id,
    bundle: `/bundles/${id}`,
    configSha256: 'c'.repeat(64),
    ociVersion: '1.3.0',
    rootfs: `/bundles/${id}/rootfs`,
    jail: { name: id, parameters: [`name=${id}`, `path=/bundles/${id}/rootfs`, 'persist'] },
    mounts: [],
    process: { args: ['/bin/sh', '-c', 'sleep 10'], envNames: ['PATH'], cwd: '/', uid: 0, gid: 0, umask: 0o022, terminal: false },
    rctlRules: [],
    ignored: [],
    pidFile: null,
    annotations: {},
    ...overrides,
  }
}

/** Events that bring a fresh stream to each status, as the effects pipeline would record them. */
export function eventsTo(status: 'absent' | 'creating' | 'created' | 'running' | 'stopped' | 'deleted', id = 'web'): DomainEvent[] {
  const creating: DomainEvent[] = [
    { type: 'ContainerCreateRequested', data: createRequest(id) },
    { type: 'JailCreated', data: { name: id, jid: 7 } },
    { type: 'EntrypointSpawned', data: { pid: 4242, startTime: 'Thu Dec  3 18:00:00 2026' } },
  ]
  const created: DomainEvent[] = [...creating, { type: 'ContainerCreated', data: { pid: 4242 } }]
  const running: DomainEvent[] = [...created, { type: 'ContainerStartRequested', data: {} }, { type: 'ContainerStarted', data: { pid: 4242 } }]
  const stopped: DomainEvent[] = [...running, { type: 'ProcessExited', data: { pid: 4242, observed: true, status: 0 } }]
  const deleted: DomainEvent[] = [
    ...stopped,
    { type: 'ContainerDeleteRequested', data: { force: false } },
    { type: 'JailRemoved', data: { name: id } },
    { type: 'ContainerDeleted', data: { archivedAs: `/var/lib/runj/archive/${id}/x.jsonl` } },
  ]
  return { absent: [], creating, created, running, stopped, deleted }[status]
}
