// What every command needs from the global options: the state root, the store, and the actor for new events.
import { userInfo } from 'node:os'
import { resolve } from 'node:path'
import { FileEventStore } from '../store/file-store.js'
import type { Actor } from '../store/record.js'
import { RUNJ_VERSION } from '../version.js'

export const DEFAULT_ROOT = '/var/lib/runj'

export interface Context {
  readonly root: string
  readonly store: FileEventStore
  actor(command: string): Actor
}

export function createContext(root: string | undefined): Context {
  const absoluteRoot = resolve(root ?? process.env['RUNJ_ROOT'] ?? DEFAULT_ROOT)
  return {
    root: absoluteRoot,
    store: new FileEventStore(absoluteRoot),
    actor: (command) => ({
      uid: process.getuid?.() ?? -1,
      user: userName(),
      pid: process.pid,
      ppid: process.ppid,
      command,
      runtime: `runj ${RUNJ_VERSION}`,
    }),
  }
}

function userName(): string {
  try {
    return userInfo().username
  } catch {
    return String(process.getuid?.() ?? 'unknown')
  }
}
