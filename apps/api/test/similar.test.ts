import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, json, must, span, startTestApp, type TestApp } from './harness.js'

// GET /api/spans/:id/similar on real PGlite + pgvector, with the built-in local embedder.
const ADMIN = 'similar-test-instance-key-0123456789'
let t: TestApp
let other: Record<string, string>
const admin = { 'x-api-key': ADMIN }

interface Similar {
  trace_id: string
  embedding_status: string
  similar: Array<{
    trace_id: string
    span_id: string
    distance: number
    name: string
    model: string
    input_preview: string
  }>
}

beforeAll(async () => {
  t = await startTestApp({ API_KEY: ADMIN, EMBEDDING_SAMPLE_RATE: '1' })
  const project = (await (await t.request('/api/projects', json({ name: 'other' }, admin))).json()) as { id: string }
  const created = await t.request(`/api/projects/${project.id}/keys`, json({ scopes: ['ingest', 'read'] }, admin))
  other = { 'x-api-key': ((await created.json()) as { key: string }).key }
})
afterAll(() => t.close())

/** Embedding happens after the 202: wait (bounded) until the span is embedded. */
async function similarOf(spanId: string, headers: Record<string, string>, query = ''): Promise<Similar> {
  for (let i = 0; i < 200; i++) {
    const res = await t.request(`/api/spans/${spanId}/similar${query}`, { headers })
    if (res.status === 200) {
      const body = (await res.json()) as Similar
      if (body.embedding_status === 'done') return body
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`span ${spanId} was not embedded`)
}

const PROMPTS = [
  'Summarise the attached quarterly sales report for the board in five bullet points.',
  'Write a limerick about a cat who learns to play the violin.',
  'Translate the following customer complaint from Spanish into English.',
  'Generate SQL to list the ten customers with the highest lifetime value.',
  'Explain the difference between TCP and UDP to a new engineer.',
]
const TWIN = 'Summarise the attached quarterly sales report for the board in 5 bullet points!'

async function put(
  prompt: string,
  headers: Record<string, string>,
  model = 'gpt-4o',
): Promise<{ traceId: string; spanId: string }> {
  const { traceId, spanId } = ids()
  const res = await ingest(t, [span({ trace_id: traceId, span_id: spanId(1), input: prompt, model })], headers)
  expect(res.status).toBe(202)
  return { traceId, spanId: spanId(1) }
}

describe('similar prompts', () => {
  it("finds a near-duplicate prompt's twin first, and never another project's prompts", async () => {
    const mine = []
    for (const p of PROMPTS) mine.push(await put(p, admin))
    const twin = await put(TWIN, admin, 'gpt-4o-mini')
    // Exact copies in another project: nearer than anything, and still never shown.
    const theirs = []
    for (const p of [PROMPTS[0] ?? '', TWIN]) theirs.push(await put(p, other))
    // Embedded in batches after the 202: every span must be done before its neighbours are asked for.
    for (const s of [...mine, twin]) await similarOf(s.spanId, admin)
    for (const s of theirs) await similarOf(s.spanId, other)

    const base = must(mine[0], 'base span')
    const result = await similarOf(base.spanId, admin, '?limit=3')
    expect(result.trace_id).toBe(base.traceId)
    expect(result.similar).toHaveLength(3)
    expect(result.similar[0]).toMatchObject({
      trace_id: twin.traceId,
      span_id: twin.spanId,
      model: 'gpt-4o-mini',
      name: 'openai.chat.completions',
      input_preview: TWIN,
    })
    const distances = result.similar.map((s) => s.distance)
    expect([...distances].sort((a, b) => a - b)).toEqual(distances)
    expect(distances[0]).toBeLessThan(0.2)
    expect(distances[1]).toBeGreaterThan(0.4)
    // The span itself and the other project's copies are never among the neighbours.
    const shown = JSON.stringify((await similarOf(base.spanId, admin, '?limit=100')).similar)
    for (const s of [base, ...theirs]) expect(shown).not.toContain(s.spanId)

    // From the other project: its own twin only.
    const fromOther = await similarOf(must(theirs[0], 'their span').spanId, other, '?limit=100')
    expect(fromOther.similar.map((s) => s.span_id)).toEqual([must(theirs[1], 'their twin').spanId])
  })

  it("answers 404 for another project's span, a span with PII, an unknown span; 400 for a malformed id", async () => {
    const a = await put('Plan a three-day trip to Lisbon on a budget.', admin)
    await similarOf(a.spanId, admin)
    expect((await t.request(`/api/spans/${a.spanId}/similar`, { headers: other })).status).toBe(404)
    const pii = await put('Email the itinerary to joao.silva@example.pt', admin)
    expect((await t.request(`/api/spans/${pii.spanId}/similar`, { headers: admin })).status).toBe(404)
    expect((await t.request(`/api/spans/${'f'.repeat(16)}/similar`, { headers: admin })).status).toBe(404)
    expect((await t.request('/api/spans/xyz/similar', { headers: admin })).status).toBe(400)
    expect((await t.request(`/api/spans/${a.spanId}/similar?limit=0`, { headers: admin })).status).toBe(400)
    // The trace id narrows the lookup; a wrong one is a miss.
    expect((await similarOf(a.spanId, admin, `?trace_id=${a.traceId}`)).trace_id).toBe(a.traceId)
    expect(
      (await t.request(`/api/spans/${a.spanId}/similar?trace_id=${'e'.repeat(32)}`, { headers: admin })).status,
    ).toBe(404)
  })

  it('embeds a redelivered span once', async () => {
    const { traceId, spanId } = ids()
    const body = [
      span({ trace_id: traceId, span_id: spanId(1), input: 'Draft a polite reminder about the unpaid invoice.' }),
    ]
    await ingest(t, body, admin)
    await similarOf(spanId(1), admin)
    await ingest(t, body, admin)
    await ingest(t, body, admin)
    await new Promise((r) => setTimeout(r, 300))
    const rows = await t.deps.pg.pool.query<{ n: number; attempts: number }>(
      'SELECT count(*)::int AS n, max(attempts) AS attempts FROM span_embeddings WHERE span_id = $1',
      [spanId(1)],
    )
    expect(rows.rows[0]).toMatchObject({ n: 1, attempts: 1 })
  })
})
