// Rootfs paths against hostile images: symlinks and ".." never leave the root; passwd and ELF reads go through it.
import { execFileSync } from 'node:child_process'
import { copyFile, mkdir, readdir, realpath, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { ensureMountPoint, lookupUser, readElfAbi, realRoot, resolveInRoot } from '../../src/host/rootfs.js'

// A rootfs in a fresh test dir: plain entries are files (or dirs with trailing "/"), `links` are symlinks.
async function rootfs(t: Test, entries: Record<string, string | Buffer>, links: Record<string, string> = {}) {
  const dir = await realpath(t.testdir({ outside: { secret: 'host file' }, rootfs: {} }))
  const root = join(dir, 'rootfs')
  for (const [path, content] of Object.entries(entries)) {
    if (path.endsWith('/')) await mkdir(join(root, path), { recursive: true })
    else {
      await mkdir(join(root, path, '..'), { recursive: true })
      await writeFile(join(root, path), content)
    }
  }
  for (const [path, target] of Object.entries(links)) await symlink(target, join(root, path))
  return { dir, root }
}

t.test('realRoot requires an existing directory', async (t) => {
  const { dir, root } = await rootfs(t, { 'etc/hosts': '' })
  t.equal(await realRoot(join(dir, 'outside', '..', 'rootfs')), root)
  await t.rejects(realRoot(join(root, 'etc/hosts')), { name: 'InvalidInputError', where: 'root.path', message: /is not a directory/ })
  await t.rejects(realRoot(join(dir, 'missing')), { name: 'InvalidInputError', where: 'root.path', message: /ENOENT/ })
})

t.test('resolveInRoot keeps hostile symlinks and ".." inside the root', async (t) => {
  const { root } = await rootfs(t, { 'passwd': 'root-level', 'etc/shadow': '', 'usr/lib/': '', 'data/file': '' }, {
    'up': '/../../..', 'etc/passwd': '../../../../etc/shadow', 'hostetc': '/etc', 'usr/lib/escape': '../../../../outside/secret',
    'loop1': 'loop2', 'loop2': 'loop1', 'self': 'self', 'dangling': '/nowhere/../x',
  })
  const cases: [string, string][] = [
    ['/', ''], ['/up', ''], ['/up/passwd', 'passwd'], ['/up/../../up/etc/shadow', 'etc/shadow'],
    ['/etc/passwd', 'etc/shadow'], ['/hostetc', 'etc'], ['/hostetc/shadow', 'etc/shadow'],
    ['/../../../etc/shadow', 'etc/shadow'], ['/./etc//./shadow/', 'etc/shadow'], ['/data/../data/file', 'data/file'],
  ]
  for (const [path, expected] of cases) t.equal(await resolveInRoot(root, path), join(root, expected), path)
  t.equal(await resolveInRoot(root, '/usr/lib/escape', { allowMissing: true }), join(root, 'outside/secret'))
  t.equal(await resolveInRoot(root, '/up/new/dir', { allowMissing: true }), join(root, 'new/dir'))
  const refused: [string, RegExp, boolean?][] = [
    ['/loop1', /more than 32 symbolic links in the rootfs \(ELOOP\)/],
    ['/self/x', /ELOOP/, true],
    ['/usr/lib/escape', /does not exist in the rootfs \("\/outside" is missing\)/],
    ['/data/file/x', /"\/data\/file" is not a directory in the rootfs \(ENOTDIR\)/, true],
    ['/new/../../etc', /".." after a missing component/, true],
    ['/dangling', /".." after a missing component/, true],
    ['etc/passwd', /must be an absolute path/],
    ['/etc/pass\0wd', /contains a NUL byte/, true],
  ]
  for (const [path, message, allowMissing] of refused) {
    await t.rejects(resolveInRoot(root, path, { allowMissing: allowMissing === true }), { name: 'InvalidInputError', where: JSON.stringify(path), message }, path)
  }
})

t.test('resolveInRoot follows 32 symlinks, as FreeBSD namei does, and no more', async (t) => {
  const chain = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, i === n - 1 ? '/target' : `/l${i + 1}`]))
  const { root } = await rootfs(t, { 'target/': '' }, chain(32))
  t.equal(await resolveInRoot(root, '/l0'), join(root, 'target'))
  await symlink('/l0', join(root, 'l-1'))
  await t.rejects(resolveInRoot(root, '/l-1'), { message: /ELOOP/ })
})

