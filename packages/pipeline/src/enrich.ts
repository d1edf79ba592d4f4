import { createHash } from 'node:crypto'
import type { EnrichedSpan, Enrichment, Pricer, Span } from '@tollgate/core'

export interface EnrichOptions {
  pricer: Pricer
  /** Drop prompt and completion text before anything is stored. */
  zeroDataRetention: boolean
  /** Share of spans marked `sampled` (for embeddings), decided by a hash of the span id. */
  sampleRate: number
}

/**
 * Per span, in the order of docs/architecture.md ("The flow of one span"): normalize (done at the
 * edge) → cost → [PII, injection, redaction: later] → sampling → store. Returns only what is added, so
 * the span is never copied on the hot path. Pure apart from the clock: the same span enriches the same
 * way wherever it is processed; cost is priced as of the span's start, not of its arrival.
 */
export function enrichmentOf(span: Span, opts: EnrichOptions, nowUs = Date.now() * 1000): Enrichment {
  const priced = opts.pricer.price({
    provider: span.provider,
    model: span.model,
    usage: span.usage,
    reported: span.cost,
    atUs: span.start_us,
  })
  return {
    cost: priced.cost,
    cost_status: priced.cost_status,
    price_source: priced.price_source,
    keep_text: !opts.zeroDataRetention,
    pii_detected: false,
    pii_types: [],
    injection_attempt: false,
    sampled: isSampled(span.span_id, opts.sampleRate),
    // The hash identifies repeated prompts even when the text itself is dropped.
    prompt_sha256: span.input ? createHash('sha256').update(span.input).digest('hex') : '',
    ingested_us: nowUs,
  }
}

/** The span and its enrichment as one object (row converters and tests; not the hot path). */
export function enrichSpan(
  span: Span,
  projectId: string,
  opts: EnrichOptions,
  nowUs = Date.now() * 1000,
): EnrichedSpan {
  const e = enrichmentOf(span, opts, nowUs)
  return {
    ...span,
    input: e.keep_text ? span.input : null,
    output: e.keep_text ? span.output : null,
    input_truncated: e.keep_text && span.input_truncated,
    output_truncated: e.keep_text && span.output_truncated,
    project_id: projectId,
    cost: e.cost,
    cost_status: e.cost_status,
    price_source: e.price_source,
    pii_detected: e.pii_detected,
    pii_types: e.pii_types,
    injection_attempt: e.injection_attempt,
    sampled: e.sampled,
    prompt_sha256: e.prompt_sha256,
    ingested_us: e.ingested_us,
  }
}

/**
 * Deterministic: the same span id is sampled the same way on every replica and redelivery. FNV-1a
 * rather than the raw id bits, since producers do not all draw span ids at random (counters, UUID
 * prefixes); a fraction of a µs where SHA-256 cost ~2 µs a span.
 */
export function isSampled(spanId: string, rate: number): boolean {
  if (rate >= 1) return true
  if (rate <= 0) return false
  let h = 0x811c9dc5
  for (let i = 0; i < spanId.length; i++) {
    h ^= spanId.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  // Final avalanche (murmur3 fmix32) so neighbouring ids spread over the whole range.
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 0x1_0000_0000 < rate
}
