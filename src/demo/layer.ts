// The one layer of `runj demo oci-image`: base.txz through xz(1), hashed, gzip-compressed, hashed, to a blob file.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { OperationError } from '../errors.js'
import { xzDecompressor } from '../host/system.js'
import { TarProbe } from './tar-probe.js'

export interface Layer {
  /** sha256:<hex> of the uncompressed tar: the config's rootfs.diff_ids entry (config.md "Layer DiffID"). */
  readonly diffId: string
  /** sha256:<hex> and size of the gzip blob: its descriptor in the manifest (descriptor.md). */
  readonly digest: string
  readonly size: number
  /** The release the tar's bin/freebsd-version names, if it has one. */
  readonly userlandVersion: string | undefined
}

// Large reads and gzip output buffers: fewer chunks through each stage and fewer trips to zlib's thread.
const CHUNK = 1 << 20

/** A pass-through stage that hashes what flows and lets `observe` see each chunk. */
function observing(hash: Hash, observe: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      observe(chunk)
      callback(null, chunk)
    },
  })
}

/**
 * Streams `input` (an xz-compressed tar) into a new file `blob` as a gzip layer, with backpressure all the way, so
 * memory does not grow with the input. `onInput` hears the bytes of the input consumed so far. The tar is kept as it
 * is, byte for byte: its digest is the diff_id. gzip level 6 is gzip(1)'s default and the common registry choice.
 */
export async function buildLayer(input: string, blob: string, options: { signal: AbortSignal; onInput: (bytes: number) => void }): Promise<Layer> {
  const xz = xzDecompressor()
  let xzMessage = ''
  xz.stderr.setEncoding('utf8').on('data', (text: string) => (xzMessage = (xzMessage + text).slice(-2000)))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    xz.once('error', (error) => resolve({ code: null, signal: null, error }))
    xz.once('close', (code, signal) => resolve({ code, signal }))
  })
  const stopXz = () => xz.kill()
  options.signal.addEventListener('abort', stopXz, { once: true })

  let consumed = 0
  const source = createReadStream(input, { highWaterMark: CHUNK })
  source.on('data', (chunk) => options.onInput((consumed += chunk.length)))
  const tarHash = createHash('sha256')
  const gzipHash = createHash('sha256')
  const probe = new TarProbe()
  let size = 0
  // A failing side stops xz, so that the other side ends too instead of waiting on a pipe.
  const [fed, written, exit] = await Promise.all([
    failure(pipeline(source, xz.stdin, { signal: options.signal }), stopXz),
    failure(
      pipeline(
        xz.stdout,
        observing(tarHash, (chunk) => probe.observe(chunk)),
        createGzip({ level: 6, chunkSize: CHUNK }),
        observing(gzipHash, (chunk) => (size += chunk.length)),
        createWriteStream(blob, { flags: 'wx', highWaterMark: CHUNK }),
        { signal: options.signal },
      ),
      stopXz,
    ),
    exited,
  ])
  options.signal.removeEventListener('abort', stopXz)

  // The most telling cause first: an interruption; xz's own failure (an EPIPE on its stdin only follows from it);
  // then a write or a read failure, after which runj stopped xz itself.
  if (options.signal.aborted) throw options.signal.reason
  if (exit.error !== undefined) throw new OperationError(`cannot run xz (needed to decompress ${input}): ${exit.error.message}`)
  if (exit.code !== null && exit.code !== 0) {
    // xz reads its stdin: "xz: (stdin): File format not recognized" is about the input, which the message names.
    const said = xzMessage.trim().split('\n').at(-1)?.replace(/^xz: \(stdin\): /, 'xz: ')
    throw new OperationError(`cannot decompress ${input}: ${said || `xz exited with status ${exit.code}`}`)
  }
  if (written !== null) throw new OperationError(`cannot write ${blob}: ${written.message}`)
  if (fed !== null) throw new OperationError(`cannot read ${input}: ${fed.message}`)
  if (exit.code !== 0) throw new OperationError(`xz was killed by ${exit.signal ?? 'a signal'} while decompressing ${input}`)
  if (probe.isTar !== true) throw new OperationError(`${input} is not a tar archive once decompressed (a base.txz is an xz-compressed tar)`)
  return { diffId: `sha256:${tarHash.digest('hex')}`, digest: `sha256:${gzipHash.digest('hex')}`, size, userlandVersion: probe.userlandVersion }
}

/** The error a pipeline failed with, or null; `onFailure` runs at once, before the other pipeline is awaited. */
function failure(done: Promise<void>, onFailure: () => void): Promise<Error | null> {
  return done.then(
    () => null,
    (error: unknown) => {
      onFailure()
      return error instanceof Error ? error : new Error(String(error))
    },
  )
}
