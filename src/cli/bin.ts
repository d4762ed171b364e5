// Entry point of the `runj` executable: runs main and sets the exit code (never process.exit mid-flight).
import { main } from './main.js'

process.exitCode = await main(process.argv.slice(2))
