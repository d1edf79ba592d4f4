import type { SpanLimits } from '../span.js'
import { atpToWire, isAtpSpan } from './atp.js'
import { normalizeNative, type NormalizeResult } from './native.js'

export { normalizeNative, type NormalizeResult } from './native.js'
export { atpToWire, isAtpSpan } from './atp.js'
export { WireSpan, WireUsage, WireCost, WireAgent, describeZodError } from './wire.js'
export { truncateUtf8, MAX_JSON_DEPTH, nestsDeeperThan } from './text.js'
export { otlpItems, normalizeOtlpSpan, type OtlpItem } from './otlp.js'
export { genaiProvider } from './genai.js'
export { normalizeInstrumentationSdkSpan } from './instrumentation-sdk.js'
export { normalizeTokenomeEvent, eventIds } from './tokenome.js'
export { normalizeAdenMetric, adenEventType } from './aden.js'

/** One span of `POST /api/ingest`, in either body dialect it accepts (wire v1 or ATP). */
export function normalizeSpan(raw: unknown, limits: SpanLimits, nowUs?: number): NormalizeResult {
  if (isAtpSpan(raw)) return normalizeNative(atpToWire(raw), limits, 'atp', nowUs)
  return normalizeNative(raw, limits, 'native', nowUs)
}
