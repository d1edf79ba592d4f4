// A trace of 2,500 spans: /spans serves it in pages of at most 1,000 with a cursor (every span once,
// in start order), never in one unbounded read; the graph covers it within its bound.
import { beforeAll, describe, expect, it } from 'vitest'
import { insertSpanRows, toSpanRow } from '@tollgate/store'
import { ids, ingest, span } from './harness.js'
import { app, useTraceApp } from './traces.fixtures.js'

useTraceApp()

const { traceId, spanId } = ids()
const N = 2500
beforeAll(async () => {
  const base = Date.now() - 3_600_000
  // Straight into the store: the fixture is large, and the ingest route caps spans per request.
  const rows = Array.from({ length: N }, (_, i) =>
    toSpanRow({
      project_id: 'default',
      trace_id: traceId,
      span_id: spanId(i),
      parent_span_id: i === 0 ? null : spanId(0),
      name: `step-${i}`,
      kind: 'tool',
      start_us: (base + i) * 1000,
      end_us: (base + i + 1) * 1000,
      status: 'ok',
      error_message: null,
      provider: '',
      model: '',
      response_model: '',
      operation: '',
      stream: false,
      ttft_ms: null,
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        total_tokens: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      },
      cost: null,
      cost_status: 'unknown',
      price_source: '',
      agent: null,
      user_id: null,
      session_id: null,
      tags: {},
      input: null,
      output: null,
      input_truncated: false,
      output_truncated: false,
      attributes: {},
      pii_detected: false,
      pii_types: [],
      injection_attempt: false,
      sampled: false,
      prompt_sha256: '',
      source: 'native',
      ingested_us: Date.now() * 1000,
    }),
  )
  await insertSpanRows(app().deps.ch, rows)
})

interface Page {
  spans: Array<{ span_id: string; start_time: string }>
  next_cursor: string | null
}

describe('GET /api/traces/:id/spans on a large trace', () => {
  it('pages 1,000 + 1,000 + 500 spans, each once and in start order', async () => {
    const seen: string[] = []
    const sizes: number[] = []
    let cursor: string | null = null
    do {
      const res = await app().request(`/api/traces/${traceId}/spans${cursor ? `?cursor=${cursor}` : ''}`)
      expect(res.status).toBe(200)
      const page = (await res.json()) as Page
      sizes.push(page.spans.length)
      seen.push(...page.spans.map((s) => s.span_id))
      cursor = page.next_cursor
    } while (cursor)
    expect(sizes).toEqual([1000, 1000, 500])
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => spanId(i)))
  })

  it('honours a smaller limit and refuses a larger one or a forged cursor', async () => {
    const small = (await (await app().request(`/api/traces/${traceId}/spans?limit=7`)).json()) as Page
    expect(small.spans).toHaveLength(7)
    expect(small.next_cursor).not.toBeNull()
    expect((await app().request(`/api/traces/${traceId}/spans?limit=1001`)).status).toBe(400)
    expect((await app().request(`/api/traces/${traceId}/spans?cursor=not-a-cursor`)).status).toBe(400)
  })

  it('builds the graph of every span within its bound', async () => {
    const graph = (await (await app().request(`/api/traces/${traceId}/graph`)).json()) as {
      nodes: unknown[]
      edges: unknown[]
    }
    expect(graph.nodes).toHaveLength(N)
    expect(graph.edges).toHaveLength(N - 1)
  })

  it('lists the trace with its exact span count', async () => {
    const res = await app().request(`/api/traces?search=${traceId}`)
    expect(((await res.json()) as { traces: Array<{ span_count: number }> }).traces).toEqual([
      expect.objectContaining({ span_count: N }),
    ])
  })

  it('serves a trace whose spans lie on three different days, from each day', async () => {
    const t = ids()
    const day = 86_400_000
    const at = (ms: number) => ({ start_time: new Date(ms).toISOString(), end_time: new Date(ms + 1000).toISOString() })
    const spans = [2, 1, 0].map((d, i) =>
      span({
        trace_id: t.traceId,
        span_id: t.spanId(i),
        parent_span_id: i === 0 ? null : t.spanId(0),
        ...at(Date.now() - d * day - 60_000),
      }),
    )
    expect((await ingest(app(), spans)).status).toBe(202)
    const page = (await (await app().request(`/api/traces/${t.traceId}/spans`)).json()) as Page
    expect(page.spans.map((x) => x.span_id)).toEqual([t.spanId(0), t.spanId(1), t.spanId(2)])
    const res = await app().request(`/api/traces?search=${t.traceId}`)
    expect(((await res.json()) as { traces: Array<{ span_count: number }> }).traces).toEqual([
      expect.objectContaining({ span_count: 3 }),
    ])
  })
})
