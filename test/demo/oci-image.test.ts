// `runj demo oci-image`: the tarball checked digest by digest, read by skopeo, built from a download, and every refusal.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import t, { type Test } from 'tap'
import tar from 'tar-stream'
import { cleanEnv, RUNJ_BIN, runj } from '../helpers/runj.js'

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
const VERSION_SCRIPT = '#!/bin/sh\nUSERLAND_VERSION="14.1-RELEASE"\necho "$USERLAND_VERSION"\n'

type Entry = { name: string; type?: 'file' | 'link' | 'symlink' | 'directory'; linkname?: string; mode?: number; body?: Buffer | string }

/** A small FreeBSD-like root as base.txz: a tar (entries `./bin/sh` and so on) through the system xz. */
async function writeBase(path: string, entries: Entry[] = rootEntries()): Promise<Buffer> {
  const pack = tar.pack()
  for (const { body, ...header } of entries) pack.entry(header, body ?? '')
  pack.finalize()
  const parts: Buffer[] = []
  for await (const chunk of pack) parts.push(chunk as Buffer)
  const tarBytes = Buffer.concat(parts)
  writeFileSync(path, spawnSync('xz', ['-c', '-T2'], { input: tarBytes, maxBuffer: 1 << 30 }).stdout)
  return tarBytes
}

const rootEntries = (): Entry[] => [
  { name: './', type: 'directory' },
  { name: './bin/', type: 'directory' },
  { name: './bin/sh', mode: 0o555, body: randomBytes(300_000) },
  { name: './bin/[', mode: 0o555, body: randomBytes(1000) },
  { name: './bin/test', type: 'link', linkname: './bin/[' },
  { name: './bin/freebsd-version', mode: 0o555, body: VERSION_SCRIPT },
  { name: './etc/', type: 'directory' },
  { name: './etc/motd', body: 'FreeBSD\n'.repeat(1000) },
  { name: './usr/bin/sh', type: 'symlink', linkname: '/bin/sh' },
]

/** Every entry of a tar: its type and bytes. */
async function entriesOf(data: Buffer): Promise<Map<string, { type: string; linkname: string | null; data: Buffer }>> {
  const entries = new Map<string, { type: string; linkname: string | null; data: Buffer }>()
  const extract = tar.extract()
  extract.end(data)
  for await (const entry of extract) {
    const parts: Buffer[] = []
    for await (const chunk of entry) parts.push(chunk as Buffer)
    entries.set(entry.header.name, { type: entry.header.type, linkname: entry.header.linkname ?? null, data: Buffer.concat(parts) })
  }
  return entries
}

