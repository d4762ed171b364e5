// What the demo helpers ask of the running system: uname(1), freebsd-version(1), ldd(1), xz(1). Argv only, found on PATH.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { hostReleaseOf, type Release } from '../demo/release.js'
import { mustRun } from './freebsd.js'

/** This FreeBSD host's release from `uname -m`, `uname -p` and `freebsd-version` (not yet checked); null elsewhere. */
export async function hostRelease(platform: NodeJS.Platform = process.platform): Promise<Release | null> {
  if (platform !== 'freebsd') return null
  const [machine, arch, version] = await Promise.all([mustRun('uname', ['-m']), mustRun('uname', ['-p']), mustRun('freebsd-version', [])])
  return hostReleaseOf(machine, arch, version)
}

/**
 * The shared objects a dynamically linked program loads, from ldd(1): "name => /path (addr)" or "/path (addr)".
 * Synchronous: building a rootfs copies a handful of programs, one after the other.
 */
export function sharedLibrariesSync(program: string): string[] {
  let text: string
  try {
    text = execFileSync('ldd', [program], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch {
    return [] // a static program: ldd exits non-zero ("not a dynamic executable")
  }
  const libraries: string[] = []
  for (const line of text.split('\n')) {
    // glibc: "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)"; FreeBSD: "\tlibc.so.7 => /lib/libc.so.7 (0x...)".
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)
    if (match?.[1] !== undefined) libraries.push(match[1])
  }
  return libraries
}

export type XzProcess = ChildProcessByStdio<Writable, Readable, Readable>

/**
 * `xz -dc` as a filter (stdin: the .txz, stdout: the tar): the system's xz (FreeBSD base, Debian's xz-utils) is
 * liblzma itself and decodes on its own core while runj compresses on another.
 */
export function xzDecompressor(): XzProcess {
  return spawn('xz', ['-dc', '-T0', '--'], { stdio: ['pipe', 'pipe', 'pipe'] })
}
