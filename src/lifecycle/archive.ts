// Sealing a container: the final event, the log moved to <root>/archive/<id>/<first-event-time>.jsonl, the state directory removed.
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ContainerSession } from '../effects/session.js'
import { containerDir, streamPath } from '../store/file-store.js'

function archivePath(root: string, id: string, firstTime: string, attempt: number): string {
  return join(root, 'archive', id, `${firstTime}${attempt === 0 ? '' : `.${attempt}`}.jsonl`)
}

/** Appends ContainerDeleted (unless already sealed), then archives the stream so the id can be reused. */
export async function sealAndArchive(session: ContainerSession, root: string): Promise<string> {
  let target = sealedTarget(session)
  if (target === null) {
    const firstTime = session.firstTime ?? new Date().toISOString()
    target = archivePath(root, session.id, firstTime, 0)
    for (let attempt = 1; await stat(target).then(() => true, () => false); attempt++) target = archivePath(root, session.id, firstTime, attempt)
    await session.append([{ type: 'ContainerDeleted', data: { archivedAs: target } }])
  }
  await mkdir(join(root, 'archive', session.id), { recursive: true, mode: 0o700 })
  await rename(streamPath(root, session.id), target)
  await rm(containerDir(root, session.id), { recursive: true, force: true })
  return target
}

/** A stream sealed by a runj that died before moving it names its own archive path. */
function sealedTarget(session: ContainerSession): string | null {
  return session.lastEvent?.type === 'ContainerDeleted' ? session.lastEvent.data.archivedAs : null
}
