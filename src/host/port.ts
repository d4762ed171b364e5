// The one interface between runj and the host: every process spawn and kernel change goes through a HostPort.
import { OperationError } from '../errors.js'

/** What ps(1) says about one process: its jail, its state letters, and its start time (pid-reuse guard). */
export interface ProcessInfo {
  readonly pid: number
  readonly jid: number
  readonly state: string
  readonly startTime: string
}

export interface JailProcess {
  readonly pid: number
  readonly ppid: number
  readonly user: string
  readonly state: string
  readonly time: string
  readonly command: string
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
  /** Inherited as fds 3, 4, ... (LISTEN_FDS, --preserve-fds). */
  readonly extraFds: readonly number[]
  /** A pty for the process, its master sent to this console socket. */
  readonly terminal: TerminalSpec | null
}

export interface TerminalSpec {
  readonly socket: string
  readonly size: { readonly height: number; readonly width: number } | undefined
}

/** A process runj starts and may wait for (`runj exec`): the argv, its group, and what it inherits. */
export interface ProcessSpec {
  readonly exec: readonly string[]
  readonly gid: number
  readonly umask: number
  /** Inherited as fds 3, 4, ... in order (--preserve-fds, LISTEN_FDS). */
  readonly extraFds: readonly number[]
  /** A pty for the process instead of runj's stdio, its master sent to this console socket. */
  readonly terminal: TerminalSpec | null
  readonly detach: boolean
}

export interface SpawnedProcess {
  readonly pid: number
  /** Exit status: the code, or 128 + the signal number (the shell's convention, as runc's exec reports it). */
  readonly exit: Promise<number>
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
  /** ps -x -J <name> -o pid,ppid,user,state,time,command: the jail's processes for `runj ps`. */
  jailProcesses(name: string): Promise<JailProcess[]>
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
  /** kldstat -q -m <module>: whether the kernel module is loaded (linux64: the Linux binary compatibility layer). */
  moduleLoaded(module: string): Promise<boolean>
  /** mkfifo -m 0600 <path>. */
  makeFifo(path: string): Promise<void>
  /** Spawns the detached trampoline; returns its pid (the container's pid after start). */
  spawnEntrypoint(spec: EntrypointSpec): Promise<number>
  /** Starts a process (runj exec) with exactly the given stdio and extra fds; nothing else of runj's is inherited. */
  spawnProcess(spec: ProcessSpec): Promise<SpawnedProcess>
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
