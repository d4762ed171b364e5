// `runj demo download`: a FreeBSD release's base.txz from a mirror, resumable, and checked against the release's MANIFEST.
import { rename, rm } from 'node:fs/promises'
import { basename } from 'node:path'
import { InvalidInputError, OperationError } from '../errors.js'
import { LockedError } from '../store/errors.js'
import { acquireFileLock } from '../store/lock.js'
import { hostRelease } from '../host/system.js'
import { fetchText, fetchToPart } from './fetch.js'
import { checkOutputFile, statOrNull } from './output.js'
import { humanBytes } from './progress.js'
import { checkRelease, DEFAULT_MIRROR, manifestDigest, releaseDirectory, type Release } from './release.js'

export interface ReleaseOptions {
  readonly machine?: string | undefined
  readonly arch?: string | undefined
  readonly version?: string | undefined
}

const FLAGS = { '-m': 'machine', '-a': 'arch', '-v': 'version' } as const
const HOST_SOURCES = { '-m': 'uname -m', '-a': 'uname -p', '-v': 'freebsd-version' } as const
type Flag = keyof typeof FLAGS
const isFlag = (where: string): where is Flag => where in FLAGS

/**
 * The release the flags name; a flag not given is this FreeBSD host's (uname -m, uname -p, freebsd-version without
 * its -pN patch level). On any other system all three are needed.
 */
export async function releaseFromOptions(options: ReleaseOptions, host: typeof hostRelease = hostRelease): Promise<Release> {
  const { machine, arch, version } = options
  if (machine !== undefined && arch !== undefined && version !== undefined) return checkRelease({ machine, arch, version })
  const running = await host()
  if (running === null) {
    const missing = (Object.keys(FLAGS) as Flag[]).filter((flag) => options[FLAGS[flag]] === undefined)
    throw new InvalidInputError(missing.join(', '), `required on ${process.platform} (there is no running FreeBSD to take ${missing.length === 1 ? 'it' : 'them'} from)`)
  }
  const release = { machine: machine ?? running.machine, arch: arch ?? running.arch, version: version ?? running.version }
  try {
    return checkRelease(release)
  } catch (error) {
    // The host's own value is refused (a -CURRENT or -STABLE build has no release directory): say where it came from.
    if (!(error instanceof InvalidInputError) || !isFlag(error.where) || options[FLAGS[error.where]] !== undefined) throw error
    throw new InvalidInputError(error.where, `${error.problem}; it is this host's ${HOST_SOURCES[error.where]}: give ${error.where}`, { cause: error })
  }
}

/** The output's checks, and a .part that a rerun would resume must be a file. */
async function checkOutput(output: string, force: boolean): Promise<void> {
  await checkOutputFile(output, force)
  const part = await statOrNull(`${output}.part`)
  if (part !== null && !part.isFile()) throw new InvalidInputError('-o', `${output}.part is in the way: it is not a regular file`)
}

/**
 * Downloads `<mirror>/releases/<machine>/<arch>/<version>/base.txz` to `output` through `output.part` (resumed when
 * there), after its MANIFEST; the part becomes the output only when its SHA-256 is the MANIFEST's.
 */
export async function downloadRelease(request: { release: Release; mirror: string; output: string; force: boolean; stream?: NodeJS.WriteStream }): Promise<{ path: string; sha256: string; bytes: number }> {
  const { output, force } = request
  const directory = releaseDirectory(request.mirror, checkRelease(request.release))
  await checkOutput(output, force)
  const manifest = `${directory}/MANIFEST`
  const expected = manifestDigest(await fetchText(manifest), 'base.txz')
  if (expected === null) throw new OperationError(`${manifest} does not list base.txz`)
  const part = `${output}.part`
  const unlock = await lockPart(part)
  try {
    return await finishDownload(directory, manifest, expected, { output, part, force, stream: request.stream ?? process.stderr })
  } finally {
    await unlock()
  }
}

/**
 * One writer per .part: a second run with the same -o would append to it at the same time and both would fail their
 * digest. The store's lock (a pid file made with link(2)) is broken at once when its holder is dead.
 */
async function lockPart(part: string): Promise<() => Promise<void>> {
  try {
    return await acquireFileLock(part, `${part}.lock`, false)
  } catch (error) {
    if (!(error instanceof LockedError)) throw error
    throw new OperationError(`${part} is being downloaded by ${error.holder === null ? 'another process' : `pid ${error.holder}`}: wait for it, or use another -o`)
  }
}

async function finishDownload(directory: string, manifest: string, expected: string, to: { output: string; part: string; force: boolean; stream: NodeJS.WriteStream }): Promise<{ path: string; sha256: string; bytes: number }> {
  const { output, part, force } = to
  const { sha256, bytes } = await fetchToPart(`${directory}/base.txz`, part, basename(output), to.stream)
  if (sha256 !== expected) {
    await rm(part, { force: true })
    throw new OperationError(`${output}: sha256 mismatch: ${manifest} says ${expected}, the download is ${sha256}; removed ${part} (a rerun downloads it again)`)
  }
  // The output may have appeared during a long download; --force replaces it only now, atomically (rename(2)).
  if (!force && (await statOrNull(output)) !== null) throw new OperationError(`${output} exists (use --force to replace it); the verified download is in ${part}`)
  await rename(part, output)
  return { path: output, sha256, bytes }
}

/** The CLI action: the release from the flags (or this host), the download, and one line on stdout. */
export async function downloadCommand(options: Readonly<Record<string, string | boolean | undefined>>): Promise<void> {
  const text = (name: string) => {
    const value = options[name]
    return typeof value === 'string' ? value : undefined
  }
  const release = await releaseFromOptions({ machine: text('machine'), arch: text('arch'), version: text('version') })
  const { path, sha256, bytes } = await downloadRelease({ release, mirror: text('mirror') ?? DEFAULT_MIRROR, output: text('output') ?? 'base.txz', force: options['force'] === true })
  process.stdout.write(`${path}: FreeBSD ${release.version} ${release.machine}/${release.arch}, ${humanBytes(bytes)}, sha256 ${sha256} verified\n`)
}
