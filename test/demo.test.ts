// `npm run demo` is the README's first command: scripts/demo.mjs (after the build) must run a container through its whole life.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { cleanEnv } from './helpers/runj.js'

const repo = fileURLToPath(new URL('..', import.meta.url))
const supported = process.platform === 'linux' || (process.platform === 'freebsd' && process.getuid?.() === 0)

if (!supported) {
  t.plan(0, `skipped: the demo needs Linux (the simulator) or FreeBSD as root, not ${process.platform}`)
} else {
  t.test('scripts/demo.mjs runs create, start, kill, delete and verifies the log', async (t) => {
    t.ok(existsSync(`${repo}dist/runj.js`), 'dist/ is built (npm run build)')
    const started = performance.now()
    const result = spawnSync(process.execPath, ['scripts/demo.mjs'], { cwd: repo, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 })
    const seconds = (performance.now() - started) / 1000
    const transcript = `${result.stdout}${result.stderr}`
    t.equal(result.status, 0, 'exits 0', { transcript })
    for (const status of ['created', 'running', 'stopped']) t.match(transcript, `"status": "${status}"`, `the transcript shows status ${status}`)
    t.match(transcript, /\$ runj create --bundle bundle demo\S* > container.out/, 'commands are shown as a shell transcript')
    t.match(transcript, /\$ runj demo rootfs -o bundle\/rootfs --from-host sh sleep hostname env\n/, 'the rootfs comes from runj demo rootfs')
    t.match(transcript, /\$ runj demo spec -b bundle --args \/bin\/sh -c 'echo hello from \$\(hostname\); exec sleep 30'\n/, 'the config from runj demo spec')
    t.match(transcript, /"ociVersion": "1\.3\.0"/, 'the config is shown')
    t.match(transcript, /hello from runj/, "the container process's output is shown")
    t.match(transcript, /: \d+ events verified, chain intact/, 'history --verify reports events verified')
    t.match(transcript, /\n\$ runj delete demo\S*\n/, 'the container is deleted')
    t.notMatch(transcript, /FAILED/)
    t.comment(`the demo took ${seconds.toFixed(1)} s (timed in npm run bench, not here)`)
    const dir = /everything lives in (\S+)/.exec(transcript)?.[1]
    t.ok(dir !== undefined && !existsSync(dir), 'the temporary directory is removed')
  })
}
