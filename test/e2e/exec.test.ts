// runj exec, terminals, fds, ps, pause/resume and features through the real binary against the simulator.
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { baseConfig, world, type World } from '../helpers/e2e.js'
import { consoleReceiver, havePython } from '../helpers/console-socket.js'
import { chrootedInto, leftovers, nothingLeft, statusOf, waitFor, waitForStatus } from '../helpers/probes.js'
import { RUNJ_BIN, cleanEnv } from '../helpers/runj.js'

/** sh opens /dev/null for background jobs; the simulator's rootfs has no devfs, so a plain file stands in. */
function devNull(w: World): void {
  mkdirSync(join(w.dir, 'rootfs/dev'), { recursive: true })
  writeFileSync(join(w.dir, 'rootfs/dev/null'), '')
}

async function running(w: World, id: string, config = baseConfig()): Promise<number> {
  t.equal((await w.runj(['create', id, w.bundle(config, `b-${id}`)])).code, 0)
  t.equal((await w.runj(['start', id])).code, 0)
  return (await waitForStatus(w, id, 'running')).pid as number
}

const types = async (w: World, id: string) => (JSON.parse((await w.runj(['history', '--format', 'json', id])).stdout) as { type: string; data: Record<string, unknown> }[])

t.test('exec: output, exit code, env, cwd and user as asked; events recorded', async (t) => {
  const w = await world(t)
  await running(w, 'ex', baseConfig({}, { env: ['PATH=/bin:/usr/bin', 'FROM_CONFIG=1'] }))
  const out = await w.runj(['exec', '--cwd', '/data', '--env', 'GREETING=hi there', '--user', '1000', 'ex', '/bin/sh', '-c', 'echo "$GREETING"; pwd; id -u; id -g; env; exit 7'])
  t.equal(out.code, 7, `exec exits with the process's status: ${out.stderr}`)
  const lines = out.stdout.trim().split('\n')
  t.same(lines.slice(0, 4), ['hi there', '/data', '1000', '1000'])
  const env = lines.slice(4).filter((l) => !/^(PWD|SHLVL|_)=/.test(l)).sort()
  t.same(env, ['FROM_CONFIG=1', 'GREETING=hi there', 'PATH=/bin:/usr/bin'], 'exactly the container env plus --env (sh adds PWD, SHLVL)')
  const events = await types(w, 'ex')
  const requested = events.find((e) => e.type === 'ExecRequested')
  t.match(requested?.data, { args: ['/bin/sh', '-c'], envNames: ['PATH', 'FROM_CONFIG', 'GREETING'], cwd: '/data', uid: 1000, gid: 1000, terminal: false, detach: false })
  const started = events.find((e) => e.type === 'ExecStarted')
  const exited = events.find((e) => e.type === 'ExecExited')
  t.equal(exited?.data['status'], 7)
  t.equal(exited?.data['pid'], started?.data['pid'])
  t.equal((await statusOf(w, 'ex'))?.status, 'running', 'the container is unchanged')

  const killed = await w.runj(['exec', 'ex', '/bin/sh', '-c', 'kill -9 $$'])
  t.equal(killed.code, 137, '128 + SIGKILL')
  const proc = join(w.dir, 'proc.json')
  writeFileSync(proc, JSON.stringify({ args: ['/bin/sh', '-c', 'echo from file; pwd'], cwd: '/tmp', env: ['ONLY=this'], user: { uid: 0, gid: 0 } }))
  const fromFile = await w.runj(['exec', '--process', proc, 'ex'])
  t.same([fromFile.code, fromFile.stdout], [0, 'from file\n/tmp\n'])
  writeFileSync(proc, JSON.stringify({ args: [], cwd: 'relative', user: { uid: 0, gid: 0 } }))
  const bad = await w.runj(['exec', '--process', proc, 'ex'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^runj: .*proc\.json: process\.args: must not be empty\n$/)
  t.equal((await w.runj(['delete', '--force', 'ex'])).code, 0)
})

t.test('exec --detach --pid-file returns at once with the right pid', async (t) => {
  const w = await world(t)
  await running(w, 'det')
  const pidFile = join(w.dir, 'exec.pid')
  const started = Date.now()
  const result = await w.runj(['exec', '--detach', '--pid-file', pidFile, 'det', '/bin/sleep', '30'])
  t.equal(result.code, 0, result.stderr)
  t.ok(Date.now() - started < 5000, 'returned without waiting for the 30 s sleep')
  const pid = Number(readFileSync(pidFile, 'utf8'))
  t.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /^\/bin\/sleep\x0030/, 'the pid file names the sleep itself')
  t.equal(readlinkSync(`/proc/${pid}/root`), join(w.dir, 'rootfs'), 'inside the jail')
  t.equal((await w.runj(['delete', '--force', 'det'])).code, 0)
  t.same(leftovers(w, 'det'), nothingLeft, 'delete --force also ends the exec')
})

