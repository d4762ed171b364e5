// What Node cannot do itself (issue 6), through libc with koffi: a pty pair, its master sent over the console socket
// with SCM_RIGHTS (as runc does), the slave made the controlling terminal before exec, and inherited fds kept from
// leaking into the container. This is the only module that loads koffi, and only when a command spawns a process.
import { openSync, constants as fsConstants } from 'node:fs'
import { createRequire } from 'node:module'
import { OperationError } from '../errors.js'

type Koffi = typeof import('koffi')
type Fn = (...args: unknown[]) => unknown

interface Platform {
  readonly libc: string
  readonly O_NOCTTY: number
  readonly O_CLOEXEC: number
  readonly SOL_SOCKET: number
  readonly TIOCSCTTY: number
  readonly TIOCSWINSZ: number
  /** sockaddr_un: BSDs start with a length byte. */
  readonly sunLen: boolean
  readonly sunPathMax: number
  /** cmsghdr.cmsg_len is a size_t on Linux, a socklen_t on FreeBSD; msghdr's iovlen/controllen likewise. */
  readonly longLengths: boolean
}

const PLATFORMS: Readonly<Record<string, Platform>> = {
  // Linux x86_64/arm64: <asm-generic/ioctls.h>, <bits/socket.h>.
  linux: { libc: 'libc.so.6', O_NOCTTY: 0o400, O_CLOEXEC: 0o2000000, SOL_SOCKET: 1, TIOCSCTTY: 0x540e, TIOCSWINSZ: 0x5414, sunLen: false, sunPathMax: 108, longLengths: true },
  // FreeBSD amd64/arm64: <sys/ttycom.h> _IO('t', 97) and _IOW('t', 103, struct winsize), <sys/socket.h>.
  freebsd: { libc: 'libc.so.7', O_NOCTTY: 0x8000, O_CLOEXEC: 0x100000, SOL_SOCKET: 0xffff, TIOCSCTTY: 0x20007461, TIOCSWINSZ: 0x80087467, sunLen: true, sunPathMax: 104, longLengths: false },
}

interface Libc {
  readonly koffi: Koffi
  readonly p: Platform
  readonly fn: Record<string, Fn>
}

let loaded: Libc | null = null

function libc(): Libc {
  if (loaded !== null) return loaded
  const p = PLATFORMS[process.platform]
  if (p === undefined) throw new OperationError(`terminals are not supported on ${process.platform}`)
  // koffi is CommonJS with a native part: loaded with require, and only here.
  const koffi = createRequire(import.meta.url)('koffi') as Koffi
  const lib = koffi.load(p.libc)
  koffi.struct('iovec', { base: 'void *', len: 'size_t' })
  // struct msghdr: iovlen and controllen are size_t on Linux, int and socklen_t on FreeBSD.
  koffi.struct('msghdr', {
    name: 'void *', namelen: 'uint32_t', iov: 'iovec *', iovlen: p.longLengths ? 'size_t' : 'int',
    control: 'void *', controllen: p.longLengths ? 'size_t' : 'uint32_t', flags: 'int',
  })
  const fn: Record<string, Fn> = {
    posix_openpt: lib.func('int posix_openpt(int)'),
    grantpt: lib.func('int grantpt(int)'),
    unlockpt: lib.func('int unlockpt(int)'),
    ptsname: lib.func('const char *ptsname(int)'),
    ioctl: lib.func('int ioctl(int, unsigned long, ...)'),
    socket: lib.func('int socket(int, int, int)'),
    connect: lib.func('int connect(int, void *, uint32_t)'),
    sendmsg: lib.func('intptr_t sendmsg(int, const msghdr *, int)'),
    close: lib.func('int close(int)'),
    umask: lib.func('uint32_t umask(uint32_t)'),
    fcntl: lib.func('int fcntl(int, int, ...)'),
    close_range: lib.func('int close_range(unsigned int, unsigned int, int)'),
    execve: lib.func('int execve(const char *, const char **, const char **)'),
    strerror: lib.func('const char *strerror(int)'),
  }
  loaded = { koffi, p, fn }
  return loaded
}

function fail(what: string): never {
  const { koffi, fn } = libc()
  const errno = koffi.errno()
  throw new OperationError(`${what}: ${String(fn.strerror?.(errno))} (errno ${errno})`)
}

export interface Pty {
  readonly master: number
  readonly slave: number
  readonly name: string
}

