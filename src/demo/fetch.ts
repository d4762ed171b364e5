// HTTP GETs of the demo helpers: a small text (a MANIFEST), and a large file into a .part that a rerun resumes.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { OperationError } from '../errors.js'
import { humanBytes, startProgress } from './progress.js'

/** What fetch's own errors mean: its TypeError ("fetch failed", "terminated") carries the socket's error as cause. */
function reason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  if (!(cause instanceof Error)) return String(cause)
  // A host with several addresses fails with an AggregateError of each address's error, its own message empty.
  const first = cause instanceof AggregateError ? cause.errors.find((inner): inner is Error => inner instanceof Error) : undefined
  return cause.message || first?.message || (cause as NodeJS.ErrnoException).code || cause.name
}

/**
 * fetch() with redirects followed; a network failure or an HTTP error is an OperationError naming the URL. A ranged
 * request may also end in 416 (RFC 9110 15.5.17): the caller decides what it means.
 */
async function get(url: string, from = 0, signal: AbortSignal | null = null): Promise<Response> {
  // identity: a Range counts the bytes the server stores, and fetch would otherwise decode a gzip or br response.
  const headers: Record<string, string> = from > 0 ? { 'accept-encoding': 'identity', range: `bytes=${from}-` } : { 'accept-encoding': 'identity' }
  let response: Response
  try {
    response = await fetch(url, { headers, signal, redirect: 'follow' })
  } catch (error) {
    throw new OperationError(`cannot download ${url}: ${reason(error)}`, { cause: error })
  }
  if (response.ok || (from > 0 && response.status === 416)) return response
  await response.body?.cancel()
  throw new OperationError(`cannot download ${url}: HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`)
}

export async function fetchText(url: string): Promise<string> {
  const response = await get(url)
  try {
    return await response.text()
  } catch (error) {
    throw new OperationError(`cannot download ${url}: ${reason(error)}`, { cause: error })
  }
}

/**
 * The first byte of a 206's `Content-Range: bytes first-last/complete` (RFC 9110 14.4) and the file's size: the
 * complete length (a server may send less than the rest: the part is then incomplete, and a rerun asks for more).
 */
function contentRange(response: Response): { first: number; size: number } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '')
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return null
  return { first: Number(match[1]), size: match[3] === '*' ? Number(match[2]) + 1 : Number(match[3]) }
}

async function hashFile(path: string, bytes: number, hash: Hash): Promise<void> {
  if (bytes === 0) return
  for await (const chunk of createReadStream(path, { end: bytes - 1 })) hash.update(chunk as Buffer)
}

/**
 * Downloads `url` into `part`, continuing after the bytes an earlier attempt left there: a 206 is appended, a 200 (the
 * server ignored the Range) starts over, a 416 (nothing after them) means the part may be complete. The SHA-256 covers
 * the whole part. On a dropped connection or SIGINT/SIGTERM the part stays for the next attempt.
 */
export async function fetchToPart(url: string, part: string, label: string, stream: NodeJS.WriteStream): Promise<{ sha256: string; bytes: number }> {
  const kept = (await stat(part).catch(() => null))?.size ?? 0
  const aborter = new AbortController()
  const interrupt = (signal: NodeJS.Signals) => aborter.abort(new Error(`interrupted by ${signal}`))
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt)
  try {
    const response = await get(url, kept, aborter.signal)
    const hash = createHash('sha256')
    if (response.status === 416) {
      await response.body?.cancel()
      stream.write(`${label}: ${humanBytes(kept)} already downloaded, verifying ${part}\n`)
      await hashFile(part, kept, hash)
      return { sha256: hash.digest('hex'), bytes: kept }
    }
    let start = 0
    let total = Number(response.headers.get('content-length') ?? Number.NaN)
    if (response.status === 206) {
      const range = contentRange(response)
      if (range?.first !== kept) {
        await response.body?.cancel()
        throw new OperationError(`cannot resume ${url}: asked for bytes ${kept}- and got Content-Range ${JSON.stringify(response.headers.get('content-range'))}; remove ${part} to start over`)
      }
      stream.write(`${label}: resuming after the ${humanBytes(kept)} in ${part}\n`)
      await hashFile(part, kept, hash)
      ;[start, total] = [kept, range.size]
    } else if (kept > 0) {
      stream.write(`${label}: the server does not resume downloads, starting over\n`)
    }
    return await receive(response, { part, start, total: Number.isFinite(total) ? total : undefined, hash, label, stream })
  } finally {
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt)
  }
}

interface Receiving {
  readonly part: string
  readonly start: number
  readonly total: number | undefined
  readonly hash: Hash
  readonly label: string
  readonly stream: NodeJS.WriteStream
}

/** Writes the body after `start` bytes of the part (truncating it when start is 0), one awaited write at a time. */
async function receive(response: Response, { part, start, total, hash, label, stream }: Receiving): Promise<{ sha256: string; bytes: number }> {
  const file = await open(part, start > 0 ? 'a' : 'w', 0o644).catch(async (error: unknown) => {
    await response.body?.cancel()
    throw error
  })
  const progress = startProgress(label, { total, start, stream })
  let done = start
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        hash.update(chunk)
        await file.write(chunk)
        done += chunk.length
        progress.update(done)
      }
    }
    // A body cut short without a socket error (no Content-Length, a short 206): the announced size tells.
    if (total !== undefined && done < total) throw new Error('the transfer ended before the end of the file')
    await file.sync()
  } catch (error) {
    progress.abort()
    await file.close()
    const of = total === undefined ? '' : ` of ${humanBytes(total)}`
    throw new OperationError(`download of ${response.url} stopped at ${humanBytes(done)}${of}: ${reason(error)}; ${part} is kept, run the same command again to resume`, { cause: error })
  }
  await file.close()
  progress.finish()
  return { sha256: hash.digest('hex'), bytes: done }
}