t.test('exec on a created or stopped container, or an unknown one, fails and changes nothing', async (t) => {
  const w = await world(t)
  t.equal((await w.runj(['create', 'cr', w.bundle(baseConfig())])).code, 0)
  for (const [id, message] of [['cr', /^runj: cannot exec into container "cr": it is created\n$/], ['nope', /^runj: container "nope" does not exist\n$/]] as const) {
    const before = w.sim.calls().length
    const eventsBefore = id === 'cr' ? (await types(w, id)).length : 0
    const r = await w.runj(['exec', id, '/bin/sh', '-c', 'echo no'])
    t.equal(r.code, 1)
    t.match(r.stderr, message)
    t.same(w.mutations(before), [], 'no host change')
    if (id === 'cr') t.equal((await types(w, id)).length, eventsBefore, 'no event')
  }
  for (const [args, message] of [
    [['exec', 'cr'], /no command/],
    [['exec', '--user', 'root', 'cr', 'id'], /--user: "root" is not uid\[:gid\]/],
    [['exec', '--env', 'NOEQUALS', 'cr', 'id'], /--env: "NOEQUALS" is not KEY=VALUE/],
    [['exec', '--tty', 'cr', 'id'], /process\.terminal: is true: --console-socket is required/],
    [['exec', '--console-socket', '/tmp/x.sock', 'cr', 'id'], /--console-socket: is given but process\.terminal is not true/],
  ] as const) {
    const r = await w.runj(args)
    t.equal(r.code, 2, `${args.join(' ')}: ${r.stderr.trim()}`)
    t.match(r.stderr, message)
  }
  t.equal((await w.runj(['delete', '--force', 'cr'])).code, 0)
})

t.test('fds: only stdio and --preserve-fds reach the process; an fd runj holds open does not', async (t) => {
  const w = await world(t)
  await running(w, 'fd')
  // runj is started with fds 3 and 4 open (a file and /dev/null); the exec'd sleep is inspected from the host.
  const marker = join(w.dir, 'marker')
  writeFileSync(marker, 'x')
  const pidFile = join(w.dir, 'fd.pid')
  const fdsOf = (extra: string[]) => new Promise<string[]>((resolve) => {
    const three = openSync(marker, 'r')
    const four = openSync('/dev/null', 'r')
    const child = spawn(process.execPath, [RUNJ_BIN, '--root', w.root, 'exec', '--detach', '--pid-file', pidFile, ...extra, 'fd', '/bin/sleep', '30'], { env: cleanEnv(w.sim.env()), stdio: ['ignore', 'ignore', 'inherit', three, four] })
    for (const fd of [three, four]) closeSync(fd)
    child.on('exit', () => {
      const pid = readFileSync(pidFile, 'utf8')
      resolve(readdirSync(`/proc/${pid}/fd`).sort().map((fd) => `${fd}:${readlinkSync(`/proc/${pid}/fd/${fd}`).replace(w.dir, '')}`))
    })
  })
  const plain = await fdsOf([])
  t.same(plain.map((e) => e.split(':')[0]), ['0', '1', '2'], `stdio only, none of runj's own fds: ${plain.join(' ')}`)
  const preserved = await fdsOf(['--preserve-fds', '2'])
  t.same(preserved.map((e) => e.split(':')[0]), ['0', '1', '2', '3', '4'], 'plus exactly fds 3 and 4')
  t.same(preserved.slice(3).map((e) => e.split(':')[1]), ['/marker', '/dev/null'], 'the very files runj was given')
  const r = await w.runj(['exec', '--preserve-fds', 'two', 'fd', '/bin/sh', '-c', 'exit 0'])
  t.equal(r.code, 2)
  t.match(r.stderr, /^runj: --preserve-fds: "two" is not a number of fds\n$/)
  t.equal((await w.runj(['delete', '--force', 'fd'])).code, 0)
})

