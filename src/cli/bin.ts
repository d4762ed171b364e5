// Entry point of the `runj` executable: runs main and sets the exit code (never process.exit mid-flight).
import { parseStateArgv, runState } from './fast.js'

const argv = process.argv.slice(2)
const state = parseStateArgv(argv)
process.exitCode = state !== null ? await runState(state) : await (await import('./main.js')).main(argv)
