// `npm run events:gen`: writes events/<Type>.v<schema>.json from the zod schemas and removes stale files.
import { readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { eventCatalogueFiles } from './domain/json-schema.js'

const dir = process.argv[2] ?? 'events'
const files = eventCatalogueFiles()
for (const [name, text] of files) await writeFile(join(dir, name), text)
for (const name of await readdir(dir)) if (name.endsWith('.json') && !files.has(name)) await rm(join(dir, name))
process.stdout.write(`wrote ${files.size} event schemas to ${dir}/\n`)
