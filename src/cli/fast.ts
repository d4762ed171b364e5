// `runj state <id>` without commander: containerd and conmon poll state, and loading commander costs
// ~10 ms of a ~50 ms command (docs/decisions.md D13). Only the plainest forms are taken here; anything
// else (help, "--", unknown options, extra operands) returns null and goes through main's full parser.
import { exitCodeOf } from '../errors.js'
import { reportError, type LogFormat } from './log.js'

const VALUE_OPTIONS = new Set(['--root', '--log', '--log-format', '--log-level'])
const FLAG_OPTIONS = new Set(['--systemd-cgroup', '--debug'])
const CHOICES: Record<string, readonly string[]> = { '--log-format': ['text', 'json'], '--log-level': ['debug', 'info', 'warn', 'error'] }

/** The options and id of `[global options] state <id>`, or null when argv is anything else. */
export function parseStateArgv(argv: readonly string[]): { root?: string; log?: string; logFormat: LogFormat; id: string } | null {
  const values: Record<string, string> = {}
  let i = 0
  for (; i < argv.length && argv[i] !== 'state'; i++) {
    const arg = argv[i] as string
    const eq = arg.indexOf('=')
    const name = eq > 0 ? arg.slice(0, eq) : arg
    if (FLAG_OPTIONS.has(arg)) continue
    if (!VALUE_OPTIONS.has(name)) return null
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined || value.startsWith('-') || name in values) return null
    if (CHOICES[name] !== undefined && !CHOICES[name].includes(value)) return null
    values[name] = value
  }
  // Exactly "state <id>" after the global options, and an id commander would also take as an operand.
  if (argv.length !== i + 2) return null
  const id = argv[i + 1] as string
  if (id.startsWith('-')) return null
  return {
    ...(values['--root'] === undefined ? {} : { root: values['--root'] }),
    ...(values['--log'] === undefined ? {} : { log: values['--log'] }),
    logFormat: (values['--log-format'] ?? 'text') as LogFormat,
    id,
  }
}

/** Runs `state` for a parsed argv; the same code, output and errors as through main. */
export async function runState(parsed: NonNullable<ReturnType<typeof parseStateArgv>>): Promise<number> {
  try {
    const [{ createContext }, { state }] = await Promise.all([import('./context.js'), import('./lifecycle.js')])
    await state(createContext(parsed.root), parsed.id)
    return 0
  } catch (error) {
    reportError(error instanceof Error ? error.message : String(error), { file: parsed.log, format: parsed.logFormat })
    return exitCodeOf(error)
  }
}
