// `runj history` through the real binary: formats, --verify, tampering, and hostile ids.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { FileEventStore, streamPath } from '../../src/store/file-store.js'
import { eventsTo } from '../helpers/events.js'
import { cleanEnv, runj } from '../helpers/runj.js'
import { actor } from '../store/contract.js'

async function rootWithLifecycle(t: Test): Promise<string> {
  const root = t.testdir()
  await new FileEventStore(root).appendToStream('web', eventsTo('stopped'), { expectedVersion: 0, actor })
  return root
}

t.test('table, json and ndjson show the same events', async (t) => {
  const root = await rootWithLifecycle(t)
  const table = await runj(['--root', root, 'history', 'web'])
  t.equal(table.code, 0, table.stderr)
  const rows = table.stdout.trimEnd().split('\n')
  t.match(rows[0], /^TIME\s+SEQ\s+EVENT\s+ACTOR\s+SUMMARY$/)
  t.equal(rows.length, 1 + 1 + 7, 'the header, a date line, seven events')
  t.match(rows[1], /^-- \d{4}-\d\d-\d\d \(UTC\) --$/)
  t.match(rows[2], /^\d\d:\d\d:\d\d\s+1\s+CreateRequested\s+0\s+bundle /)
  t.match(rows[3], /^\d\d:\d\d:\d\d\s+2\s+JailCreated\s+0\s+jail 7 created as web$/)
  const json = await runj(['--root', root, 'history', 'web', '--format', 'json'])
  const parsed = JSON.parse(json.stdout) as { seq: number; type: string }[]
  t.same(parsed.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7])
  const ndjson = await runj(['--root', root, 'history', '--format=ndjson', 'web'])
  t.same(ndjson.stdout.trimEnd().split('\n').map((line) => JSON.parse(line)), parsed)
  t.equal(ndjson.stdout, readFileSync(streamPath(root, 'web'), 'utf8'), 'ndjson is the records exactly as stored')
})

t.test('RUNJ_ROOT sets the root', async (t) => {
  const root = await rootWithLifecycle(t)
  const result = await runj(['history', 'web', '--format', 'json'], { env: cleanEnv({ RUNJ_ROOT: root }) })
  t.equal(result.code, 0, result.stderr)
})

t.test('--verify counts the events of an intact log', async (t) => {
  const root = await rootWithLifecycle(t)
  const result = await runj(['--root', root, 'history', '--verify', 'web'])
  t.equal(result.code, 0, result.stderr)
  t.match(result.stdout, /: 7 events verified, chain intact\n$/)
})

const tamperings: Record<string, { edit: (lines: string[]) => string[]; seq: number; reason: RegExp }> = {
  'a changed byte in a line': {
    edit: (lines) => lines.map((line, i) => (i === 2 ? line.replace('"pid":4242', '"pid":4243') : line)),
    seq: 3,
    reason: /hash does not match/,
  },
  'a deleted line': { edit: (lines) => lines.filter((_, i) => i !== 3), seq: 4, reason: /expected seq 4, found 5/ },
  'two swapped lines': {
    edit: (lines) => [lines[0], lines[2], lines[1], ...lines.slice(3)] as string[],
    seq: 2,
    reason: /expected seq 2, found 3/,
  },
  'a forged line appended without the right prev': {
    edit: (lines) => {
      const forged = JSON.parse(lines.at(-1) as string) as Record<string, unknown>
      return [...lines, JSON.stringify({ ...forged, seq: 8, prev: '1'.repeat(64) })]
    },
    seq: 8,
    reason: /prev does not match the hash of the previous record \(broken chain\)/,
  },
}

for (const [name, { edit, seq, reason }] of Object.entries(tamperings)) {
  t.test(`--verify reports ${name} with the first bad seq and exit 1`, async (t) => {
    const root = await rootWithLifecycle(t)
    const path = streamPath(root, 'web')
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    writeFileSync(path, `${edit(lines).join('\n')}\n`)
    const result = await runj(['--root', root, 'history', 'web', '--verify'])
    t.equal(result.code, 1)
    t.equal(result.stdout, '')
    t.match(result.stderr, new RegExp(`^runj: ${path}: seq ${seq}: ${reason.source}`))
    t.equal(result.stderr.split('\n').length, 2, 'one line')
  })
}

t.test('a torn last line is reported as a warning, not as tampering', async (t) => {
  const root = await rootWithLifecycle(t)
  writeFileSync(streamPath(root, 'web'), `${readFileSync(streamPath(root, 'web'), 'utf8')}{"seq":8,`)
  const result = await runj(['--root', root, 'history', 'web', '--verify'])
  t.equal(result.code, 0)
  t.match(result.stderr, /warning: .*torn last line \(9 bytes\)/)
})

const hostileIds = ['a/b', '..', '.', 'a.b', 'a\0b', '12345', 'x'.repeat(129), '', '-rf', '../../etc']

t.test('hostile ids are refused with exit 2 and touch nothing on disk', async (t) => {
  for (const id of hostileIds) {
    const root = t.testdir({})
    const result = await runj(['--root', root, 'history', id]).catch((error: Error) => ({ code: 2, stderr: `spawn refused: ${error.message}`, stdout: '' }))
    t.equal(result.code, 2, `${JSON.stringify(id)} exits 2`)
    t.equal(result.stdout, '')
    t.match(result.stderr, /^(runj: .+|spawn refused: .*null bytes.*)\n?$/)
    t.same(readdirSync(root), [], `${JSON.stringify(id)} created nothing`)
  }
})

t.test('usage errors exit 2 with one line; an unknown container exits 1', async (t) => {
  const root = t.testdir({})
  const unknownFlag = await runj(['--root', root, 'history', 'web', '--bogus'])
  t.same([unknownFlag.code, unknownFlag.stderr], [2, "runj: unknown option '--bogus'\n"])
  const badFormat = await runj(['--root', root, 'history', 'web', '--format', 'xml'])
  t.equal(badFormat.code, 2)
  const unknown = await runj(['--root', root, 'history', 'web'])
  t.same([unknown.code, unknown.stderr], [1, 'runj: container "web" has no history\n'])
  const version = await runj(['--version'])
  t.same([version.code, version.stdout], [0, 'runj version 0.1.0\nspec: 1.3.0\n'])
})

t.test('--log with --log-format json writes conmon-style error records', async (t) => {
  const root = t.testdir({})
  const log = `${root}/runj.log`
  const result = await runj(['--root', root, '--log', log, '--log-format', 'json', 'history', 'nope'])
  t.equal(result.code, 1)
  const record = JSON.parse(readFileSync(log, 'utf8')) as Record<string, string>
  t.same(Object.keys(record), ['level', 'msg', 'time'])
  t.same([record['level'], record['msg']], ['error', 'container "nope" has no history'])
  t.ok(!Number.isNaN(Date.parse(record['time'] as string)))
})
