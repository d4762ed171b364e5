// Bundles the CLI with esbuild into dist/ (one file per lazily loaded command): a bundle starts faster than ~60 modules.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { build } from 'esbuild'

// Built beside dist/ and moved in file by file with rename(2): a runj started during a build (tests, a second build)
// loads a whole old or a whole new entry file, and the chunks an old entry imports lazily stay for a while.
const staging = `dist.${process.pid}.tmp`
await rm(staging, { recursive: true, force: true })
await build({
  entryPoints: { runj: 'src/cli/bin.ts', 'tty-exec': 'src/host/tty-exec.ts', 'events-gen': 'src/events-gen.ts', bench: 'bench/main.ts' },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  // rxjs's "node" export is CommonJS (370 KB, not tree-shakable); its ESM build shakes down to the operators runj uses.
  alias: { rxjs: './node_modules/rxjs/dist/esm/index.js' },
  // commander is CommonJS: its require() calls of node builtins need a real require in an ESM bundle.
  banner: { js: "import { createRequire as __runjCreateRequire } from 'node:module'; const require = __runjCreateRequire(import.meta.url);" },
})
await mkdir('dist/chunks', { recursive: true })
const fresh = new Set(await readdir(`${staging}/chunks`))
for (const name of fresh) await rename(`${staging}/chunks/${name}`, `dist/chunks/${name}`)
for (const entry of await readdir(staging, { withFileTypes: true })) if (entry.isFile()) await rename(`${staging}/${entry.name}`, `dist/${entry.name}`)
await rm(staging, { recursive: true, force: true })
// Chunks of earlier builds: kept ten minutes for processes that started before this build, then removed.
for (const name of await readdir('dist/chunks')) {
  if (fresh.has(name)) continue
  const { mtimeMs } = await stat(`dist/chunks/${name}`)
  if (Date.now() - mtimeMs > 10 * 60 * 1000) await rm(`dist/chunks/${name}`, { force: true })
}
