// history's pure parts: --since/--type parsing, the table's columns, actors and truncation to a terminal's width.
import t from 'tap'
import { keep, parseSince, parseTypes } from '../../src/history/filters.js'
import { TableWriter, actorLabel, shortType, tableHeader } from '../../src/history/format.js'
import type { StoredEvent } from '../../src/store/record.js'

const now = new Date('2026-12-03T12:00:00.000Z')

t.test('--since: dates, times, zones and durations; anything else names the flag', async (t) => {
  t.equal(parseSince('2026-12-01', now), '2026-12-01T00:00:00.000Z')
  t.equal(parseSince('2026-12-01T10:30', now), '2026-12-01T10:30:00.000Z', 'no zone means UTC')
  t.equal(parseSince('2026-12-01 10:30:05', now), '2026-12-01T10:30:05.000Z')
  t.equal(parseSince('2026-12-01T10:30:00+02:00', now), '2026-12-01T08:30:00.000Z')
  t.equal(parseSince('90s', now), '2026-12-03T11:58:30.000Z')
  t.equal(parseSince('2h', now), '2026-12-03T10:00:00.000Z')
  t.equal(parseSince('7d', now), '2026-11-26T12:00:00.000Z')
  for (const bad of ['yesterday', '10', '2026-13-01', '5w', '']) t.throws(() => parseSince(bad, now), { name: 'InvalidInputError', message: /^--since: / }, bad)
})

t.test('--type: catalogue names only', async (t) => {
  t.same([...parseTypes('JailCreated, SignalSent')], ['JailCreated', 'SignalSent'])
  t.throws(() => parseTypes('jailcreated'), { message: /^--type: unknown event type "jailcreated" \(known: ContainerCreateRequested, / })
  t.throws(() => parseTypes(','), { message: '--type: names no event type' })
  const filter = { since: '2026-12-03T00:00:00.000Z', types: new Set(['SignalSent']) }
  t.ok(keep(filter, { type: 'SignalSent', time: '2026-12-03T00:00:00.000Z' }))
  t.notOk(keep(filter, { type: 'SignalSent', time: '2026-12-02T23:59:59.999Z' }))
  t.notOk(keep(filter, { type: 'JailCreated', time: '2026-12-04T00:00:00.000Z' }))
})

const event = (seq: number, time: string, type: StoredEvent['type'], data: unknown, parent = '/usr/local/bin/conmon --api-version 1'): StoredEvent =>
  ({ seq, time, type, schema: 1, data, prev: '0', hash: '0', actor: { uid: 0, user: 'root', pid: 9, ppid: 8, parent, command: 'kill', runtime: 'runj 0.1.0' } }) as StoredEvent

t.test('table rows: a date line per day, fixed columns, user/program actors, cut to a terminal width', async (t) => {
  t.equal(shortType('ContainerCreateRequested'), 'CreateRequested')
  t.equal(shortType('JailCreated'), 'JailCreated')
  t.equal(actorLabel({ uid: 1001, pid: 1, ppid: 1, command: 'x', runtime: 'r' }), '1001', 'no user or parent recorded (older events)')
  t.equal(actorLabel({ uid: 0, user: 'root', pid: 1, ppid: 1, parent: '-bash', command: 'x', runtime: 'r' }), 'root/bash', 'a login shell')
  const wide = new TableWriter(null)
  const rows = [
    wide.row(event(1, '2026-12-03T23:59:59.000Z', 'SignalSent', { signal: 'SIGTERM', pids: [4242] })),
    wide.row(event(2, '2026-12-04T00:00:01.000Z', 'ProcessExited', { pid: 4242, observed: true, status: null })),
    wide.row(event(3, '2026-12-04T00:00:02.000Z', 'LimitsApplied', { rules: Array.from({ length: 12 }, (_, i) => `memoryuse:deny=${(i + 1) * 1048576}`) })),
  ].join('')
  const lines = rows.trimEnd().split('\n')
  t.equal(lines[0], '-- 2026-12-03 (UTC) --')
  t.equal(lines[1], '23:59:59     1  SignalSent             root/conmon     SIGTERM to pid 4242')
  t.equal(lines[2], '-- 2026-12-04 (UTC) --')
  t.equal(lines[3], '00:00:01     2  ProcessExited          root/conmon     pid 4242 exited (observed)')
  t.ok((lines[4] as string).length > 80, 'not a terminal: the summary is whole')
  t.equal(tableHeader().indexOf('SUMMARY'), (lines[1] as string).indexOf('SIGTERM'), 'the header lines up')
  const narrow = new TableWriter(80)
  const cut = narrow.row(event(3, '2026-12-04T00:00:02.000Z', 'LimitsApplied', { rules: Array.from({ length: 12 }, (_, i) => `memoryuse:deny=${(i + 1) * 1048576}`) })).trimEnd().split('\n')
  t.equal(cut[1]?.length, 80, 'a terminal: cut to its width')
  t.ok(cut[1]?.endsWith('…'))
  t.match(new TableWriter(null).generation(1, 2, '/r/archive/web/x.jsonl', true), /^== generation 1 of 2: archived \(\/r\/archive\/web\/x\.jsonl\) ==\n$/)
})
