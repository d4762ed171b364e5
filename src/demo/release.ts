// FreeBSD releases as the demo helpers name them: machine/arch pairs, versions, the mirror URL, MANIFEST. Pure.
import { InvalidInputError } from '../errors.js'

/**
 * hier(7) MACHINE and MACHINE_ARCH pairs that FreeBSD 13 and 14 publish under releases/ (uname -m, uname -p), each
 * with its OCI image-spec architecture (Go's GOARCH, image-spec config.md) and variant.
 */
const RELEASE_ARCHES: Readonly<Record<string, Readonly<Record<string, { oci: string; variant?: string }>>>> = {
  amd64: { amd64: { oci: 'amd64' } },
  arm64: { aarch64: { oci: 'arm64', variant: 'v8' } },
  i386: { i386: { oci: '386' } },
  arm: { armv7: { oci: 'arm', variant: 'v7' }, armv6: { oci: 'arm', variant: 'v6' } },
  powerpc: { powerpc: { oci: 'ppc' }, powerpcspe: { oci: 'ppc' }, powerpc64: { oci: 'ppc64' }, powerpc64le: { oci: 'ppc64le' } },
  riscv: { riscv64: { oci: 'riscv64' } },
}

export const DEFAULT_MIRROR = 'https://download.freebsd.org'

// releases/ holds RELEASE, BETA and RC builds (a -pN patch level is applied by freebsd-update, not a directory).
const VERSION = /^[1-9][0-9]?\.[0-9]+-(?:RELEASE|BETA[1-9][0-9]?|RC[1-9][0-9]?)$/

export interface Release {
  readonly machine: string
  readonly arch: string
  readonly version: string
}

/** The release a running system names in `uname -m`, `uname -p` and `freebsd-version` output (which may add -pN). */
export function hostReleaseOf(machine: string, arch: string, freebsdVersion: string): Release {
  return { machine: machine.trim(), arch: arch.trim(), version: freebsdVersion.trim().replace(/-p[0-9]+$/, '') }
}

/** Refuses (exit 2) a machine, arch or version that FreeBSD does not publish: each becomes part of a URL. */
export function checkRelease(release: Release): Release {
  const arches = RELEASE_ARCHES[release.machine]
  if (arches === undefined) throw new InvalidInputError('-m', `unknown FreeBSD machine ${JSON.stringify(release.machine)} (one of ${Object.keys(RELEASE_ARCHES).join(', ')})`)
  if (arches[release.arch] === undefined) throw new InvalidInputError('-a', `${JSON.stringify(release.arch)} is not an architecture of machine ${release.machine} (one of ${Object.keys(arches).join(', ')})`)
  if (!VERSION.test(release.version)) throw new InvalidInputError('-v', `${JSON.stringify(release.version)} is not a release version like 14.1-RELEASE, 14.2-BETA1 or 14.2-RC1`)
  return release
}

/** The OCI architecture (and variant) of a FreeBSD MACHINE_ARCH, whatever the machine. */
export function ociPlatform(arch: string): { architecture: string; variant?: string } {
  for (const arches of Object.values(RELEASE_ARCHES)) {
    const found = arches[arch]
    if (found !== undefined) return found.variant === undefined ? { architecture: found.oci } : { architecture: found.oci, variant: found.variant }
  }
  throw new InvalidInputError('-a', `unknown FreeBSD architecture ${JSON.stringify(arch)} (one of ${Object.values(RELEASE_ARCHES).flatMap(Object.keys).join(', ')})`)
}

/** A mirror is an http(s) URL with no query or fragment; the result has no trailing slash. */
export function checkMirror(mirror: string): string {
  let url: URL
  try {
    url = new URL(mirror)
  } catch {
    throw new InvalidInputError('--mirror', `${JSON.stringify(mirror)} is not a URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInputError('--mirror', `${JSON.stringify(mirror)} must be an http or https URL`)
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw new InvalidInputError('--mirror', `${JSON.stringify(mirror)} must not have a query, a fragment or credentials`)
  return url.href.replace(/\/+$/, '')
}

/** The directory of a release's distribution sets: `<mirror>/releases/<machine>/<arch>/<version>`. */
export function releaseDirectory(mirror: string, release: Release): string {
  return `${checkMirror(mirror)}/releases/${release.machine}/${release.arch}/${release.version}`
}

/**
 * The SHA-256 of one distribution set from a release's MANIFEST: tab-separated lines of file name, sha256, file count,
 * set name, description, default selection (release/scripts/make-manifest.sh). Null when the file is not listed.
 */
export function manifestDigest(manifest: string, file: string): string | null {
  for (const line of manifest.split('\n')) {
    const [name, digest] = line.split('\t')
    if (name === file && digest !== undefined && /^[0-9a-f]{64}$/.test(digest)) return digest
  }
  return null
}
