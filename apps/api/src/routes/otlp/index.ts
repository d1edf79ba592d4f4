import { createRoute } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { UnsupportedMediaTypeError, normalizeOtlpSpan, otlpItems } from '@tollgate/core'
import type { AppEnv } from '../../context.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { ingestItems, readRaw } from '../compat/door.js'
import { decodeTraceRequest, encodeTraceResponse, type TraceResponse } from './codec.js'
import { parseJson } from '../../lib/body.js'

const PROTOBUF = /^application\/(?:x-)?protobuf\b/i
const JSON_TYPE = /^application\/json\b/i

const traceResponse = {
  'application/x-protobuf': { schema: { type: 'string', format: 'binary' } },
  'application/json': {
    schema: {
      type: 'object',
      properties: {
        partialSuccess: {
          type: 'object',
          properties: { rejectedSpans: { type: 'integer' }, errorMessage: { type: 'string' } },
        },
      },
    },
  },
} as const

const postTraces = (admission: MiddlewareHandler<AppEnv>) =>
  createRoute({
    method: 'post',
    path: '/v1/traces',
    summary: 'OTLP/HTTP traces (ExportTraceServiceRequest), protobuf or JSON, optionally gzip',
    description:
      'Point an OpenTelemetry OTLP/HTTP exporter here (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=<tollgate>/v1/traces`). ' +
      'GenAI semantic conventions (current and older names), OpenInference and `llm.*` attributes become model, ' +
      'provider, tokens, cost, agent, user and session. 200 once the accepted spans are durable; rejected spans are ' +
      'counted in `partialSuccess`. 429/503 carry Retry-After (OTLP exporters retry them).',
    middleware: [admission] as const,
    request: {
      body: {
        required: true,
        content: {
          'application/x-protobuf': { schema: { type: 'string', format: 'binary' } },
          'application/json': {
            schema: { type: 'object', description: 'ExportTraceServiceRequest, OTLP JSON encoding' },
          },
        },
      },
    },
    responses: {
      200: { description: 'stored (durable); rejected spans in partialSuccess', content: traceResponse },
      400: problemResponse('undecodable body'),
      413: problemResponse('body or span count over the limits'),
      415: problemResponse('neither protobuf nor JSON'),
      ...commonProblems,
    },
  })

/** `POST /v1/traces`: OTLP/HTTP in both encodings, answered in the encoding it came in. */
export function otlpRoutes(admission: MiddlewareHandler<AppEnv>) {
  return openApiRoutes().openapi(postTraces(admission), async (c) => {
    const type = c.req.header('content-type') ?? ''
    const protobuf = PROTOBUF.test(type)
    if (!protobuf && !JSON_TYPE.test(type))
      throw new UnsupportedMediaTypeError(
        `Content-Type ${type || '(none)'} is not accepted; send application/x-protobuf or application/json`,
      )
    const raw = await readRaw(c)
    const request = protobuf ? decodeTraceRequest(raw) : parseJson(raw)
    const result = await ingestItems(c, otlpItems(request), normalizeOtlpSpan)
    const response: TraceResponse = {}
    if (result.rejected.length > 0) {
      const shown = result.rejected.slice(0, 5).map((r) => `span ${r.index}: ${r.error}`)
      const more = result.rejected.length - shown.length
      response.partialSuccess = {
        rejectedSpans: result.rejected.length,
        errorMessage: shown.join('; ') + (more > 0 ? `; and ${more} more` : ''),
      }
    }
    if (protobuf) {
      c.header('Content-Type', 'application/x-protobuf')
      return c.body(encodeTraceResponse(response) as Uint8Array<ArrayBuffer>, 200)
    }
    return c.json(response, 200)
  })
}
