// The runj command line: global options, one thin action per verb, and the one error boundary (exit 0/1/2).
import { Command, CommanderError, Option } from 'commander'
import { exitCodeOf } from '../errors.js'
import { RUNJ_VERSION } from '../version.js'
import type { Context } from './context.js'
import { addDemoCommands } from './demo-commands.js'
import { reportError, type LogTarget } from './log.js'

interface GlobalOptions {
  root?: string
  log?: string
  logFormat: 'text' | 'json'
}

type Run = (action: (context: Context) => Promise<void | number>) => Promise<void>

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** runc's exec flags, shared by `exec` and runj's shim form `extension exec`. */
function execCommand(command: Command, run: Run, verbs: () => Promise<typeof import('./lifecycle.js')>): Command {
  return command
    .description('run another process in a running container (runc form); exits with its status')
    .argument('<id>', 'container id')
    .argument('[args...]', 'the command and its arguments (unless --process)')
    .option('-p, --process <file>', 'an OCI process JSON object, validated like config.json\'s')
    .option('--cwd <dir>', 'working directory inside the container')
    .option('-e, --env <K=V>', 'environment variable (repeatable); added to the container\'s', collect)
    .option('-u, --user <uid[:gid]>', 'user to run as (numeric, looked up in the image\'s /etc/passwd)')
    .option('-t, --tty', 'allocate a terminal (needs --console-socket)')
    .option('--pid-file <file>', "write the process's pid to this file")
    .option('-d, --detach', 'return at once instead of waiting for the process')
    .option('--console-socket <path>', 'AF_UNIX socket that receives the pty master')
    .option('--preserve-fds <n>', 'pass N more fds (3, 4, ...) to the process')
    .passThroughOptions()
    .action((id: string, args: string[], options: Record<string, unknown>) => run(async (c) => (await verbs()).exec(c, id, args, options)))
}