t.test('ensureMountPoint creates missing directories inside the root only', async (t) => {
  const { dir, root } = await rootfs(t, { 'etc/resolv.conf': 'nameserver 1.1.1.1\n', 'var/': '' }, { mnt: '/../../outside/new' })
  t.strictSame(await ensureMountPoint(root, '/var/db/pkg'), { node: join(root, 'var/db/pkg'), created: [join(root, 'var/db'), join(root, 'var/db/pkg')] })
  t.ok((await stat(join(root, 'var/db/pkg'))).isDirectory())
  t.strictSame(await ensureMountPoint(root, '/var/db/pkg'), { node: join(root, 'var/db/pkg'), created: [] })
  const viaLink = await ensureMountPoint(root, '/mnt/data')
  t.strictSame(viaLink, { node: join(root, 'outside/new/data'), created: ['outside', 'outside/new', 'outside/new/data'].map((p) => join(root, p)) })
  t.strictSame(await readdir(join(dir, 'outside')), ['secret'], 'nothing was created next to the rootfs')
  t.strictSame(await ensureMountPoint(root, '/', {}), { node: root, created: [] })
  await t.rejects(ensureMountPoint(root, `/made/here/${'x'.repeat(300)}`), { code: 'ENAMETOOLONG' })
  t.notOk(await stat(join(root, 'made')).catch(() => null), 'a failure removes the directories this call created')
})

t.test('ensureMountPoint and files: nullfs can mount a file on a file', async (t) => {
  const { root } = await rootfs(t, { 'etc/resolv.conf': 'x', 'var/': '' })
  await t.rejects(ensureMountPoint(root, '/etc/resolv.conf'), { name: 'InvalidInputError', where: '"/etc/resolv.conf"', message: /"\/etc\/resolv.conf" exists in the rootfs and is not a directory/ })
  t.strictSame(await ensureMountPoint(root, '/etc/resolv.conf', { file: true }), { node: join(root, 'etc/resolv.conf'), created: [] })
  await t.rejects(ensureMountPoint(root, '/var', { file: true }), { message: /is not a regular file/ })
  t.strictSame(await ensureMountPoint(root, '/run/secrets/token', { file: true }), {
    node: join(root, 'run/secrets/token'), created: ['run', 'run/secrets', 'run/secrets/token'].map((p) => join(root, p)),
  })
  t.ok((await stat(join(root, 'run/secrets/token'))).isFile())
  await t.rejects(ensureMountPoint(root, '/etc/resolv.conf/x'), { message: /ENOTDIR/ })
})

const passwd = [
  '# $FreeBSD$',
  '#',
  'root:*:0:0:Charlie &:/root:/bin/sh',
  '',
  'toor:*:0:0:Bourne-again Superuser:/root:', // a second uid 0: the first entry wins, as getpwuid(3)
  'broken:*:77:77',
  'www:*:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin',
  '-rf:*:666:666::/:/bin/sh',
  'odd:*:667:x::/:/bin/sh',
].join('\n')

