// Bundles the CLI with esbuild into dist/ (one file per lazily loaded command): a bundle starts faster than ~60 modules.
import { rm } from 'node:fs/promises'
import { build } from 'esbuild'

await rm('dist', { recursive: true, force: true })
await build({
  entryPoints: { runj: 'src/cli/bin.ts', 'events-gen': 'src/events-gen.ts', bench: 'bench/main.ts', 'demo-rootfs': 'scripts/demo-rootfs.ts' },
  outdir: 'dist',
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
