// Cross-process per-container lock: a file made atomically with link(2), broken only when its holder is dead.
import { AsyncLocalStorage } from 'node:async_hooks'
import { link, readFile, unlink, writeFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { LockedError } from './errors.js'

const held = new AsyncLocalStorage<ReadonlySet<string>>()
const localQueues = new Map<string, Promise<unknown>>()

const WAIT_LIMIT_MS = 120_000

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function holderOf(path: string): Promise<{ pid: number; token: string } | null> {
  try {
    const [pid, token] = (await readFile(path, 'utf8')).split(' ')
    return { pid: Number(pid), token: token ?? '' }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** Removes `path` if the holder recorded in it is dead; a guard file keeps two breakers from racing. */
async function breakIfStale(path: string, holder: { pid: number; token: string }): Promise<void> {
  const guard = `${path}.break`
  try {
    await writeFile(guard, String(process.pid), { flag: 'wx' })
  } catch {
    const breaker = await holderOf(guard)
    if (breaker !== null && !isAlive(breaker.pid)) await unlink(guard).catch(() => undefined)
    return
  }
  try {
    const again = await holderOf(path)
    if (again !== null && again.token === holder.token && !isAlive(again.pid)) await unlink(path)
  } finally {
    await unlink(guard)
  }
}

/** Tries once to take the lock; returns the token on success, or the live holder's pid. */
async function tryAcquire(path: string): Promise<{ token: string } | { holder: number | null }> {
  // Identifies this holder's file, not a secret: pid, clock and a random part are enough.
  const token = `${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`
  const temp = `${path}.${process.pid}.${token}`
  await writeFile(temp, `${process.pid} ${token}`)
  try {
    await link(temp, path)
    return { token }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await unlink(temp)
  }
  const holder = await holderOf(path)
  if (holder === null) return { holder: null }
  if (!isAlive(holder.pid)) {
    await breakIfStale(path, holder)
    return { holder: null }
  }
  return { holder: holder.pid }
}

/** Takes the lock file for container `id`, polling while a live process holds it; returns its release. */
export async function acquireFileLock(id: string, path: string, wait: boolean): Promise<() => Promise<void>> {
  const deadline = Date.now() + WAIT_LIMIT_MS
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    const outcome = await tryAcquire(path)
    if ('token' in outcome) {
      return async () => {
        const holder = await holderOf(path)
        if (holder?.token === outcome.token) await unlink(path)
      }
    }
    if (outcome.holder === null) continue
    if (!wait || Date.now() > deadline) throw new LockedError(id, outcome.holder)
    await sleep(delay)
  }
}

/**
 * Runs `fn` holding lock `key` for container `id`: re-entrant within one async context;
 * concurrent contexts of this process queue; `external` adds the cross-process part.
 */
export async function withReentrantLock<T>(
  id: string,
  key: string,
  fn: () => Promise<T>,
  wait: boolean,
  external?: () => Promise<() => Promise<void>>,
): Promise<T> {
  const current = held.getStore()
  if (current?.has(key)) return fn()
  const queued = localQueues.get(key)
  if (queued !== undefined && !wait) throw new LockedError(id, process.pid)
  let release!: () => void
  const mine = new Promise<void>((resolve) => (release = resolve))
  const tail = (queued ?? Promise.resolve()).then(() => mine)
  localQueues.set(key, tail)
  try {
    await queued
    const releaseExternal = external === undefined ? undefined : await external()
    try {
      return await held.run(new Set([...(current ?? []), key]), fn)
    } finally {
      await releaseExternal?.()
    }
  } finally {
    release()
    if (localQueues.get(key) === tail) localQueues.delete(key)
  }
}
