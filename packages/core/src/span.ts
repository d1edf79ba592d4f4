import { z } from 'zod'

export const SPAN_KINDS = ['llm', 'embedding', 'tool', 'retrieval', 'agent', 'chain', 'http', 'other'] as const
export const SpanKind = z.enum(SPAN_KINDS)
export type SpanKind = z.infer<typeof SpanKind>

export const SpanStatus = z.enum(['ok', 'error', 'unset'])
export type SpanStatus = z.infer<typeof SpanStatus>

export const CostStatus = z.enum(['reported', 'computed', 'unknown'])
export type CostStatus = z.infer<typeof CostStatus>

export type AttributeValue = string | number | boolean

/** Token counts, OpenAI's convention: input includes cache reads and writes, output includes reasoning. */
export interface Usage {
  input_tokens: number
  output_tokens: number
  total_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  reasoning_tokens: number
}

export interface Cost {
  input_usd: number
  output_usd: number
  total_usd: number
}

export interface AgentRef {
  id: string
  name: string
  role: string
  parent_id: string | null
}

/** Where a span came from; the normalizer that produced it. */
export type SpanSource = 'native' | 'atp' | 'otlp' | 'instrumentation-sdk' | 'tokenome' | 'aden'

/** The canonical span after normalisation, before enrichment. Times are integer µs since the epoch. */
export interface Span {
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  kind: SpanKind
  start_us: number
  end_us: number
  status: SpanStatus
  error_message: string | null
  provider: string
  model: string
  response_model: string
  operation: string
  stream: boolean
  ttft_ms: number | null
  usage: Usage
  cost: Cost | null
  agent: AgentRef | null
  user_id: string | null
  session_id: string | null
  tags: Record<string, string>
  input: string | null
  output: string | null
  input_truncated: boolean
  output_truncated: boolean
  attributes: Record<string, AttributeValue>
  source: SpanSource
}

/** What the pipeline adds to a span before it is stored, kept beside the span (no copy of it). */
export interface Enrichment {
  cost: Cost | null
  cost_status: CostStatus
  price_source: string
  /** False under zero data retention: input and output are not stored. */
  keep_text: boolean
  pii_detected: boolean
  pii_types: string[]
  injection_attempt: boolean
  sampled: boolean
  prompt_sha256: string
  ingested_us: number
}

/** A span with its enrichment applied, as one object (tests and row converters; not the hot path). */
export interface EnrichedSpan extends Span, Omit<Enrichment, 'cost' | 'keep_text'> {
  project_id: string
}

export const emptyUsage = (): Usage => ({
  input_tokens: 0,
  output_tokens: 0,
  total_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
})

/**
 * Per-span limits; the server sets them from MAX_TEXT_BYTES, MAX_ATTRIBUTES, MAX_TAGS,
 * MAX_TAG_VALUE_BYTES and MAX_ATTRIBUTE_VALUE_BYTES (.env.example). The last three default as below.
 */
export interface SpanLimits {
  maxTextBytes: number
  maxAttributes: number
  /** More tags than this: the span is refused on its index. */
  maxTags?: number
  /** A tag value longer than this (UTF-8 bytes): the span is refused on its index (tags are filters: never cut). */
  maxTagValueBytes?: number
  /** An attribute value (string, or structured value's JSON) longer than this is cut, its key listed in `tollgate.truncated_attributes`. */
  maxAttributeValueBytes?: number
}

export const DEFAULT_SPAN_LIMITS = {
  maxTextBytes: 256 * 1024,
  maxAttributes: 128,
  maxTags: 64,
  maxTagValueBytes: 1024,
  maxAttributeValueBytes: 64 * 1024,
} satisfies Required<SpanLimits>
