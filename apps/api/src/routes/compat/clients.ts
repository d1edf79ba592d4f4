import { createRoute } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { ValidationError, normalizeInstrumentationSdkSpan, normalizeTokenomeEvent } from '@tollgate/core'
import type { AppEnv } from '../../context.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { Rejected, documented, ingestItems, readJson } from './door.js'

const LLMSpan = z.looseObject({
  span_id: z.string().describe('UUID; its first 16 hex digits become the span id'),
  trace_id: z.string().nullish().describe('UUID; a new trace id when null'),
  parent_span_id: z.string().nullish(),
  model: z.string(),
  provider: z.string(),
  service_name: z.string(),
  endpoint: z.string(),
  environment: z.string().optional(),
  user_id: z.string().nullish(),
  session_id: z.string().nullish(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  latency_ms_ttft: z.number().nullish(),
  latency_ms_total: z.number(),
  cost_usd_micro: z.number().int().describe('0 = not computed: Tollgate prices the call'),
  timestamp_utc: z.string().describe('when the call started'),
  pii_detected: z.boolean().optional(),
  injection_attempt: z.boolean().optional(),
})

const TokenomeBatch = z.looseObject({
  batch_id: z.string().optional(),
  sdk: z.unknown().optional(),
  events: z.array(z.looseObject({ event_id: z.string() })),
})

const BatchEnvelope = z.object({ batch_id: z.string().max(256).optional(), events: z.array(z.unknown()) })

const Accepted = z.object({ success: z.boolean(), accepted: z.number().int(), rejected: Rejected })
const BatchAccepted = z.object({ batch_id: z.string().nullable(), accepted: z.number().int(), rejected: Rejected })

/** Request bodies are documented only (the door reads and checks them itself); responses are typed. */
const requestBody = (schema: z.ZodType) => ({ 'application/json': { schema: documented(schema) } })
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } })

const postSpans = (admission: MiddlewareHandler<AppEnv>) =>
  createRoute({
    method: 'post',
    path: '/v1/spans',
    summary: "instrumentation-sdk's LLMSpan JSON (one span or a list)",
    description:
      'The REST contract of instrumentation-sdk (`POST /v1/spans`). 202 once durable; spans that can never be ' +
      'stored are listed by index; none accepted → 400.',
    middleware: [admission] as const,
    request: { body: { required: true, content: requestBody(z.union([LLMSpan, z.array(LLMSpan)])) } },
    responses: {
      202: { description: 'stored (durable)', content: json(Accepted) },
      400: problemResponse('no span could be stored (each listed)'),
      413: problemResponse('over the body or span limits'),
      ...commonProblems,
    },
  })

const postEventsBatch = (admission: MiddlewareHandler<AppEnv>) =>
  createRoute({
    method: 'post',
    path: '/v1/events/batch',
    summary: 'tokenome event batches: one span per event, event_id as the idempotency key',
    description:
      '`TokenLens(endpoint="<tollgate>/v1/events/batch")`. 202 once durable (a redelivered batch is stored once); ' +
      '400 only when no event of the batch can ever be stored (tokenome drops a batch on 400); 429/503 with ' +
      'Retry-After are retried from its spool.',
    middleware: [admission] as const,
    request: { body: { required: true, content: requestBody(TokenomeBatch) } },
    responses: {
      202: { description: 'stored (durable)', content: json(BatchAccepted) },
      400: problemResponse('not a batch, or no event can be stored'),
      413: problemResponse('over the body or span limits'),
      ...commonProblems,
    },
  })

function allRejected(rejected: Array<{ index: number; error: string }>): ValidationError {
  return new ValidationError('', `all ${rejected.length} items were rejected`, { accepted: 0, rejected })
}

/** `POST /v1/spans` (instrumentation-sdk) and `POST /v1/events/batch` (tokenome). */
export function clientRoutes(admission: MiddlewareHandler<AppEnv>) {
  return openApiRoutes()
    .openapi(postSpans(admission), async (c) => {
      const body = await readJson(c)
      const items = Array.isArray(body) ? body : [body]
      const result = await ingestItems(c, items, normalizeInstrumentationSdkSpan)
      const rejected = result.rejected.map(({ index, error }) => ({ index, error }))
      if (result.accepted === 0 && rejected.length > 0) throw allRejected(rejected)
      return c.json({ success: true, accepted: result.accepted, rejected }, 202)
    })
    .openapi(postEventsBatch(admission), async (c) => {
      const body = await readJson(c)
      // Events are checked one by one by the normaliser: one bad event never costs the batch.
      const batch = BatchEnvelope.safeParse(body)
      if (!batch.success) throw new ValidationError('events', 'expected { batch_id, sdk, events: [...] }')
      const result = await ingestItems(c, batch.data.events, normalizeTokenomeEvent)
      const rejected = result.rejected.map(({ index, error }) => ({ index, error }))
      if (result.accepted === 0 && rejected.length > 0) throw allRejected(rejected)
      return c.json({ batch_id: batch.data.batch_id ?? null, accepted: result.accepted, rejected }, 202)
    })
}
