import { createHash } from 'node:crypto'
import type { EnrichedSpan, Pricer, Span } from '@tollgate/core'

export interface EnrichOptions {
  pricer: Pricer
  /** Drop prompt and completion text before anything is stored. */
  zeroDataRetention: boolean
  /** Share of spans marked `sampled` (for embeddings), decided by a hash of the span id. */
  sampleRate: number
}

/**
 * Per span, in DESIGN §6 order: normalize (done at the edge) → cost → [PII, injection, redaction:
 * later issues] → sampling → store. Pure apart from the clock: the same span enriches the same way in
 * the API (direct mode) and in the worker (Kafka mode).
 */
export function enrichSpan(span: Span, projectId: string, opts: EnrichOptions, nowUs = Date.now() * 1000): EnrichedSpan {
  const priced = opts.pricer.price({ provider: span.provider, model: span.model, usage: span.usage, reported: span.cost })
  const keepText = !opts.zeroDataRetention
  return {
    ...span,
    input: keepText ? span.input : null,
    output: keepText ? span.output : null,
    input_truncated: keepText && span.input_truncated,
    output_truncated: keepText && span.output_truncated,
    project_id: projectId,
    cost: priced.cost,
    cost_status: priced.cost_status,
    price_source: priced.price_source,
    pii_detected: false,
    pii_types: [],
    injection_attempt: false,
    sampled: isSampled(span.span_id, opts.sampleRate),
    // The hash identifies repeated prompts even when the text itself is dropped.
    prompt_sha256: span.input ? createHash('sha256').update(span.input).digest('hex') : '',
    ingested_us: nowUs,
  }
}

/** Deterministic: the same span id is sampled the same way on every replica and redelivery. */
export function isSampled(spanId: string, rate: number): boolean {
  if (rate >= 1) return true
  if (rate <= 0) return false
  const bucket = createHash('sha256').update(spanId).digest().readUInt32BE(0) / 0x1_0000_0000
  return bucket < rate
}
