// Resolves, creates and reads paths inside a container's rootfs as the jail would see them, never escaping it.
import { constants, type Stats } from 'node:fs'
import { lstat, mkdir, open, readlink, realpath, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { InvalidInputError, OperationError } from '../errors.js'

// FreeBSD sys/sys/param.h MAXSYMLINKS: namei() fails with ELOOP after expanding this many links in one lookup.
const MAX_SYMLINKS = 32
// execvp(3) in the jail searches PATH; these are the directories a FreeBSD or Linux image keeps programs in.
const PATH_DIRS = ['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/local/bin']
// jexec(8) -U takes a user name as its own argument: refuse anything that could read as an option or be mangled.
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
const MAX_PASSWD_BYTES = 4 << 20 // an image's passwd is small; the cap keeps a hostile one from exhausting memory

export type ElfAbi = 'freebsd' | 'linux' | 'unknown' | 'not-elf'
export interface PasswdEntry { name: string; uid: number; gid: number; home: string; shell: string }

const codeOf = (error: unknown): string => String((error as NodeJS.ErrnoException).code ?? error)
const components = (path: string): string[] => path.split('/').filter((part) => part !== '' && part !== '.')

/** The real path of the bundle's root.path, which must be a directory (OCI config.md "Root"). */
export async function realRoot(path: string): Promise<string> {
  const real = await realpath(path).catch((error: unknown) => {
    throw new InvalidInputError('root.path', `${JSON.stringify(path)} cannot be resolved (${codeOf(error)})`, { cause: error })
  })
  if (!(await stat(real)).isDirectory()) throw new InvalidInputError('root.path', `${JSON.stringify(path)} is not a directory`)
  return real
}

/**
 * The host path of `path` as a process chrooted at `root` would resolve it (chroot(2), namei(9)): ".." stops at
 * the root, absolute symlink targets restart at the root, relative ones at the link's directory. Every component
 * kept is a real directory below `root`, so the result is `root` or under `root/` by construction.
 * With allowMissing, the first missing component and the rest are appended as written (FreeBSD's mkdir/open
 * would create them there), except "..", whose meaning would depend on what is created later.
 */
export async function resolveInRoot(root: string, path: string, options: { allowMissing?: boolean } = {}): Promise<string> {
  const where = JSON.stringify(path)
  if (path.includes('\0')) throw new InvalidInputError(where, 'contains a NUL byte')
  if (!path.startsWith('/')) throw new InvalidInputError(where, 'must be an absolute path inside the container')
  const kept: string[] = []
  const pending = components(path)
  let links = 0
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '..') {
      kept.pop() // chroot(2): ".." at the root is the root
      continue
    }
    const host = join(root, ...kept, part)
    const info = await lstat(host).catch((error: unknown) => {
      if (codeOf(error) === 'ENOENT') return null
      throw new OperationError(`cannot look up ${where} in the rootfs: ${codeOf(error)}`, { cause: error })
    })
    if (info === null) {
      if (!options.allowMissing) throw new InvalidInputError(where, `does not exist in the rootfs ("/${[...kept, part].join('/')}" is missing)`)
      if (pending.includes('..')) throw new InvalidInputError(where, '".." after a missing component cannot be resolved')
      return join(root, ...kept, part, ...pending)
    }
    if (info.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw new InvalidInputError(where, `more than ${MAX_SYMLINKS} symbolic links in the rootfs (ELOOP)`)
      const target = await readlink(host)
      if (target.startsWith('/')) kept.length = 0
      pending.unshift(...components(target))
    } else if (pending.length > 0 && !info.isDirectory()) {
      throw new InvalidInputError(where, `"/${[...kept, part].join('/')}" is not a directory in the rootfs (ENOTDIR)`)
    } else kept.push(part)
  }
  return join(root, ...kept)
}

/** A nullfs mount of a regular file needs a file, not a directory, as its mount point (podman's /etc/hosts). */
export async function mountsAFile(mount: { type: string; source: string }): Promise<boolean> {
  return mount.type === 'nullfs' && (await stat(mount.source).then((info) => info.isFile(), () => false))
}

/** Refuses, before any host action, a mount point that exists in the rootfs with the wrong type. `node` is from resolveInRoot. */
export async function checkMountPoint(root: string, node: string, destination: string, file: boolean): Promise<void> {
  const info = await lstat(node).catch(() => null)
  if (info === null || (file ? info.isFile() : info.isDirectory())) return
  throw new InvalidInputError(JSON.stringify(destination), `"/${relative(root, node)}" exists in the rootfs and is not a ${file ? 'regular file' : 'directory'}`)
}

