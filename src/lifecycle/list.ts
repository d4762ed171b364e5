// `runj list`: every live container from the index (repaired against the logs first), with the status `state` would
// report: created/running ones are checked against one ps call for all of them.
import type { FileEventStore } from '../store/file-store.js'
import { syncIndex } from '../index/index-file.js'
import type { IndexEntry } from '../index/projection.js'
import type { LifecycleContext } from './context.js'
import { exitedGiven } from './observe.js'

export interface Listed extends IndexEntry {
  readonly status: IndexEntry['status']
}

export async function listContainers(ctx: LifecycleContext, options: { rebuild?: boolean } = {}): Promise<{ containers: Listed[]; repaired: 'rebuilt' | string[] }> {
  const { entries, repaired } = await syncIndex(ctx.store as FileEventStore, options)
  const check = entries.filter((e) => (e.status === 'created' || e.status === 'running' || e.status === 'paused') && e.pid !== null)
  const infos = await ctx.host.processInfos(check.map((e) => e.pid as number))
  const checked = new Set(check)
  const containers = entries
    .map((e): Listed => (checked.has(e) && exitedGiven(e, infos.get(e.pid as number) ?? null) ? { ...e, status: 'stopped' } : e))
    // Code-unit order (ids are ASCII): localeCompare costs ~7 ms for 1,000 ids.
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { containers, repaired }
}