/** posix_openpt(3) + grantpt + unlockpt + ptsname, and the slave opened; both fds close-on-exec in runj. */
export function openPty(size: { height: number; width: number } | undefined): Pty {
  const { p, fn } = libc()
  const master = fn.posix_openpt?.(2 | p.O_NOCTTY | p.O_CLOEXEC) as number
  if (master < 0) fail('posix_openpt')
  if ((fn.grantpt?.(master) as number) !== 0) fail('grantpt')
  if ((fn.unlockpt?.(master) as number) !== 0) fail('unlockpt')
  const name = fn.ptsname?.(master) as string | null
  if (name === null) fail('ptsname')
  const slave = openSync(name, fsConstants.O_RDWR | fsConstants.O_NOCTTY)
  if (size !== undefined) {
    // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
    const winsize = Buffer.alloc(8)
    winsize.writeUInt16LE(size.height, 0)
    winsize.writeUInt16LE(size.width, 2)
    if ((fn.ioctl?.(master, p.TIOCSWINSZ, 'void *', winsize) as number) !== 0) fail('ioctl(TIOCSWINSZ)')
  }
  return { master, slave, name }
}

/**
 * Marks every fd from `lowest` up close-on-exec (close_range(2) with CLOSE_RANGE_CLOEXEC: Linux 5.11, FreeBSD 13.1).
 * Node opens its own fds close-on-exec, but fds runj inherited from its caller are not, and libuv's spawn does not
 * close them: without this, whatever conmon or a shell left open would reach the container.
 */
export function sealInheritedFds(lowest: number): void {
  const { fn } = libc()
  if ((fn.close_range?.(lowest, 0xffffffff, 4 /* CLOSE_RANGE_CLOEXEC */) as number) !== 0) fail(`close_range(${lowest}, ~0, CLOSE_RANGE_CLOEXEC)`)
}

export function closeFd(fd: number): void {
  libc().fn.close?.(fd)
}

/**
 * Connects to the AF_UNIX stream socket at `path` and sends `fd` with SCM_RIGHTS, the pty's name as the message (as
 * runc's utils.SendFile does; conmon and containerd read the fd from the control message).
 */
export function sendFd(path: string, fd: number, name: string): void {
  const { p, fn } = libc()
  const pathBytes = Buffer.from(path)
  if (pathBytes.length >= p.sunPathMax) throw new OperationError(`--console-socket ${path}: longer than a socket path may be (${p.sunPathMax - 1} bytes)`)
  const sock = fn.socket?.(1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0) as number
  if (sock < 0) fail('socket')
  try {
    const addr = Buffer.alloc(2 + p.sunPathMax)
    if (p.sunLen) {
      addr.writeUInt8(addr.length, 0)
      addr.writeUInt8(1, 1)
    } else addr.writeUInt16LE(1, 0)
    pathBytes.copy(addr, 2)
    if ((fn.connect?.(sock, addr, addr.length) as number) !== 0) fail(`connect to the console socket ${path}`)
    const message = Buffer.from(name)
    // One cmsghdr with one int: CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24; the data starts at 16 on both systems.
    const control = Buffer.alloc(24)
    if (p.longLengths) control.writeBigUInt64LE(20n, 0)
    else control.writeUInt32LE(20, 0)
    control.writeInt32LE(p.SOL_SOCKET, p.longLengths ? 8 : 4)
    control.writeInt32LE(1 /* SCM_RIGHTS */, p.longLengths ? 12 : 8)
    control.writeInt32LE(fd, 16)
    const msg = { name: null, namelen: 0, iov: [{ base: message, len: message.length }], iovlen: 1, control, controllen: control.length, flags: 0 }
    if (Number(fn.sendmsg?.(sock, msg, 0)) < 0) fail(`sendmsg to the console socket ${path}`)
  } finally {
    fn.close?.(sock)
  }
}

/** In the terminal trampoline (fd 0 is the slave, the process leads its own session): make it the controlling tty. */
export function takeControllingTerminal(): void {
  const { p, fn } = libc()
  if ((fn.ioctl?.(0, p.TIOCSCTTY, 'int', 0) as number) !== 0) fail('ioctl(TIOCSCTTY)')
}

/**
 * execve(2) with an empty environment (the argv starts with env -i, which sets the process's own). libuv reopens a
 * tty on fds 0-2 close-on-exec when Node starts, so that flag is cleared first or the process would lose its stdio.
 */
export function execve(argv: readonly string[], umask: number): never {
  const { fn } = libc()
  // F_SETFD = 2 and FD_CLOEXEC = 1 on Linux and FreeBSD alike.
  for (const fd of [0, 1, 2]) if ((fn.fcntl?.(fd, 2, 'int', 0) as number) !== 0) fail(`fcntl(${fd}, F_SETFD)`)
  fn.umask?.(umask)
  fn.execve?.(argv[0], [...argv, null], [null])
  return fail(`execve ${argv[0]}`)
}