t.test('lookupUser reads the image passwd, not the host one', async (t) => {
  const { root } = await rootfs(t, { 'image/passwd': passwd }, { etc: '/../../../image' })
  t.strictSame(await lookupUser(root, 0), { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' })
  t.strictSame(await lookupUser(root, 80), { name: 'www', uid: 80, gid: 80, home: '/nonexistent', shell: '/usr/sbin/nologin' })
  const refused: [number, RegExp][] = [
    [1234, /^process\.user\.uid: uid 1234 has no entry in the image's \/etc\/passwd \(jexec -U needs a user name\)$/],
    [77, /uid 77 has no entry/], // too few fields
    [666, /named "-rf" .* not a safe jexec -U argument/],
    [667, /gid "x"/],
  ]
  for (const [uid, message] of refused) await t.rejects(lookupUser(root, uid), { name: 'InvalidInputError', where: 'process.user.uid', message }, `${uid}`)
})

t.test('lookupUser without a usable /etc/passwd', async (t) => {
  const { root } = await rootfs(t, { 'bin/': '' })
  await t.rejects(lookupUser(root, 0), { name: 'InvalidInputError', where: 'process.user.uid', message: /the image has no \/etc\/passwd/ })
  await mkdir(join(root, 'etc/passwd'), { recursive: true })
  await t.rejects(lookupUser(root, 0), { name: 'InvalidInputError', message: /is not a regular file/ })
  const { root: fifoRoot } = await rootfs(t, { 'etc/': '' })
  execFileSync('mkfifo', [join(fifoRoot, 'etc/passwd')])
  await t.rejects(lookupUser(fifoRoot, 0), { message: /is not a regular file/ }, 'a FIFO is refused without blocking')
})

// A minimal ELF file: header, program headers right after it, then each segment's bytes.
function elf(bits: 32 | 64, little: boolean, osabi: number, segments: [type: number, data: Buffer, align?: number][] = [], phoff?: bigint) {
  const [header, entry] = bits === 64 ? [64, 56] : [52, 32]
  const out = Buffer.alloc(header + entry * segments.length + segments.reduce((n, [, data]) => n + data.length, 0))
  const u16 = (v: number, at: number) => (little ? out.writeUInt16LE(v, at) : out.writeUInt16BE(v, at))
  const u32 = (v: number, at: number) => (little ? out.writeUInt32LE(v, at) : out.writeUInt32BE(v, at))
  const word = (v: bigint, at: number) => (bits === 32 ? u32(Number(v), at) : little ? out.writeBigUInt64LE(v, at) : out.writeBigUInt64BE(v, at))
  out.set([0x7f, 0x45, 0x4c, 0x46, bits / 32, little ? 1 : 2, 1, osabi])
  word(phoff ?? BigInt(header), bits === 64 ? 0x20 : 0x1c)
  u16(entry, bits === 64 ? 0x36 : 0x2a)
  u16(segments.length, bits === 64 ? 0x38 : 0x2c)
  let data = header + entry * segments.length
  segments.forEach(([type, bytes, align = 4], i) => {
    const at = header + i * entry
    u32(type, at)
    word(BigInt(data), at + (bits === 64 ? 8 : 4))
    word(BigInt(bytes.length), at + (bits === 64 ? 32 : 16))
    word(BigInt(align), at + (bits === 64 ? 48 : 28))
    bytes.copy(out, data)
    data += bytes.length
  })
  return out
}

// One note, padded to `align`, with 32-bit descriptor words.
function note(little: boolean, name: string, type: number, words: number[], align = 4) {
  const pad = (n: number) => Math.ceil(n / align) * align
  const out = Buffer.alloc(12 + pad(name.length + 1) + pad(words.length * 4))
  const u32 = (v: number, at: number) => (little ? out.writeUInt32LE(v, at) : out.writeUInt32BE(v, at))
  ;[name.length + 1, words.length * 4, type].forEach((v, i) => u32(v, i * 4))
  out.write(name, 12, 'latin1')
  words.forEach((v, i) => u32(v, 12 + pad(name.length + 1) + i * 4))
  return out
}

t.test('readElfAbi brands programs like FreeBSD would', async (t) => {
  const PT_INTERP = 3
  const PT_NOTE = 4
  const z = (s: string) => Buffer.from(`${s}\0`, 'latin1')
  const { root } = await rootfs(t, {
    'bin/freebsd-osabi': elf(64, true, 9),
    'bin/linux-osabi': elf(64, true, 3),
    'bin/musl32be': elf(32, false, 0, [[6, Buffer.alloc(0)], [PT_INTERP, z('/lib/ld-musl-mips.so.1')]]),
    'usr/bin/glibc-static': elf(64, false, 0, [[PT_NOTE, Buffer.concat([note(false, 'Go', 4, [1]), note(false, 'GNU', 1, [0, 3, 2, 0])])]]),
    'usr/local/bin/freebsd-note': elf(32, true, 0, [[PT_NOTE, note(true, 'FreeBSD', 1, [1400097], 8), 8]]),
    'sbin/rtld': elf(64, true, 0, [[PT_INTERP, z('/libexec/ld-elf.so.1')]]),
    'sbin/kfreebsd': elf(64, true, 0, [[PT_NOTE, note(true, 'GNU', 1, [3, 10, 0, 0])]]),
    'sbin/bare': elf(64, true, 0),
    'sbin/forged': elf(64, true, 0, [[PT_NOTE, Buffer.alloc(0)]], 0xffffffffffffffffn),
    'sbin/truncated': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    'usr/sbin/script': '#!/bin/sh\necho hi\n',
    'usr/sbin/empty': '',
    'app/': '',
  }, { 'app/sh': '../bin/sh' })
  await copyFile(await realpath('/bin/sh'), join(root, 'bin/sh'))
  const cases: [string, string][] = [
    ['sh', 'linux'], ['/bin/sh', 'linux'], ['./sh', 'linux'], ['freebsd-osabi', 'freebsd'], ['linux-osabi', 'linux'],
    ['musl32be', 'linux'], ['glibc-static', 'linux'], ['freebsd-note', 'freebsd'], ['rtld', 'freebsd'], ['kfreebsd', 'unknown'], ['bare', 'unknown'],
    ['forged', 'unknown'], ['truncated', 'unknown'], ['script', 'not-elf'], ['/usr/sbin/empty', 'not-elf'],
  ]
  for (const [path, abi] of cases) t.equal(await readElfAbi(root, path, '/app'), abi, path)
  await t.rejects(readElfAbi(root, 'nope'), { name: 'InvalidInputError', where: 'process.args[0]', message: /"nope" is not in the rootfs \(searched \/bin:\/usr\/bin:\/sbin:\/usr\/sbin:\/usr\/local\/bin\)/ })
  await t.rejects(readElfAbi(root, '/bin/../../nope'), { name: 'InvalidInputError', message: /is not in the rootfs$/ })
  await t.rejects(readElfAbi(root, ''), { where: 'process.args[0]', message: /is empty/ })
  await t.rejects(readElfAbi(root, '/app'), { message: /is not a regular file/ })
})
