// A FreeBSD userland simulator instance for a benchmark, and the environment that puts it first on PATH.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

/** Runs test/sim/install.sh (its path resolved by bench/main.ts: bundled chunks cannot resolve it) into `dir`/sim. */
export function installBenchSimulator(simInstall: string, dir: string, cleanEnv: NodeJS.ProcessEnv): { simDir: string; env: NodeJS.ProcessEnv } {
  const installed = spawnSync('/bin/sh', [simInstall, join(dir, 'sim')], { encoding: 'utf8' })
  if (installed.status !== 0) throw new Error(`test/sim/install.sh failed: ${installed.stderr}`)
  const simDir = installed.stdout.trim()
  return { simDir, env: { ...cleanEnv, PATH: `${join(simDir, 'bin')}:${cleanEnv['PATH'] ?? '/usr/bin:/bin'}` } }
}
