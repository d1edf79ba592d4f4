// GET /api/traces/:id/spans and /api/traces/:id/graph on the real engines (chDB + PGlite). Every test
// ingests its own trace ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SpanView, TraceGraph } from '@tollgate/store'
import { ids, ingest, must, span, startTestApp, type TestApp } from './harness.js'

interface SpansBody {
  trace_id: string
  spans: SpanView[]
}

interface GraphBody extends TraceGraph {
  trace_id: string
}

let t: TestApp

beforeAll(async () => {
  // The smallest text limit the API allows, so truncation is cheap to reach.
  t = await startTestApp({ MAX_TEXT_BYTES: '1024' })
})

afterAll(async () => {
  await t.close()
})

// Whole seconds, one hour back: inside the spans table's 30-day TTL.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60 * 60_000
const iso = (ms: number): string => new Date(ms).toISOString()
/** The API's RFC 3339 form: microseconds, UTC. */
const isoMicros = (ms: number): string => iso(ms).replace('Z', '000Z')

async function get<T>(path: string): Promise<{ status: number; type: string; body: T }> {
  const res = await t.request(path)
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as T }
}

async function getSpans(traceId: string): Promise<SpansBody> {
  const res = await get<SpansBody>(`/api/traces/${traceId}/spans`)
  expect(res.status).toBe(200)
  return res.body
}

async function getGraph(traceId: string): Promise<GraphBody> {
  const res = await get<GraphBody>(`/api/traces/${traceId}/graph`)
  expect(res.status).toBe(200)
  return res.body
}

async function ingestOk(body: unknown): Promise<void> {
  const res = await ingest(t, body)
  expect(res.status).toBe(202)
  expect(res.body.rejected).toEqual([])
}

type Edge = { from: string; to: string; type: string }
const edgeKey = (e: Edge): string => `${e.type}:${e.from}->${e.to}`
const edgesOf = (g: GraphBody): string[] => g.edges.map(edgeKey).sort()

