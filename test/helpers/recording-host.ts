// A recording HostPort test double: an in-memory FreeBSD (jails, mounts, processes) and the list of calls made.
import type { EntrypointSpec, HookSpec, HostPort, JailProcess, MountSpec, ProcessInfo, ProcessSpec, SpawnedProcess } from '../../src/host/port.js'
import { HostError } from '../../src/host/port.js'

export class RecordingHost implements HostPort {
  readonly calls: string[] = []
  readonly jails = new Map<string, number>()
  readonly mounted: string[] = []
  readonly processes = new Map<number, ProcessInfo>()
  readonly fail = new Set<string>()
  /** rctl rules by text, as the kernel keeps them (they outlive the jail). */
  readonly rules: string[] = []
  racct = '1'
  private nextJid = 1
  private nextPid = 1000

  private record(call: string): void {
    this.calls.push(call)
    const kind = call.split(' ')[0] as string
    if (this.fail.has(kind)) throw new HostError([kind], `${kind}: injected failure`, 1)
  }

  async createJail(parameters: readonly string[]): Promise<number> {
    this.record(`jail -c ${parameters.join(' ')}`)
    const name = (parameters.find((p) => p.startsWith('name=')) ?? '').slice(5)
    this.jails.set(name, this.nextJid)
    return this.nextJid++
  }
  async findJail(name: string): Promise<number | null> {
    return this.jails.get(name) ?? null
  }
  async removeJail(name: string): Promise<void> {
    this.record(`jail -r ${name}`)
    this.jails.delete(name)
  }
  async jailPids(name: string): Promise<number[]> {
    const jid = this.jails.get(name)
    return [...this.processes.values()].filter((p) => p.jid === jid).map((p) => p.pid)
  }
  async jailProcesses(name: string): Promise<JailProcess[]> {
    return (await this.jailPids(name)).map((pid) => ({ pid, ppid: 1, user: 'root', state: 'S', time: '0:00.00', command: 'sh' }))
  }
  async processInfo(pid: number): Promise<ProcessInfo | null> {
    return this.processes.get(pid) ?? null
  }
  async processInfos(pids: readonly number[]): Promise<Map<number, ProcessInfo>> {
    return new Map(pids.flatMap((pid) => (this.processes.has(pid) ? [[pid, this.processes.get(pid) as ProcessInfo]] : [])))
  }
  async mount(spec: MountSpec): Promise<void> {
    this.record(`mount ${spec.type} ${spec.source} ${spec.node}`)
    this.mounted.push(spec.node)
  }
  async unmount(node: string): Promise<void> {
    this.record(`umount ${node}`)
    this.mounted.splice(this.mounted.lastIndexOf(node), 1)
  }
  async mountsUnder(prefix: string): Promise<string[]> {
    return this.mounted.filter((node) => node === prefix || node.startsWith(`${prefix}/`))
  }
  async sysctl(name: string): Promise<string> {
    this.record(`sysctl ${name}`)
    return this.racct
  }
  async rctlAdd(rules: readonly string[]): Promise<void> {
    this.record(`rctl -a ${rules.join(' ')}`)
    this.rules.push(...rules)
  }
  async rctlRemove(filter: string): Promise<'removed' | 'none'> {
    this.record(`rctl -r ${filter}`)
    const before = this.rules.length
    const kept = this.rules.filter((rule) => !rule.startsWith(filter.endsWith(':') ? filter : `${filter}:`))
    this.rules.splice(0, this.rules.length, ...kept)
    return kept.length < before ? 'removed' : 'none'
  }
  async rctlUsage(filter: string): Promise<Map<string, bigint>> {
    this.record(`rctl -u ${filter}`)
    return new Map([['maxproc', 1n], ['memoryuse', 1024n]])
  }
  readonly modules = new Set(['linux64'])
  async moduleLoaded(module: string): Promise<boolean> {
    this.record(`kldstat -q -m ${module}`)
    return this.modules.has(module)
  }
  async makeFifo(path: string): Promise<void> {
    this.record(`mkfifo ${path}`)
  }
  async spawnEntrypoint(spec: EntrypointSpec): Promise<number> {
    this.record(`spawn ${spec.exec.join(' ')}`)
    const pid = this.nextPid++
    this.processes.set(pid, { pid, jid: 0, state: 'S', startTime: `start-${pid}` })
    return pid
  }
  async spawnProcess(spec: ProcessSpec): Promise<SpawnedProcess> {
    this.record(`exec ${spec.exec.join(' ')}`)
    const pid = this.nextPid++
    return { pid, exit: Promise.resolve(0) }
  }
  async signalFifo(fifo: string, word: 'start' | 'release'): Promise<'delivered' | 'no-reader'> {
    this.record(`fifo ${word} ${fifo}`)
    return 'delivered'
  }
  kill(pid: number, signal: string): boolean {
    this.calls.push(`kill ${signal} ${pid}`)
    if (!this.processes.has(pid)) return false
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.processes.delete(pid)
    return true
  }
  async runHook(hook: HookSpec, stateJson: string): Promise<void> {
    this.record(`hook ${hook.path} ${JSON.parse(stateJson).status as string}`)
  }
  async which(name: string): Promise<string> {
    return `/usr/bin/${name}`
  }
}
