// The FreeBSD HostPort: jail(8), jls(8), jexec(8), ps(1), mount(8), sysctl(8): argv entries only, never a shell, found on PATH.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, constants, existsSync, readFileSync } from 'node:fs'
import { access, open } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { constants as osConstants } from 'node:os'
import { HostError, type EntrypointSpec, type HookSpec, type HostPort, type JailProcess, type MountSpec, type ProcessInfo, type ProcessSpec, type SpawnedProcess, type TerminalSpec } from './port.js'

/** The trampoline (design.md "The create/start split"): a constant; values arrive only as positional parameters. */
export const TRAMPOLINE = 'IFS= read -r go < "$1" || exit 0; [ "$go" = start ] || exit 0; umask "$2"; shift 2; exec "$@"'

/**
 * Runs a utility and captures its output. node:child_process rather than execa here: loading
 * execa costs ~30 ms, more than `runj state`'s whole budget (docs/decisions.md D7).
 */
function run(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = (error as (Error & { code?: unknown }) | null)?.code
      if (error !== null && typeof code !== 'number')
        reject(new HostError([file, ...args], stderr, undefined, `${file}: ${error.message}`))
      else resolve({ stdout, stderr, exitCode: typeof code === 'number' ? code : 0 })
    })
    child.stdin?.end()
  })
}

/** A utility's stdout; a non-zero exit is a HostError with its first stderr line (also the demo helpers' system probes). */
export async function mustRun(file: string, args: readonly string[]): Promise<string> {
  const result = await run(file, args)
  if (result.exitCode !== 0) throw new HostError([file, ...args], result.stderr, result.exitCode)
  return result.stdout
}

/**
 * The command line of process `pid` (runj's parent: conmon, containerd-shim, a shell), for the audit trail.
 * procfs(5) when mounted (always on Linux), else `ps -o args=`; '' when the process is gone. At most 1024 characters.
 */
export function commandLineOf(pid: number): string {
  let line: string
  try {
    line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ')
  } catch {
    try {
      line = execFileSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      line = ''
    }
  }
  return line.length > 1024 ? `${line.slice(0, 1023)}…` : line
}

/** Only stdio and the fds meant for the process (3 .. 3+n-1) may cross into it. */
async function sealFds(passed: number): Promise<void> {
  const { sealInheritedFds } = await import('./libc.js')
  sealInheritedFds(3 + passed)
}

/** Resolves once the child exists (its pid is known), rejects when it could not be started. */
function spawned(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('spawn', () => resolve(child.pid as number))
  })
}

/** dist/tty-exec.js, beside the bundle's entry whether this code sits in dist/ or in dist/chunks/. */
function ttyExecPath(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const dir of [here, dirname(here)]) if (existsSync(join(dir, 'tty-exec.js'))) return join(dir, 'tty-exec.js')
  throw new HostError(['tty-exec.js'], '', undefined, `tty-exec.js not found beside ${here}: run npm run build`)
}

/** fstab(5) escapes blanks in paths as \040 (mount -p output). */
const unescapeFstab = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))

export class FreeBSDHost implements HostPort {
  async createJail(parameters: readonly string[]): Promise<number> {
    const out = await mustRun('jail', ['-c', '-i', ...parameters])
    const jid = Number(out.trim().split('\n').at(-1))
    if (!Number.isInteger(jid) || jid <= 0) throw new HostError(['jail', '-c', '-i'], out, 0, `jail -c printed no jid: ${JSON.stringify(out)}`)
    return jid
  }

  async findJail(name: string): Promise<number | null> {
    const result = await run('jls', ['-j', name, 'jid'])
    if (result.exitCode !== 0) {
      if (/not found/.test(result.stderr)) return null
      throw new HostError(['jls', '-j', name, 'jid'], result.stderr, result.exitCode)
    }
    return Number(result.stdout.trim())
  }

  async removeJail(name: string): Promise<void> {
    await mustRun('jail', ['-r', name])
  }

  async jailPids(name: string): Promise<number[]> {
    const result = await run('ps', ['--libxo', 'json', '-x', '-J', name])
    // ps exits 1 when nothing matched (and prints an empty list).
    if (result.exitCode !== 0 && result.exitCode !== 1) throw new HostError(['ps', '-J', name], result.stderr, result.exitCode)
    const parsed = JSON.parse(result.stdout || '{}') as { 'process-information'?: { process?: { pid: string }[] } }
    return (parsed['process-information']?.process ?? []).map((p) => Number(p.pid))
  }