/**
 * Makes `destination` exist as a mount point: a directory, or with `{ file: true }` a regular file, since FreeBSD's
 * nullfs(5) can also mount a file on a file. `created` lists what was made, parents first, for a rollback to remove
 * in reverse (the last entry is an empty file when `file` is set and the node was missing). `root` is from realRoot.
 */
export async function ensureMountPoint(root: string, destination: string, options: { file?: boolean } = {}): Promise<{ node: string; created: string[] }> {
  const node = await resolveInRoot(root, destination, { allowMissing: true })
  const parts = relative(root, node).split(sep).filter((part) => part !== '')
  const created: string[] = []
  try {
    let host = root
    for (const [i, part] of parts.entries()) {
      host = join(host, part)
      const file = options.file === true && i === parts.length - 1
      let info: Stats | null = await lstat(host).catch(() => null)
      if (info === null) {
        // One level at a time, then realpath proves no component became a symlink meanwhile (else we followed it).
        if (file) await (await open(host, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)).close()
        else await mkdir(host, { mode: 0o755 })
        created.push(host)
        if ((await realpath(host)) !== host) throw new OperationError(`${JSON.stringify(destination)}: the rootfs changed while creating the mount point`)
        info = await lstat(host)
      }
      if (file ? !info.isFile() : !info.isDirectory()) {
        throw new InvalidInputError(JSON.stringify(destination), `"/${parts.slice(0, i + 1).join('/')}" exists in the rootfs and is not a ${file ? 'regular file' : 'directory'}`)
      }
    }
  } catch (error) {
    // Undo only this call's work, deepest first; rmdir/unlink never follow a final symlink.
    for (const path of created.reverse()) await (path === node && options.file === true ? unlink(path) : rmdir(path)).catch(() => undefined)
    throw error
  }
  return { node, created }
}

/** Opens a regular file of at most `maxBytes` inside the rootfs; null when it does not exist. */
async function openInRoot(root: string, path: string, maxBytes = Infinity): Promise<{ handle: FileHandle; size: number } | null> {
  const host = await resolveInRoot(root, path, { allowMissing: true })
  // O_NOFOLLOW: a symlink planted after resolution is refused, not followed; O_NONBLOCK: a FIFO cannot hang open(2).
  const handle = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT') return null
    throw new OperationError(`cannot open ${JSON.stringify(path)} in the rootfs: ${codeOf(error)}`, { cause: error })
  })
  if (handle === null) return null
  const info = await handle.stat()
  if (info.isFile() && info.size <= maxBytes) return { handle, size: info.size }
  await handle.close()
  throw new InvalidInputError(JSON.stringify(path), info.isFile() ? `is larger than ${maxBytes} bytes` : 'is not a regular file in the rootfs')
}

/** The image's passwd(5) entry for `uid` (fields name:password:uid:gid:gecos:home:shell); jexec -U needs its name. */
export async function lookupUser(root: string, uid: number): Promise<PasswdEntry> {
  const where = 'process.user.uid'
  const file = await openInRoot(root, '/etc/passwd', MAX_PASSWD_BYTES)
  if (file === null) throw new InvalidInputError(where, `uid ${uid} cannot be looked up: the image has no /etc/passwd (jexec -U needs a user name)`)
  const text = await file.handle.readFile({ encoding: 'utf8' }).finally(() => file.handle.close())
  for (const line of text.split('\n')) {
    const fields = line.split(':')
    const [name = '', , uidField = '', gidField = '', , home = '', shell = ''] = fields
    if (line.trimStart().startsWith('#') || fields.length !== 7 || !/^[0-9]+$/.test(uidField) || Number(uidField) !== uid) continue
    if (!USER_NAME.test(name)) throw new InvalidInputError(where, `uid ${uid} is named ${JSON.stringify(name)} in the image's /etc/passwd, which is not a safe jexec -U argument`)
    if (!/^[0-9]+$/.test(gidField)) throw new InvalidInputError(where, `uid ${uid} has gid ${JSON.stringify(gidField)} in the image's /etc/passwd`)
    return { name, uid, gid: Number(gidField), home, shell }
  }
  throw new InvalidInputError(where, `uid ${uid} has no entry in the image's /etc/passwd (jexec -U needs a user name)`)
}

// elf(5) layouts for ELFCLASS32 and ELFCLASS64: header and program header sizes and their fields' offsets.
const LAYOUT = [
  { header: 52, phoff: 0x1c, phentsize: 0x2a, phnum: 0x2c, entry: 32, offset: 4, filesz: 16, align: 28 },
  { header: 64, phoff: 0x20, phentsize: 0x36, phnum: 0x38, entry: 56, offset: 8, filesz: 32, align: 48 },
] as const
const [PT_INTERP, PT_NOTE] = [3, 4]
const [MAX_PHDRS, MAX_SEGMENT] = [256, 1 << 16] // bounds on what a hostile header can make runj read

