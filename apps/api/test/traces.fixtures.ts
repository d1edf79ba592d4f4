// Shared fixtures of the GET /api/traces tests, on the real engines (chDB + PGlite). Every test seeds
// its own traces under its own `run` tag and filters on it, so tests share the database but never
// each other's rows.
import { afterAll, beforeAll, expect } from 'vitest'
import type { TraceSummary } from '@tollgate/store'
import { ids, ingest, span, startTestApp, type TestApp, type Problem } from './harness.js'

export interface ListBody {
  traces: TraceSummary[]
  total: number
  next_cursor: string | null
}

let t: TestApp

/** The app of the calling test file. */
export const app = (): TestApp => t

/** Starts the app for the calling test file (one per file: chDB binds one directory per process). */
export function useTraceApp(): void {
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(async () => {
    await t.close()
  })
}

let runCounter = 0
/** A tag value no other test (or earlier run on a reused store) uses. */
export const uniqueRun = (label: string): string => `${label}-${process.pid}-${Date.now().toString(36)}-${++runCounter}`

export const MIN = 60_000
// Whole seconds, two hours back: inside the 30-day TTL, and clear of "now" for from/to bounds.
export const T0 = Math.floor(Date.now() / 1000) * 1000 - 120 * MIN
export const iso = (ms: number): string => new Date(ms).toISOString()

export interface TraceSpec {
  run: string
  /** Trace start, ms after T0. */
  at: number
  durationMs?: number
  name?: string
  status?: string
  costUsd?: number
  inputTokens?: number
  outputTokens?: number
  span?: Record<string, unknown>
}

/** One trace = an agent root span plus one LLM child that carries the tokens, cost and most fields. */
export function traceSpans(spec: TraceSpec): { traceId: string; spans: Array<Record<string, unknown>> } {
  const { traceId, spanId } = ids()
  const start = T0 + spec.at
  const end = start + (spec.durationMs ?? 2000)
  const tags = { run: spec.run }
  const root = span({
    trace_id: traceId,
    span_id: spanId(1),
    name: spec.name ?? 'pipeline',
    kind: 'agent',
    start_time: iso(start),
    end_time: iso(end),
    status: 'unset',
    provider: null,
    model: null,
    operation: null,
    usage: null,
    tags,
  })
  const child = span({
    trace_id: traceId,
    span_id: spanId(2),
    parent_span_id: spanId(1),
    start_time: iso(start + 100),
    end_time: iso(end - 100),
    status: spec.status ?? 'ok',
    usage: { input_tokens: spec.inputTokens ?? 100, output_tokens: spec.outputTokens ?? 20 },
    cost: { input_usd: 0, output_usd: spec.costUsd ?? 0, total_usd: spec.costUsd ?? 0 },
    tags,
    ...spec.span,
  })
  return { traceId, spans: [root, child] }
}

export async function seed(specs: TraceSpec[]): Promise<string[]> {
  const traces = specs.map(traceSpans)
  const res = await ingest(t, { spans: traces.flatMap((x) => x.spans) })
  expect(res.status).toBe(202)
  expect(res.body.rejected).toEqual([])
  return traces.map((x) => x.traceId)
}

export async function list(params: Record<string, string>): Promise<{ status: number; type: string; body: ListBody }> {
  const res = await t.request(`/api/traces?${new URLSearchParams(params).toString()}`)
  const text = await res.text()
  expect(res.status, text).toBe(200)
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: JSON.parse(text) as ListBody }
}

export async function listIds(params: Record<string, string>): Promise<string[]> {
  const { body } = await list({ limit: '500', ...params })
  expect(body.total).toBe(body.traces.length)
  return body.traces.map((x) => x.trace_id)
}

export async function problem(query: string): Promise<{ status: number; type: string; body: Problem }> {
  const res = await t.request(`/api/traces?${query}`)
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Problem }
}

export const sorted = (xs: string[]): string[] => [...xs].sort()