  async jailProcesses(name: string): Promise<JailProcess[]> {
    const args = ['--libxo', 'json', '-x', '-J', name, '-o', 'pid,ppid,user,state,time,command']
    const result = await run('ps', args)
    if (result.exitCode !== 0 && result.exitCode !== 1) throw new HostError(['ps', ...args], result.stderr, result.exitCode)
    type Row = { pid: string; ppid: string; user: string; state: string; 'cpu-time': string; command: string }
    const parsed = JSON.parse(result.stdout || '{}') as { 'process-information'?: { process?: Row[] } }
    return (parsed['process-information']?.process ?? []).map((p) => ({ pid: Number(p.pid), ppid: Number(p.ppid), user: p.user, state: p.state, time: p['cpu-time'], command: p.command }))
  }

  async processInfo(pid: number): Promise<ProcessInfo | null> {
    // One -o per keyword: a header after "=" may run to the end of the argument in ps(1).
    const result = await run('ps', ['-p', String(pid), '-o', 'jid=', '-o', 'state=', '-o', 'lstart='])
    // ps exits 1 and prints nothing when no process matched; anything else is ps failing,
    // which must not be mistaken for the process being gone.
    if (result.exitCode === 1 && result.stdout.trim() === '' && result.stderr.trim() === '') return null
    if (result.exitCode !== 0) throw new HostError(['ps', '-p', String(pid)], result.stderr, result.exitCode)
    const match = /^\s*(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(result.stdout)
    if (match === null) throw new HostError(['ps', '-p', String(pid)], result.stdout, 0, `ps printed an unexpected line: ${JSON.stringify(result.stdout.trim())}`)
    return { pid, jid: Number(match[1]), state: match[2] as string, startTime: match[3] as string }
  }

  async processInfos(pids: readonly number[]): Promise<Map<number, ProcessInfo>> {
    const infos = new Map<number, ProcessInfo>()
    if (pids.length === 0) return infos
    const args = ['-p', pids.join(','), '-o', 'pid=', '-o', 'jid=', '-o', 'state=', '-o', 'lstart=']
    const result = await run('ps', args)
    if (result.exitCode === 1 && result.stdout.trim() === '' && result.stderr.trim() === '') return infos
    if (result.exitCode !== 0) throw new HostError(['ps', ...args], result.stderr, result.exitCode)
    for (const line of result.stdout.split('\n')) {
      const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(line)
      if (match !== null) infos.set(Number(match[1]), { pid: Number(match[1]), jid: Number(match[2]), state: match[3] as string, startTime: match[4] as string })
    }
    return infos
  }

  async mount(spec: MountSpec): Promise<void> {
    const options = spec.options.length > 0 ? ['-o', spec.options.join(',')] : []
    await mustRun('mount', ['-t', spec.type, ...options, '--', spec.source, spec.node])
  }

  async unmount(node: string): Promise<void> {
    await mustRun('umount', [node])
  }

  async mountsUnder(prefix: string): Promise<string[]> {
    const out = await mustRun('mount', ['-p'])
    return out
      .split('\n')
      .map((line) => unescapeFstab(line.split(/\s+/)[1] ?? ''))
      .filter((node) => node === prefix || node.startsWith(`${prefix}/`))
  }

  async sysctl(name: string): Promise<string> {
    return (await mustRun('sysctl', ['-n', name])).trim()
  }

  async rctlAdd(rules: readonly string[]): Promise<void> {
    await mustRun('rctl', ['-a', ...rules])
  }

  async rctlRemove(filter: string): Promise<'removed' | 'none'> {
    const result = await run('rctl', ['-r', filter])
    if (result.exitCode === 0) return 'removed'
    // rctl(8): removing what is not there is ESRCH; with racct disabled no rule can exist (design.md).
    if (/No such process|RACCT\/RCTL present, but disabled/.test(result.stderr)) return 'none'
    throw new HostError(['rctl', '-r', filter], result.stderr, result.exitCode)
  }

  async rctlUsage(filter: string): Promise<Map<string, bigint>> {
    const out = await mustRun('rctl', ['-u', filter])
    const usage = new Map<string, bigint>()
    for (const line of out.split('\n')) {
      const match = /^([a-z]+)=([0-9]+)$/.exec(line.trim())
      if (match !== null) usage.set(match[1] as string, BigInt(match[2] as string))
    }
    return usage
  }

  async moduleLoaded(module: string): Promise<boolean> {
    const result = await run('kldstat', ['-q', '-m', module])
    if (result.exitCode === 0) return true
    if (result.exitCode === 1 && result.stderr.trim() === '') return false
    throw new HostError(['kldstat', '-q', '-m', module], result.stderr, result.exitCode)
  }

  async makeFifo(path: string): Promise<void> {
    await mustRun('mkfifo', ['-m', '0600', path])
  }

  async spawnEntrypoint(spec: EntrypointSpec): Promise<number> {
    await sealFds(spec.extraFds.length)
    const umask = spec.umask.toString(8).padStart(4, '0')
    if (spec.terminal !== null) {
      const { child } = await this.spawnWithTerminal(spec.terminal, ['fifo', spec.fifo, umask, ...spec.exec], spec.gid, spec.extraFds)
      child.unref()
      return child.pid as number
    }
    const sh = await this.which('sh')
    // With no terminal the container inherits runj's stdio (conmon and containerd read it) and the extra fds;
    // setting gid makes libuv call setgroups(0) so none of runj's groups leak into the jail.
    const child = spawn(sh, ['-c', TRAMPOLINE, 'runj-entrypoint', spec.fifo, umask, ...spec.exec], {
      detached: true,
      stdio: ['inherit', 'inherit', 'inherit', ...spec.extraFds],
      ...(process.getuid?.() === 0 ? { uid: 0, gid: spec.gid } : {}),
    })
    const pid = await spawned(child)
    child.unref()
    return pid
  }

  async spawnProcess(spec: ProcessSpec): Promise<SpawnedProcess> {
    await sealFds(spec.extraFds.length)
    let child: ChildProcess
    if (spec.terminal !== null) {
      child = (await this.spawnWithTerminal(spec.terminal, ['now', '-', spec.umask.toString(8).padStart(4, '0'), ...spec.exec], spec.gid, spec.extraFds)).child
    } else {
      const [file, ...args] = spec.exec
      // The child inherits the umask at fork: set it around the spawn only (runj creates no files meanwhile).
      const previous = process.umask(spec.umask)
      try {
        child = spawn(file as string, args, {
          detached: spec.detach,
          stdio: ['inherit', 'inherit', 'inherit', ...spec.extraFds],
          env: {},
          ...(process.getuid?.() === 0 ? { uid: 0, gid: spec.gid } : {}),
        })
      } finally {
        process.umask(previous)
      }
      await spawned(child)
    }
    const exit = new Promise<number>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : (osConstants.signals[signal] ?? 0)))),
    )
    if (spec.detach) child.unref()
    return { pid: child.pid as number, exit }
  }

  /**
   * A pty pair: the terminal trampoline (dist/tty-exec.js) gets the slave as stdio and, leading its own session,
   * makes it its controlling terminal before it execs; the master goes to the console socket. runj keeps neither.
   */
  private async spawnWithTerminal(terminal: TerminalSpec, args: readonly string[], gid: number, extraFds: readonly number[]): Promise<{ child: ChildProcess }> {
    const { openPty, sendFd, closeFd } = await import('./libc.js')
    const pty = openPty(terminal.size)
    try {
      // Always a new session: only a session leader can take a controlling terminal (TIOCSCTTY).
      const child = spawn(process.execPath, [ttyExecPath(), ...args], {
        detached: true,
        stdio: [pty.slave, pty.slave, pty.slave, ...extraFds],
        env: {},
        ...(process.getuid?.() === 0 ? { uid: 0, gid } : {}),
      })
      await spawned(child)
      try {
        sendFd(terminal.socket, pty.master, pty.name)
      } catch (error) {
        child.kill('SIGKILL')
        throw error
      }
      return { child }
    } finally {
      closeFd(pty.master)
      closeSync(pty.slave)
    }
  }

  async signalFifo(fifo: string, word: 'start' | 'release'): Promise<'delivered' | 'no-reader'> {
    let handle
    try {
      handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENXIO' || code === 'ENOENT') return 'no-reader'
      throw error
    }
    try {
      if (word === 'start') await handle.write('start\n')
    } finally {
      await handle.close()
    }
    return 'delivered'
  }

  kill(pid: number, signal: string): boolean {
    try {
      process.kill(pid, signal)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
      throw error
    }
  }

  async runHook(hook: HookSpec, stateJson: string): Promise<void> {
    // execa only here, loaded only when a container has hooks: timeouts, stdin input and argv0.
    const { execa } = await import('execa')
    const [argv0, ...args] = hook.args ?? [hook.path]
    const env = Object.fromEntries((hook.env ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]))
    const result = await execa(hook.path, args, {
      argv0: argv0 ?? hook.path,
      env,
      extendEnv: false,
      input: stateJson,
      reject: false,
      ...(hook.timeout === undefined ? {} : { timeout: hook.timeout * 1000 }),
    })
    if (result.timedOut) throw new HostError([hook.path], '', undefined, `hook ${hook.path} timed out after ${hook.timeout} s`)
    if (result.exitCode !== 0)
      throw new HostError([hook.path], result.stderr, result.exitCode, `hook ${hook.path} failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n')[0] ?? ''}`)
  }

  async which(name: string): Promise<string> {
    for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
      if (dir === '') continue
      const candidate = join(dir, name)
      try {
        await access(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
    throw new HostError([name], '', undefined, `${name}: not found on PATH`)
  }
}
