// `runj demo rootfs`: builds the rootfs in a staging directory and renames it into place, so a failure leaves nothing.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { InvalidInputError, OperationError } from '../errors.js'
import { humanBytes } from './progress.js'
import { buildRootfs, locateProgram } from './rootfs.js'

/**
 * What a container needs to be useful at a shell, and what `demo spec` relies on: sh as the process, env(1) for
 * non-root users (docs/decisions.md D9). All are in FreeBSD's /rescue except env, taken from /usr/bin with its libraries.
 */
export const DEFAULT_PROGRAMS = ['sh', 'env', 'echo', 'cat', 'ls', 'mkdir', 'rm', 'sleep', 'hostname', 'id']
// FreeBSD's /etc/passwd entry for nobody: what `demo spec --rootless` runs as.
const NOBODY = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' }

export async function rootfsCommand(options: { output: string; fromHost?: string[] }): Promise<void> {
  const programs = options.fromHost ?? DEFAULT_PROGRAMS
  const output = resolve(options.output)
  const rescue = process.platform === 'freebsd' && existsSync('/rescue') ? '/rescue' : null
  // Everything that can be refused is refused before the first file is written.
  for (const program of programs) locateProgram(program, rescue)
  if (existsSync(output)) {
    if (!statSync(output).isDirectory()) throw new InvalidInputError('-o', `${options.output} exists and is not a directory`)
    if (readdirSync(output).length > 0) throw new OperationError(`${options.output} is not empty: runj demo rootfs never writes into an existing tree`)
  }
  mkdirSync(dirname(output), { recursive: true })
  const staging = join(dirname(output), `.${basename(output)}.runj-${process.pid}`)
  try {
    const summary = buildRootfs(staging, programs, { users: [NOBODY], rescue })
    if (existsSync(output)) rmdirSync(output) // empty, checked above; rmdir fails rather than lose anything
    renameSync(staging, output)
    const source = rescue === null ? 'host programs and their shared libraries' : `${rescue} and the host`
    process.stdout.write(`${options.output}: ${summary.programs} programs, ${summary.libraries} libraries, ${humanBytes(summary.bytes)} from ${source}; users root and nobody\n`)
  } catch (error) {
    rmSync(staging, { recursive: true, force: true })
    throw error instanceof InvalidInputError || error instanceof OperationError ? error : new OperationError(`cannot build ${options.output}: ${(error as Error).message}`, { cause: error })
  }
}
