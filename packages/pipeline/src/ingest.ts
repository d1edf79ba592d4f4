import { PayloadTooLargeError, implausibleTime, type NormalizeResult, type SpanLimits } from '@tollgate/core'
import { spanRowRecord, type RowRecord } from '@tollgate/store'
import type { CpuGate } from './cpu-gate.js'
import { enrich, type EmbedCandidate, type EnrichOptions } from './enrich.js'
import type { Receipt, SpanTransport } from './transport.js'

/** Turns one raw item of a format into the canonical span (native/ATP today; OTLP and compat later). */
export type Normalizer = (raw: unknown, limits: SpanLimits, nowUs: number) => NormalizeResult

export interface IngestDeps {
  transport: SpanTransport
  enrich: EnrichOptions
  limits: SpanLimits & { maxSpansPerRequest: number }
  /** Spans must start within the retention and at most this far in the future. */
  window: { retentionDays: number; maxFutureSkewMs: number }
  /** Shared by every door of one process, so batch work never monopolises the event loop. */
  gate: CpuGate
  /** Takes the spans to embed once their batch is durable; never blocks (embeddings are off the 202's path). */
  embeddings?: { offer(candidates: EmbedCandidate[]): void } | undefined
  now?: () => number
}

export interface IngestInput {
  /** The authenticated caller's project, never a value from the body. */
  projectId: string
  items: unknown[]
  normalize: Normalizer
}

/** Why a span was refused, for metrics: `invalid` (schema, ids, limits) or `time` (outside the window). */
export type RejectReason = 'invalid' | 'time'

export interface IngestResult {
  accepted: number
  rejected: Array<{ index: number; error: string; reason: RejectReason }>
  receipt: Receipt
}

/**
 * The ingest verb every door calls (native, ATP, OTLP, compat formats; HTTP or not): validate and
 * normalise each item, refuse per index what could never be stored or would be deleted at once, enrich,
 * serialise, and hand the batch to the transport. Resolves once the accepted spans are durable (with
 * `accepted: 0` and nothing submitted when every item was refused: each door answers that its own way);
 * throws UnavailableError (with a retry delay) when the transport cannot take them now. Knows nothing
 * of HTTP.
 */
export async function ingestSpans(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  if (input.items.length > deps.limits.maxSpansPerRequest)
    throw new PayloadTooLargeError(deps.limits.maxSpansPerRequest, 'spans')
  const nowUs = (deps.now?.() ?? Date.now()) * 1000
  const window = {
    nowUs,
    retentionDays: deps.window.retentionDays,
    maxFutureSkewUs: deps.window.maxFutureSkewMs * 1000,
  }
  const rows: RowRecord[] = []
  const rejected: IngestResult['rejected'] = []
  const toEmbed: EmbedCandidate[] = []
  await deps.gate.run(input.items.length, (index) => {
    const result = input.normalize(input.items[index], deps.limits, nowUs)
    if (!result.ok) {
      rejected.push({ index, error: result.error, reason: 'invalid' })
      return
    }
    const timeError = implausibleTime(result.span, window)
    if (timeError) {
      rejected.push({ index, error: timeError, reason: 'time' })
      return
    }
    const { span, enrichment, embed } = enrich(result.span, input.projectId, deps.enrich, nowUs)
    rows.push(spanRowRecord(input.projectId, span, enrichment))
    if (embed) toEmbed.push(embed)
  })
  const receipt =
    rows.length > 0
      ? await deps.transport.submit({ projectId: input.projectId, rows })
      : { stored: () => Promise.resolve() }
  if (toEmbed.length > 0) deps.embeddings?.offer(toEmbed)
  return { accepted: rows.length, rejected, receipt }
}
