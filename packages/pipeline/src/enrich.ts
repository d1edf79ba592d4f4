import { createHash } from 'node:crypto'
import { redact, type EnrichedSpan, type Enrichment, type Pricer, type Scanner, type Span } from '@tollgate/core'

/** What happens to text in which PII was found: replaced per match, input/output dropped, or kept. */
export type PiiPolicy = 'redact' | 'drop' | 'keep'

export interface EnrichOptions {
  pricer: Pricer
  /** Drop prompt and completion text before anything is stored. */
  zeroDataRetention: boolean
  /** Share of spans marked `sampled` (for embeddings), decided by a hash of the span id. */
  sampleRate: number
  /** PII and injection scanner (data/patterns + PATTERNS_FILE). Absent: nothing is scanned or flagged. */
  scanner?: Scanner | undefined
  /** The server's PII_POLICY (default `redact`). */
  piiPolicy?: PiiPolicy | undefined
  /** Projects' own policies (`projects.pii_policy`), from a cache: the hot path never waits on Postgres. */
  projectPolicies?: { get(projectId: string): PiiPolicy | undefined; refresh(): Promise<void> } | undefined
}

/** A span to embed after the 202: sampled, no PII, text kept. */
export interface EmbedCandidate {
  projectId: string
  traceId: string
  spanId: string
  startUs: number
  name: string
  model: string
  promptSha256: string
  text: string
}

export interface Enriched {
  /** The span as it is to be stored: the same object unless text was redacted or dropped. */
  span: Span
  enrichment: Enrichment
  embed: EmbedCandidate | null
}

/**
 * Per span, in the order of docs/architecture.md ("The flow of one span"): normalize (done at the
 * edge) → cost → PII scan → injection scan → redaction policy → sampling → (embedding, after the
 * 202) → store. Runs before the span is serialised into the log, so neither the write-ahead log nor
 * Kafka ever holds text the policy removes. Pure apart from the clock: the same span enriches the same
 * way wherever it is processed; cost is priced as of the span's start, not of its arrival.
 */
export function enrich(span: Span, projectId: string, opts: EnrichOptions, nowUs = Date.now() * 1000): Enriched {
  const priced = opts.pricer.price({
    provider: span.provider,
    model: span.model,
    usage: span.usage,
    reported: span.cost,
    atUs: span.start_us,
  })
  const policy = opts.projectPolicies?.get(projectId) ?? opts.piiPolicy ?? 'redact'
  const scanned = opts.scanner ? scanSpan(span, opts.scanner, policy) : { span, piiTypes: [], injection: false }
  const piiDetected = scanned.piiTypes.length > 0
  const keepText = !opts.zeroDataRetention && !(piiDetected && policy === 'drop')
  const sampled = isSampled(span.span_id, opts.sampleRate)
  // Only prompts without PII get a digest: a hash of a short PII-bearing prompt can be confirmed by
  // guessing. Sampled spans only, as the issue specifies, so repeats are found among embedded prompts.
  const input = span.input
  const prompt_sha256 = sampled && !piiDetected && input ? createHash('sha256').update(input).digest('hex') : ''
  const s = scanned.span
  const enrichment: Enrichment = {
    cost: priced.cost,
    cost_status: priced.cost_status,
    price_source: priced.price_source,
    keep_text: keepText,
    pii_detected: piiDetected,
    pii_types: scanned.piiTypes,
    injection_attempt: scanned.injection,
    sampled,
    prompt_sha256,
    ingested_us: nowUs,
  }
  const embed =
    prompt_sha256 !== '' && keepText && input
      ? {
          projectId,
          traceId: s.trace_id,
          spanId: s.span_id,
          startUs: s.start_us,
          name: s.name,
          model: s.model,
          promptSha256: prompt_sha256,
          text: input,
        }
      : null
  return { span: s, enrichment, embed }
}

interface Scanned {
  span: Span
  piiTypes: string[]
  injection: boolean
}

/**
 * PII in input, output, error message and string attributes; injection in input and output (a
 * retrieved document or tool result carries indirect injections). Under `redact` and `drop` every
 * match is replaced in the copy that is stored (drop then removes input and output entirely, but the
 * error message and attributes are still redacted: they are kept). `keep` only flags.
 */
function scanSpan(span: Span, scanner: Scanner, policy: PiiPolicy): Scanned {
  const types = new Set<string>()
  let changed: Partial<Span> | null = null
  const scanText = (text: string): string => {
    const found = scanner.findPii(text)
    if (found.length === 0) return text
    for (const f of found) types.add(f.type)
    return policy === 'keep' ? text : redact(text, found)
  }
  let injection = false
  for (const key of ['input', 'output', 'error_message'] as const) {
    const text = span[key]
    if (!text) continue
    const out = scanText(text)
    if (out !== text) (changed ??= {})[key] = out
    // Right after the PII scan of the same text: the scanner reuses its lower-cased copy.
    if (key !== 'error_message' && !injection) injection = scanner.findInjection(text, { first: true }).length > 0
  }
  let attributes: Span['attributes'] | null = null
  for (const k in span.attributes) {
    const v = span.attributes[k]
    if (typeof v !== 'string' || v === '') continue
    const out = scanText(v)
    if (out !== v) (attributes ??= { ...span.attributes })[k] = out
  }
  if (attributes) (changed ??= {}).attributes = attributes
  return { span: changed ? { ...span, ...changed } : span, piiTypes: [...types].sort(), injection }
}

/** The span and its enrichment as one object (row converters and tests; not the hot path). */
export function enrichSpan(
  span: Span,
  projectId: string,
  opts: EnrichOptions,
  nowUs = Date.now() * 1000,
): EnrichedSpan {
  const { span: s, enrichment: e } = enrich(span, projectId, opts, nowUs)
  return {
    ...s,
    input: e.keep_text ? s.input : null,
    output: e.keep_text ? s.output : null,
    input_truncated: e.keep_text && s.input_truncated,
    output_truncated: e.keep_text && s.output_truncated,
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
