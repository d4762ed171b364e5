// Error reporting for the CLI: one line on stderr, and conmon's JSON lines (or text) in the --log file.
import { appendFileSync } from 'node:fs'

export type LogFormat = 'text' | 'json'

export interface LogTarget {
  readonly file: string | undefined
  readonly format: LogFormat
}

/** Writes `runj: <message>` to stderr and, with --log, one record to the log file (podman reads `msg`). */
export function reportError(message: string, target: LogTarget): void {
  const oneLine = message.replace(/\s*\n\s*/g, ' ')
  process.stderr.write(`runj: ${oneLine}\n`)
  if (target.file === undefined) return
  const time = new Date().toISOString()
  const line =
    target.format === 'json'
      ? JSON.stringify({ level: 'error', msg: oneLine, time })
      : `time=${JSON.stringify(time)} level=error msg=${JSON.stringify(oneLine)}`
  try {
    appendFileSync(target.file, `${line}\n`)
  } catch (error) {
    process.stderr.write(`runj: cannot write log file ${target.file}: ${(error as Error).message}\n`)
  }
}

export function warn(message: string): void {
  process.stderr.write(`runj: warning: ${message}\n`)
}
