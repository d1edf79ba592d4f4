import { z } from 'zod'
import { WireSpan } from '@tollgate/core'
import { IngestClient } from './routes/ingest/schema.js'

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of a zod schema, as requests send it. */
function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>
  return rest
}

const secured = [{ apiKey: [] }, { bearer: [] }, { aeneasKey: [] }]

const Problem = z.object({
  type: z.string().describe('stable URI; clients switch on it'),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  request_id: z.string(),
})

/** What `OpenAPIHono.getOpenAPI31Document` generated from the routes declared with `createRoute`. */
export interface GeneratedDocument {
  paths?: Record<string, unknown>
  components?: { schemas?: Record<string, unknown> }
}

/**
 * The OpenAPI document: every route's own declaration (`createRoute`, lib/openapi-route.ts), generated,
 * plus what they share: security schemes, `Problem`, and the ingest body (parsed span by span by its
 * handler, so its schema is written here from the same zod schemas, as clients send it).
 */
export function openApiDocument(version: string, generated: GeneratedDocument = {}): Record<string, unknown> {
  const doc = shared(version)
  const components = doc.components as { schemas: Record<string, unknown> }
  Object.assign(components.schemas, generated.components?.schemas)
  const paths = doc.paths as Record<string, Record<string, unknown>>
  for (const [path, ops] of Object.entries(generated.paths ?? {})) {
    // Every route is authenticated (middleware/auth.ts) unless the operation says otherwise.
    const declared = Object.entries(ops as Record<string, Record<string, unknown>>).map(([method, op]) => [
      method,
      { security: secured, ...op },
    ])
    paths[path] = { ...paths[path], ...Object.fromEntries(declared) }
  }
  return doc
}

function shared(version: string): Record<string, unknown> {
  const ingestBody = z.union([
    WireSpan,
    z.array(WireSpan),
    z.object({ spans: z.array(WireSpan), client: IngestClient.optional() }),
  ])
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tollgate API',
      version,
      description: 'Ingest and query LLM spans. Errors are RFC 9457 problem+json.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        aeneasKey: { type: 'apiKey', in: 'header', name: 'X-AeneasSoft-API-Key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        Span: schema(WireSpan, 'input'),
        IngestBody: schema(ingestBody, 'input'),
        Problem: schema(Problem),
      },
    },
    paths: {
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
  }
}
