// The file event store: <root>/containers/<id>/events.jsonl, appended with O_APPEND + fsync under <root>/locks/<id>.lock.
import { constants } from 'node:fs'
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { DomainEvent } from '../domain/events.js'
import { decodeStream, visitStream, type DecodeOptions } from './decode.js'
import { ConcurrencyError, LogCorruptError } from './errors.js'
import { GENESIS_HASH, type StoredEvent } from './record.js'
import type { AppendOptions, EventStore, StreamRead } from './store.js'

const TAIL_CHUNK = 64 * 1024

export const containerDir = (root: string, id: string): string => join(root, 'containers', id)
export const streamPath = (root: string, id: string): string => join(containerDir(root, id), 'events.jsonl')

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    return ''
  }
}

/** Reads `path` (a live or archived stream) and decodes every line. A missing file is an empty stream. */
export async function readStreamFile(path: string, options: DecodeOptions): Promise<StreamRead> {
  const decoded = decodeStream(await readText(path), path, options)
  return { ...decoded, version: decoded.events.length }
}

/** Checks every line and link of `path` without keeping the records (history --verify). */
export async function verifyStreamFile(path: string, options: DecodeOptions): Promise<{ count: number; torn: StreamRead['torn'] }> {
  return visitStream(await readText(path), path, options, () => undefined)
}

/**
 * Finds the last complete line without reading the whole file (appends must not grow with the
 * log), truncating a torn tail left by a crash mid-write.
 */
async function lastRecord(file: FileHandle, path: string): Promise<{ seq: number; hash: string }> {
  let size = (await file.stat()).size
  for (let window = TAIL_CHUNK; size > 0; window *= 2) {
    const start = Math.max(0, size - window)
    const buffer = Buffer.alloc(size - start)
    await file.read(buffer, 0, buffer.length, start)
    const lastNewline = buffer.lastIndexOf(0x0a)
    if (lastNewline === -1 && start > 0) continue
    if (lastNewline !== buffer.length - 1) {
      size = start + lastNewline + 1
      await file.truncate(size)
      if (lastNewline === -1) break
    }
    const previousNewline = lastNewline > 0 ? buffer.lastIndexOf(0x0a, lastNewline - 1) : -1
    if (previousNewline === -1 && start > 0) continue
    const line = buffer.subarray(previousNewline + 1, lastNewline).toString('utf8')
    try {
      const { seq, hash } = JSON.parse(line) as { seq: unknown; hash: unknown }
      if (typeof seq === 'number' && typeof hash === 'string') return { seq, hash }
    } catch {
      // reported below
    }
    throw new LogCorruptError(path, 0, 'the last line is not a valid record; run `runj history --verify`')
  }
  return { seq: 0, hash: GENESIS_HASH }
}

export class FileEventStore implements EventStore {
  constructor(
    readonly root: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  readStream(id: string): Promise<StreamRead> {
    return readStreamFile(streamPath(this.root, id), { verifyHashes: null, validateData: null })
  }

  async appendToStream(id: string, events: readonly DomainEvent[], options: AppendOptions): Promise<StoredEvent[]> {
    return this.withLock(id, async () => {
      const dir = containerDir(this.root, id)
      await mkdir(dir, { recursive: true, mode: 0o700 })
      const path = streamPath(this.root, id)
      const file = await open(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600)
      try {
        const last = await lastRecord(file, path)
        if (options.expectedVersion !== 'any' && options.expectedVersion !== last.seq)
          throw new ConcurrencyError(id, options.expectedVersion, last.seq)
        const { encodeBatch } = await import('./hash.js')
        const { records, text } = encodeBatch(events, {
          version: last.seq,
          prev: last.hash,
          time: this.now().toISOString(),
          actor: options.actor,
        })
        // One write of whole lines under O_APPEND, then fsync: a crash leaves a valid prefix or a torn last line.
        const bytes = Buffer.from(text)
        const { bytesWritten } = await file.write(bytes, 0, bytes.length)
        if (bytesWritten !== bytes.length) throw new Error(`${path}: short write (${bytesWritten} of ${bytes.length} bytes)`)
        await file.sync()
        if (last.seq === 0) await syncDirectory(dir)
        return records
      } finally {
        await file.close()
      }
    })
  }

  async withLock<T>(id: string, fn: () => Promise<T>, options: { wait?: boolean } = {}): Promise<T> {
    const wait = options.wait ?? true
    const lockPath = join(this.root, 'locks', `${id}.lock`)
    // Loaded on first use: `runj state` reads without locking.
    const { acquireFileLock, withReentrantLock } = await import('./lock.js')
    return withReentrantLock(id, lockPath, fn, wait, async () => {
      await mkdir(join(this.root, 'locks'), { recursive: true, mode: 0o700 })
      return acquireFileLock(id, lockPath, wait)
    })
  }
}

/** fsync of the directory makes a newly created log file's name durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
