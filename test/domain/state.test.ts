// evolve: each event moves the state as the lifecycle says, and tracks what the container owns on the host.
import t from 'tap'
import type { DomainEvent } from '../../src/domain/events.js'
import { evolve, initialState } from '../../src/domain/state.js'
import { createRequest, eventsTo } from '../helpers/events.js'

const replay = (events: DomainEvent[]) => events.reduce(evolve, initialState())

t.test('host resources are recorded and released', async (t) => {
  const created = replay([
    ...eventsTo('creating'),
    { type: 'MountApplied', data: { type: 'devfs', destination: '/dev', source: 'devfs', node: '/r/dev', options: ['ruleset=4'] } },
    { type: 'LimitsApplied', data: { rules: ['jail:web:maxproc:deny=5'] } },
  ])
  if (created.status !== 'creating') throw new Error('not creating')
  t.same(created.resources, { jid: 7, mounts: ['/r/dev'], rctlRules: ['jail:web:maxproc:deny=5'], pid: 4242, pidStartTime: 'Thu Dec  3 18:00:00 2026' })
  const released = replay([
    ...eventsTo('creating'),
    { type: 'MountApplied', data: { type: 'devfs', destination: '/dev', source: 'devfs', node: '/r/dev', options: [] } },
    { type: 'LimitsApplied', data: { rules: ['jail:web:maxproc:deny=5'] } },
    { type: 'ActionFailed', data: { action: 'jexec', message: 'boom', stderr: '' } },
    { type: 'LimitsRemoved', data: { rules: ['jail:web:maxproc:deny=5'] } },
    { type: 'MountReleased', data: { node: '/r/dev' } },
    { type: 'JailRemoved', data: { name: 'web' } },
  ])
  if (released.status !== 'creating') throw new Error('not creating')
  t.same([released.failed, released.resources.jid, released.resources.mounts, released.resources.rctlRules], [true, null, [], []])
  t.equal(replay([...eventsTo('creating'), { type: 'CreateRolledBack', data: { undone: ['jail'] } }]).status, 'stopped')
})

t.test('kill intents and signals do not change the status', async (t) => {
  const running = replay(eventsTo('running'))
  t.equal(evolve(running, { type: 'KillRequested', data: { signal: 'SIGTERM', all: false, pid: null } }), running)
  t.equal(evolve(running, { type: 'SignalSent', data: { signal: 'SIGTERM', pids: [4242] } }), running)
})

t.test('events after the stream is sealed, or before it starts, change nothing', async (t) => {
  const deleted = replay(eventsTo('deleted'))
  t.equal(deleted.status, 'deleted')
  t.equal(evolve(deleted, { type: 'ContainerStarted', data: { pid: 1 } }), deleted)
  t.same(evolve(initialState(), { type: 'JailCreated', data: { name: 'x', jid: 1 } }), { status: 'absent' })
  t.equal(evolve(deleted, { type: 'ContainerCreateRequested', data: createRequest() }).status, 'creating', 'an id can be reused')
})
