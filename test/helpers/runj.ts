// Runs the real `runj` binary (bin/runj.js, built into dist/ by `npm run build`) and captures what it did.
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const RUNJ_BIN = fileURLToPath(new URL('../../bin/runj.js', import.meta.url))

/** The test runner's environment without its TypeScript loader hooks, which must not reach real binaries. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  delete env['NODE_OPTIONS']
  for (const key of Object.keys(env)) if (/^(TS_NODE_|TAP_|TAP$|_TAPJS_)/.test(key)) delete env[key]
  return env
}

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const scratch = mkdtempSync(join(tmpdir(), 'runj-test-io-'))
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }))
let serial = 0

/**
 * stdio goes through files, not pipes: a container inherits runj's stdio at create, and would
 * otherwise hold a pipe open long after runj exits.
 */
export function runj(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<RunResult> {
  const base = join(scratch, String(++serial))
  writeFileSync(`${base}.in`, options.input ?? '')
  const fds = [openSync(`${base}.in`, 'r'), openSync(`${base}.out`, 'w'), openSync(`${base}.err`, 'w')]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNJ_BIN, ...args], { env: options.env ?? cleanEnv(), cwd: options.cwd, stdio: fds })
    for (const fd of fds) closeSync(fd)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const result = { code, signal, stdout: readFileSync(`${base}.out`, 'utf8'), stderr: readFileSync(`${base}.err`, 'utf8') }
      for (const ext of ['in', 'out', 'err']) rmSync(`${base}.${ext}`, { force: true })
      resolve(result)
    })
  })
}
