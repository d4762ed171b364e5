// Benchmarks of the lifecycle (issue 3) against the FreeBSD simulator: `runj state` and a whole
// create/start/state/kill/delete cycle, each relative to bare Node starts (`node -e 0`) measured interleaved.
// The simulator's utilities are bash (~3-6 ms a call; FreeBSD's own cost ~1 ms): the cycle's utility calls are
// counted from the simulator's calls.log and their cost estimated, so the figures can be read as runj's own cost.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildRootfs } from '../test/sim/rootfs.js'
import type { Row } from './log.js'
import { median } from './median.js'
import { installBenchSimulator } from './simulator.js'

/** What FreeBSD's utilities cost a call (design.md "Testing without FreeBSD"). */
const FREEBSD_UTILITY_MS = 1

const ms = (value: number): string => `${value.toFixed(1)} ms`

interface Timed {
  readonly ms: number
  readonly code: number | null
  readonly stderr: string
}

export interface LifecyclePaths {
  readonly runjBin: string
  /** test/sim/install.sh */
  readonly simInstall: string
}

export async function benchLifecycle(paths: LifecyclePaths, cleanEnv: NodeJS.ProcessEnv): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'runj-bench-lifecycle-'))
  const errFile = join(dir, 'stderr')
  const { simDir, env } = installBenchSimulator(paths.simInstall, dir, cleanEnv)
  const callsLog = join(simDir, 'state', 'calls.log')
  const calls = (): string[][] => readFileSync(callsLog, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as string[])

  // Stdio on /dev/null and a file, never pipes: the container inherits runj's stdio at create.
  const timed = (file: string, args: readonly string[]): Timed => {
    const err = openSync(errFile, 'w')
    const start = performance.now()
    const result = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', err] })
    const elapsed = performance.now() - start
    closeSync(err)
    return { ms: elapsed, code: result.status, stderr: readFileSync(errFile, 'utf8') }
  }
  const node0 = (): number => timed(process.execPath, ['-e', '0']).ms
  const runj = (...args: string[]): Timed => {
    const result = timed(process.execPath, [paths.runjBin, '--root', join(dir, 'state'), ...args])
    if (result.code !== 0) throw new Error(`runj ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`)
    return result
  }

  let finished = false
  try {
    const rootfs = join(dir, 'bundle', 'rootfs')
    buildRootfs(rootfs, ['sleep'])
    const config = { ociVersion: '1.3.0', root: { path: rootfs }, hostname: 'bench', process: { args: ['/bin/sleep', '600'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0 } } }
    writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify(config))
    const bundle = join(dir, 'bundle')

    /** create, start, state, kill, delete: the wall time of the five commands and the utility calls they made. */
    const VERBS = ['create', 'start', 'state', 'kill', 'delete'] as const
    const cycle = (id: string): { ms: number; each: number[]; calls: string[][]; deleteRetries: number } => {
      const before = calls().length
      const each = [runj('create', id, bundle).ms, runj('start', id).ms, runj('state', id).ms, runj('kill', id).ms, 0]
      // delete needs `stopped`: SIGTERM's delivery is immediate but the exit is not; a retry would be counted here.
      let deleteRetries = 0
      for (;;) {
        const result = timed(process.execPath, [paths.runjBin, '--root', join(dir, 'state'), 'delete', id])
        each[4] = (each[4] as number) + result.ms
        if (result.code === 0) break
        if (++deleteRetries > 20) throw new Error(`runj delete ${id} kept failing: ${result.stderr.trim()}`)
      }
      return { ms: each.reduce((a, b) => a + b, 0), each, calls: calls().slice(before), deleteRetries }
    }

    // Warm-up: the page cache, V8's code cache for the bundle, the simulator's first bash starts.
    for (let i = 0; i < 3; i++) node0()
    for (let i = 0; i < 3; i++) runj('--version')
    cycle('warmup')

    // (a) `runj state` of a running container (what buildah polls), interleaved with `node -e 0`.
    runj('create', 'polled', bundle)
    runj('start', 'polled')
    const statePid = (JSON.parse(spawnSync(process.execPath, [paths.runjBin, '--root', join(dir, 'state'), 'state', 'polled'], { env, encoding: 'utf8' }).stdout) as { pid: number }).pid
    const stateCallsBefore = calls().length
    const stateSamples: number[] = []
    const nodeSamples: number[] = []
    const versionSamples: number[] = []
    const RUNS = 21
    for (let i = 0; i < RUNS; i++) {
      nodeSamples.push(node0())
      stateSamples.push(runj('state', 'polled').ms)
      versionSamples.push(runj('--version').ms)
    }
    const stateCalls = (calls().length - stateCallsBefore) / RUNS

    // What the simulated utilities cost a call here, probed directly against live simulator state.
    const probe = (args: readonly string[], rounds = 9): number => median(Array.from({ length: rounds }, () => timed(args[0] as string, args.slice(1)).ms))
    const costs = new Map<string, number>([
      ['ps -p', probe(['ps', '-p', String(statePid), '-o', 'jid=', '-o', 'state=', '-o', 'lstart='])],
      ['jls -j', probe(['jls', '-j', 'polled', 'jid'])],
      ['ps --libxo', probe(['ps', '--libxo', 'json', '-x', '-J', 'polled'])],
    ])
    runj('delete', '--force', 'polled')
    // jail -c and jail -r in pairs on the (now free) rootfs path; mkfifo(1) is the host's own (not simulated).
    const create: number[] = []
    const remove: number[] = []
    const fifo: number[] = []
    for (let i = 0; i < 7; i++) {
      create.push(timed('jail', ['-c', '-i', 'name=probe', `path=${rootfs}`, 'persist', 'host.hostname=probe']).ms)
      remove.push(timed('jail', ['-r', 'probe']).ms)
      fifo.push(timed('mkfifo', ['-m', '0600', join(dir, 'probe.fifo')]).ms)
      rmSync(join(dir, 'probe.fifo'), { force: true })
    }
    costs.set('jail -c', median(create)).set('jail -r', median(remove))
    const mkfifoMs = median(fifo)

    // (b) whole cycles, each followed by five `node -e 0` starts.
    const cycleSamples: number[] = []
    const verbSamples: number[][] = VERBS.map(() => [])
    const cycleNodeSamples: number[] = []
    let last = cycle('c0')
    let retries = 0
    for (let i = 1; i <= 9; i++) {
      last = cycle(`c${i}`)
      retries += last.deleteRetries
      cycleSamples.push(last.ms)
      last.each.forEach((value, verb) => verbSamples[verb]?.push(value))
      for (let j = 0; j < 5; j++) cycleNodeSamples.push(node0())
    }

    const node = median(nodeSamples)
    const state = median(stateSamples)
    const version = median(versionSamples)
    const stateRatio = state / node
    const cycleMs = median(cycleSamples)
    const fiveNodes = 5 * median(cycleNodeSamples)
    const cycleRatio = cycleMs / fiveNodes

    // The cycle's utility calls by kind; jexec runs in the container's trampoline after start returns, off runj's path.
    const kindOf = (call: readonly string[]): string => (call[0] === 'jail' || call[0] === 'jls' || call[0] === 'ps' ? `${call[0]} ${call[1] ?? ''}` : (call[0] as string))
    const byKind = new Map<string, number>()
    for (const call of last.calls) byKind.set(kindOf(call), (byKind.get(kindOf(call)) ?? 0) + 1)
    const onPath = last.calls.filter((call) => call[0] !== 'jexec')
    const unknown = [...new Set(onPath.map(kindOf).filter((kind) => !costs.has(kind)))]
    const simulatedMs = onPath.reduce((sum, call) => sum + (costs.get(kindOf(call)) ?? 0), 0)
    const n = onPath.length
    // mkfifo is one more (real) utility call per cycle, not in calls.log; it already costs what FreeBSD's would.
    const adjustedMs = cycleMs - simulatedMs + n * FREEBSD_UTILITY_MS
    const adjustedRatio = adjustedMs / fiveNodes
    const breakdown = [...byKind].map(([kind, count]) => `${count} ${kind}`).join(', ')
    const probeCosts = [...costs].map(([kind, cost]) => `${kind} ${cost.toFixed(1)}`).join(', ')
    const stateUtilityMs = stateCalls * (costs.get('ps -p') ?? 0)

    finished = true
    return [
      {
        measure: `\`runj state <id>\` (running) / \`node -e 0\` (medians of ${RUNS}, interleaved)`,
        value: `${stateRatio.toFixed(2)} (${ms(state)} / ${ms(node)}; ${stateCalls} simulated ps call${stateCalls === 1 ? '' : 's'} ~${ms(stateUtilityMs)} of it)`,
        target: '<= 1.2',
        ok: stateRatio <= 1.2,
      },
      {
        measure: 'create+start+state+kill+delete / 5 x `node -e 0` (medians, 9 cycles, simulator)',
        value: `${cycleRatio.toFixed(2)} (${ms(cycleMs)} / ${ms(fiveNodes)})${retries > 0 ? `; delete retried ${retries}x` : ''}`,
        target: '<= 1.5',
        ok: cycleRatio <= 1.5,
      },
      {
        measure: '  each command (median)',
        value: VERBS.map((verb, i) => `${verb} ${ms(median(verbSamples[i] ?? []))}`).join(', '),
        target: 'info',
        ok: true,
      },
      {
        measure: "  the cycle's utility calls (sim calls.log; jexec runs after start returns)",
        value: `${last.calls.length}: ${breakdown}; + 1 mkfifo (host, ${ms(mkfifoMs)})`,
        target: 'info',
        ok: true,
      },
      {
        measure: `  their time in the simulator (estimate; probed ms a call: ${probeCosts})`,
        value: `~${ms(simulatedMs)} for ${n} calls on runj's path${unknown.length > 0 ? ` (not probed: ${unknown.join(', ')})` : ''}`,
        target: 'info',
        ok: true,
      },
      {
        measure: `  the cycle ratio with utilities at ~${FREEBSD_UTILITY_MS} ms a call, as FreeBSD's (estimate)`,
        value: `~${adjustedRatio.toFixed(2)} (${ms(adjustedMs)} / ${ms(fiveNodes)})`,
        target: '<= 1.5',
        ok: adjustedRatio <= 1.5,
      },
      { measure: '`runj --version` wall time (median of 21)', value: `${ms(version)} (node -e 0: ${ms(node)})`, target: 'info', ok: true },
    ]
  } finally {
    // A failed run may leave containers: delete --force them so no simulated jail process outlives the bench.
    if (!finished)
      for (const id of ['warmup', 'polled', ...Array.from({ length: 10 }, (_, i) => `c${i}`)])
      spawnSync(process.execPath, [paths.runjBin, '--root', join(dir, 'state'), 'delete', '--force', id], { env, stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  }
}
