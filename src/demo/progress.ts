// Progress of the demo helpers' long steps on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
import cliProgress from 'cli-progress'

export interface Progress {
  /** `done` units so far (bytes, or items when the unit is not bytes). */
  update(done: number): void
  /** Prints the final line (done, size, mean rate, duration). */
  finish(): void
  /** Stops drawing without a final line: the step failed and its error follows. */
  abort(): void
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/** 1536 -> "1.5 KiB": powers of 1024, as FreeBSD's humanize_number(3) and fetch(1) count. */
export function humanBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60]
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`
}

export interface ProgressOptions {
  /** Total units, when known (Content-Length, a file's size). */
  total?: number | undefined
  /** Units already done when the step starts (a resumed download): counted as done, not in the rate. */
  start?: number
  stream?: NodeJS.WriteStream
  /** Plain lines' interval when the stream is not a terminal. */
  intervalMs?: number
}

/** What one progress line says: `label  45% 90 MiB / 200 MiB  12 MiB/s  ETA 0:09`. */
export function progressLine(label: string, done: number, total: number | undefined, rate: number, elapsed: number, final: boolean): string {
  const size = total === undefined ? humanBytes(done) : `${humanBytes(done)} / ${humanBytes(total)}`
  const percent = total === undefined || total === 0 ? '' : `${String(Math.floor((100 * done) / total)).padStart(3)}% `
  const speed = `${humanBytes(Math.round(rate))}/s`
  if (final) return `${label} ${percent}${size} in ${clock(elapsed)} (${speed})`
  const eta = total === undefined || rate <= 0 || done >= total ? '' : `  ETA ${clock((total - done) / rate)}`
  return `${label} ${percent}${size}  ${speed}${eta}`
}

export function startProgress(label: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr
  const start = options.start ?? 0
  const began = performance.now()
  let done = start
  const rate = () => (done - start) / Math.max((performance.now() - began) / 1000, 0.001)
  const elapsed = () => (performance.now() - began) / 1000
  const line = () => progressLine(label, done, options.total, rate(), elapsed(), false)
  const display = stream.isTTY === true ? terminalBar(stream, options.total, line) : periodicLines(stream, options.intervalMs ?? 5000, line)
  display.start(done)
  let stopped = false
  const stop = () => {
    if (stopped) return false
    stopped = true
    display.stop()
    return true
  }
  return {
    update(value) {
      done = value
      display.update(value)
    },
    finish() {
      if (stop()) stream.write(`${progressLine(label, done, options.total, rate(), elapsed(), true)}\n`)
    },
    abort() {
      stop()
    },
  }
}

interface Display {
  start(done: number): void
  update(done: number): void
  stop(): void
}

/** On a terminal: cli-progress redraws the line and a bar in place, and clears it at the end for the summary. */
function terminalBar(stream: NodeJS.WriteStream, total: number | undefined, line: () => string): Display {
  const bar = new cliProgress.SingleBar({
    stream,
    // No terminal state to restore (a hidden cursor, autowrap off): a SIGINT or a crash leaves a usable terminal. The
    // line is cut at the terminal's width instead. gracefulExit would take SIGINT's default action away: the command
    // would go on after ^C.
    hideCursor: false,
    linewrap: true,
    gracefulExit: false,
    clearOnComplete: true,
    fps: 5,
    barsize: 24,
    format: (opts, params) => (total === undefined ? line() : `${line()} [${cliProgress.Format.BarFormat(params.progress, opts)}]`),
  })
  return { start: (done) => bar.start(total ?? 0, done), update: (done) => bar.update(done), stop: () => bar.stop() }
}

/** Elsewhere (a log, a pipe): one plain line at the start and every `intervalMs`; the timer never keeps runj alive. */
function periodicLines(stream: NodeJS.WriteStream, intervalMs: number, line: () => string): Display {
  let timer: NodeJS.Timeout | undefined
  return {
    start: () => {
      stream.write(`${line()}\n`)
      timer = setInterval(() => stream.write(`${line()}\n`), intervalMs).unref()
    },
    update: () => undefined,
    stop: () => clearInterval(timer),
  }
}
