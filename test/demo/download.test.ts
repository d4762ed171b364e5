// `runj demo download` against a mirror on 127.0.0.1: the download, its resume, the MANIFEST check, every refusal.
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { releaseFromOptions } from '../../src/demo/download.js'
import { hostReleaseOf } from '../../src/demo/release.js'
import { cleanEnv, RUNJ_BIN, runj, type RunResult } from '../helpers/runj.js'

const BASE = randomBytes(768 * 1024)
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const DIGEST = sha256(BASE)
const DIRECTORY = '/releases/amd64/amd64/14.1-RELEASE'
// As release/scripts/make-manifest.sh writes it: base.txz is neither the first set nor the last.
const manifest = (digest: string) =>
  [
    `base-dbg.txz\t${'1'.repeat(64)}\t1254\tbase_dbg\t"Base system (Debugging)"\toff`,
    `base.txz\t${digest}\t26049\tbase\t"Base system (MANDATORY)"\ton`,
    `kernel.txz\t${'2'.repeat(64)}\t823\tkernel\t"Kernel (MANDATORY)"\ton`,
    '',
  ].join('\n')

interface MirrorOptions {
  manifest?: string
  /** The first base.txz answer stops after this many bytes: the socket is destroyed once the .part holds them all... */
  cutAt?: { bytes: number; part: string }
  /** ...or, with stall, the answer just stops sending. */
  stall?: boolean
  ignoreRange?: boolean
}

interface Mirror {
  readonly url: string
  /** Every request: its path and Range header. */
  readonly requests: { path: string; range: string | undefined }[]
}

/** Waits (polling) until the part file holds `bytes`; the server cuts its answer only then, so the test knows the size. */
async function partHolds(part: string, bytes: number): Promise<void> {
  for (let tries = 0; tries < 2000 && !(existsSync(part) && statSync(part).size >= bytes); tries++) await sleep(10)
}

function serveBase(response: ServerResponse, range: string | undefined, options: MirrorOptions, first: boolean): void {
  const from = range === undefined || options.ignoreRange === true ? 0 : Number(/^bytes=(\d+)-$/.exec(range)?.[1])
  if (from >= BASE.length) {
    response.writeHead(416, { 'content-range': `bytes */${BASE.length}` }).end()
    return
  }
  const headers = from === 0 ? {} : { 'content-range': `bytes ${from}-${BASE.length - 1}/${BASE.length}` }
  response.writeHead(from === 0 ? 200 : 206, { ...headers, 'content-length': BASE.length - from, 'content-type': 'application/octet-stream' })
  const cut = first ? options.cutAt : undefined
  if (cut === undefined) {
    response.end(BASE.subarray(from))
    return
  }
  response.write(BASE.subarray(from, from + cut.bytes), () => {
    if (options.stall !== true) void partHolds(cut.part, cut.bytes).then(() => response.socket?.destroy())
  })
}

