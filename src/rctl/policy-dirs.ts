// Finds and reads rctl policy files and host.json in the policy directories (host side: the only rctl module with I/O).
import { open, readdir } from 'node:fs/promises'
import { dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidInputError } from '../errors.js'
import { HOST_CAPS_NAME, parseHostCaps, parsePolicy, POLICY_NAME, strictestCaps, type HostCaps, type Policy } from './policy.js'

export const SYSTEM_POLICY_DIR = '/usr/local/etc/runj/policies'
const ANNOTATION = 'annotations["org.freebsd.rctl.policy"]'
/** Policy files are a few hundred bytes; the limit keeps a wrong path (a log, a device) from being slurped. */
const MAX_FILE_BYTES = 64 * 1024

const isMissing = (error: unknown): boolean =>
  error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')

/** The directory holding runj's package.json: esbuild moves this code into dist/chunks/, so walk up rather than guess. */
async function packageRoot(): Promise<string> {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const json = await readJson(join(dir, 'package.json')).catch(() => undefined)
    if ((json as { name?: unknown } | undefined)?.name === 'runj') return dir
    if (dirname(dir) === dir) throw new Error(`no runj package.json above ${fileURLToPath(import.meta.url)}`)
  }
}

/** Shipped presets, then the administrator's, then RUNJ_POLICY_DIR: a later directory's file of the same name wins. */
export async function policyDirectories(env: NodeJS.ProcessEnv): Promise<string[]> {
  const dirs = [join(await packageRoot(), 'policies'), SYSTEM_POLICY_DIR]
  const extra = env['RUNJ_POLICY_DIR']
  if (extra !== undefined && extra !== '') {
    // A relative path would depend on the working directory, which differs between create and update.
    if (!isAbsolute(extra)) throw new InvalidInputError('RUNJ_POLICY_DIR', `must be an absolute path, not "${extra}"`)
    dirs.push(extra)
  }
  return dirs
}

/** A file's text, undefined when it does not exist; refuses files over MAX_FILE_BYTES. */
async function readSmallFile(path: string): Promise<string | undefined> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
  try {
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > MAX_FILE_BYTES) throw new InvalidInputError(path, `larger than ${MAX_FILE_BYTES} bytes`)
    return buffer.toString('utf8', 0, bytesRead)
  } finally {
    await handle.close()
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readSmallFile(path)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new InvalidInputError(path, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

/** Policy names across all directories (host.json excluded), sorted, for the "unknown policy" message. */
async function knownPolicies(dirs: readonly string[]): Promise<string[]> {
  const names = new Set<string>()
  for (const dir of dirs) {
    const entries = await readdir(dir).catch((error: unknown) => (isMissing(error) ? [] : Promise.reject(error)))
    for (const entry of entries) {
      const name = entry.endsWith('.json') ? entry.slice(0, -'.json'.length) : ''
      if (POLICY_NAME.test(name) && name !== HOST_CAPS_NAME) names.add(name)
    }
  }
  return [...names].sort()
}

/** The named policy from the last directory that has it. */
export async function loadPolicy(name: string, env: NodeJS.ProcessEnv = process.env): Promise<Policy> {
  if (!POLICY_NAME.test(name) || name === HOST_CAPS_NAME) throw new InvalidInputError(ANNOTATION, `"${name}" is not a policy name`)
  const dirs = await policyDirectories(env)
  for (const dir of [...dirs].reverse()) {
    const file = join(dir, `${name}.json`)
    const json = await readJson(file)
    if (json !== undefined) return parsePolicy(json, name, file)
  }
  const known = await knownPolicies(dirs)
  throw new InvalidInputError(ANNOTATION, `unknown policy "${name}"; known: ${known.length === 0 ? '(none)' : known.join(', ')}`)
}

/** Caps from every directory's host.json, combined by strictestCaps (the lowest cap per resource wins). */
export async function loadHostCaps(env: NodeJS.ProcessEnv = process.env): Promise<HostCaps> {
  const found: HostCaps[] = []
  for (const dir of await policyDirectories(env)) {
    const file = join(dir, `${HOST_CAPS_NAME}.json`)
    const json = await readJson(file)
    if (json !== undefined) found.push(parseHostCaps(json, file))
  }
  return strictestCaps(found)
}
