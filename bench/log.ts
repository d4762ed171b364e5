// Benchmarks of the event log (issue 2): append cost vs log length, replay rate, --verify rate.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DomainEvent } from '../src/domain/events.js'
import { evolve, initialState } from '../src/domain/state.js'
import { FileEventStore, readStreamFile, streamPath } from '../src/store/file-store.js'
import { encodeBatch } from '../src/store/hash.js'
import { GENESIS_HASH } from '../src/store/record.js'

export interface Row {
  readonly measure: string
  readonly value: string
  readonly target: string
  readonly ok: boolean
}

const actor = { uid: 0, pid: 1, ppid: 1, command: 'bench', runtime: 'runj bench' }
const event = (i: number): DomainEvent => ({ type: 'SignalSent', data: { signal: 'SIGUSR1', pids: [i] } })

/** Writes a valid n-event stream directly (no fsync per event) so setup does not dominate. */
function writeStream(root: string, id: string, n: number): void {
  const { text } = encodeBatch(Array.from({ length: n }, (_, i) => event(i + 1)), {
    version: 0,
    prev: GENESIS_HASH,
    time: new Date().toISOString(),
    actor,
  })
  mkdirSync(join(root, 'containers', id), { recursive: true })
  writeFileSync(streamPath(root, id), text)
}

async function appendMs(store: FileEventStore, id: string, rounds: number): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    await store.appendToStream(id, [event(i)], { expectedVersion: 'any', actor })
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)] as number
}

export async function benchLog(runjBin: string, cleanEnv: NodeJS.ProcessEnv): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'runj-bench-'))
  try {
    writeStream(root, 'small', 10)
    writeStream(root, 'large', 10_000)
    const store = new FileEventStore(root)
    await appendMs(store, 'small', 20)
    const small = await appendMs(store, 'small', 200)
    const large = await appendMs(store, 'large', 200)
    const ratio = large / small

    writeStream(root, 'replay', 100_000)
    const replayStart = performance.now()
    const { events } = await readStreamFile(streamPath(root, 'replay'), { verifyHashes: null, validateData: null })
    const state = events.reduce(evolve, initialState())
    const replaySeconds = (performance.now() - replayStart) / 1000
    if (state.status !== 'absent' || events.length !== 100_000) throw new Error('replay read the wrong stream')
    const replayRate = 100_000 / replaySeconds

    const verifyStart = performance.now()
    execFileSync(process.execPath, [runjBin, '--root', root, 'history', '--verify', 'replay'], { env: cleanEnv, stdio: 'ignore' })
    const verifyRate = 100_000 / ((performance.now() - verifyStart) / 1000)
    return [
      { measure: 'append at 10,000 events / at 10 events (median of 200)', value: `${ratio.toFixed(2)} (${large.toFixed(2)} ms / ${small.toFixed(2)} ms)`, target: '<= 1.5', ok: ratio <= 1.5 },
      { measure: 'replay of 100,000 events to state (read + decode + evolve)', value: `${Math.round(replayRate).toLocaleString('en')} events/s`, target: '>= 500,000 events/s', ok: replayRate >= 500_000 },
      { measure: '`runj history --verify` of 100,000 events (whole command)', value: `${Math.round(verifyRate).toLocaleString('en')} events/s`, target: '>= 150,000 events/s', ok: verifyRate >= 150_000 },
    ]
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
