// kill's signal operand (FreeBSD numbers, names in any case, with or without SIG) and errors in the --log file.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { oneLine, statusOf, waitFor } from '../helpers/probes.js'

const TRAPS = 'trap "echo usr1 >> /data/sig" USR1; trap "echo term >> /data/sig; exit 0" TERM; while :; do sleep 0.1; done'
const signalsSeen = (w: World): string[] => (existsSync(join(w.dir, 'rootfs/data/sig')) ? readFileSync(join(w.dir, 'rootfs/data/sig'), 'utf8').split('\n').filter(Boolean) : [])
const logLines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])

t.test('signal names in any case, with or without SIG, and FreeBSD numbers; anything else is exit 2', async (t) => {
  const w = await world(t)
  t.equal((await w.runj(['create', 'sig', w.bundle(baseConfig({}, { args: ['/bin/sh', '-c', TRAPS] }))])).code, 0)
  t.equal((await w.runj(['start', 'sig'])).code, 0)
  const accepted = ['USR1', 'usr1', 'Usr1', 'SIGUSR1', 'sigusr1', 'SigUsr1', '30']
  for (const [i, signal] of accepted.entries()) {
    const result = await w.runj(['kill', 'sig', signal])
    t.equal(result.code, 0, `kill sig ${signal}: ${result.stderr.trim()}`)
    await waitFor(() => (signalsSeen(w).length === i + 1 ? true : undefined), `signal ${signal} to arrive`)
  }
  t.same(signalsSeen(w), accepted.map(() => 'usr1'), 'every spelling delivered SIGUSR1 (30 is FreeBSD USR1, not Linux 30)')

  const before = w.sim.calls().length
  for (const signal of ['FOO', 'SIGFOO', 'SIG', '0', '32', '99999999999999999999', '9e0', '+9', ' 9', 'USR1 ', 'ſigusr1', '']) {
    const result = await w.runj(['kill', 'sig', signal])
    t.equal(result.code, 2, `kill sig ${JSON.stringify(signal)} exits 2`)
    t.match(result.stderr, /^runj: signal: (unknown signal|signal number)/, result.stderr.trim())
    t.ok(oneLine(result.stderr), 'one line')
  }
  t.same(w.mutations(before), [], 'no host call for a bad signal')
  t.same(w.sim.calls().slice(before), [], 'not even a query: the signal is checked first')
  t.equal((await statusOf(w, 'sig'))?.status, 'running')
  t.equal(signalsSeen(w).length, accepted.length, 'nothing more was delivered')
  t.equal((await w.runj(['delete', '--force', 'sig'])).code, 0)
})

t.test('--log F --log-format json (and text): every failure is one line whose msg is the error', async (t) => {
  const w = await world(t)
  const json = join(w.dir, 'log.json')
  const text = join(w.dir, 'log.txt')
  t.equal((await w.runj(['--log', json, '--log-format', 'json', 'create', 'lg', w.bundle(baseConfig())])).code, 0)
  t.same(logLines(json), [], 'a success writes nothing')

  const failures: [string[], number, string][] = [
    [['kill', 'lg', 'FOO'], 2, 'signal: unknown signal "FOO"'],
    [['delete', 'lg'], 1, 'cannot delete container "lg": it is created'],
    [['state', 'nope'], 1, 'container "nope" does not exist'],
    [['create', 'a.b', w.dir], 2, 'id "a.b": container id must match [A-Za-z0-9][A-Za-z0-9_-]* (jail names cannot contain "." or "/")'],
  ]
  for (const [args, code, msg] of failures) {
    const result = await w.runj(['--log-format=json', `--log=${json}`, ...args])
    t.equal(result.code, code, `${args.join(' ')} exits ${code}`)
    t.equal(result.stderr, `runj: ${msg}\n`)
    const last = JSON.parse(logLines(json).at(-1) ?? '{}') as Record<string, unknown>
    t.same(Object.keys(last).sort(), ['level', 'msg', 'time'])
    t.match(last, { level: 'error', msg })
    t.ok(!Number.isNaN(Date.parse(String(last['time']))), 'time is a timestamp')
  }
  t.equal(logLines(json).length, failures.length, 'one line per failure, appended')

  const result = await w.runj(['--log', text, 'kill', 'lg', 'FOO'])
  t.equal(result.code, 2)
  t.match(logLines(text), [/^time="[^"]+" level=error msg="signal: unknown signal \\"FOO\\""$/])
  t.equal((await w.runj(['delete', '--force', 'lg'])).code, 0)
})

t.test('usage errors (missing operand, unknown option or command) also reach the --log file', async (t) => {
  const w = await world(t)
  const json = join(w.dir, 'usage.json')
  for (const [args, msg] of [
    [['create'], "missing required argument 'id'"],
    [['kill', 'x', 'TERM', '--bogus'], "unknown option '--bogus'"],
    [['bogus'], "unknown command 'bogus'"],
  ] as const) {
    const result = await w.runj(['--log-format', 'json', '--log', json, ...args])
    t.equal(result.code, 2, `${args.join(' ')} exits 2`)
    t.equal(result.stderr, `runj: ${msg}\n`)
    t.match(JSON.parse(logLines(json).at(-1) ?? '{}'), { level: 'error', msg }, 'and is in the log file')
  }
})
