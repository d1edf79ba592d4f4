import { createHash } from 'node:crypto'
import type { SpanKind, SpanLimits } from '../span.js'
import { count } from './genai.js'
import { normalizeNative, type NormalizeResult } from './native.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from './text.js'

/**
 * One tokenome `TelemetryEvent` (an item of `POST /v1/events/batch`'s `events`) → one span.
 *
 * Events carry no trace or span ids: `event_id` (`evt_<32 hex>`) is the only one, so the span's ids
 * are derived from it — a redelivered batch (tokenome retries from its spool) maps to the same key and
 * is stored once (Idempotency). `user_id_hash` (SHA-256 of the user id, all tokenome sends) is the
 * span's user id. Cached and reasoning tokens arrive only inside `raw_usage_json`, in the provider's
 * own usage shape.
 */
type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** The 32 hex digits of `evt_<hex>`, else a digest of the id: the same event always gets the same key. */
export function eventIds(eventId: string): { traceId: string; spanId: string } {
  const m = /^(?:evt_)?([0-9a-f]{32})$/i.exec(eventId)
  const hex = m?.[1]?.toLowerCase() ?? createHash('sha256').update(eventId).digest('hex').slice(0, 32)
  return { traceId: hex, spanId: hex.slice(16, 32) }
}

function kindOf(operation: string): { kind: SpanKind; op: string } {
  if (operation.startsWith('chat.') || operation.startsWith('responses.') || operation.startsWith('messages.'))
    return { kind: 'llm', op: 'chat' }
  if (operation.startsWith('completions.')) return { kind: 'llm', op: 'text_completion' }
  if (operation.startsWith('embeddings.')) return { kind: 'embedding', op: 'embeddings' }
  if (operation.startsWith('batches.')) return { kind: 'other', op: operation }
  return { kind: 'llm', op: operation }
}

// Mapped onto canonical fields; the rest is kept under `tokenome.<field>`.
const MAPPED = new Set([
  'event_id',
  'provider',
  'model',
  'operation',
  'request_mode',
  'request_started_at',
  'response_completed_at',
  'latency_ms',
  'status',
  'error_code',
  'error_message',
  'total_tokens',
  'input_tokens',
  'output_tokens',
  'route',
  'feature',
  'environment',
  'project_id',
  'tags',
  'user_id_hash',
  'session_id',
  'raw_usage_json',
  'extra',
])

export function normalizeTokenomeEvent(raw: unknown, limits: SpanLimits, nowUs?: number): NormalizeResult {
  if (!isObj(raw)) return { ok: false, error: 'expected an event object' }
  const e = raw
  const eventId = str(e.event_id)
  if (!eventId || eventId.length > 128) return { ok: false, error: 'event_id: required (at most 128 characters)' }
  const { traceId, spanId } = eventIds(eventId)
  const operation = str(e.operation) ?? ''
  const { kind, op } = kindOf(operation)
  const batchApi = operation.startsWith('batches.')

  const usage = isObj(e.raw_usage_json) ? e.raw_usage_json : {}
  const promptDetails = isObj(usage.prompt_tokens_details)
    ? usage.prompt_tokens_details
    : isObj(usage.input_tokens_details)
      ? usage.input_tokens_details
      : {}
  const completionDetails = isObj(usage.completion_tokens_details)
    ? usage.completion_tokens_details
    : isObj(usage.output_tokens_details)
      ? usage.output_tokens_details
      : {}
  let input = batchApi ? 0 : (count(e.input_tokens) ?? 0)
  const output = batchApi ? 0 : (count(e.output_tokens) ?? 0)
  // OpenAI reports cached tokens inside input; Anthropic reports cache reads and writes beside it.
  const anthropicRead = count(usage.cache_read_input_tokens)
  const anthropicWrite = count(usage.cache_creation_input_tokens)
  const cacheRead = batchApi ? 0 : (count(promptDetails.cached_tokens) ?? anthropicRead ?? 0)
  const cacheWrite = batchApi ? 0 : (anthropicWrite ?? 0)
  if (anthropicRead !== undefined || anthropicWrite !== undefined) input += (anthropicRead ?? 0) + (anthropicWrite ?? 0)
  const reasoning = batchApi ? 0 : Math.min(count(completionDetails.reasoning_tokens) ?? 0, output)

  const tags: Record<string, string> = {}
  for (const [k, v] of Object.entries(isObj(e.tags) ? e.tags : {})) {
    if (v === null || v === undefined) continue
    // JSON.stringify recurses: a hostile depth would overflow the stack.
    if (nestsDeeperThan(v, MAX_JSON_DEPTH))
      return { ok: false, error: `tags.${k}: nested deeper than ${MAX_JSON_DEPTH} levels` }
    tags[k] = typeof v === 'object' ? JSON.stringify(v) : String(v)
  }
  for (const k of ['route', 'feature', 'environment', 'project_id'] as const) {
    const v = str(e[k])
    if (v) tags[k] = v
  }

  const attributes: Obj = { 'tokenome.operation': operation }
  for (const [k, v] of Object.entries(e))
    if (!MAPPED.has(k) && v !== null && v !== undefined) attributes[`tokenome.${k}`] = v
  if (isObj(e.extra)) for (const [k, v] of Object.entries(e.extra)) attributes[`tokenome.extra.${k}`] = v
  if (batchApi) {
    // The batches API reports request counts where usage would be: kept as counts, not tokens.
    attributes['tokenome.batch_requests_completed'] = e.input_tokens
    attributes['tokenome.batch_requests_failed'] = e.output_tokens
    attributes['tokenome.batch_requests_total'] = e.total_tokens
  }

  const status = str(e.status)
  const started = e.request_started_at ?? null
  const latencyMs = typeof e.latency_ms === 'number' && e.latency_ms >= 0 ? e.latency_ms : 0
  return normalizeNative(
    {
      trace_id: traceId,
      span_id: spanId,
      name: [str(e.provider), operation].filter(Boolean).join('.') || 'tokenome.event',
      kind,
      start_time: started,
      end_time: e.response_completed_at ?? null,
      status: status === 'success' ? 'ok' : status ? 'error' : 'unset',
      error_message:
        status && status !== 'success'
          ? [str(e.error_code), str(e.error_message)].filter(Boolean).join(': ') || status
          : null,
      provider: str(e.provider),
      model: str(e.model),
      operation: op,
      stream: e.request_mode === 'stream',
      usage: {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: Math.min(cacheRead, input),
        cache_write_tokens: Math.min(cacheWrite, Math.max(0, input - Math.min(cacheRead, input))),
        reasoning_tokens: reasoning,
      },
      user_id: str(e.user_id_hash) ?? null,
      session_id: str(e.session_id) ?? null,
      tags,
      attributes: { ...attributes, 'tokenome.latency_ms': latencyMs },
    },
    limits,
    'tokenome',
    nowUs,
  )
}
