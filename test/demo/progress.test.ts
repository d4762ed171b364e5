// What the demo helpers' progress says, and that a stream that is not a terminal gets plain lines only.
import { PassThrough } from 'node:stream'
import t from 'tap'
import { clock, humanBytes, progressLine, startProgress } from '../../src/demo/progress.js'

t.test('humanBytes: powers of 1024', async (t) => {
  const cases: [number, string][] = [[0, '0 B'], [1023, '1023 B'], [1024, '1.0 KiB'], [1536, '1.5 KiB'], [10 * 1024, '10 KiB'], [199.6 * 1024 ** 2, '200 MiB'], [3 * 1024 ** 3, '3.0 GiB'], [5 * 1024 ** 5, '5120 TiB']]
  for (const [bytes, text] of cases) t.equal(humanBytes(bytes), text, String(bytes))
})

t.test('clock: m:ss, then h:mm:ss', async (t) => {
  const cases: [number, string][] = [[0, '0:00'], [9.4, '0:09'], [75, '1:15'], [3599.6, '1:00:00'], [3725, '1:02:05'], [-3, '0:00']]
  for (const [seconds, text] of cases) t.equal(clock(seconds), text, String(seconds))
})

t.test('progressLine: percent, size, rate, ETA; the final line has the duration', async (t) => {
  const MiB = 1024 ** 2
  t.equal(progressLine('base.txz', 90 * MiB, 200 * MiB, 10 * MiB, 9, false), 'base.txz  45% 90 MiB / 200 MiB  10 MiB/s  ETA 0:11')
  t.equal(progressLine('base.txz', 200 * MiB, 200 * MiB, 10 * MiB, 20, true), 'base.txz 100% 200 MiB / 200 MiB in 0:20 (10 MiB/s)')
  t.equal(progressLine('base.txz', 200 * MiB, 200 * MiB, 10 * MiB, 20, false), 'base.txz 100% 200 MiB / 200 MiB  10 MiB/s', 'no ETA once done')
  t.equal(progressLine('layer', 3 * MiB, undefined, MiB, 3, false), 'layer 3.0 MiB  1.0 MiB/s', 'no total: no percent and no ETA')
  t.equal(progressLine('x', 0, 100, 0, 0, false), 'x   0% 0 B / 100 B  0 B/s', 'no rate yet: no ETA')
})

const capture = (tty: boolean) => {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
  Object.assign(stream, { isTTY: tty, columns: 100 })
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text }
}

t.test('startProgress on a stream that is not a terminal: plain lines, no escape codes', async (t) => {
  const out = capture(false)
  const progress = startProgress('base.txz', { total: 2048, stream: out.stream })
  progress.update(1024)
  progress.update(2048)
  progress.finish()
  progress.finish()
  const lines = out.text().split('\n')
  t.notMatch(out.text(), /\x1b|\r/, 'no escape code or carriage return')
  t.equal(lines[0], 'base.txz   0% 0 B / 2.0 KiB  0 B/s', 'a line at the start')
  t.match(lines.at(-2), /^base\.txz 100% 2\.0 KiB \/ 2\.0 KiB in 0:00 \(.+\/s\)$/, 'the summary last')
  t.equal(lines.at(-1), '', 'every line ends')
  t.equal(lines.filter((line) => line.includes(' in 0:00 ')).length, 1, 'one summary, however often finish is called')
  t.notOk(lines.slice(0, -1).includes(''), 'no empty line')
})

t.test('abort on a stream that is not a terminal: no summary, and the periodic lines stop', async (t) => {
  const out = capture(false)
  const progress = startProgress('base.txz', { total: 4096, start: 1024, stream: out.stream, intervalMs: 10 })
  progress.update(2048)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(out.text(), /^base\.txz  25% 1\.0 KiB \/ 4\.0 KiB {2}0 B\/s\n/, 'the start counts the resumed units')
  t.match(out.text(), /\nbase\.txz  50% 2\.0 KiB \/ 4\.0 KiB {2}[\d.]+ KiB\/s {2}ETA 0:00\n/, 'a periodic line with the progress since')
  progress.abort()
  const stopped = out.text()
  await new Promise((resolve) => setTimeout(resolve, 50))
  progress.finish()
  t.equal(out.text(), stopped, 'nothing after abort: no more lines, no summary')
})

t.test('on a terminal: a redrawn bar, the summary in its place, and no terminal state to restore after a kill', async (t) => {
  const out = capture(true)
  const listeners = process.listenerCount('SIGINT')
  const progress = startProgress('base.txz', { total: 2048, stream: out.stream })
  t.equal(process.listenerCount('SIGINT'), listeners, 'no SIGINT listener: ^C keeps its default action')
  progress.update(1024)
  progress.finish()
  const text = out.text()
  t.match(text, /base\.txz {3}0% 0 B \/ 2\.0 KiB {2}0 B\/s \[-+\]/, 'the bar')
  t.notMatch(text, /\x1b\[\?25l|\x1b\[\?7l/, 'the cursor is not hidden and autowrap not turned off (a SIGINT would leave them so)')
  t.match(text, /\x1b\[2Kbase\.txz  50% 1\.0 KiB \/ 2\.0 KiB in 0:00 \(.+\/s\)\n$/, 'the cleared line holds the summary')
})
