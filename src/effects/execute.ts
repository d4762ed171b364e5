// Runs one planned host action through the HostPort and returns the outcome events it produced.
import { rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DomainEvent } from '../domain/events.js'
import { ociStateJson, type OciStateJson } from '../domain/oci-state.js'
import { diffRules, type HookStage, type HostAction } from '../domain/plan.js'
import { OperationError } from '../errors.js'
import type { HostPort, ProcessInfo } from '../host/port.js'
import { ensureMountPoint, mountsAFile } from '../host/rootfs.js'
import type { ContainerSession } from './session.js'

export interface ExecutionContext {
  readonly host: HostPort
  readonly session: ContainerSession
  readonly warn: (message: string) => void
}

// runtime.md "Lifecycle": the status the state JSON on a hook's stdin carries at each stage.
const hookStatus: Record<HookStage, OciStateJson['status']> = {
  prestart: 'creating',
  createRuntime: 'creating',
  createContainer: 'creating',
  startContainer: 'created',
  poststart: 'running',
  poststop: 'stopped',
}

/** The pid is still the process runj spawned (same start time), not a recycled one. */
async function sameProcess(host: HostPort, pid: number | null, startTime: string | null): Promise<ProcessInfo | null> {
  if (pid === null) return null
  const info = await host.processInfo(pid)
  if (info === null || info.state.startsWith('Z') || (startTime !== null && info.startTime !== startTime)) return null
  return info
}

async function writePidFile(path: string, pid: number): Promise<void> {
  // Written whole or not at all: callers poll for it (runtime-tools reads the bare number).
  const temp = join(dirname(path), `.${process.pid}.runj-pid`)
  await writeFile(temp, String(pid))
  await rename(temp, path)
}

export async function executeAction(action: HostAction, ctx: ExecutionContext): Promise<DomainEvent[]> {
  const { host, session } = ctx
  const state = session.state
  switch (action.kind) {
    case 'createJail':
      return [{ type: 'JailCreated', data: { name: action.name, jid: await host.createJail(action.parameters) } }]
    case 'mount': {
      if (state.status === 'absent' || state.status === 'deleted') return []
      const { type, destination, source, options } = action.mount
      const { node } = await ensureMountPoint(state.spec.rootfs, destination, { file: await mountsAFile(action.mount) })
      await host.mount({ type, source, node, options })
      return [{ type: 'MountApplied', data: { ...action.mount, node } }]
    }
    case 'makeFifo':
      await host.makeFifo(action.path)
      return []
    case 'spawnEntrypoint': {
      const pid = await host.spawnEntrypoint({ fifo: action.fifo, exec: action.exec, gid: action.gid, umask: action.umask, extraFds: action.extraFds, terminal: action.terminal })
      const info = await host.processInfo(pid)
      if (info === null) throw new OperationError(`the entrypoint (pid ${pid}) exited at once`)
      if (action.pidFile !== null) await writePidFile(action.pidFile, pid)
      return [{ type: 'EntrypointSpawned', data: { pid, startTime: info.startTime } }]
    }
    case 'runHooks': {
      const json = ociStateJson(state, hookStatus[action.stage])
      for (const hook of action.hooks) {
        try {
          await host.runHook(hook, JSON.stringify(json))
        } catch (error) {
          if (action.fatal) throw new OperationError(`${action.stage} ${(error as Error).message}`, { cause: error })
          ctx.warn(`${action.stage} ${(error as Error).message}`)
        }
      }
      return []
    }
    case 'startEntrypoint': {
      // ENXIO: the trampoline has not opened its end yet; retry while it is alive (design.md).
      for (let attempt = 0; ; attempt++) {
        if ((await host.signalFifo(action.fifo, 'start')) === 'delivered') return [{ type: 'ContainerStarted', data: { pid: action.pid } }]
        if ((await sameProcess(host, action.pid, action.startTime)) === null || attempt > 200)
          throw new OperationError(`the container process (pid ${action.pid}) is gone; it cannot be started`)
        await sleep(10)
      }
    }
    case 'signal':
      return signal(action, ctx)
    case 'killJail': {
      if ((await host.findJail(action.name)) === null) return []
      const pids = (await host.jailPids(action.name)).filter((pid) => host.kill(pid, 'SIGKILL'))
      return pids.length > 0 ? [{ type: 'SignalSent', data: { signal: 'SIGKILL', pids } }] : []
    }
    case 'releaseEntrypoint': {
      const alive = await sameProcess(host, action.pid, action.startTime)
      const killed = alive !== null && host.kill(alive.pid, 'SIGKILL')
      // Opening and closing the FIFO without writing makes a waiting trampoline read EOF and exit.
      await host.signalFifo(action.fifo, 'release')
      return killed ? [{ type: 'SignalSent', data: { signal: 'SIGKILL', pids: [alive.pid] } }] : []
    }
    case 'removeJail':
      if ((await host.findJail(action.name)) === null) return []
      await host.removeJail(action.name)
      return [{ type: 'JailRemoved', data: { name: action.name } }]
    case 'unmount':
      if (!(await host.mountsUnder(action.node)).includes(action.node)) return []
      await host.unmount(action.node)
      return [{ type: 'MountReleased', data: { node: action.node } }]
    case 'applyLimits':
      await host.rctlAdd(action.rules.map((rule) => `jail:${action.name}:${rule}`))
      return [{ type: 'LimitsApplied', data: { rules: [...action.rules] } }]
    case 'removeLimits': {
      if ((await host.rctlRemove(`jail:${action.name}`)) === 'none') return []
      const rules = state.status === 'absent' || state.status === 'deleted' ? [] : state.resources.rctlRules
      return [{ type: 'LimitsRemoved', data: { rules: [...rules] } }]
    }
    case 'updateLimits':
      return updateLimits(action, host)
    case 'freeze':
      return freeze(action, host)
  }
}

