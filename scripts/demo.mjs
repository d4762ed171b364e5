// `npm run demo`: one container through its whole life with the real runj binary, printed as a shell transcript:
// demo rootfs, demo spec, create, state, start, state, the process's output, kill, state, history, history --verify, delete.
// Linux has no jails: the FreeBSD userland simulator (test/sim) goes first on PATH. FreeBSD: the real utilities, as root.
// Everything lives in one temporary directory, removed at the end (also on failure); any failed step exits 1.
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const repo = dirname(dirname(fileURLToPath(import.meta.url)))
const runjBin = join(repo, 'bin', 'runj.js')
const freebsd = process.platform === 'freebsd'
// A real host's jail names are global: on FreeBSD the id (the jail name) is made unique; the simulator's are per instance.
const ID = freebsd ? `demo${process.pid}` : 'demo'
const SCRIPT = 'echo hello from $(hostname); exec sleep 30'
// What SCRIPT runs (echo is an sh builtin), and env(1), which runj needs in the image for a non-root process.
const PROGRAMS = ['sh', 'sleep', 'hostname', 'env']

const out = (text) => process.stdout.write(text)
const note = (text) => out(`# ${text}\n`)

class StepFailed extends Error {}

function preflight() {
  if (!existsSync(join(repo, 'dist', 'runj.js')))
    throw new StepFailed('dist/ is missing: run `npm run build` first (`npm run demo` does)')
  if (freebsd) {
    if (process.getuid?.() !== 0) throw new StepFailed('on FreeBSD the demo creates a real jail and needs root: run it as root (e.g. `sudo npm run demo`)')
    return
  }
  if (process.platform !== 'linux') throw new StepFailed(`the demo runs on FreeBSD (real jails) or Linux (the simulator), not on ${process.platform}`)
}

/**
 * Linux as non-root: the simulator chroots (unshare -R) and sets the hostname (unshare --uts), which need root.
 * Re-run the demo in a user namespace where we are root, when the kernel allows it; else say what is needed.
 */
function reexecAsNamespaceRoot() {
  if (freebsd || process.getuid?.() === 0) return null
  const probe = spawnSync('unshare', ['--map-root-user', '--uts', '-R', '/', '/bin/true'], { stdio: 'ignore' })
  if (probe.status !== 0)
    throw new StepFailed('on Linux the simulator needs root to chroot the container (unshare -R): run as root, or enable unprivileged user namespaces')
  out('# not root: re-running the demo in a user namespace (unshare --map-root-user), where the simulator can chroot\n')
  const child = spawnSync('unshare', ['--map-root-user', '--', process.execPath, fileURLToPath(import.meta.url)], { stdio: 'inherit' })
  return child.status ?? 1
}

// Each command's stdio goes to files: a container inherits runj's stdio at create and would hold pipes open.
let serial = 0
function execute(file, args, { env, cwd, stdout }) {
  const base = join(work, `.io-${++serial}`)
  const outPath = stdout ?? `${base}.out`
  const fds = [openSync('/dev/null', 'r'), openSync(outPath, 'a'), openSync(`${base}.err`, 'w')]
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd, stdio: fds })
    for (const fd of fds) closeSync(fd)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const result = { code: code ?? 128, signal, stdout: stdout === undefined ? readFileSync(outPath, 'utf8') : '', stderr: readFileSync(`${base}.err`, 'utf8') }
      rmSync(`${base}.err`, { force: true })
      if (stdout === undefined) rmSync(outPath, { force: true })
      resolve(result)
    })
  })
}

let work = ''
let env = {}
let created = false

/** Runs `runj args...`, prints it as a transcript, and fails the demo unless it exits with `expect`. */
async function runj(args, { expect = 0, show = true, redirect } = {}) {
  if (show) out(`\n$ runj ${args.map(quote).join(' ')}${redirect === undefined ? '' : ` > ${redirect}`}\n`)
  const result = await execute(process.execPath, [runjBin, ...args], { env, cwd: work, ...(redirect === undefined ? {} : { stdout: join(work, redirect) }) })
  if (show || result.code !== expect) out(result.stdout + result.stderr)
  if (result.code !== expect) throw new StepFailed(`\`runj ${args.join(' ')}\` exited ${result.code}${result.signal ? ` (${result.signal})` : ''}, expected ${expect}`)
  return result
}

/** An argument as a POSIX shell would need it, so the transcript can be pasted. */
const quote = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)

const statusOf = (result) => JSON.parse(result.stdout).status

async function expectStatus(wanted, { poll = false } = {}) {
  let result = await runj(['state', ID], { show: !poll })
  for (let tries = 1; poll && statusOf(result) !== wanted && tries < 40; tries++) {
    await sleep(100)
    result = await runj(['state', ID], { show: false })
  }
  if (poll) out(`\n$ runj state ${ID}\n${result.stdout}`)
  if (statusOf(result) !== wanted) throw new StepFailed(`status is ${statusOf(result)}, expected ${wanted}`)
}

