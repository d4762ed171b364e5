// <root>/index.json through lowdb: read, repaired against the logs, and written under a lock. The logs are the truth;
// the index is a cache that `list` can trust only after checking every log's size against it.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { evolve, initialState } from '../domain/state.js'
import { streamPath, type FileEventStore } from '../store/file-store.js'
import { emptyIndex, isIndexData, projectEntry, type IndexData, type IndexEntry } from './projection.js'

/** Not a valid container id, so the index lock can never collide with a container's. */
const INDEX_LOCK = '.index'

export const indexPath = (root: string): string => join(root, 'index.json')

/** Synchronous on purpose: list stats every log, and 1,000 promise-based stats cost ~15 ms against ~3 ms. */
async function sizeOf(path: string): Promise<number | null> {
  return statSync(path, { throwIfNoEntry: false })?.size ?? null
}

/** The entry for one container's live log as it is now (null: no live log). */
async function project(store: FileEventStore, id: string): Promise<IndexEntry | null> {
  const stream = await store.readStream(id)
  const size = await sizeOf(streamPath(store.root, id))
  return size === null ? null : projectEntry(stream.events.reduce(evolve, initialState()), stream.events[0]?.time ?? null, size)
}

/** Ids with a live log directory. */
async function liveIds(root: string): Promise<string[]> {
  let names: string[]
  try {
    names = readdirSync(join(root, 'containers'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    names = []
  }
  return names.filter((name) => !name.startsWith('.')).sort()
}

/** Reads index.json; false when it is missing or not an index (garbage, a torn write, another version). */
async function load(db: Low<IndexData>, path: string): Promise<boolean> {
  if ((await sizeOf(path)) === null) return false
  try {
    await db.read()
  } catch {
    return false
  }
  return isIndexData(db.data)
}

export interface Synced {
  readonly entries: IndexEntry[]
  /** What was repaired: 'rebuilt' (missing, corrupt or --rebuild), the ids re-projected, or nothing. */
  readonly repaired: 'rebuilt' | string[]
}

/**
 * Brings the index in line with the logs and returns its entries: every live log whose size differs from its entry
 * (or has none) is re-projected, entries without a live log are dropped; a missing or corrupt file, or `rebuild`,
 * re-projects everything. Writes only when something changed, under the index lock.
 */
export async function syncIndex(store: FileEventStore, options: { rebuild?: boolean; only?: string } = {}): Promise<Synced> {
  const db = new Low<IndexData>(new JSONFile<IndexData>(indexPath(store.root)), emptyIndex())
  const check = async (): Promise<{ valid: boolean; stale: string[]; gone: string[] }> => {
    const valid = options.rebuild !== true && (await load(db, indexPath(store.root)))
    if (!valid) return { valid, stale: [], gone: [] }
    const ids = options.only === undefined ? await liveIds(store.root) : [options.only]
    const sizes: (number | null)[] = []
    for (const id of ids) sizes.push(await sizeOf(streamPath(store.root, id)))
    const stale = ids.filter((id, i) => sizes[i] !== null && db.data.containers[id]?.logSize !== sizes[i])
    const present = new Set(ids.filter((_, i) => sizes[i] !== null))
    const candidates = options.only === undefined ? Object.keys(db.data.containers) : [options.only]
    const gone = candidates.filter((id) => !present.has(id) && db.data.containers[id] !== undefined)
    return { valid, stale, gone }
  }
  // The common case, reading without the lock: nothing to repair.
  let state = await check()
  if (state.valid && state.stale.length === 0 && state.gone.length === 0) return { entries: Object.values(db.data.containers), repaired: [] }
  return store.withLock(INDEX_LOCK, async () => {
    state = await check()
    let repaired: Synced['repaired']
    if (!state.valid) {
      db.data = emptyIndex()
      const ids = await liveIds(store.root)
      for (const [i, entry] of (await Promise.all(ids.map((id) => project(store, id)))).entries()) if (entry !== null) db.data.containers[ids[i] as string] = entry
      repaired = 'rebuilt'
    } else {
      for (const id of state.gone) delete db.data.containers[id]
      for (const id of state.stale) {
        const entry = await project(store, id)
        if (entry === null) delete db.data.containers[id]
        else db.data.containers[id] = entry
      }
      repaired = [...state.gone, ...state.stale]
    }
    if (repaired === 'rebuilt' || repaired.length > 0) await db.write()
    return { entries: Object.values(db.data.containers), repaired }
  }, { wait: true })
}
