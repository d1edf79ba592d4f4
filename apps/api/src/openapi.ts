import { z } from 'zod'
import { WireSpan } from '@tollgate/core'
import { IngestClient } from './routes/ingest/schema.js'
import { CreatedKey, CreateKeyBody, CreateProjectBody, KeyView, ProjectView } from './routes/projects/schema.js'
import { controlPaths, controlSchemas } from './openapi-control.js'

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of a zod schema, as requests send it. */
function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>
  return rest
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } })
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
})
const retryAfter = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } }
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
 * The OpenAPI document: the routes' own declarations (`createRoute`, generated), over the paths not
 * converted yet, which are written here from the same zod schemas the routes validate with.
 */
export function openApiDocument(version: string, generated: GeneratedDocument = {}): Record<string, unknown> {
  const doc = handWritten(version)
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

function handWritten(version: string): Record<string, unknown> {
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
        CreateProjectBody: schema(CreateProjectBody, 'input'),
        Project: schema(ProjectView),
        ProjectList: schema(z.object({ projects: z.array(ProjectView) })),
        CreateKeyBody: schema(CreateKeyBody, 'input'),
        CreatedKey: schema(CreatedKey),
        KeyList: schema(z.object({ keys: z.array(KeyView) })),
        ...controlSchemas(schema),
      },
    },
    paths: {
      ...projectPaths(),
      ...controlPaths(secured),
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
  }
}

/** Projects and keys: mutations need an admin credential; another project's id answers 404. */
function projectPaths(): Record<string, unknown> {
  const projectId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
  const denied = {
    '401': problem('missing or invalid credentials'),
    '403': problem('not an admin credential'),
    '429': { ...problem('rate limited'), headers: retryAfter },
  }
  const body = (name: string) => ({ required: false, content: { 'application/json': { schema: ref(name) } } })
  return {
    '/api/projects': {
      post: {
        summary: 'Create a project (instance admin: API_KEY)',
        security: secured,
        requestBody: { ...body('CreateProjectBody'), required: true },
        responses: { '201': { description: 'created', ...json('Project') }, '400': problem('invalid body'), ...denied },
      },
      get: {
        summary: "Projects: all for the instance admin, the caller's own otherwise",
        security: secured,
        responses: { '200': { description: 'projects', ...json('ProjectList') }, ...denied },
      },
    },
    '/api/projects/{id}/keys': {
      post: {
        summary: 'Create a key (shown once; stored as SHA-256); scopes ingest and/or read',
        security: secured,
        parameters: [projectId],
        requestBody: body('CreateKeyBody'),
        responses: {
          '201': { description: 'the key, once', ...json('CreatedKey') },
          '400': problem('invalid body'),
          '404': problem('no such project for this caller'),
          ...denied,
        },
      },
      get: {
        summary: "A project's keys: prefixes, scopes, last use, revocation",
        security: secured,
        parameters: [projectId],
        responses: {
          '200': { description: 'keys', ...json('KeyList') },
          '404': problem('no such project for this caller'),
          ...denied,
        },
      },
    },
    '/api/projects/{id}/keys/{keyId}': {
      delete: {
        summary: 'Revoke a key (at once on this process, within API_KEY_CACHE_TTL_MS on others)',
        security: secured,
        parameters: [projectId, { name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'revoked' }, '404': problem('no such live key in this project'), ...denied },
      },
    },
  }
}