async function waitForOutput(path) {
  for (let i = 0; i < 50; i++) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : ''
    if (text.includes('\n')) return text
    await sleep(50)
  }
  throw new StepFailed(`the container wrote nothing to ${path}`)
}

async function demo() {
  preflight()
  const nested = reexecAsNamespaceRoot()
  if (nested !== null) return nested
  const started = performance.now()
  work = realpathSync(mkdtempSync(join(tmpdir(), 'runj-demo-')))
  try {
    env = { ...process.env, RUNJ_ROOT: join(work, 'state') }
    delete env['NODE_OPTIONS']
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
    note(`runj ${version}: one container from create to delete; everything lives in ${work}`)
    if (freebsd) {
      // jail, jls and jexec live in /usr/sbin, mount and sysctl in /sbin: sudo may have left them off PATH.
      env['PATH'] = `${process.env['PATH'] ?? ''}:/sbin:/bin:/usr/sbin:/usr/bin`
      note('FreeBSD: the real jail(8), jls(8), jexec(8) and ps(1); the rootfs is built from /rescue and the host')
    } else {
      const sim = spawnSync('/bin/sh', [join(repo, 'test', 'sim', 'install.sh'), join(work, 'sim')], { encoding: 'utf8' })
      if (sim.status !== 0) throw new StepFailed(`test/sim/install.sh failed: ${sim.stderr}`)
      env['PATH'] = `${join(work, 'sim', 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`
      note('Linux has no jails: the FreeBSD userland simulator (test/sim: jail, jls, jexec, ps, mount, ...) goes first on PATH.')
      note('runj is the real binary; the container is a real process, chrooted into the rootfs. The rootfs is built from host binaries.')
    }
    out(`\n$ cd ${work}\n$ export RUNJ_ROOT=$PWD/state${freebsd ? '' : '\n$ export PATH=$PWD/sim/bin:$PATH'}\n`)

    // The bundle comes from runj's own helpers: a rootfs of host programs, and a config.json for it.
    await runj(['demo', 'rootfs', '-o', 'bundle/rootfs', '--from-host', ...PROGRAMS])
    await runj(['demo', 'spec', '-b', 'bundle', '--args', '/bin/sh', '-c', SCRIPT])
    out(`\n$ cat bundle/config.json\n${readFileSync(join(work, 'bundle', 'config.json'), 'utf8')}`)
    out('\n')
    note("create: the jail exists and the process waits (on a FIFO) for start; it inherits runj's stdout, so redirect it")
    created = true
    await runj(['create', '--bundle', 'bundle', ID], { redirect: 'container.out' })
    await expectStatus('created')
    await runj(['start', ID])
    await expectStatus('running')
    const output = await waitForOutput(join(work, 'container.out'))
    out(`\n$ cat container.out   # what the container process wrote\n${output}`)
    await runj(['kill', ID, 'TERM'])
    await expectStatus('stopped', { poll: true })
    await runj(['history', ID])
    const verified = await runj(['history', '--verify', ID])
    if (!/events verified/.test(verified.stdout)) throw new StepFailed('history --verify did not report verified events')
    await runj(['delete', ID])
    created = false
    await runj(['state', ID], { expect: 1 })
    note('exit 1: after delete the container is gone')
    const archive = join(work, 'state', 'archive', ID)
    const archived = existsSync(archive) ? readdirSync(archive) : []
    if (archived.length !== 1) throw new StepFailed(`expected one archived log in ${archive}, found ${archived.length}`)
    const lines = readFileSync(join(archive, archived[0]), 'utf8').trim().split('\n')
    out('\n')
    note(`delete sealed the log with ${JSON.parse(lines.at(-1)).type} and archived it: state/archive/${ID}/${archived[0]} (${lines.length} events)`)
    out(`\n# demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s; removing ${work}\n`)
    return 0
  } finally {
    await cleanup()
  }
}

async function cleanup() {
  if (work === '') return
  if (created) {
    created = false
    out(`\n# cleaning up after the failure: runj delete --force ${ID}\n`)
    await execute(process.execPath, [runjBin, 'delete', '--force', ID], { env, cwd: work }).catch(() => undefined)
  }
  rmSync(work, { recursive: true, force: true })
  work = ''
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130))
  })
}

try {
  process.exitCode = await demo()
} catch (error) {
  process.stdout.write(`\nrunj demo FAILED: ${error instanceof StepFailed ? error.message : (error?.stack ?? String(error))}\n`)
  process.exitCode = 1
}
