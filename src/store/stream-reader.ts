// Reading a log with bounded memory: records stream out chunk by chunk (history of a million events), and a tail
// reader that picks up what other processes append (history --follow). Every line goes through the same checks.
import { open, type FileHandle } from 'node:fs/promises'
import { LineChecker, type DecodeOptions } from './decode.js'
import type { StoredEvent } from './record.js'

const CHUNK = 1024 * 1024

export interface RecordLine {
  readonly record: StoredEvent
  /** The line exactly as stored, without its newline. */
  readonly line: string
}

/** Opens `path`, or null when it does not exist. */
async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/**
 * Reads complete lines from `offset` to the end of `file` as it is now. Returns them with the offset after the last
 * complete line; bytes of an unfinished last line are left for the next call.
 */
async function* completeLines(file: FileHandle, offset: number): AsyncGenerator<{ line: string; next: number }> {
  let pending = Buffer.alloc(0)
  let position = offset
  for (;;) {
    const chunk = Buffer.allocUnsafe(CHUNK)
    const { bytesRead } = await file.read(chunk, 0, CHUNK, position)
    if (bytesRead === 0) return
    position += bytesRead
    const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead)
    let start = 0
    for (let end = data.indexOf(0x0a, start); end !== -1; end = data.indexOf(0x0a, start)) {
      yield { line: data.toString('utf8', start, end), next: position - (data.length - end - 1) }
      start = end + 1
    }
    pending = Buffer.from(data.subarray(start))
  }
}

/**
 * Every record of a log file in order, checked as readStream checks them, holding one chunk at a time.
 * `torn` (a last line without its newline, a crash mid-write) is reported in the result, never yielded.
 */
export async function* streamRecords(path: string, options: DecodeOptions): AsyncGenerator<RecordLine, { count: number; torn: number | null }> {
  const file = await openIfExists(path)
  if (file === null) return { count: 0, torn: null }
  try {
    const checker = new LineChecker(path, options)
    let end = 0
    for await (const { line, next } of completeLines(file, 0)) {
      yield { record: checker.accept(line), line }
      end = next
    }
    const size = (await file.stat()).size
    return { count: checker.count, torn: size > end ? size - end : null }
  } finally {
    await file.close()
  }
}

/**
 * Follows a live log: each call returns the records appended since the last one (history --follow). The file stays
 * open once found, so the records appended just before delete moves it into the archive are still read.
 */
export class StreamTail {
  private offset = 0
  private file: FileHandle | null = null
  private readonly checker: LineChecker

  constructor(
    readonly path: string,
    options: DecodeOptions,
  ) {
    this.checker = new LineChecker(path, options)
  }

  /** New complete records; an empty list when nothing was appended or the file does not exist yet. */
  async read(): Promise<RecordLine[]> {
    this.file ??= await openIfExists(this.path)
    if (this.file === null) return []
    const out: RecordLine[] = []
    for await (const { line, next } of completeLines(this.file, this.offset)) {
      out.push({ record: this.checker.accept(line), line })
      this.offset = next
    }
    return out
  }

  async close(): Promise<void> {
    await this.file?.close()
    this.file = null
  }
}
