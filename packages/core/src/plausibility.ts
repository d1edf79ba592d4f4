import type { Span } from './span.js'

/** The times a span may carry and still be stored until its retention ends (never 202-then-gone). */
export interface TimeWindow {
  nowUs: number
  retentionDays: number
  /** How far in the future start and end may lie (producer clock skew). */
  maxFutureSkewUs: number
}

const US_PER_DAY = 86_400_000_000

/**
 * Why a span's times cannot be kept, or null. A span older than the retention would be removed by the
 * TTL within minutes of its 202, and one far in the future sits outside every window a reader asks
 * for: both are refused per index at the edge instead, since a 202 promises the span stays queryable
 * until its retention ends.
 */
export function implausibleTime(span: Span, w: TimeWindow): string | null {
  const oldest = w.nowUs - w.retentionDays * US_PER_DAY
  const latest = w.nowUs + w.maxFutureSkewUs
  if (span.start_us < oldest) return `start_time: older than the retention of ${w.retentionDays} days`
  if (span.start_us > latest) return `start_time: more than ${formatSkew(w.maxFutureSkewUs)} in the future`
  if (span.end_us > latest) return `end_time: more than ${formatSkew(w.maxFutureSkewUs)} in the future`
  return null
}

function formatSkew(us: number): string {
  const s = us / 1e6
  return s % 3600 === 0 ? `${s / 3600} h` : `${s} s`
}
