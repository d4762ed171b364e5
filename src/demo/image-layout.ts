// The JSON documents of a one-layer FreeBSD image in an OCI image layout: config, manifest, index.json, oci-layout. Pure.
import { createHash } from 'node:crypto'
import type { Layer } from './layer.js'

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const

/** image-spec annotations.md: the name index.json gives a manifest; ctr, podman and skopeo name the image with it. */
export const REF_NAME = 'org.opencontainers.image.ref.name'

// FreeBSD's login.conf(5) default path, which sh(1) in a jail would otherwise not have.
const FREEBSD_PATH = 'PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin'

export interface Platform {
  readonly architecture: string
  readonly variant?: string
}

/** A blob of the layout: its bytes and what a descriptor says of them (descriptor.md: digest and size). */
export interface Blob {
  readonly digest: string
  readonly size: number
  readonly bytes: Buffer
}

export interface ImageDocuments {
  readonly ociLayout: Buffer
  readonly index: Buffer
  readonly config: Blob
  readonly manifest: Blob
}

export interface ImageDescription {
  readonly platform: Platform
  readonly layer: Layer
  readonly refName: string
  /** RFC 3339 time of the build: config.md `created` and its history entry. */
  readonly created: string
  /** What made the layer, for the history entry (config.md `created_by`). */
  readonly createdBy: string
}

function blob(document: unknown): Blob {
  const bytes = Buffer.from(JSON.stringify(document))
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, bytes }
}

const descriptor = (mediaType: string, { digest, size }: { digest: string; size: number }) => ({ mediaType, digest, size })

export function imageDocuments({ platform, layer, refName, created, createdBy }: ImageDescription): ImageDocuments {
  const variant = platform.variant === undefined ? {} : { variant: platform.variant }
  // config.md: os and architecture are required; rootfs.diff_ids are the digests of the uncompressed layers.
  const config = blob({
    created,
    architecture: platform.architecture,
    ...variant,
    os: 'freebsd',
    config: { Env: [FREEBSD_PATH], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, created_by: createdBy }],
  })
  // manifest.md: schemaVersion 2, and mediaType SHOULD be set.
  const manifest = blob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: descriptor(MEDIA_TYPES.config, config),
    layers: [descriptor(MEDIA_TYPES.layer, layer)],
  })
  // image-index.md: the platform lets a runtime choose; image-layout.md: index.json is the layout's entry point.
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [{ ...descriptor(MEDIA_TYPES.manifest, manifest), platform: { architecture: platform.architecture, os: 'freebsd', ...variant }, annotations: { [REF_NAME]: refName } }],
    }),
  )
  return { ociLayout: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })), index, config, manifest }
}
