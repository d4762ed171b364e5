// Concurrency: 8 processes append 200 events each to one stream; the result is exactly seq 1..1600, nothing lost.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { hashOf } from '../../src/store/hash.js'
import { readStreamFile, streamPath } from '../../src/store/file-store.js'
import { bundleFixture } from '../helpers/bundle.js'

t.test('8 writers x 200 appends through the store', async (t) => {
  const root = t.testdir()
  const child = await bundleFixture('test/fixtures/append-loop.ts', t.testdir())
  const writers = Array.from({ length: 8 }, (_, w) =>
    spawn(process.execPath, [child, root, 'web', 'count', String(w + 1), '200'], { stdio: ['ignore', 'ignore', 'inherit'] }),
  )
  const codes = await Promise.all(writers.map(async (proc) => (await once(proc, 'exit'))[0]))
  t.same(codes, Array(8).fill(0), 'every writer finished cleanly')
  const { events, torn } = await readStreamFile(streamPath(root, 'web'), { verifyHashes: hashOf, validateData: null })
  t.equal(torn, null)
  t.same(events.map((e) => e.seq), Array.from({ length: 1600 }, (_, i) => i + 1), 'seq 1..1600, chain verified on read')
  const seen = new Set(events.map((e) => (e.data as { pids: number[] }).pids.join(':')))
  t.equal(seen.size, 1600, 'no event duplicated')
  for (let w = 1; w <= 8; w++)
    for (let i = 1; i <= 200; i++) if (!seen.has(`${w}:${i * 10 + 1}`)) t.fail(`writer ${w} event ${i} lost`)
})