describe('GET /api/traces/:id/spans', () => {
  it('returns every span in start order with usage, cost, cost status, flags, typed attributes, tags and agent', async () => {
    const { traceId, spanId } = ids()
    const [root, llm, reported, unpriced] = [spanId(1), spanId(2), spanId(3), spanId(4)]
    // Sent in reverse: the response order must come from start_time, not arrival.
    await ingestOk([
      span({
        trace_id: traceId,
        span_id: unpriced,
        parent_span_id: root,
        name: 'acme.chat',
        provider: 'acme',
        model: 'acme-private-1',
        start_time: iso(T0 + 3000),
        end_time: iso(T0 + 3500),
        usage: { input_tokens: 10, output_tokens: 5 },
      }),
      span({
        trace_id: traceId,
        span_id: reported,
        parent_span_id: root,
        name: 'anthropic.messages',
        provider: 'anthropic',
        model: 'claude-3-5-sonnet-20241022',
        start_time: iso(T0 + 2000),
        end_time: iso(T0 + 2900),
        status: { code: 'ERROR', message: 'rate limited' },
        usage: { input_tokens: 50, output_tokens: 7 },
        cost: { input_usd: 0.25, output_usd: 0.5, total_usd: 0.75 },
      }),
      span({
        trace_id: traceId,
        span_id: llm,
        parent_span_id: root,
        start_time: iso(T0 + 1000),
        end_time: iso(T0 + 1800),
        usage: { input_tokens: 1000, output_tokens: 500, cache_read_tokens: 400 },
        agent: { id: 'writer', name: 'Writer', role: 'drafts', parent_id: 'planner' },
        input: [{ role: 'user', content: 'Summarise the report' }],
        output: 'Here is the summary.',
        user_id: 'user-7',
        session_id: 'sess-7',
        tags: { tier: 'gold', attempt: 2, beta: true },
        attributes: {
          'http.status_code': 200,
          'gen_ai.request.temperature': 0.2,
          'cache.hit': true,
          'code.text': '42',
          'flag.text': 'false',
          'json.text': '{"a":1}',
          nested: { a: [1] },
        },
        service_tier: 'priority',
      }),
      span({
        trace_id: traceId,
        span_id: root,
        name: 'research-pipeline',
        kind: 'agent',
        provider: null,
        model: null,
        usage: null,
        agent: { id: 'planner', name: 'Planner', role: 'orchestrator' },
        start_time: iso(T0),
        end_time: iso(T0 + 4000),
      }),
    ])

    const body = await getSpans(traceId)
    expect(body.trace_id).toBe(traceId)
    expect(body.spans.map((s) => s.span_id)).toEqual([root, llm, reported, unpriced])
    const [r, l, rep, unk] = body.spans
    if (!r || !l || !rep || !unk) throw new Error('expected four spans')

    expect(r).toMatchObject({
      trace_id: traceId,
      parent_span_id: null,
      name: 'research-pipeline',
      kind: 'agent',
      status: 'ok',
      start_time: isoMicros(T0),
      end_time: isoMicros(T0 + 4000),
      duration_ms: 4000,
      agent: { id: 'planner', name: 'Planner', role: 'orchestrator', parent_id: null },
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
    })

    expect(l).toMatchObject({
      parent_span_id: root,
      name: 'openai.chat.completions',
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o',
      status: 'ok',
      start_time: isoMicros(T0 + 1000),
      end_time: isoMicros(T0 + 1800),
      duration_ms: 800,
      usage: {
        input_tokens: 1000,
        output_tokens: 500,
        total_tokens: 1500,
        cache_read_tokens: 400,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      },
      cost_status: 'computed',
      agent: { id: 'writer', name: 'Writer', role: 'drafts', parent_id: 'planner' },
      user_id: 'user-7',
      session_id: 'sess-7',
      tags: { tier: 'gold', attempt: '2', beta: 'true' },
      input: JSON.stringify([{ role: 'user', content: 'Summarise the report' }]),
      output: 'Here is the summary.',
      input_truncated: false,
      output_truncated: false,
      pii_detected: false,
      pii_types: [],
      injection_attempt: false,
    })
    // gpt-4o (bundled prices): $2.50/Mtok input, $1.25/Mtok cached input, $10/Mtok output.
    // 600 × 2.5 + 400 × 1.25 = 2000 µ$ in, 500 × 10 = 5000 µ$ out.
    const cost = must(l.cost, 'a computed cost')
    expect(cost.input_usd).toBeCloseTo(0.002, 12)
    expect(cost.output_usd).toBeCloseTo(0.005, 12)
    expect(cost.total_usd).toBeCloseTo(0.007, 12)
    expect(l.price_source).toMatch(/^genai-prices@\d/)
    // Numbers and booleans keep their type; strings that look like them stay strings.
    expect(l.attributes).toEqual({
      'http.status_code': 200,
      'gen_ai.request.temperature': 0.2,
      'cache.hit': true,
      'code.text': '42',
      'flag.text': 'false',
      'json.text': '{"a":1}',
      nested: '{"a":[1]}',
      service_tier: 'priority',
    })

    expect(rep).toMatchObject({
      status: 'error',
      error_message: 'rate limited',
      provider: 'anthropic',
      cost: { input_usd: 0.25, output_usd: 0.5, total_usd: 0.75 },
      cost_status: 'reported',
    })
    expect(unk).toMatchObject({
      provider: 'acme',
      model: 'acme-private-1',
      cost: null,
      cost_status: 'unknown',
      price_source: null,
    })
    for (const s of body.spans) {
      expect(typeof s.pii_detected).toBe('boolean')
      expect(Array.isArray(s.pii_types)).toBe(true)
      expect(typeof s.injection_attempt).toBe('boolean')
    }
  })

  it('stores input over MAX_TEXT_BYTES cut to the limit and flagged', async () => {
    const { traceId, spanId } = ids()
    await ingestOk(
      span({
        trace_id: traceId,
        span_id: spanId(1),
        input: 'q'.repeat(3000),
        output: 'short',
        start_time: iso(T0 + 4000),
        end_time: iso(T0 + 4100),
      }),
    )
    const [s] = (await getSpans(traceId)).spans
    expect(s).toMatchObject({
      input: 'q'.repeat(1024),
      input_truncated: true,
      output: 'short',
      output_truncated: false,
    })
  })

  it('orders spans that start at the same time by span id', async () => {
    const { traceId, spanId } = ids()
    await ingestOk(
      [3, 1, 2].map((i) =>
        span({ trace_id: traceId, span_id: spanId(i), start_time: iso(T0 + 5000), end_time: iso(T0 + 5000 + i) }),
      ),
    )
    expect((await getSpans(traceId)).spans.map((s) => s.span_id)).toEqual([spanId(1), spanId(2), spanId(3)])
  })

  it('returns a redelivered span once', async () => {
    const { traceId, spanId } = ids()
    const s = span({ trace_id: traceId, span_id: spanId(1), start_time: iso(T0 + 6000), end_time: iso(T0 + 6100) })
    await ingestOk(s)
    await ingestOk(s)
    expect((await getSpans(traceId)).spans).toHaveLength(1)
  })
})

