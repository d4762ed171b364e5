// Benchmarks of issue 5: `runj list` with 1,000 containers against bare Node starts, and `runj history --format
// ndjson` of a 1,000,000-event log (peak RSS: it must stream; events/s).
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DomainEvent } from '../src/domain/events.js'
import { streamPath } from '../src/store/file-store.js'
import { encodeBatch } from '../src/store/hash.js'
import { GENESIS_HASH } from '../src/store/record.js'
import { eventsTo } from '../test/helpers/events.js'
import type { LifecyclePaths } from './lifecycle.js'
import type { Row } from './log.js'
import { median } from './median.js'
import { installBenchSimulator } from './simulator.js'

const actor = { uid: 0, user: 'root', pid: 1, ppid: 1, parent: '/usr/local/bin/conmon --api-version 1', command: 'bench', runtime: 'runj bench' }

/** A valid stream written straight to its file (no fsync per event): setup must not dominate the run. */
function writeEvents(root: string, id: string, events: readonly DomainEvent[], batch = events.length): void {
  mkdirSync(join(root, 'containers', id), { recursive: true })
  const fd = openSync(streamPath(root, id), 'w')
  let prev = GENESIS_HASH
  for (let start = 0; start < events.length; start += batch) {
    const { records, text } = encodeBatch(events.slice(start, start + batch), { version: start, prev, time: new Date().toISOString(), actor })
    writeSync(fd, text)
    prev = (records.at(-1) as { hash: string }).hash
  }
  closeSync(fd)
}

export async function benchAudit(paths: LifecyclePaths, cleanEnv: NodeJS.ProcessEnv): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'runj-bench-audit-'))
  try {
    const { env } = installBenchSimulator(paths.simInstall, dir, cleanEnv)
    const root = join(dir, 'state')
    // 1,000 containers: most stopped, one in fifty created (its pid is checked with the one ps call list makes).
    for (let i = 0; i < 1000; i++) writeEvents(root, `c${i}`, eventsTo(i % 50 === 0 ? 'created' : 'stopped', `c${i}`))
    const run = (file: string, args: string[]): number => {
      const start = performance.now()
      const result = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
      if (result.status !== 0) throw new Error(`${file} ${args.join(' ')}: ${result.stderr.toString()}`)
      return performance.now() - start
    }
    run(process.execPath, [paths.runjBin, '--root', root, 'list']) // builds index.json
    const list: number[] = []
    const node: number[] = []
    for (let i = 0; i < 11; i++) {
      node.push(run(process.execPath, ['-e', '0']))
      list.push(run(process.execPath, [paths.runjBin, '--root', root, 'list']))
    }
    const listRatio = median(list) / median(node)

    // 1,000,000 events in one log (~300 MB): history --format ndjson to /dev/null, peak RSS from /usr/bin/time.
    const N = 1_000_000
    const big: DomainEvent[] = Array.from({ length: N }, (_, i): DomainEvent => ({ type: 'SignalSent', data: { signal: 'SIGUSR1', pids: [i + 1] } }))
    writeEvents(root, 'big', big, 50_000)
    big.length = 0
    const timeOut = join(dir, 'time.out')
    const start = performance.now()
    const result = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeOut, process.execPath, paths.runjBin, '--root', root, 'history', '--format', 'ndjson', 'big'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    const seconds = (performance.now() - start) / 1000
    if (result.status !== 0) throw new Error(`history --format ndjson: ${result.stderr.toString()}`)
    const rssMb = Number(readFileSync(timeOut, 'utf8').trim().split('\n').at(-1)) / 1024
    return [
      { measure: '`runj list` with 1,000 containers / `node -e 0` (medians of 11, interleaved)', value: `${listRatio.toFixed(2)} (${median(list).toFixed(1)} ms / ${median(node).toFixed(1)} ms)`, target: '<= 1.5', ok: listRatio <= 1.5 },
      { measure: '`runj history --format ndjson` of 1,000,000 events: peak RSS', value: `${rssMb.toFixed(0)} MB`, target: '< 150 MB', ok: rssMb < 150 },
      { measure: '  and its rate (whole command, output to /dev/null)', value: `${Math.round(N / seconds).toLocaleString('en-US')} events/s (${seconds.toFixed(2)} s)`, target: 'info', ok: true },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
