// Runs the real `runj` binary (bin/runj, built into dist/ by `npm run build`) and captures what it did.
import { spawn } from 'node:child_process'
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

export function runj(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(RUNJ_BIN, args, { env: options.env ?? cleanEnv(), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}