t.test('a terminal over the console socket: the process sees a tty on fd 0 and answers through it', { skip: havePython ? false : 'python3 with socket.recv_fds is needed to play conmon\'s console-socket receiver' }, async (t) => {
  const w = await world(t)
  const dir = mkdtempSync('/tmp/runj-console-')
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const socket = join(dir, 'c.sock')
  const receiver = await consoleReceiver(socket, 'echo answer-$((6*7))\n', 'answer-42', true)
  t.teardown(() => receiver.child.kill())
  const config = baseConfig({}, { terminal: true, consoleSize: { height: 30, width: 90 }, args: ['/bin/sh', '-i'] })
  const created = await w.runj(['create', '--console-socket', socket, 'tty', w.bundle(config)])
  t.equal(created.code, 0, created.stderr)
  t.equal((await w.runj(['start', 'tty'])).code, 0)
  const out = await waitFor(() => (receiver.output().includes('output ') ? receiver.output() : undefined), 'the answer on the terminal', 15000)
  const pid = (await statusOf(w, 'tty'))?.pid as number
  t.match(readlinkSync(`/proc/${pid}/fd/0`), /^\/dev\/pts\/\d+$/, 'fd 0 of the container process is the pty')
  t.match(out, /isatty True/)
  t.match(out, /output '.*answer-42/, 'the shell read the command from the terminal and answered on it')
  const history = await types(w, 'tty')
  t.equal((history[0]?.data['process'] as { terminal: boolean }).terminal, true)
  t.equal((await w.runj(['delete', '--force', 'tty'])).code, 0)
  t.same(leftovers(w, 'tty'), nothingLeft)

  // exec --tty the same way.
  await running(w, 'ttyx')
  const socket2 = join(dir, 'x.sock')
  const receiver2 = await consoleReceiver(socket2, '[ -t 0 ] && [ -t 1 ] && echo on-a-tty; echo done-$((1+2)); exit 3\n', 'done-3', true)
  t.teardown(() => receiver2.child.kill())
  const exec = await w.runj(['exec', '--tty', '--console-socket', socket2, 'ttyx', '/bin/sh'])
  t.equal(exec.code, 3, `runj exec exits with the shell's status: ${exec.stderr}`)
  t.match(receiver2.output(), / on-a-tty\\r\\ndone-3/, 'inside the jail, stdin and stdout are a terminal')
  t.equal((await w.runj(['delete', '--force', 'ttyx'])).code, 0)
})

t.test('pause stops every process of the jail, resume continues them; kill and delete while paused', async (t) => {
  const w = await world(t)
  devNull(w)
  await running(w, 'pz', baseConfig({}, { args: ['/bin/sh', '-c', 'sleep 60 & sleep 61 & wait'] }))
  const rootfs = join(w.dir, 'rootfs')
  await waitFor(() => (chrootedInto(rootfs).length === 3 ? true : undefined), 'three processes in the jail')
  const stateOf = (pid: number) => (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ')[0]
  t.equal((await w.runj(['pause', 'pz'])).code, 0)
  t.same(chrootedInto(rootfs).map(stateOf), ['T', 'T', 'T'], 'every process is stopped')
  t.equal((await statusOf(w, 'pz'))?.status, 'paused')
  t.match((await w.runj(['list'])).stdout, /pz\s+\d+\s+paused/)
  t.equal((await w.runj(['pause', 'pz'])).code, 1, 'pause twice is refused')
  t.equal((await w.runj(['exec', 'pz', '/bin/true'])).code, 1, 'no exec into a paused container')
  t.match((await w.runj(['delete', 'pz'])).stderr, /cannot delete container "pz": it is paused/)
  t.equal((await w.runj(['resume', 'pz'])).code, 0)
  t.same(chrootedInto(rootfs).map(stateOf).map((s) => s === 'T'), [false, false, false], 'every process continues')
  t.equal((await statusOf(w, 'pz'))?.status, 'running')
  t.equal((await w.runj(['resume', 'pz'])).code, 1, 'resume of a running container is refused')
  t.equal((await w.runj(['pause', 'pz'])).code, 0)
  t.equal((await w.runj(['kill', 'pz', 'KILL'])).code, 0, 'kill reaches a paused container')
  await waitForStatus(w, 'pz', 'stopped')
  t.equal((await w.runj(['delete', 'pz'])).code, 0)
  const events = JSON.parse((await w.runj(['history', '--all', '--format', 'json', 'pz'])).stdout) as { type: string }[]
  for (const type of ['PauseRequested', 'ContainerPaused', 'ResumeRequested', 'ContainerResumed']) t.ok(events.some((e) => e.type === type), type)
  t.same(leftovers(w, 'pz'), nothingLeft)
})

t.test('ps lists the jail\'s processes; features describes runj', async (t) => {
  const w = await world(t)
  devNull(w)
  await running(w, 'pps', baseConfig({}, { args: ['/bin/sh', '-c', 'sleep 60 & wait'] }))
  await waitFor(() => (chrootedInto(join(w.dir, 'rootfs')).length === 2 ? true : undefined), 'two processes')
  const json = await w.runj(['ps', '--format', 'json', 'pps'])
  t.same((JSON.parse(json.stdout) as number[]).sort(), chrootedInto(join(w.dir, 'rootfs')).sort())
  const table = await w.runj(['ps', 'pps'])
  t.match(table.stdout, /^\s*PID\s+PPID\s+USER\s+STAT\s+TIME\s+COMMAND\n/)
  t.match(table.stdout, /sleep 60/)
  t.equal((await w.runj(['ps', 'nope'])).code, 1)
  t.equal((await w.runj(['delete', '--force', 'pps'])).code, 0)
  const features = JSON.parse((await w.runj(['features'])).stdout) as Record<string, unknown>
  t.match(features, { ociVersionMin: '1.0.0', ociVersionMax: '1.3.0', hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] })
  t.ok((features['mountOptions'] as string[]).includes('ruleset'))
  t.ok(((features['freebsd'] as { rctl: { resources: string[] } }).rctl.resources).includes('maxproc'))
  t.ok((features['potentiallyUnsafeConfigAnnotations'] as string[]).includes('org.freebsd.jail.allow.'))
})
