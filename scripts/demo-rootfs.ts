// A tiny jail root filesystem for the demo, the benchmarks and the FreeBSD suite: host binaries, no downloads.
// On Linux: the simulator's buildRootfs (programs plus their shared libraries). On FreeBSD: /rescue's static programs.
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildRootfs } from '../test/sim/rootfs.js'

/** What the demo's process needs: `sh -c 'echo hello from $(hostname); exec sleep 30'` (echo is an sh builtin). */
export const DEMO_PROGRAMS = ['sh', 'sleep', 'hostname']

/**
 * A rootfs from FreeBSD's /rescue: its programs are static (no libraries to copy) and most are hard links to one
 * crunchgen(1) binary that dispatches on argv[0], so the first one is copied and the others are linked to the copy.
 * Writes etc/passwd and etc/group with root (runj looks the process's uid up in the image's /etc/passwd).
 */
export function buildRescueRootfs(dir: string, programs: readonly string[], rescue = '/rescue'): string {
  for (const d of ['bin', 'etc', 'tmp', 'root', 'dev', 'usr/bin']) mkdirSync(join(dir, d), { recursive: true })
  chmodSync(join(dir, 'tmp'), 0o1777)
  const copied = new Map<string, string>() // "dev:ino" of a /rescue file -> its copy in the rootfs
  for (const program of programs) {
    const source = join(rescue, program)
    if (!existsSync(source)) throw new Error(`buildRescueRootfs: ${source} does not exist (is this FreeBSD with /rescue installed?)`)
    const info = statSync(source)
    const key = `${info.dev}:${info.ino}`
    const target = join(dir, 'bin', program)
    if (existsSync(target)) continue
    const first = copied.get(key)
    if (first === undefined) {
      copyFileSync(source, target)
      chmodSync(target, 0o555)
      copied.set(key, target)
    } else linkSync(first, target)
  }
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:*:0:0:Charlie &:/root:/bin/sh\n')
  writeFileSync(join(dir, 'etc', 'group'), 'wheel:*:0:root\n')
  return dir
}

/** The demo's rootfs at `dir` for this platform. */
export function buildDemoRootfs(dir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'freebsd' ? buildRescueRootfs(dir, DEMO_PROGRAMS) : buildRootfs(dir, DEMO_PROGRAMS)
}
