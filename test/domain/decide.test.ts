// Decider tests: given events, when a command, then events or a StatusError; and the full transition matrix.
import t from 'tap'
import { decide, type Command } from '../../src/domain/decide.js'
import type { DomainEvent } from '../../src/domain/events.js'
import { evolve, initialState, type OciStatus } from '../../src/domain/state.js'
import { OperationError, StatusError } from '../../src/errors.js'
import { createRequest, eventsTo } from '../helpers/events.js'

const replay = (events: DomainEvent[]) => events.reduce(evolve, initialState())

const commands: Record<string, Command> = {
  create: { type: 'CreateContainer', data: createRequest() },
  start: { type: 'StartContainer', id: 'web' },
  kill: { type: 'KillContainer', id: 'web', signal: 'SIGTERM', all: false, pid: null },
  delete: { type: 'DeleteContainer', id: 'web', force: false },
  'delete --force': { type: 'DeleteContainer', id: 'web', force: true },
  'record exit': { type: 'RecordProcessExit', id: 'web', pid: 4242, status: 0 },
}

const statuses = ['absent', 'creating', 'created', 'running', 'stopped', 'deleted'] as const

// OCI runtime.md: start only from created; kill only created/running; delete only stopped.
const allowed: Record<string, readonly OciStatus[]> = {
  create: ['absent', 'deleted'],
  start: ['created'],
  kill: ['created', 'running'],
  delete: ['stopped'],
  'delete --force': ['creating', 'created', 'running', 'stopped'],
  'record exit': ['creating', 'created', 'running'],
}

const expectedEvent: Record<string, string> = {
  create: 'ContainerCreateRequested',
  start: 'ContainerStartRequested',
  kill: 'KillRequested',
  delete: 'ContainerDeleteRequested',
  'delete --force': 'ContainerDeleteRequested',
  'record exit': 'ProcessExited',
}

t.test('transition matrix: every command against every status', async (t) => {
  for (const [name, command] of Object.entries(commands)) {
    for (const status of statuses) {
      const state = replay(eventsTo(status))
      t.equal(state.status, status, `given a ${status} container`)
      if ((allowed[name] ?? []).includes(status)) {
        const events = decide(command, state)
        t.same(events.map((e) => e.type), [expectedEvent[name]], `${name} on ${status} emits ${expectedEvent[name]}`)
      } else {
        const error = t.throws(() => decide(command, state), StatusError, `${name} on ${status} is refused`) as StatusError
        t.equal(error.status, status === 'deleted' ? 'absent' : status, 'the error carries the status it found')
      }
    }
  }
})

t.test('given a created container without a process, when start, then a clear error', async (t) => {
  const state = replay([
    { type: 'ContainerCreateRequested', data: createRequest('web', { process: null }) },
    { type: 'JailCreated', data: { name: 'web', jid: 3 } },
    { type: 'ContainerCreated', data: { pid: null } },
  ])
  t.throws(() => decide(commands['start'] as Command, state), new OperationError('cannot start container "web": config.json has no "process"'))
})

t.test('given a start in flight, when start again, then refused', async (t) => {
  const state = replay([...eventsTo('created'), { type: 'ContainerStartRequested', data: {} }])
  t.throws(() => decide(commands['start'] as Command, state), StatusError)
})

t.test('given a running container, when kill --all with a pid, then the intent carries them', async (t) => {
  const events = decide({ type: 'KillContainer', id: 'web', signal: 'SIGKILL', all: true, pid: 99 }, replay(eventsTo('running')))
  t.same(events, [{ type: 'KillRequested', data: { signal: 'SIGKILL', all: true, pid: 99 } }])
})

t.test('StatusError messages name the container and the status', async (t) => {
  t.throws(() => decide(commands['start'] as Command, replay([])), { message: 'container "web" does not exist' })
  t.throws(() => decide(commands['create'] as Command, replay(eventsTo('running'))), {
    message: 'container "web" already exists (it is running)',
  })
  t.throws(() => decide(commands['delete'] as Command, replay(eventsTo('running'))), {
    message: 'cannot delete container "web": it is running',
  })
})
