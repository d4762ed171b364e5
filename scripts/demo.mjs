// `npm run demo` (until the lifecycle lands): writes a container log with the real store, shows `runj history`, verifies it, and shows tampering caught.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = mkdtempSync(join(tmpdir(), 'runj-demo-'))
const runj = (...args) => {
  process.stdout.write(`\n$ runj --root ${root} ${args.join(' ')}\n`)
  try {
    process.stdout.write(execFileSync(process.execPath, ['bin/runj.js', '--root', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))
    return 0
  } catch (error) {
    process.stdout.write(`${error.stdout}${error.stderr}(exit ${error.status})\n`)
    return error.status
  }
}
execFileSync(process.execPath, ['dist/demo-log.js', root], { stdio: 'inherit' })
runj('history', 'demo')
runj('history', '--verify', 'demo')
const path = join(root, 'containers', 'demo', 'events.jsonl')
writeFileSync(path, readFileSync(path, 'utf8').replace('"jid":7', '"jid":8'))
process.stdout.write('\n# changed one byte of seq 2 (jid 7 -> 8) in the log\n')
if (runj('history', '--verify', 'demo') !== 1) throw new Error('tampering was not detected')
