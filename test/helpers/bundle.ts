// Bundles a TypeScript fixture with esbuild so child processes start as fast as plain node (no TS loader).
import { join } from 'node:path'
import { build } from 'esbuild'

export async function bundleFixture(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `${entry.replace(/[/.]/g, '_')}.mjs`)
  await build({ entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' })
  return outfile
}
