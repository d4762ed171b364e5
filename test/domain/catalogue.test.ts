// events/ must be exactly what `npm run events:gen` generates from the zod schemas: no drift either way.
import { readFileSync, readdirSync } from 'node:fs'
import t from 'tap'
import { eventSchemaVersions, eventTypes } from '../../src/domain/catalogue.js'
import { eventDataSchemas } from '../../src/domain/events.js'
import { eventCatalogueFiles } from '../../src/domain/json-schema.js'

t.test('events/ matches the zod schemas (run `npm run events:gen` after changing an event)', async (t) => {
  const generated = eventCatalogueFiles()
  const onDisk = readdirSync('events').filter((name) => name.endsWith('.json'))
  t.same(onDisk.sort(), [...generated.keys()].sort(), 'one file per event type and version, no stale files')
  for (const [name, text] of generated) t.equal(readFileSync(`events/${name}`, 'utf8'), text, `${name} is current`)
})

t.test('the zod-free catalogue names exactly the types that have schemas', async (t) => {
  t.same(Object.keys(eventDataSchemas).sort(), [...eventTypes].sort())
  for (const type of eventTypes) t.equal(eventSchemaVersions[type], 1)
})
