import { z } from 'zod'
import { ValidationError, normalizeHexId, toEpochMicros } from '@tollgate/core'
import type { TraceFilter, TraceListInput } from '@tollgate/store'

// What DateTime64(6) holds: a bound outside it would fail in the engine (a 500) instead of here (a 400).
const MIN_TIME_US = Date.UTC(1900, 0, 1) * 1000
const MAX_TIME_US = Date.UTC(2299, 11, 31) * 1000
/** More `tag.*` filters than anyone writes by hand; each one is a condition (1,000 once took 950 MiB). */
export const MAX_TAG_FILTERS = 20

const Time = z.string().transform((v, ctx) => {
  const us = toEpochMicros(v)
  if (us === null) {
    ctx.addIssue({ code: 'custom', message: 'expected RFC 3339 or epoch milliseconds' })
    return z.NEVER
  }
  if (us < MIN_TIME_US || us > MAX_TIME_US) {
    ctx.addIssue({ code: 'custom', message: 'outside 1900-01-01 … 2299-12-31' })
    return z.NEVER
  }
  return us
})

/** The `:id` of a trace route (checked by `parseTraceId`, which also accepts the UUID form). */
export const TraceIdParam = z.object({
  id: z.string().max(64).describe('32 hex digits (W3C trace id; UUID form accepted)'),
})

export const TraceQuery = z.strictObject({
  search: z.string().min(1).max(256).optional(),
  status: z.enum(['ok', 'error', 'unset']).optional(),
  agent_id: z.string().min(1).max(256).optional(),
  model: z.string().min(1).max(256).optional(),
  user_id: z.string().min(1).max(256).optional(),
  session_id: z.string().min(1).max(256).optional(),
  from: Time.optional(),
  to: Time.optional(),
  min_cost: z.coerce.number().finite().nonnegative().optional(),
  prompt_sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
    .transform((v) => v.toLowerCase())
    .optional()
    .describe('traces with a span whose prompt has this SHA-256 (exact repeats; stored for sampled spans without PII)'),
  sort: z.enum(['time', 'cost', 'duration', 'tokens']).default('time'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  cursor: z.string().max(512).optional(),
  total: z
    .enum(['approx', 'exact', 'none'])
    .default('approx')
    .describe(
      'approx: distinct traces among matching index rows (exact up to ~65k, ~1% above); exact: grouped and checked; none: not counted (-1)',
    ),
})
export type TraceQuery = z.infer<typeof TraceQuery>

/** The cursor names the sort it belongs to, so it cannot be replayed against another ordering. */
const Cursor = z.object({
  s: z.enum(['time', 'cost', 'duration', 'tokens']),
  o: z.enum(['asc', 'desc']),
  // Sort values are µs times, costs, durations and token sums: all well inside ±2^53.
  v: z
    .number()
    .finite()
    .min(-(2 ** 53))
    .max(2 ** 53),
  id: z.string().max(64),
})

export function encodeCursor(
  sort: TraceQuery['sort'],
  order: TraceQuery['order'],
  after: { value: number; traceId: string },
): string {
  return Buffer.from(JSON.stringify({ s: sort, o: order, v: after.value, id: after.traceId })).toString('base64url')
}

function decodeCursor(
  cursor: string,
  sort: TraceQuery['sort'],
  order: TraceQuery['order'],
): { value: number; traceId: string } {
  let parsed: z.infer<typeof Cursor>
  try {
    parsed = Cursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
  } catch {
    throw new ValidationError('cursor', 'not a cursor returned by this endpoint')
  }
  if (parsed.s !== sort || parsed.o !== order)
    throw new ValidationError('cursor', 'was issued for another sort or order')
  return { value: parsed.v, traceId: parsed.id }
}

/** Query string → store input. `tag.<key>=<value>` parameters become tag filters. */
export function parseTraceQuery(params: Record<string, string>, projectId: string): TraceListInput {
  const tags: Record<string, string> = {}
  const rest: Record<string, string> = {}
  for (const [k, v] of Object.entries(params)) {
    if (k.startsWith('tag.') && k.length > 4 && k.length <= 132) tags[k.slice(4)] = v
    else rest[k] = v
  }
  if (Object.keys(tags).length > MAX_TAG_FILTERS) {
    throw new ValidationError('tag', `at most ${MAX_TAG_FILTERS} tag.* filters`)
  }
  const parsed = TraceQuery.safeParse(rest)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue?.path.map(String).join('.') || (issue && 'keys' in issue ? String(issue.keys) : '')
    throw new ValidationError(path, issue?.message ?? 'invalid query')
  }
  const q = parsed.data
  if (q.cursor && q.offset > 0) throw new ValidationError('cursor', 'use either cursor or offset, not both')
  const filter: TraceFilter = {
    search: q.search,
    status: q.status,
    agentId: q.agent_id,
    model: q.model,
    userId: q.user_id,
    sessionId: q.session_id,
    fromUs: q.from,
    toUs: q.to,
    minCost: q.min_cost,
    tags,
    promptSha256: q.prompt_sha256,
  }
  return {
    projectId,
    filter,
    sort: q.sort,
    order: q.order,
    limit: q.limit,
    offset: q.offset,
    after: q.cursor ? decodeCursor(q.cursor, q.sort, q.order) : undefined,
    total: q.total,
  }
}

export function parseTraceId(id: string): string {
  const traceId = normalizeHexId(id, 32)
  if (!traceId) throw new ValidationError('id', 'expected a 32-hex-digit trace id')
  return traceId
}