/** The evidence FreeBSD's image activator brands an ELF file by (brandelf(1)): EI_OSABI, interpreter, ABI notes. */
async function elfAbi(handle: FileHandle, size: number): Promise<ElfAbi> {
  const read = async (position: number, length: number): Promise<Buffer> => {
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - position)))
    // Past the end (including offsets beyond 2^53 from a forged 64-bit header) reads nothing.
    return buffer.length === 0 ? buffer : buffer.subarray(0, (await handle.read(buffer, 0, buffer.length, position)).bytesRead)
  }
  const ident = await read(0, 64)
  if (ident.length < 16 || ident.readUInt32BE(0) !== 0x7f454c46) return 'not-elf'
  if (ident[7] === 9) return 'freebsd' // ELFOSABI_FREEBSD
  if (ident[7] === 3) return 'linux' // ELFOSABI_LINUX, which FreeBSD's linux(4) brand also matches
  const layout = LAYOUT[(ident[4] ?? 0) - 1] // EI_CLASS: 1 = 32-bit, 2 = 64-bit
  const little = ident[5] === 1 // EI_DATA: 1 = little-endian, 2 = big-endian
  if (layout === undefined || (!little && ident[5] !== 2) || ident.length < layout.header) return 'unknown'
  const u16 = (b: Buffer, at: number): number => (little ? b.readUInt16LE(at) : b.readUInt16BE(at))
  const u32 = (b: Buffer, at: number): number => (little ? b.readUInt32LE(at) : b.readUInt32BE(at))
  const word = (b: Buffer, at: number): number => (layout.header === 52 ? u32(b, at) : Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)))
  const entry = u16(ident, layout.phentsize)
  if (entry < layout.entry) return 'unknown'
  const table = await read(word(ident, layout.phoff), entry * Math.min(u16(ident, layout.phnum), MAX_PHDRS))
  for (let at = 0; at + entry <= table.length; at += entry) {
    const type = u32(table, at)
    if (type !== PT_INTERP && type !== PT_NOTE) continue
    const data = await read(word(table, at + layout.offset), Math.min(word(table, at + layout.filesz), MAX_SEGMENT))
    const interp = type === PT_INTERP ? data.toString('latin1') : ''
    if (/\/lib(64)?\/ld-linux|ld-musl/.test(interp)) return 'linux'
    if (interp.startsWith('/libexec/ld-elf')) return 'freebsd' // rtld(1)
    if (type === PT_INTERP) continue
    // Notes: namesz, descsz, type, then name and descriptor, each padded to the segment's alignment (4 or 8).
    const pad = (n: number): number => (word(table, at + layout.align) === 8 ? Math.ceil(n / 8) * 8 : Math.ceil(n / 4) * 4)
    for (let note = 0; note + 12 <= data.length;) {
      const name = data.subarray(note + 12, note + 12 + u32(data, note)).toString('latin1').replace(/\0+$/, '')
      const desc = note + 12 + pad(u32(data, note))
      if (name === 'FreeBSD') return 'freebsd'
      // NT_GNU_ABI_TAG (type 1): the descriptor's first word is the OS, 0 being ELF_NOTE_OS_LINUX.
      if (name === 'GNU' && u32(data, note + 8) === 1 && desc + 4 <= data.length && u32(data, desc) === 0) return 'linux'
      note = desc + pad(u32(data, note + 4))
    }
  }
  return 'unknown'
}

/**
 * The ABI of the program `path` (process.args[0]) names inside the rootfs: a name without "/" is searched in
 * `searchPath` (the process's PATH; else PATH_DIRS) as execvp(3) would, a relative path is taken from `cwd`
 * (process.cwd). 'not-elf' covers "#!" scripts.
 */
export async function readElfAbi(root: string, path: string, cwd = '/', searchPath: readonly string[] = PATH_DIRS): Promise<ElfAbi> {
  if (path === '') throw new InvalidInputError('process.args[0]', 'is empty')
  const candidates = path.includes('/') ? [path.startsWith('/') ? path : `${cwd}/${path}`] : searchPath.map((dir) => `${dir}/${path}`)
  for (const candidate of candidates) {
    const file = await openInRoot(root, candidate)
    if (file !== null) return elfAbi(file.handle, file.size).finally(() => file.handle.close())
  }
  throw new InvalidInputError('process.args[0]', `${JSON.stringify(path)} is not in the rootfs${path.includes('/') ? '' : ` (searched ${searchPath.join(':')})`}`)
}
