// Benchmark of issue 7: `runj demo oci-image` of a 200 MB base.txz against `xz -dc | gzip` of the same file, and its peak RSS.
import { spawn, spawnSync } from 'node:child_process'
import { randomFillSync, randomInt } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tar from 'tar-stream'
import type { Row } from './log.js'
import { median } from './median.js'

const MiB = 1 << 20
const UNITS = 8
const UNIT_BYTES = 8 * MiB

/** Text-like bytes: slices of a 16 MiB pool of skewed tokens, farther apart than xz -1's 1 MiB dictionary reaches. */
function tokenPool(): Buffer {
  const skew = Buffer.from(Array.from({ length: 256 }, (_, i) => 32 + Math.floor(64 * (i / 256) ** 2)))
  const vocabulary = Array.from({ length: 8192 }, (_, i) => Buffer.from(randomFillSync(new Uint8Array(2 + (i % 11))).map((byte) => skew[byte] as number)))
  const pool = Buffer.alloc(16 * MiB)
  const picks = randomFillSync(new Uint32Array(pool.length / 4))
  for (let at = 0, k = 0; at < pool.length; k++) at += (vocabulary[Math.floor(vocabulary.length * ((picks[k % picks.length] as number) / 2 ** 32) ** 3)] as Buffer).copy(pool, at)
  return pool
}

/** One unit: a tar fragment (no end blocks) of files of mixed sizes, one in ten of random (incompressible) bytes. */
async function unit(index: number, pool: Buffer): Promise<Buffer> {
  const pack = tar.pack()
  for (let written = 0, file = 0; written < UNIT_BYTES; file++) {
    const size = Math.min(UNIT_BYTES - written, 512 + randomInt(2 * MiB) * (randomInt(4) === 0 ? 1 : 0.1)) | 0
    const random = randomInt(10) === 0
    const from = randomInt(pool.length - size)
    pack.entry({ name: `./usr/${random ? 'share/misc' : 'lib'}/u${index}f${file}`, mode: 0o644, size }, random ? randomFillSync(Buffer.alloc(size)) : pool.subarray(from, from + size))
    written += size + 512
  }
  pack.finalize()
  const parts: Buffer[] = []
  for await (const chunk of pack) parts.push(chunk as Buffer)
  // Without the 1024 end-of-archive bytes: the units are concatenated.
  return Buffer.concat(parts).subarray(0, -1024)
}

const xz = (input: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const child = spawn('xz', ['-1', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] })
    const out: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.on('error', reject).on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`xz exited with ${code}`))))
    child.stdin.end(input)
  })

/**
 * A ~200 MB base.txz: xz(1) decompresses concatenated streams as one, so eight units compressed once (two at a
 * time) and repeated make a ~600 MB tar in seconds; file names repeat, which no step measured here looks at.
 */
async function generateBase(path: string, target: number): Promise<{ tarBytes: number }> {
  const pool = tokenPool()
  const units: Buffer[] = []
  for (let i = 0; i < UNITS; i += 2) units.push(...(await Promise.all([unit(i, pool), unit(i + 1, pool)].map(async (u) => xz(await u)))))
  const fd = openSync(path, 'w')
  let [written, tarBytes] = [0, 0]
  for (let i = 0; written < target; i++) {
    written += writeSync(fd, units[i % UNITS] as Buffer)
    tarBytes += UNIT_BYTES
  }
  writeSync(fd, await xz(Buffer.alloc(1024)))
  closeSync(fd)
  return { tarBytes }
}

export async function benchOciImage(runjBin: string, cleanEnv: NodeJS.ProcessEnv): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'runj-bench-oci-'))
  try {
    const base = join(dir, 'base.txz')
    const generated = performance.now()
    const { tarBytes } = await generateBase(base, 200 * MiB)
    const generation = (performance.now() - generated) / 1000
    const timed = (file: string, args: string[]): number => {
      const start = performance.now()
      const result = spawnSync(file, args, { env: cleanEnv, stdio: ['ignore', 'ignore', 'pipe'] })
      if (result.status !== 0) throw new Error(`${file} ${args.join(' ')}: ${result.stderr.toString()}`)
      return performance.now() - start
    }
    const [ours, shell, ratios, rss]: [number[], number[], number[], number[]] = [[], [], [], []]
    for (let i = 0; i < 3; i++) {
      shell.push(timed('/bin/sh', ['-c', `xz -dc '${base}' | gzip > '${join(dir, 'base.tar.gz')}'`]))
      const args = ['-f', '%M', '-o', join(dir, 'time.out'), process.execPath, runjBin, 'demo', 'oci-image', '-i', base, '-a', 'amd64', '-o', join(dir, 'image.tar'), '--force']
      ours.push(timed('/usr/bin/time', args))
      ratios.push((ours.at(-1) as number) / (shell.at(-1) as number))
      rss.push(Number(readFileSync(join(dir, 'time.out'), 'utf8').trim().split('\n').at(-1)) / 1024)
    }
    const ratio = median(ratios)
    const peak = Math.max(...rss)
    const sizes = `${(statSync(base).size / 1e6).toFixed(0)} MB base.txz, ${(tarBytes / 1e6).toFixed(0)} MB tar, ${(statSync(join(dir, 'image.tar')).size / 1e6).toFixed(0)} MB image`
    return [
      { measure: '`runj demo oci-image` of a 200 MB base.txz / `xz -dc | gzip` (median of 3, interleaved)', value: `${ratio.toFixed(2)} (${(median(ours) / 1000).toFixed(1)} s / ${(median(shell) / 1000).toFixed(1)} s)`, target: '<= 1.3', ok: ratio <= 1.3 },
      { measure: '  and its peak RSS', value: `${peak.toFixed(0)} MB`, target: '< 150 MB', ok: peak < 150 },
      { measure: '  input (generated in the run)', value: `${sizes}; ${generation.toFixed(1)} s to generate`, target: 'info', ok: true },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