function buildProgram(run: Run): Command {
  const program = new Command('runj')
    .description('OCI container runtime for FreeBSD jails, event-sourced')
    .version(`runj version ${RUNJ_VERSION}\nspec: 1.3.0`, '-v, --version')
    .option('--root <dir>', 'state directory (default /var/lib/runj, env RUNJ_ROOT)')
    .option('--log <file>', 'also write errors to this file')
    .addOption(new Option('--log-format <format>', 'format of the --log file').choices(['text', 'json']).default('text'))
    .addOption(new Option('--log-level <level>', 'accepted for compatibility').choices(['debug', 'info', 'warn', 'error']))
    .addOption(new Option('--systemd-cgroup', 'accepted and ignored (no cgroups on FreeBSD)').hideHelp())
    .addOption(new Option('--debug', 'accepted and ignored').hideHelp())
    .showSuggestionAfterError(false)
    // exec's command may carry its own options (runj exec web ls -l): options after the verb are the verb's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })

  const verbs = () => import('./lifecycle.js')
  program
    .command('create')
    .description('create a container from an OCI bundle; its process waits for start')
    .argument('<id>', 'container id (the jail name)')
    .argument('[bundle]', 'bundle directory (default: the current directory)')
    .option('-b, --bundle <dir>', 'bundle directory')
    .option('--pid-file <file>', "write the container process's pid to this file")
    .option('--console-socket <path>', 'AF_UNIX socket that receives the pty master when process.terminal is true')
    .option('--preserve-fds <n>', 'pass N more fds (3, 4, ... after any LISTEN_FDS) to the process')
    .addOption(new Option('--no-pivot', 'accepted and ignored (no pivot_root in jails)').hideHelp())
    .addOption(new Option('--no-new-keyring', 'accepted and ignored (no keyrings on FreeBSD)').hideHelp())
    .action((id: string, bundle: string | undefined, options: Record<string, string>) => run(async (c) => (await verbs()).create(c, id, bundle, options)))
  program
    .command('start')
    .description("start a created container's process")
    .argument('<id>', 'container id')
    .action((id: string) => run(async (c) => (await verbs()).start(c, id)))
  program
    .command('state')
    .description('print the OCI state of a container as JSON')
    .argument('<id>', 'container id')
    .action((id: string) => run(async (c) => (await verbs()).state(c, id)))
  program
    .command('kill')
    .description('send a signal to the container process (default TERM)')
    .argument('<id>', 'container id')
    .argument('[signal]', 'number or name, any case, with or without SIG', 'TERM')
    .option('-a, --all', 'signal every process in the jail')
    .option('-p, --pid <pid>', 'signal this process of the jail only')
    .action((id: string, signal: string, options: { all?: boolean; pid?: string }) => run(async (c) => (await verbs()).kill(c, id, signal, options)))
  program
    .command('delete')
    .description('delete a stopped container: jail, mounts, state; the log is archived')
    .argument('<id>', 'container id')
    .option('-f, --force', 'kill the container first if it is not stopped')
    .action((id: string, options: { force?: boolean }) => run(async (c) => (await verbs()).remove(c, id, options)))
  program
    .command('update')
    .description('change the rctl limits of a created or running container (runc form: linux.resources JSON)')
    .argument('<id>', 'container id')
    .option('-r, --resources <file>', 'linux.resources JSON object from a file, or - for standard input')
    .option('--memory <bytes>', 'memory.limit (512m, 2g; -1 removes it)')
    .option('--memory-reservation <bytes>', 'memory.reservation (a devctl notification on FreeBSD)')
    .option('--memory-swap <bytes>', 'memory.swap: memory plus swap')
    .option('--cpu-quota <us>', 'cpu.quota in microseconds per period')
    .option('--cpu-period <us>', 'cpu.period in microseconds')
    .option('--pids-limit <n>', 'pids.limit: maximum number of processes')
    .action((id: string, options: Record<string, string>) => run(async (c) => (await verbs()).update(c, id, options)))
  program
    .command('usage')
    .description("the jail's current resource usage (rctl -u) beside each limit")
    .argument('<id>', 'container id')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((id: string, options: { format: string }) => run(async (c) => (await verbs()).usage(c, id, options)))
  execCommand(program.command('exec'), run, verbs)
  execCommand(program.command('extension', { hidden: true }).description('runj\'s shim forms').command('exec'), run, verbs)
  program
    .command('pause')
    .description('stop every process of a running container (SIGSTOP); status becomes paused')
    .argument('<id>', 'container id')
    .action((id: string) => run(async (c) => (await verbs()).pause(c, id, true)))
  program
    .command('resume')
    .description('continue every process of a paused container (SIGCONT)')
    .argument('<id>', 'container id')
    .action((id: string) => run(async (c) => (await verbs()).pause(c, id, false)))
  program
    .command('ps')
    .description("the processes of a container's jail (ps -J)")
    .argument('<id>', 'container id')
    .addOption(new Option('--format <format>', 'table, or json (the pids, as runc prints them)').choices(['table', 'json']).default('table'))
    .action((id: string, options: { format: string }) => run(async (c) => (await verbs()).ps(c, id, options)))
  program
    .command('features')
    .description('what this runtime supports, as OCI features JSON (plus a freebsd object)')
    .action(() => run(async () => (await verbs()).featuresCommand()))
  program
    .command('list')
    .description('every container with its status, pid, bundle, creation time and limits (from index.json)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'print only the container ids')
    .option('--rebuild', 'rebuild index.json from the logs first')
    .action((options: { format: string; quiet?: boolean; rebuild?: boolean }) => run(async (c) => (await verbs()).list(c, options)))
  program
    .command('history')
    .description('show the audit trail of a container, read from its event log')
    .argument('<id>', 'container id')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'ndjson']).default('table'))
    .option('--verify', 'recompute the hash chain; print the number of events checked, or the first bad seq')
    .option('--all', 'every generation of the id, archived (deleted) ones included, oldest first')
    .option('--since <time>', 'only events at or after TIME (2026-12-03, 2026-12-03T10:00:00Z) or within a duration (10m, 2h, 7d)')
    .option('--type <types>', 'only events of these types (comma-separated)')
    .option('-f, --follow', 'print events as they are appended, until the container is deleted or SIGINT')
    .action((id: string, options: { format: string; verify?: boolean; all?: boolean; since?: string; type?: string; follow?: boolean }) =>
      run(async (context) => (await import('./history.js')).history(context, id, { ...options, verify: options.verify === true })),
    )
  addDemoCommands(program, run)
  return program
}

/** Parses argv, runs the command, and returns the exit code; nothing else decides it. */
export async function main(argv: readonly string[]): Promise<number> {
  let target: LogTarget = { file: undefined, format: 'text' }
  let exitCode = 0
  const program = buildProgram(async (action) => {
    const options = program.opts<GlobalOptions>()
    target = { file: options.log, format: options.logFormat }
    const { createContext } = await import('./context.js')
    const status = await action(createContext(options.root))
    // exec's status is the process's, not runj's: it is the command's result, not an error.
    if (typeof status === 'number') exitCode = status
  })
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0
      // Global options are parsed before a verb's own: a usage error in the verb still reaches --log.
      const options = program.opts<GlobalOptions>()
      if (target.file === undefined) target = { file: options.log, format: options.logFormat ?? 'text' }
      reportError(error.message.replace(/^error: /, ''), target)
      return 2
    }
    reportError(error instanceof Error ? error.message : String(error), target)
    exitCode = exitCodeOf(error)
  }
  return exitCode
}