async function mirror(t: Test, options: MirrorOptions = {}): Promise<Mirror> {
  const requests: { path: string; range: string | undefined }[] = []
  const server = createServer((request, response) => {
    const path = request.url ?? '/'
    requests.push({ path, range: request.headers.range })
    if (path.startsWith('/moved/')) response.writeHead(302, { location: path.slice('/moved'.length) }).end()
    else if (path === `${DIRECTORY}/MANIFEST`) response.end(options.manifest ?? manifest(DIGEST))
    else if (path === `${DIRECTORY}/base.txz`) serveBase(response, request.headers.range, options, requests.filter((r) => r.path === path).length === 1)
    else response.writeHead(404).end('not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

const download = (url: string, output: string, ...more: string[]) => runj(['demo', 'download', '--mirror', url, '-m', 'amd64', '-a', 'amd64', '-v', '14.1-RELEASE', '-o', output, ...more])

function assertDownloaded(t: Test, result: RunResult, output: string): void {
  t.equal(result.code, 0, `exit 0: ${result.stderr}`)
  t.same(readFileSync(output), BASE, 'the file is the served base.txz')
  t.equal(result.stdout, `${output}: FreeBSD 14.1-RELEASE amd64/amd64, 768 KiB, sha256 ${DIGEST} verified\n`, 'the digest verified is printed')
  t.notOk(existsSync(`${output}.part`), 'no .part is left')
  t.equal(statSync(output).mode & 0o777, 0o644 & ~process.umask(), 'created 0644 (less the umask)')
}

t.test('downloads base.txz, shows progress on stderr and verifies the digest', async (t) => {
  const m = await mirror(t)
  const output = join(t.testdir(), 'base.txz')
  const result = await download(m.url, output)
  assertDownloaded(t, result, output)
  t.match(result.stderr, /^base\.txz +0% 0 B \/ 768 KiB {2}\S+ B\/s/m, 'a progress line at the start')
  t.match(result.stderr, /^base\.txz 100% 768 KiB \/ 768 KiB in \d+:\d\d \(.+\/s\)$/m, 'a summary line at the end')
  t.notMatch(result.stderr, /\x1b/, 'no escape codes when stderr is not a terminal')
  t.same(m.requests.map((r) => r.path), [`${DIRECTORY}/MANIFEST`, `${DIRECTORY}/base.txz`], 'the MANIFEST first, then base.txz')
})

t.test('follows a redirect from the mirror', async (t) => {
  const m = await mirror(t)
  const output = join(t.testdir(), 'base.txz')
  assertDownloaded(t, await download(`${m.url}/moved`, output), output)
  t.same(m.requests.map((r) => r.path), [`/moved${DIRECTORY}/MANIFEST`, `${DIRECTORY}/MANIFEST`, `/moved${DIRECTORY}/base.txz`, `${DIRECTORY}/base.txz`])
})

t.test('a dropped connection keeps the .part; the rerun resumes it with a Range request', async (t) => {
  const output = join(t.testdir(), 'base.txz')
  const cut = 300 * 1024
  const m = await mirror(t, { cutAt: { bytes: cut, part: `${output}.part` } })
  const first = await download(m.url, output)
  t.equal(first.code, 1, 'exit 1')
  t.match(first.stderr, /^runj: download of http:\S+\/base\.txz stopped at 300 KiB of 768 KiB: .+; \S+base\.txz\.part is kept, run the same command again to resume\n$/m)
  t.equal(statSync(`${output}.part`).size, cut, 'the .part holds what arrived')
  t.notOk(existsSync(output), 'no output yet')
  const second = await download(m.url, output)
  t.same(m.requests.at(-1), { path: `${DIRECTORY}/base.txz`, range: `bytes=${cut}-` }, 'the rerun asks for the rest')
  assertDownloaded(t, second, output)
  t.match(second.stderr, /^base\.txz: resuming after the 300 KiB in \S+base\.txz\.part$/m)
  t.match(second.stderr, /^base\.txz 100% 768 KiB \/ 768 KiB in /m, 'the progress counts the resumed bytes')
})

t.test('a server that ignores the Range: the download starts over', async (t) => {
  const output = join(t.testdir(), 'base.txz')
  writeFileSync(`${output}.part`, Buffer.alloc(1000, 'x'))
  const m = await mirror(t, { ignoreRange: true })
  const result = await download(m.url, output)
  t.equal(m.requests.at(-1)?.range, 'bytes=1000-')
  assertDownloaded(t, result, output)
  t.match(result.stderr, /^base\.txz: the server does not resume downloads, starting over$/m)
})

t.test('a complete .part (416 to its Range) is verified and renamed', async (t) => {
  const output = join(t.testdir(), 'base.txz')
  writeFileSync(`${output}.part`, BASE)
  const m = await mirror(t)
  const result = await download(m.url, output)
  t.equal(m.requests.at(-1)?.range, `bytes=${BASE.length}-`)
  assertDownloaded(t, result, output)
  t.match(result.stderr, /^base\.txz: 768 KiB already downloaded, verifying /m)
})

t.test('SIGINT during the transfer: exit 1, the .part stays, and the rerun resumes it', async (t) => {
  const output = join(t.testdir(), 'base.txz')
  const cut = 200 * 1024
  const m = await mirror(t, { cutAt: { bytes: cut, part: `${output}.part` }, stall: true })
  const args = ['demo', 'download', '--mirror', m.url, '-m', 'amd64', '-a', 'amd64', '-v', '14.1-RELEASE', '-o', output]
  const child = spawn(process.execPath, [RUNJ_BIN, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await partHolds(`${output}.part`, cut)
  child.kill('SIGINT')
  t.equal(await exited, 1, 'exit 1, not killed by the signal')
  t.match(stderr, /^runj: download of \S+ stopped at 200 KiB of 768 KiB: interrupted by SIGINT; \S+ is kept, run the same command again to resume\n$/m)
  t.equal(statSync(`${output}.part`).size, cut, 'the .part stays')
  const again = await download(m.url, output)
  t.equal(m.requests.at(-1)?.range, `bytes=${cut}-`)
  assertDownloaded(t, again, output)
})

t.test('a second download into the same .part is refused while the first runs, and a dead holder does not block', async (t) => {
  const output = join(t.testdir(), 'base.txz')
  const cut = 100 * 1024
  const m = await mirror(t, { cutAt: { bytes: cut, part: `${output}.part` }, stall: true })
  const args = ['demo', 'download', '--mirror', m.url, '-m', 'amd64', '-a', 'amd64', '-v', '14.1-RELEASE', '-o', output]
  const first = spawn(process.execPath, [RUNJ_BIN, ...args], { env: cleanEnv(), stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()))
  await partHolds(`${output}.part`, cut)
  const second = await download(m.url, output)
  t.equal(second.code, 1)
  t.match(second.stderr, new RegExp(`^runj: \\S+base\\.txz\\.part is being downloaded by pid ${first.pid}: wait for it, or use another -o\\n$`))
  t.equal(statSync(`${output}.part`).size, cut, 'the first download\'s .part is untouched')
  first.kill('SIGKILL')
  await exited
  t.ok(existsSync(`${output}.part.lock`), 'SIGKILL leaves the lock')
  const resumed = await download(m.url, output)
  assertDownloaded(t, resumed, output)
  t.notOk(existsSync(`${output}.part.lock`), 'the dead holder\'s lock was broken and the new one released')
})

t.test('a digest that is not the MANIFEST\'s: exit 1, both digests named, nothing left', async (t) => {
  const wrong = 'f'.repeat(64)
  const m = await mirror(t, { manifest: manifest(wrong) })
  const dir = t.testdir()
  const result = await download(m.url, join(dir, 'base.txz'))
  t.equal(result.code, 1)
  t.match(result.stderr, `says ${wrong}, the download is ${DIGEST}`)
  t.match(result.stderr, /^runj: \S+base\.txz: sha256 mismatch: .+; removed \S+base\.txz\.part \(a rerun downloads it again\)\n$/m)
  t.same(readdirSync(dir), [], 'no output and no .part')
})

t.test('a MANIFEST without base.txz: exit 1 before the download', async (t) => {
  const m = await mirror(t, { manifest: 'kernel.txz\t' + '2'.repeat(64) + '\t823\tkernel\t"Kernel"\ton\n' })
  const dir = t.testdir()
  const result = await download(m.url, join(dir, 'base.txz'))
  t.same([result.code, result.stderr], [1, `runj: ${m.url}${DIRECTORY}/MANIFEST does not list base.txz\n`])
  t.same(readdirSync(dir), [])
  t.equal(m.requests.length, 1, 'base.txz was not asked for')
})

t.test('an unknown version: exit 1 naming the URL and the 404, nothing written', async (t) => {
  const m = await mirror(t)
  const dir = t.testdir()
  const result = await runj(['demo', 'download', '--mirror', m.url, '-m', 'amd64', '-a', 'amd64', '-v', '14.9-RELEASE', '-o', join(dir, 'base.txz')])
  t.same([result.code, result.stderr], [1, `runj: cannot download ${m.url}/releases/amd64/amd64/14.9-RELEASE/MANIFEST: HTTP 404 Not Found\n`])
  t.same(readdirSync(dir), [])
})

t.test('a mirror that does not answer: exit 1 naming the URL', async (t) => {
  // A port that was just listened on and closed (fetch refuses the well-known ones, like 1, as "bad port").
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await new Promise((resolve) => server.close(resolve))
  const dir = t.testdir()
  const result = await download(closed, join(dir, 'base.txz'))
  t.equal(result.code, 1)
  t.match(result.stderr, `runj: cannot download ${closed}${DIRECTORY}/MANIFEST: connect ECONNREFUSED`)
  t.same(readdirSync(dir), [])
})

t.test('without flags on a host that is not FreeBSD: exit 2, no request, nothing written', { skip: process.platform === 'freebsd' ? 'this host is FreeBSD' : false }, async (t) => {
  const m = await mirror(t)
  const dir = t.testdir()
  const none = await runj(['demo', 'download', '--mirror', m.url, '-o', join(dir, 'base.txz')])
  t.same([none.code, none.stderr], [2, `runj: -m, -a, -v: required on ${process.platform} (there is no running FreeBSD to take them from)\n`])
  const one = await runj(['demo', 'download', '--mirror', m.url, '-m', 'amd64', '-a', 'amd64', '-o', join(dir, 'base.txz')])
  t.same([one.code, one.stderr], [2, `runj: -v: required on ${process.platform} (there is no running FreeBSD to take it from)\n`])
  t.same(m.requests, [], 'no request reached the mirror')
  t.same(readdirSync(dir), [])
})

t.test('an existing output: refused without --force (untouched), replaced with it', async (t) => {
  const m = await mirror(t)
  const output = join(t.testdir({ 'base.txz': 'an older download' }), 'base.txz')
  const refused = await download(m.url, output)
  t.same([refused.code, refused.stderr], [1, `runj: ${output} exists (use --force to replace it)\n`])
  t.equal(readFileSync(output, 'utf8'), 'an older download', 'untouched')
  t.same(m.requests, [], 'refused before any request')
  assertDownloaded(t, await download(m.url, output, '--force'), output)
})

t.test('bad flags: exit 2 naming the flag, no request, nothing written', async (t) => {
  const m = await mirror(t)
  const dir = t.testdir({ sub: {} })
  const output = join(dir, 'base.txz')
  const base = ['demo', 'download', '-m', 'amd64', '-a', 'amd64', '-v', '14.1-RELEASE', '-o', output]
  const cases: [string[], string][] = [
    [['-m', 'vax'], '-m: unknown FreeBSD machine "vax"'],
    [['-a', 'aarch64'], '-a: "aarch64" is not an architecture of machine amd64'],
    [['-v', '14.1'], '-v: "14.1" is not a release version like 14.1-RELEASE'],
    [['-v', '../../14.1-RELEASE'], '-v: "../../14.1-RELEASE" is not a release version'],
    [['--mirror', 'ftp://x'], '--mirror: "ftp://x" must be an http or https URL'],
    [['--mirror', `${m.url}/?q=1`], '--mirror: '],
    [['-o', join(dir, 'sub')], `-o: ${join(dir, 'sub')} is a directory`],
    [['-o', join(dir, 'missing', 'base.txz')], `-o: ${join(dir, 'missing')} is not a directory`],
  ]
  for (const [flags, message] of cases) {
    // A later flag wins in commander: each case overrides one of the good ones.
    const result = await runj([...base, '--mirror', m.url, ...flags])
    t.equal(result.code, 2, `${flags.join(' ')}: exit 2`)
    t.match(result.stderr, `runj: ${message}`, flags.join(' '))
  }
  t.same(m.requests, [], 'no request reached the mirror')
  t.same(readdirSync(dir), ['sub'], 'nothing written')
})

t.test('releaseFromOptions: the flags given, the rest from a FreeBSD host', async (t) => {
  // As hostRelease() answers: uname and freebsd-version output through hostReleaseOf.
  const host = async () => hostReleaseOf('arm64\n', 'aarch64\n', '14.1-RELEASE-p5\n')
  t.same(await releaseFromOptions({}, host), { machine: 'arm64', arch: 'aarch64', version: '14.1-RELEASE' }, 'the patch level is not a directory')
  t.same(await releaseFromOptions({ version: '13.4-RELEASE' }, host), { machine: 'arm64', arch: 'aarch64', version: '13.4-RELEASE' })
  const untouched = async () => {
    t.fail('the host is not asked when every flag is given')
    return null
  }
  t.same(await releaseFromOptions({ machine: 'i386', arch: 'i386', version: '14.2-RC1' }, untouched), { machine: 'i386', arch: 'i386', version: '14.2-RC1' })
  const current = async () => ({ machine: 'amd64', arch: 'amd64', version: '15.0-CURRENT' })
  await t.rejects(releaseFromOptions({}, current), { where: '-v', message: /^-v: "15\.0-CURRENT" is not a release version .*; it is this host's freebsd-version: give -v$/ })
  await t.resolves(releaseFromOptions({ version: '14.1-RELEASE' }, current), 'a flag replaces the refused host value')
  await t.rejects(releaseFromOptions({ machine: 'vax' }, host), { where: '-m', message: /^-m: unknown FreeBSD machine "vax"/ }, 'a bad flag is the flag\'s error')
  await t.rejects(releaseFromOptions({ arch: 'amd64' }, async () => null), { name: 'InvalidInputError', where: '-m, -v', message: `-m, -v: required on ${process.platform} (there is no running FreeBSD to take them from)` })
})
