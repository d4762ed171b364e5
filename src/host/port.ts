// The one interface between runj and the host: every process spawn and kernel change goes through a HostPort.
import { OperationError } from '../errors.js'

/** What ps(1) says about one process: its jail, its state letters, and its start time (pid-reuse guard). */
export interface ProcessInfo {
  readonly pid: number
  readonly jid: number
  readonly state: string
  readonly startTime: string
}

export interface MountSpec {
  readonly type: string
  readonly source: string
  readonly node: string
  readonly options: readonly string[]
}

/** How the entrypoint is started: a constant sh script blocked on the FIFO, values only as arguments. */
export interface EntrypointSpec {
  readonly fifo: string
  /** The argv the trampoline execs once released: env -i ... jexec ... */
  readonly exec: readonly string[]
  readonly gid: number
  /** process.user.umask (config.md "User"); runc's default is 0022. */
  readonly umask: number
}

export interface HookSpec {
  readonly path: string
  readonly args?: readonly string[] | undefined
  readonly env?: readonly string[] | undefined
  readonly timeout?: number | undefined
}

export interface HostPort {
  /** jail -c -i <parameters>: returns the new jid. */
  createJail(parameters: readonly string[]): Promise<number>
  /** jls -j <name> jid: null when there is no such jail. */
  findJail(name: string): Promise<number | null>
  /** jail -r <name>. */
  removeJail(name: string): Promise<void>
  /** ps -J <name>: the pids of the jail's processes (empty when none). */
  jailPids(name: string): Promise<number[]>
  /** ps -p <pid>: null when there is no such process. */
  processInfo(pid: number): Promise<ProcessInfo | null>
  /** ps -p <pid,pid,...>: what ps says about each of several pids in one call (absent ones are missing). */
  processInfos(pids: readonly number[]): Promise<Map<number, ProcessInfo>>
  mount(spec: MountSpec): Promise<void>
  unmount(node: string): Promise<void>
  /** Mount points (from mount -p) equal to or under `prefix`. */
  mountsUnder(prefix: string): Promise<string[]>
  /** sysctl -n <name>. */
  sysctl(name: string): Promise<string>
  /** rctl -a <rule>...: each rule complete with its jail:<name>: subject. */
  rctlAdd(rules: readonly string[]): Promise<void>
  /** rctl -r <filter>: 'none' when nothing matched ("No such process") or racct is disabled (nothing can be there). */
  rctlRemove(filter: string): Promise<'removed' | 'none'>
  /** rctl -u <filter>: resource=value lines as exact integers. */
  rctlUsage(filter: string): Promise<Map<string, bigint>>
  /** mkfifo -m 0600 <path>. */
  makeFifo(path: string): Promise<void>
  /** Spawns the detached trampoline; returns its pid (the container's pid after start). */
  spawnEntrypoint(spec: EntrypointSpec): Promise<number>
  /** Opens the FIFO's write end: 'start' writes the go word, 'release' closes at once (the entrypoint exits). */
  signalFifo(fifo: string, word: 'start' | 'release'): Promise<'delivered' | 'no-reader'>
  /** kill(2); false when the process no longer exists. */
  kill(pid: number, signal: string): boolean
  /** Runs an OCI hook with the state JSON on stdin (config.md "Hooks"). */
  runHook(hook: HookSpec, stateJson: string): Promise<void>
  /** The absolute path of a utility, found through runj's own PATH. */
  which(name: string): Promise<string>
}

/** A host utility failed: the message is the utility's own words, the way an administrator knows them. */
export class HostError extends OperationError {
  override readonly name = 'HostError'
  constructor(
    readonly argv: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | undefined,
    message?: string,
  ) {
    super(message ?? (stderr.trim().split('\n')[0] || `${argv[0]} exited with status ${exitCode}`))
  }
}
