// Crash safety: a child appending in a loop is SIGKILLed at random moments; the log must stay a valid chain.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { hashOf } from '../../src/store/hash.js'
import { readStreamFile, streamPath, FileEventStore } from '../../src/store/file-store.js'
import { bundleFixture } from '../helpers/bundle.js'
import { actor, signal } from './contract.js'

t.test('SIGKILL at random moments leaves a valid prefix, and the next append continues the chain', async (t) => {
  const root = t.testdir()
  const child = await bundleFixture('test/fixtures/append-loop.ts', t.testdir())
  const store = new FileEventStore(root)
  const kills = 50
  let grew = 0
  let lastVersion = 0
  for (let round = 1; round <= kills; round++) {
    const proc = spawn(process.execPath, [child, root, 'web', 'forever', '7'], { stdio: ['ignore', 'pipe', 'inherit'] })
    await once(proc.stdout, 'data')
    await sleep(Math.floor(Math.random() * 40))
    proc.kill('SIGKILL')
    await once(proc, 'exit')
    // The dead child may have held the lock: the next append must break it, not wait forever.
    const read = await readStreamFile(streamPath(root, 'web'), { verifyHashes: hashOf, validateData: null })
    if (read.version > lastVersion) grew++
    const [next] = await store.appendToStream('web', [signal(round)], { expectedVersion: read.version, actor })
    t.equal(next?.seq, read.version + 1, `round ${round}: next append takes seq ${read.version + 1}`)
    lastVersion = read.version + 1
  }
  const final = await readStreamFile(streamPath(root, 'web'), { verifyHashes: hashOf, validateData: null })
  t.equal(final.torn, null)
  t.same(final.events.map((e) => e.seq), Array.from({ length: final.version }, (_, i) => i + 1), 'seq is 1..n with no gap')
  t.ok(grew >= kills / 2, `the child appended before most kills (${grew} of ${kills})`)
})
