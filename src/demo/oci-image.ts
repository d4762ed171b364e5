// `runj demo oci-image`: a FreeBSD base.txz as a one-layer OCI image layout tarball that ctr, podman and skopeo import.
import { access, constants, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { InvalidInputError, OperationError } from '../errors.js'
import { hostRelease } from '../host/system.js'
import { writeImageArchive } from './image-archive.js'
import { imageDocuments, type Platform } from './image-layout.js'
import { buildLayer, type Layer } from './layer.js'
import { checkOutputFile, statOrNull } from './output.js'
import { humanBytes, startProgress } from './progress.js'
import { defaultImageName, imageReference } from './reference.js'
import { checkMirror, DEFAULT_MIRROR, ociPlatform, type Release } from './release.js'

interface Plan {
  /** The base.txz given with -i, or the release to download one of. */
  readonly source: { readonly file: string } | { readonly release: Release; readonly mirror: string }
  readonly platform: Platform
  /** The normalized --tag, or from -v; else it waits for the tar's own bin/freebsd-version. */
  readonly refName: string | undefined
  readonly output: string
  /** The build time written into the config and the tar headers. */
  readonly created: Date
}

/** Every refusal before anything is written or downloaded: a command that cannot finish leaves no file behind. */
async function plan(options: Readonly<Record<string, string | boolean | undefined>>): Promise<Plan> {
  const text = (name: string) => (typeof options[name] === 'string' ? options[name] : undefined)
  const [input, machine, arch, version, mirror, tag] = ['input', 'machine', 'arch', 'version', 'mirror', 'tag'].map(text)
  const force = options['force'] === true
  const output = text('output') ?? 'image.tar'
  if (input !== undefined && (machine !== undefined || version !== undefined || mirror !== undefined)) {
    throw new InvalidInputError('-i', 'give either -i FILE or -m, -a and -v to download a base.txz, not both (-a alone names the architecture of FILE)')
  }
  const refName = tag === undefined ? undefined : imageReference(tag)
  let planned: Omit<Plan, 'output' | 'created'>
  if (input === undefined) {
    const { releaseFromOptions } = await import('./download.js')
    const release = await releaseFromOptions({ machine, arch, version }).catch((error: unknown) => {
      // With none of -m, -a, -v on another system, the user may not know that -i exists.
      if (!(error instanceof InvalidInputError) || [machine, arch, version].some((flag) => flag !== undefined)) throw error
      throw new InvalidInputError(error.where, `${error.problem}; or give -i with a base.txz`, { cause: error })
    })
    const source = { release, mirror: checkMirror(mirror ?? DEFAULT_MIRROR) }
    planned = { source, platform: ociPlatform(release.arch), refName: refName ?? imageReference(defaultImageName(release.version), '-v') }
  } else {
    const stats = await statOrNull(input)
    if (stats === null) throw new InvalidInputError('-i', `${input} does not exist`)
    if (!stats.isFile()) throw new InvalidInputError('-i', `${input} is not a regular file`)
    try {
      await access(input, constants.R_OK)
    } catch (error) {
      throw new InvalidInputError('-i', `cannot read ${input}: ${(error as Error).message}`)
    }
    if (resolve(input) === resolve(output)) throw new InvalidInputError('-o', `${output} is the input`)
    planned = { source: { file: input }, platform: await inputPlatform(arch), refName }
  }
  await checkOutputFile(output, force)
  return { ...planned, output, created: buildTime(process.env['SOURCE_DATE_EPOCH']) }
}

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org): seconds since 1970 to write instead of now, so that two builds of one
 * base.txz are the same bytes, digests included (the gzip stream carries no time of its own).
 */
function buildTime(epoch: string | undefined): Date {
  if (epoch === undefined || epoch === '') return new Date()
  if (!/^[0-9]{1,12}$/.test(epoch)) throw new InvalidInputError('SOURCE_DATE_EPOCH', `${JSON.stringify(epoch)} is not a number of seconds since 1970`)
  return new Date(Number(epoch) * 1000)
}