/**
 * pause/resume without a freezer: signal every process of the jail, then look again, since a process may have forked
 * between the listing and the signal; up to five sweeps. The pids signalled are recorded.
 */
async function freeze(action: Extract<HostAction, { kind: 'freeze' }>, host: HostPort): Promise<DomainEvent[]> {
  const signal = action.stop ? 'SIGSTOP' : 'SIGCONT'
  const done = new Set<number>()
  for (let sweep = 0; sweep < 5; sweep++) {
    const fresh = (await host.jailPids(action.name)).filter((pid) => !done.has(pid))
    if (fresh.length === 0) break
    for (const pid of fresh) if (host.kill(pid, signal)) done.add(pid)
  }
  const pids = [...done].sort((a, b) => a - b)
  return [action.stop ? { type: 'ContainerPaused', data: { pids } } : { type: 'ContainerResumed', data: { pids } }]
}

/** `resource:action` of a rule's text, and its `/per` suffix ('' when per jail). */
function ruleParts(rule: string): { key: string; per: string } {
  const slash = rule.indexOf('/')
  return { key: rule.slice(0, rule.indexOf('=')), per: slash < 0 ? '' : rule.slice(slash) }
}

/**
 * rctl(8) keeps one deny rule per resource/per (a new amount replaces it) but every distinct rule of other actions,
 * so: a deny rule changing only its amount is added over the old one (no moment without a limit); any other rule
 * that changed or went away has its resource:action removed, and that key's new rules are added again.
 */
async function updateLimits(action: Extract<HostAction, { kind: 'updateLimits' }>, host: HostPort): Promise<DomainEvent[]> {
  const { added, removed } = diffRules(action.from, action.rules)
  const replacedInPlace = (rule: string): boolean => {
    const { key, per } = ruleParts(rule)
    return key.endsWith(':deny') && action.rules.some((next) => ruleParts(next).key === key && ruleParts(next).per === per)
  }
  const clearKeys = [...new Set(removed.filter((rule) => !replacedInPlace(rule)).map((rule) => ruleParts(rule).key))]
  for (const key of clearKeys) await host.rctlRemove(`jail:${action.name}:${key}`)
  const toAdd = action.rules.filter((rule) => added.includes(rule) || clearKeys.includes(ruleParts(rule).key))
  if (toAdd.length > 0) await host.rctlAdd(toAdd.map((rule) => `jail:${action.name}:${rule}`))
  return [{ type: 'LimitsUpdated', data: { rules: [...action.rules], added, removed } }]
}

/** kill: the container's process, one pid of the jail (--pid), or every process of the jail (--all). */
async function signal(action: Extract<HostAction, { kind: 'signal' }>, ctx: ExecutionContext): Promise<DomainEvent[]> {
  const { host, session } = ctx
  const state = session.state
  if (state.status === 'absent' || state.status === 'deleted') return []
  const { pid: main, pidStartTime } = state.resources
  const mainAlive = await sameProcess(host, main, pidStartTime)
  let targets: number[]
  if (action.all) {
    const inJail = state.resources.jid === null ? [] : await host.jailPids(state.spec.jail.name)
    targets = [...new Set([...(mainAlive === null ? [] : [mainAlive.pid]), ...inJail])]
  } else if (action.pid !== null) {
    const info = await host.processInfo(action.pid)
    const ours = action.pid === mainAlive?.pid || (info !== null && state.resources.jid !== null && info.jid === state.resources.jid)
    if (!ours) throw new OperationError(`pid ${action.pid} is not a process of container "${session.id}"`)
    targets = [action.pid]
  } else {
    if (mainAlive === null) throw new OperationError(`container "${session.id}" has no live process to signal`)
    targets = [mainAlive.pid]
  }
  const pids = targets.filter((pid) => host.kill(pid, action.signal))
  return [{ type: 'SignalSent', data: { signal: action.signal, pids } }]
}
