/**
 * Span wire format v1 (the server's packages/core/src/normalize/wire.ts), as the SDK sends it. snake_case on the wire.
 * The server validates; the SDK only shapes.
 */
export type SpanKind = 'llm' | 'embedding' | 'tool' | 'retrieval' | 'agent' | 'chain' | 'http' | 'other'
export type SpanStatus = 'ok' | 'error' | 'unset'
export type AttributeValue = string | number | boolean

/**
 * Token usage with OpenAI's convention: `input_tokens` counts every input token including
 * cache reads and writes; `output_tokens` includes reasoning tokens.
 */
export interface Usage {
  input_tokens?: number
  output_tokens?: number
  total_tokens?: number
  cache_read_tokens?: number
  cache_write_tokens?: number
  reasoning_tokens?: number
}

export interface Cost {
  input_usd: number
  output_usd: number
  total_usd: number
}

export interface AgentRef {
  id: string
  name: string
  role?: string | null
  parent_id?: string | null
}

export interface Span {
  trace_id: string
  span_id: string
  parent_span_id?: string | null
  name: string
  kind: SpanKind
  /** RFC 3339 string or epoch milliseconds. */
  start_time: string | number
  end_time: string | number
  status: SpanStatus
  error_message?: string | null
  provider?: string
  model?: string
  response_model?: string
  operation?: string
  stream?: boolean
  ttft_ms?: number | null
  usage?: Usage
  cost?: Cost | null
  agent?: AgentRef | null
  user_id?: string | null
  session_id?: string | null
  tags?: Record<string, string>
  input?: unknown
  output?: unknown
  attributes?: Record<string, AttributeValue>
}

/** Body of `POST /api/ingest`. */
export interface IngestBody {
  spans: Span[]
  client?: { name: string; version: string; dropped?: Record<string, number> }
}