describe('GET /api/traces/:id/graph', () => {
  it('has a node per span, a child edge per parent→child, and a handoff where the agent changes', async () => {
    const { traceId, spanId } = ids()
    const [root, plan, write, tool, critique, review] = [1, 2, 3, 4, 5, 6].map(spanId)
    const at = (i: number) => ({ start_time: iso(T0 + 10_000 + i * 100), end_time: iso(T0 + 10_000 + i * 100 + 50) })
    await ingestOk([
      span({ trace_id: traceId, span_id: root, name: 'run', kind: 'agent', agent: { id: 'planner' }, ...at(0) }),
      // same agent as its parent: child edge only
      span({
        trace_id: traceId,
        span_id: plan,
        parent_span_id: root,
        name: 'plan',
        agent: { id: 'planner' },
        ...at(1),
      }),
      // planner → writer: child edge and handoff
      span({
        trace_id: traceId,
        span_id: write,
        parent_span_id: root,
        name: 'write',
        agent: { id: 'writer' },
        status: 'error',
        ...at(2),
      }),
      // child without an agent under an agent: no handoff
      span({ trace_id: traceId, span_id: tool, parent_span_id: write, name: 'search', kind: 'tool', ...at(3) }),
      // a span without an agent whose child has one: no handoff either
      span({
        trace_id: traceId,
        span_id: review,
        parent_span_id: tool,
        name: 'review',
        agent: { id: 'reviewer' },
        ...at(4),
      }),
      // writer → reviewer, two levels down
      span({
        trace_id: traceId,
        span_id: critique,
        parent_span_id: write,
        name: 'critique',
        agent: { id: 'reviewer' },
        ...at(5),
      }),
    ])

    const g = await getGraph(traceId)
    expect(g.trace_id).toBe(traceId)
    expect(g.nodes).toEqual([
      { id: root, name: 'run', kind: 'agent', agent_id: 'planner', status: 'ok' },
      { id: plan, name: 'plan', kind: 'llm', agent_id: 'planner', status: 'ok' },
      { id: write, name: 'write', kind: 'llm', agent_id: 'writer', status: 'error' },
      { id: tool, name: 'search', kind: 'tool', agent_id: null, status: 'ok' },
      { id: review, name: 'review', kind: 'llm', agent_id: 'reviewer', status: 'ok' },
      { id: critique, name: 'critique', kind: 'llm', agent_id: 'reviewer', status: 'ok' },
    ])
    expect(edgesOf(g)).toEqual(
      [
        `child:${root}->${plan}`,
        `child:${root}->${write}`,
        `child:${write}->${tool}`,
        `child:${tool}->${review}`,
        `child:${write}->${critique}`,
        `handoff:${root}->${write}`,
        `handoff:${write}->${critique}`,
      ].sort(),
    )
    const handoffs = g.edges.filter((e) => e.type === 'handoff')
    expect(handoffs).toContainEqual(
      expect.objectContaining({ from: root, to: write, from_agent: 'planner', to_agent: 'writer' }),
    )
  })

  it('leaves a child whose parent has not arrived without an edge, and links it once the parent arrives', async () => {
    const { traceId, spanId } = ids()
    const child = span({
      trace_id: traceId,
      span_id: spanId(2),
      parent_span_id: spanId(1),
      name: 'step',
      agent: { id: 'worker' },
      start_time: iso(T0 + 20_100),
      end_time: iso(T0 + 20_200),
    })
    await ingestOk(child)

    const before = await getGraph(traceId)
    expect(before.nodes.map((n) => n.id)).toEqual([spanId(2)])
    expect(before.edges).toEqual([])

    await ingestOk(
      span({
        trace_id: traceId,
        span_id: spanId(1),
        name: 'root',
        kind: 'agent',
        agent: { id: 'boss' },
        start_time: iso(T0 + 20_000),
        end_time: iso(T0 + 21_000),
      }),
    )
    const after = await getGraph(traceId)
    expect(after.nodes.map((n) => n.id)).toEqual([spanId(1), spanId(2)])
    expect(edgesOf(after)).toEqual([`child:${spanId(1)}->${spanId(2)}`, `handoff:${spanId(1)}->${spanId(2)}`])
  })
})

