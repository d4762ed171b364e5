// JSON Schemas of the event catalogue, generated from the zod schemas: one per event type and schema version.
import { z } from 'zod'
import { eventSchemaVersions, eventTypes, type EventType } from './catalogue.js'
import { eventDataSchemas } from './events.js'

const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' }

function recordSchema(type: EventType): Record<string, unknown> {
  const version = eventSchemaVersions[type]
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:runj:event:${type}:v${version}`,
    title: `${type} v${version}`,
    description: 'One line of <root>/containers/<id>/events.jsonl (see docs/log-format.md).',
    type: 'object',
    required: ['seq', 'type', 'schema', 'time', 'actor', 'data', 'prev', 'hash'],
    additionalProperties: false,
    properties: {
      seq: { type: 'integer', minimum: 1 },
      type: { const: type },
      schema: { const: version },
      time: { type: 'string', format: 'date-time' },
      actor: {
        type: 'object',
        required: ['uid', 'pid', 'ppid', 'command', 'runtime'],
        properties: {
          uid: { type: 'integer' },
          pid: { type: 'integer' },
          ppid: { type: 'integer' },
          command: { type: 'string' },
          runtime: { type: 'string' },
        },
      },
      data: z.toJSONSchema(eventDataSchemas[type], { target: 'draft-2020-12', io: 'output' }),
      prev: hex64,
      hash: hex64,
    },
  }
}

/** File name (`<Type>.v<schema>.json`) to JSON text, exactly as `npm run events:gen` writes them. */
export function eventCatalogueFiles(): Map<string, string> {
  return new Map(
    eventTypes.map((type) => {
      const schema = recordSchema(type)
      const data = schema['properties'] as { data: Record<string, unknown> }
      delete data.data['$schema']
      return [`${type}.v${eventSchemaVersions[type]}.json`, `${JSON.stringify(schema, null, 2)}\n`]
    }),
  )
}
