// `npm run bench`: runs every benchmark in one process and prints the measured figures as one table.
import { fileURLToPath } from 'node:url'
import { benchLifecycle } from './lifecycle.js'
import { benchLog, type Row } from './log.js'
import { benchRctl } from './rctl.js'
import { benchAudit } from './audit.js'
import { benchOciImage } from './oci-image.js'

// Resolved here, in the entry (dist/bench.js once bundled): code split into dist/chunks/ would resolve them wrongly.
const runjBin = fileURLToPath(new URL('../bin/runj.js', import.meta.url))
const simInstall = fileURLToPath(new URL('../test/sim/install.sh', import.meta.url))
// NODE_EXTRA_CA_CERTS adds ~80 ms to every Node start here; measured commands run without it.
const cleanEnv = { ...process.env }
delete cleanEnv['NODE_EXTRA_CA_CERTS']
delete cleanEnv['NODE_OPTIONS']

const rows: Row[] = [...(await benchLog(runjBin, cleanEnv)), ...(await benchLifecycle({ runjBin, simInstall }, cleanEnv)), ...(await benchRctl({ runjBin, simInstall }, cleanEnv)), ...(await benchAudit({ runjBin, simInstall }, cleanEnv)), ...(await benchOciImage(runjBin, cleanEnv))]
const widths = [Math.max(...rows.map((r) => r.measure.length)), Math.max(...rows.map((r) => r.value.length)), Math.max(...rows.map((r) => r.target.length))]
const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
process.stdout.write(`${line(['measure', 'value', 'target', 'met'])}\n`)
// Rows with target "info" are figures for reading, not targets.
for (const row of rows) process.stdout.write(`${line([row.measure, row.value, row.target, row.target === 'info' ? '-' : row.ok ? 'yes' : 'NO'])}\n`)