/** Follows index.json -> manifest -> config and layer, checking each blob's name, digest and size on the way. */
async function readImage(t: Test, file: string) {
  const files = await entriesOf(readFileSync(file))
  const json = (name: string) => JSON.parse(files.get(name)?.data.toString('utf8') ?? 'null')
  const blob = (descriptor: { digest: string; size: number }, what: string) => {
    const data = files.get(`blobs/sha256/${descriptor.digest.replace('sha256:', '')}`)?.data ?? Buffer.alloc(0)
    t.equal(sha256(data), descriptor.digest, `the ${what}'s digest is the sha256 of its blob`)
    t.equal(data.length, descriptor.size, `the ${what}'s size is its blob's`)
    return data
  }
  t.same(json('oci-layout'), { imageLayoutVersion: '1.0.0' }, 'oci-layout')
  const index = json('index.json')
  t.match(index, { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json' })
  t.equal(index.manifests.length, 1, 'one manifest')
  const [descriptor] = index.manifests
  t.equal(descriptor.mediaType, 'application/vnd.oci.image.manifest.v1+json')
  const manifest = JSON.parse(blob(descriptor, 'manifest').toString('utf8'))
  t.match(manifest, { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json' } })
  const config = JSON.parse(blob(manifest.config, 'config').toString('utf8'))
  t.equal(manifest.layers.length, 1, 'one layer')
  t.equal(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip')
  const layer = gunzipSync(blob(manifest.layers[0], 'layer'))
  t.same(config.rootfs, { type: 'layers', diff_ids: [sha256(layer)] }, 'the diff_id is the sha256 of the gunzipped layer')
  for (const name of files.keys()) t.ok(['oci-layout', 'index.json', 'blobs/', 'blobs/sha256/'].includes(name) || /^blobs\/sha256\/[0-9a-f]{64}$/.test(name), `${name} belongs to the layout`)
  return { descriptor, manifest, config, layer }
}

/** The names in `dir`, to show that a refusal or a failure changed nothing there. */
const listing = (dir: string) => readdirSync(dir).sort()

t.test('an image of a generated base.txz: every digest and size, the platform, the name, the layer as it was', async (t) => {
  const dir = t.testdir()
  const original = await writeBase(join(dir, 'base.txz'))
  const result = await runj(['demo', 'oci-image', '-i', 'base.txz', '-a', 'amd64'], { cwd: dir })
  t.equal(result.code, 0, 'exit 0', { stderr: result.stderr })
  const { descriptor, manifest, config, layer } = await readImage(t, join(dir, 'image.tar'))
  t.same(descriptor.platform, { architecture: 'amd64', os: 'freebsd' }, "the index's platform")
  t.same(descriptor.annotations, { 'org.opencontainers.image.ref.name': 'docker.io/library/freebsd:14.1-RELEASE' }, 'named from bin/freebsd-version, normalized as containerd stores names')
  t.match(config, { architecture: 'amd64', os: 'freebsd', config: { Cmd: ['/bin/sh'], Env: [/^PATH=\/sbin:\/bin:/] }, history: [{ created_by: 'runj demo oci-image -i base.txz' }] })
  t.notOk('variant' in config, 'no variant for amd64')
  t.ok(layer.equals(original), "the layer is base.txz's tar, byte for byte")
  t.same([...(await entriesOf(layer)).keys()], rootEntries().map((entry) => entry.name), 'with the same entries')
  t.equal(result.stdout, `image.tar: docker.io/library/freebsd:14.1-RELEASE (freebsd/amd64), layer ${manifest.layers[0].digest}, ${Math.round(manifest.layers[0].size / 1024)} KiB\n`, 'one line on stdout')
  t.match(result.stderr, /^layer from base\.txz 100% \S+ KiB \/ \S+ KiB in 0:0\d \(.*\/s\)$/m, 'progress in bytes of base.txz')
  t.same(listing(dir), ['base.txz', 'image.tar'], 'no temporary file left')
})

t.test('arm64 from -a aarch64 has variant v8; --tag names it; no bin/freebsd-version means freebsd:latest', async (t) => {
  const dir = t.testdir()
  await writeBase(join(dir, 'base.txz'))
  const tagged = await runj(['demo', 'oci-image', '-i', 'base.txz', '-a', 'aarch64', '--tag', 'example/freebsd:test', '-o', 'arm.tar'], { cwd: dir })
  t.equal(tagged.code, 0, 'exit 0', { stderr: tagged.stderr })
  const { descriptor, config } = await readImage(t, join(dir, 'arm.tar'))
  t.same(descriptor.platform, { architecture: 'arm64', os: 'freebsd', variant: 'v8' })
  t.match(config, { architecture: 'arm64', variant: 'v8', os: 'freebsd' })
  t.equal(descriptor.annotations['org.opencontainers.image.ref.name'], 'docker.io/example/freebsd:test')
  await writeBase(join(dir, 'other.txz'), rootEntries().filter((entry) => entry.name !== './bin/freebsd-version'))
  const unnamed = await runj(['demo', 'oci-image', '-i', 'other.txz', '-a', 'armv7', '-o', 'other.tar'], { cwd: dir })
  t.equal(unnamed.code, 0, 'exit 0', { stderr: unnamed.stderr })
  const other = await readImage(t, join(dir, 'other.tar'))
  t.same([other.descriptor.platform, other.descriptor.annotations['org.opencontainers.image.ref.name']], [{ architecture: 'arm', os: 'freebsd', variant: 'v7' }, 'docker.io/library/freebsd:latest'])
})

const skopeo = spawnSync('skopeo', ['--version']).status === 0 ? false : 'skopeo is not installed (apt-get install skopeo): no check by an independent OCI tool'
t.test('skopeo reads the tarball: inspect by its ref.name, and copy (which verifies every digest)', { skip: skopeo }, async (t) => {
  const dir = t.testdir()
  await writeBase(join(dir, 'base.txz'))
  t.equal((await runj(['demo', 'oci-image', '-i', 'base.txz', '-a', 'amd64'], { cwd: dir })).code, 0)
  const inspected = spawnSync('skopeo', ['inspect', 'oci-archive:image.tar:docker.io/library/freebsd:14.1-RELEASE'], { cwd: dir, encoding: 'utf8' })
  t.equal(inspected.status, 0, 'exit 0', { stderr: inspected.stderr })
  const { manifest } = await readImage(t, join(dir, 'image.tar'))
  t.match(JSON.parse(inspected.stdout), { Os: 'freebsd', Architecture: 'amd64', Layers: [manifest.layers[0].digest], Env: [/^PATH=/] })
  const copied = spawnSync('skopeo', ['copy', '--quiet', 'oci-archive:image.tar', `dir:${join(dir, 'copy')}`], { cwd: dir, encoding: 'utf8' })
  t.equal(copied.status, 0, 'exit 0', { stderr: copied.stderr })
  t.ok(existsSync(join(dir, 'copy', manifest.layers[0].digest.replace('sha256:', ''))), 'the layer was copied')
})

/** Runs a command that must be refused: its exit code, one stderr line, and the directory as it was. */
async function refused(t: Test, dir: string, args: string[], code: 1 | 2, message: RegExp) {
  const before = listing(dir)
  const result = await runj(['demo', 'oci-image', ...args], { cwd: dir })
  t.equal(result.code, code, `exit ${code}: ${args.join(' ')}`)
  t.match(result.stderr, new RegExp(`(?:^|\\n)runj: ${message.source}[^\\n]*\\n$`), `the reason: ${result.stderr.trim().split('\n').at(-1)}`)
  t.equal(result.stdout, '', 'nothing on stdout')
  t.same(listing(dir), before, 'nothing written in the directory')
}

t.test('bad flags and values are refused before anything is written (exit 2)', async (t) => {
  const dir = t.testdir({ 'base.txz': '', sub: {} })
  await writeBase(join(dir, 'base.txz'))
  await refused(t, dir, ['-i', 'missing.txz', '-a', 'amd64'], 2, /-i: missing\.txz does not exist/)
  await refused(t, dir, ['-i', 'sub', '-a', 'amd64'], 2, /-i: sub is not a regular file/)
  await refused(t, dir, ['-i', 'base.txz', '-a', 'sparc64'], 2, /-a: unknown FreeBSD architecture "sparc64"/)
  await refused(t, dir, ['-i', 'base.txz', '-a', 'amd64', '-v', '14.1-RELEASE'], 2, /-i: give either -i FILE or -m, -a and -v/)
  await refused(t, dir, ['-i', 'base.txz', '-a', 'amd64', '-o', 'nowhere/image.tar'], 2, /-o: nowhere is not a directory/)
  await refused(t, dir, ['-i', 'base.txz', '-a', 'amd64', '-o', 'sub'], 2, /-o: .*sub is a directory/)
  await refused(t, dir, ['-i', 'base.txz', '-a', 'amd64', '-o', 'base.txz', '--force'], 2, /-o: base\.txz is the input/)
  for (const tag of ['FreeBSD:14', 'freebsd:-1', `freebsd@sha256:${'0'.repeat(64)}`, 'a//b', 'a---b']) {
    await refused(t, dir, ['-i', 'base.txz', '-a', 'amd64', '--tag', tag], 2, /--tag: /)
  }
  if (process.platform !== 'freebsd') {
    await refused(t, dir, ['-i', 'base.txz'], 2, new RegExp(`-a: required with -i on ${process.platform}: the architecture`))
    await refused(t, dir, [], 2, new RegExp(`-m, -a, -v: required on ${process.platform} .*; or give -i with a base\\.txz`))
  }
})

t.test('SOURCE_DATE_EPOCH makes two builds the same bytes; a bad one is refused before anything is written', async (t) => {
  const dir = t.testdir()
  await writeBase(join(dir, 'base.txz'))
  const build = (output: string, epoch: string) => runj(['demo', 'oci-image', '-i', 'base.txz', '-a', 'amd64', '-o', output], { cwd: dir, env: cleanEnv({ SOURCE_DATE_EPOCH: epoch }) })
  t.equal((await build('a.tar', '1700000000')).code, 0)
  await sleep(1100) // a build stamped with the clock would now differ
  t.equal((await build('b.tar', '1700000000')).code, 0)
  t.ok(readFileSync(join(dir, 'a.tar')).equals(readFileSync(join(dir, 'b.tar'))), 'byte-identical')
  const { config } = await readImage(t, join(dir, 'a.tar'))
  t.equal(config.created, '2023-11-14T22:13:20.000Z')
  const bad = await build('c.tar', 'yesterday')
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^runj: SOURCE_DATE_EPOCH: "yesterday" is not a number of seconds since 1970\n$/)
  t.same(listing(dir), ['a.tar', 'b.tar', 'base.txz'])
})

t.test('an existing output is kept without --force (exit 1) and replaced with it', async (t) => {
  const dir = t.testdir({ 'image.tar': 'an older image' })
  await writeBase(join(dir, 'base.txz'))
  await refused(t, dir, ['-i', 'base.txz', '-a', 'amd64'], 1, /image\.tar exists \(use --force to replace it\)/)
  t.equal(readFileSync(join(dir, 'image.tar'), 'utf8'), 'an older image', 'the output is untouched')
  const forced = await runj(['demo', 'oci-image', '-i', 'base.txz', '-a', 'amd64', '--force'], { cwd: dir })
  t.equal(forced.code, 0, 'exit 0', { stderr: forced.stderr })
  await readImage(t, join(dir, 'image.tar'))
  t.same(listing(dir), ['base.txz', 'image.tar'])
})

t.test('an input that is not an xz tar fails (exit 1) and leaves no temporary file', async (t) => {
  const dir = t.testdir({ 'text.txz': 'not compressed at all\n' })
  await refused(t, dir, ['-i', 'text.txz', '-a', 'amd64'], 1, /cannot decompress text\.txz: xz: File format not recognized/)
  await writeBase(join(dir, 'base.txz'))
  writeFileSync(join(dir, 'cut.txz'), readFileSync(join(dir, 'base.txz')).subarray(0, 20_000))
  await refused(t, dir, ['-i', 'cut.txz', '-a', 'amd64'], 1, /cannot decompress cut\.txz: xz: Unexpected end of input/)
  writeFileSync(join(dir, 'plain.txz'), spawnSync('xz', ['-c'], { input: 'a text, not a tar\n'.repeat(100) }).stdout)
  await refused(t, dir, ['-i', 'plain.txz', '-a', 'amd64'], 1, /plain\.txz is not a tar archive once decompressed/)
})

t.test('SIGINT during the build removes the temporary files (exit 1)', async (t) => {
  const dir = t.testdir()
  // 128 MiB of one 64 KiB random block: xz finds it again (tiny input), gzip's 32 KiB window does not (a slow build).
  const block = randomBytes(65536)
  await writeBase(join(dir, 'base.txz'), [{ name: './big', body: Buffer.concat(Array.from({ length: 2048 }, () => block)) }])
  const child = spawn(process.execPath, [RUNJ_BIN, 'demo', 'oci-image', '-i', 'base.txz', '-a', 'amd64'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const layer = () => readdirSync(dir).find((name) => name.endsWith('.layer'))
  for (let tries = 0; tries < 1000 && !(layer() !== undefined && statSync(join(dir, layer() as string), { throwIfNoEntry: false })?.size); tries++) await sleep(10)
  t.ok(layer(), 'the build had begun')
  child.kill('SIGINT')
  t.equal(await exited, 1, 'exit 1')
  t.match(stderr, /runj: interrupted by SIGINT; nothing was written\n$/)
  t.same(listing(dir), ['base.txz'], 'neither the layer nor the image is left')
})

t.test('-m -a -v downloads base.txz beside the output, builds, and removes it', async (t) => {
  const dir = t.testdir()
  const base = join(dir, 'served.txz')
  await writeBase(base)
  const served = readFileSync(base)
  const requests: string[] = []
  let digest = sha256(served).replace('sha256:', '')
  const server = createServer((request, response) => {
    requests.push(request.url ?? '')
    if (request.url === '/releases/arm64/aarch64/14.2-RELEASE/MANIFEST') response.end(`base.txz\t${digest}\t1\tbase\t"Base system"\ton\n`)
    else if (request.url === '/releases/arm64/aarch64/14.2-RELEASE/base.txz') response.end(served)
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const out = t.testdir({})
  const result = await runj(['demo', 'oci-image', '-m', 'arm64', '-a', 'aarch64', '-v', '14.2-RELEASE', '--mirror', mirror, '-o', join(out, 'image.tar')])
  t.equal(result.code, 0, 'exit 0', { stderr: result.stderr })
  const { descriptor, config, layer } = await readImage(t, join(out, 'image.tar'))
  t.equal(descriptor.annotations['org.opencontainers.image.ref.name'], 'docker.io/library/freebsd:14.2-RELEASE', 'named from -v, not from the tar')
  t.same([descriptor.platform, config.history[0].created_by], [{ architecture: 'arm64', os: 'freebsd', variant: 'v8' }, 'runj demo oci-image -m arm64 -a aarch64 -v 14.2-RELEASE'])
  t.ok(layer.equals(spawnSync('xz', ['-dc'], { input: served, maxBuffer: 1 << 30 }).stdout), 'the layer is the downloaded tar')
  t.same(listing(out), ['image.tar'], 'the download is removed')
  digest = '0'.repeat(64)
  await refused(t, out, ['-m', 'arm64', '-a', 'aarch64', '-v', '14.2-RELEASE', '--mirror', mirror, '-o', 'image2.tar'], 1, /.*sha256 mismatch/)
  t.same(requests.filter((url) => url.endsWith('/base.txz')).length, 2, 'each build downloaded once')
})