describe('GET /api/traces/:id/{spans,graph}: ids', () => {
  it.each(['spans', 'graph'])('/%s answers 404 problem+json for an unknown trace', async (endpoint) => {
    const unknown = ids().traceId
    const res = await get<{ type: string; status: number; detail: string }>(`/api/traces/${unknown}/${endpoint}`)
    expect(res.status).toBe(404)
    expect(res.type).toMatch(/^application\/problem\+json/)
    expect(res.body.type).toMatch(/\/not-found$/)
    expect(res.body.status).toBe(404)
    expect(res.body.detail).toContain(unknown)
  })

  it.each([
    { endpoint: 'spans', id: 'not-a-trace-id' },
    { endpoint: 'graph', id: 'not-a-trace-id' },
    { endpoint: 'spans', id: '0123456789abcdef0123456789abcde' }, // 31 digits
    { endpoint: 'graph', id: '0123456789abcdef0123456789abcdef0' }, // 33 digits
    { endpoint: 'spans', id: '0123456789abcdef' }, // a span id
    { endpoint: 'graph', id: 'g123456789abcdef0123456789abcdef' },
  ])('/$endpoint answers 400 problem+json for the malformed id $id', async ({ endpoint, id }) => {
    const res = await get<{ type: string; status: number }>(`/api/traces/${id}/${endpoint}`)
    expect(res.status).toBe(400)
    expect(res.type).toMatch(/^application\/problem\+json/)
    expect(res.body.type).toMatch(/\/validation$/)
  })

  it.each(['spans', 'graph'])(
    '/%s accepts an upper-case trace id and answers with the canonical one',
    async (endpoint) => {
      const { traceId, spanId } = ids()
      await ingestOk(
        span({ trace_id: traceId, span_id: spanId(1), start_time: iso(T0 + 30_000), end_time: iso(T0 + 30_100) }),
      )
      const res = await get<{ trace_id: string; spans?: unknown[]; nodes?: unknown[] }>(
        `/api/traces/${traceId.toUpperCase()}/${endpoint}`,
      )
      expect(res.status).toBe(200)
      expect(res.body.trace_id).toBe(traceId)
      expect(res.body.spans ?? res.body.nodes).toHaveLength(1)
    },
  )

  it.each(['spans', 'graph'])('/%s accepts a trace id written as a UUID', async (endpoint) => {
    const { traceId, spanId } = ids()
    await ingestOk(
      span({ trace_id: traceId, span_id: spanId(1), start_time: iso(T0 + 32_000), end_time: iso(T0 + 32_100) }),
    )
    const uuid = [
      traceId.slice(0, 8),
      traceId.slice(8, 12),
      traceId.slice(12, 16),
      traceId.slice(16, 20),
      traceId.slice(20),
    ].join('-')
    const res = await get<{ trace_id: string }>(`/api/traces/${uuid}/${endpoint}`)
    expect(res.status).toBe(200)
    expect(res.body.trace_id).toBe(traceId)
  })

  it('finds a trace ingested with an upper-case id', async () => {
    const { traceId, spanId } = ids()
    await ingestOk(
      span({
        trace_id: traceId.toUpperCase(),
        span_id: spanId(1).toUpperCase(),
        start_time: iso(T0 + 31_000),
        end_time: iso(T0 + 31_100),
      }),
    )
    const body = await getSpans(traceId)
    expect(body.spans.map((s) => s.span_id)).toEqual([spanId(1)])
  })
})
