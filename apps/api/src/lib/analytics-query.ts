import { z } from 'zod'
import { ValidationError, toEpochMicros } from '@tollgate/core'
import { validationErrorOf } from './openapi-route.js'

/** RFC 3339 (or epoch milliseconds) → epoch microseconds. */
export const Time = z.string().transform((v, ctx) => {
  const us = toEpochMicros(v)
  if (us === null) {
    ctx.addIssue({ code: 'custom', message: 'expected RFC 3339 or epoch milliseconds' })
    return z.NEVER
  }
  return us
})

/** An IANA zone name the runtime knows (ClickHouse ships the same tz database). */
export const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz })
      return /^[A-Za-z0-9_+\-/]+$/.test(tz)
    } catch {
      return false
    }
  }, 'expected an IANA time zone name such as Europe/Berlin')

/** A range is at most this long: analytics read spans, not a pre-aggregated year. */
const MAX_RANGE_US = 400 * 86_400_000_000

/** Splits `tag.<key>=<value>` parameters from the rest and validates the rest with `schema`. */
export function parseAnalyticsQuery<T extends z.ZodType>(
  schema: T,
  params: Record<string, string>,
): { query: z.infer<T>; tags: Record<string, string> } {
  const tags: Record<string, string> = {}
  const rest: Record<string, string> = {}
  for (const [k, v] of Object.entries(params)) {
    if (k.startsWith('tag.') && k.length > 4 && k.length <= 132) tags[k.slice(4)] = v
    else rest[k] = v
  }
  const parsed = schema.safeParse(rest)
  if (!parsed.success) throw validationErrorOf(parsed.error, 'invalid query')
  return { query: parsed.data, tags }
}

const HOUR_US = 3_600_000_000

/**
 * [from, to) with defaults: `to` now (with `wholeHours`, the end of the current hour, so a default
 * range can be answered from the hourly rollups), `from` `defaultSpanUs` before `to`.
 */
export function resolveRange(
  from: number | undefined,
  to: number | undefined,
  defaultSpanUs: number,
  options: { wholeHours?: boolean; nowUs?: number } = {},
): { fromUs: number; toUs: number } {
  const nowUs = options.nowUs ?? Date.now() * 1000
  const toUs = to ?? (options.wholeHours ? Math.ceil(nowUs / HOUR_US) * HOUR_US : nowUs)
  const fromUs = from ?? toUs - defaultSpanUs
  if (fromUs >= toUs) throw new ValidationError('from', 'must be before to')
  if (toUs - fromUs > MAX_RANGE_US) throw new ValidationError('from', 'range longer than 400 days')
  return { fromUs, toUs }
}

/**
 * The documented (and first-checked) form of a query with tag filters: its own keys, `tag.{key}` as a
 * documented parameter, and any other `tag.<key>`. The handler still parses with the strict schema
 * (`parseAnalyticsQuery`, `parseTraceQuery`), which names an unknown key.
 */
export function withTagFilters<T extends z.ZodObject>(schema: T, description = 'only spans with that tag') {
  const tag = z.string().describe(`\`tag.<key>=<value>\`: ${description} (repeatable)`)
  return schema.extend({ 'tag.{key}': tag.optional() }).catchall(tag)
}