/** -a, else this FreeBSD host's `uname -p`: a base.txz does not say which machine it is for until it is unpacked. */
async function inputPlatform(arch: string | undefined): Promise<Platform> {
  if (arch !== undefined) return ociPlatform(arch)
  const host = await hostRelease()
  if (host === null) throw new InvalidInputError('-a', `required with -i on ${process.platform}: the architecture the base.txz is built for, as uname -p (amd64, aarch64, ...)`)
  return ociPlatform(host.arch)
}

/** The name index.json gives the image: --tag, else freebsd:<version> from -v or from the tar, else freebsd:latest. */
function nameOf(plan: Plan, layer: Layer): string {
  if (plan.refName !== undefined) return plan.refName
  try {
    if (layer.userlandVersion !== undefined) return imageReference(defaultImageName(layer.userlandVersion), 'bin/freebsd-version')
  } catch {
    // A version that is no valid tag (a custom build's) names nothing: the fallback does.
  }
  return imageReference(defaultImageName('latest'))
}

/** The base.txz of a release, downloaded and verified to `file` beside the output (the caller removes it). */
async function baseOf(source: Plan['source'], file: string): Promise<string> {
  if ('file' in source) return source.file
  const { downloadRelease } = await import('./download.js')
  return (await downloadRelease({ release: source.release, mirror: source.mirror, output: file, force: true })).path
}

/** Runs `work` with SIGINT and SIGTERM turned into an abort of its streams, so that its temporary files go with it. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController()
  const interrupt = (signal: NodeJS.Signals) => stop.abort(new OperationError(`interrupted by ${signal}; nothing was written`))
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt)
  try {
    return await work(stop.signal)
  } finally {
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt)
  }
}

/** The layer into a temporary blob, the layout into a temporary tar, and the tar renamed to the output: all or nothing. */
async function build(image: Plan, input: string, signal: AbortSignal): Promise<{ layer: Layer; refName: string }> {
  const [directory, name] = [dirname(image.output), basename(image.output)]
  const [layerFile, imageFile] = ['layer', 'tar'].map((suffix) => join(directory, `.${name}.${process.pid}.${suffix}`)) as [string, string]
  const { source, created } = image
  const progress = startProgress(`layer from ${'file' in source ? basename(input) : 'base.txz'}`, { total: (await stat(input)).size })
  try {
    const layer = await buildLayer(input, layerFile, { signal, onInput: (bytes) => progress.update(bytes) })
    progress.finish()
    const refName = nameOf(image, layer)
    const createdBy = 'file' in source ? `runj demo oci-image -i ${basename(input)}` : `runj demo oci-image -m ${source.release.machine} -a ${source.release.arch} -v ${source.release.version}`
    const documents = imageDocuments({ platform: image.platform, layer, refName, created: created.toISOString(), createdBy })
    await writeImageArchive(imageFile, documents, layer, layerFile, { signal, mtime: created })
    await rename(imageFile, image.output)
    return { layer, refName }
  } catch (error) {
    progress.abort()
    await rm(imageFile, { force: true })
    throw error
  } finally {
    await rm(layerFile, { force: true })
  }
}

export async function ociImageCommand(options: Readonly<Record<string, string | boolean | undefined>>): Promise<void> {
  const image = await plan(options)
  // Named without the pid: an interrupted download leaves its .part, and the same command resumes it.
  const download = join(dirname(image.output), `.${basename(image.output)}.base.txz`)
  try {
    const input = await baseOf(image.source, download)
    const { layer, refName } = await interruptible((signal) => build(image, input, signal))
    const platform = ['freebsd', image.platform.architecture, image.platform.variant].filter(Boolean).join('/')
    process.stdout.write(`${image.output}: ${refName} (${platform}), layer ${layer.digest}, ${humanBytes(layer.size)}\n`)
  } finally {
    if (!('file' in image.source)) await rm(download, { force: true })
  }
}
