// Writes an OCI image layout as one tar file (image-layout.md), the form `ctr image import` and oci-archive: read.
import { createReadStream, createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { OperationError } from '../errors.js'
import type { ImageDocuments } from './image-layout.js'
import type { Layer } from './layer.js'

// The layer blob is most of the file: large reads and writes keep its copy cheap.
const CHUNK = 1 << 20

const blobPath = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, '')}`

/**
 * Writes `path` (a new file): oci-layout, index.json, then blobs/sha256/ with the config, the manifest and the layer
 * read from `layerFile`. Readers load the whole tar before they follow index.json, so the order is free: the small
 * documents go first, the layer is copied last, straight from its file.
 */
export async function writeImageArchive(path: string, documents: ImageDocuments, layer: Layer, layerFile: string, options: { signal: AbortSignal; mtime: Date }): Promise<void> {
  const pack = tar.pack()
  // Either side failing stops the other: the copy must not wait on a pack nobody reads.
  const stop = new AbortController()
  const forward = () => stop.abort(options.signal.reason)
  options.signal.addEventListener('abort', forward, { once: true })
  const header = (name: string, size: number) => ({ name, size, mtime: options.mtime, mode: 0o644, uname: 'root', gname: 'wheel' })
  const directory = (name: string) => ({ name, type: 'directory' as const, mtime: options.mtime, mode: 0o755, uname: 'root', gname: 'wheel' })
  const written = pipeline(pack, createWriteStream(path, { flags: 'wx', highWaterMark: CHUNK }), { signal: stop.signal })
  const packed = (async () => {
    pack.entry(header('oci-layout', documents.ociLayout.length), documents.ociLayout)
    pack.entry(header('index.json', documents.index.length), documents.index)
    pack.entry(directory('blobs/'))
    pack.entry(directory('blobs/sha256/'))
    for (const blob of [documents.config, documents.manifest]) pack.entry(header(blobPath(blob.digest), blob.size), blob.bytes)
    await pipeline(createReadStream(layerFile, { highWaterMark: CHUNK }), pack.entry(header(blobPath(layer.digest), layer.size)), { signal: stop.signal })
    pack.finalize()
  })()
  const stopping = (done: Promise<void>) =>
    done.catch((error: unknown) => {
      stop.abort(error)
      throw error
    })
  const [packing, writing] = await Promise.allSettled([stopping(packed), stopping(written)])
  options.signal.removeEventListener('abort', forward)
  if (options.signal.aborted) throw options.signal.reason
  if (writing.status === 'rejected') throw new OperationError(`cannot write ${path}: ${messageOf(writing.reason)}`)
  if (packing.status === 'rejected') throw new OperationError(`cannot copy the layer ${layerFile} into ${path}: ${messageOf(packing.reason)}`)
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
