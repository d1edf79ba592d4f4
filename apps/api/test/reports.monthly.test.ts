// The monthly report against the analytics endpoints for the same month, the CSV parsed back with a
// CSV library, and the signed monthly PDF. Spans sit inside the month, on both edges and just outside.
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tracesInRange, monthRange } from '@tollgate/reports'
import { runQuery, SpanRow } from '@tollgate/store'
import { ensurePdftoppm, pdfText, renderPng } from '../../../packages/reports/test/pdf-tools.js'
import { ids, ingest, span, startTestApp, tempDataDir, type TestApp } from './harness.js'

let t: TestApp
// The previous UTC month: whole, and in the past, whatever day the test runs.
const now = new Date()
const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
const month = first.toISOString().slice(0, 7)
const { fromUs, toUs } = monthRange(month)
const from = new Date(fromUs / 1000).toISOString()
const to = new Date(toUs / 1000).toISOString()

interface Sent {
  traceId: string
  spans: Record<string, unknown>[]
}
const sent: Sent[] = []
const models = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5']
const agents = [
  { id: 'researcher', name: 'Researcher' },
  { id: 'writer', name: 'Writer' },
]

beforeAll(async () => {
  t = await startTestApp({ DATA_RETENTION_DAYS: '400', DATA_DIR: tempDataDir() })
  const at = (ms: number) => new Date(ms).toISOString()
  const day = 86_400_000
  // 12 traces in the month (its first millisecond, and a trace ending 0.1 s before its end), 1-3 spans each.
  const starts = [
    fromUs / 1000,
    fromUs / 1000 + 3 * day + 5,
    toUs / 1000 - 2600,
    ...Array.from({ length: 9 }, (_, i) => fromUs / 1000 + (i + 2) * 2 * day + i * 3_600_000),
  ]
  starts.forEach((start, n) => {
    const { traceId, spanId } = ids()
    const spans = Array.from({ length: (n % 3) + 1 }, (_, i) =>
      span({
        trace_id: traceId,
        span_id: spanId(i),
        parent_span_id: i === 0 ? null : spanId(0),
        name: i === 0 ? `job-${n}` : 'llm.call',
        provider: models[(n + i) % 3]?.startsWith('claude') ? 'anthropic' : 'openai',
        model: models[(n + i) % 3],
        agent: agents[(n + i) % 2],
        status: (n + i) % 5 === 0 ? 'error' : 'ok',
        error_message: (n + i) % 5 === 0 ? 'upstream 500' : undefined,
        usage: { input_tokens: 100 * (n + 1) + i, output_tokens: 10 * (i + 1) },
        cost: { input_usd: 0.01 * (n + 1), output_usd: 0.001 * (i + 1), total_usd: 0.01 * (n + 1) + 0.001 * (i + 1) },
        start_time: at(start + i * 1000),
        end_time: at(start + i * 1000 + 500),
      }),
    )
    sent.push({ traceId, spans })
  })
  // Just outside the month on both sides: counted by neither the report nor the endpoints.
  const outside = [fromUs / 1000 - 1000, toUs / 1000 + 1000].map((start) =>
    span({
      trace_id: ids().traceId,
      start_time: at(start),
      end_time: at(start + 10),
      cost: { input_usd: 5, output_usd: 5, total_usd: 10 },
    }),
  )
  const all = [...sent.flatMap((s) => s.spans), ...outside]
  expect((await ingest(t, { spans: all })).status).toBe(202)
  // A redelivery of the first trace: counted once everywhere.
  expect((await ingest(t, { spans: sent[0]?.spans })).status).toBe(202)
})
afterAll(() => t.close())

const getJson = async <T>(path: string): Promise<T> => {
  const res = await t.request(path)
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

interface Monthly {
  month: string
  total_cost_usd: number
  traces: number
  spans: number
  input_tokens: number
  output_tokens: number
  tokens: number
  error_rate: number
  cost_by_day: { day: string; calls: number; cost_usd: number }[]
  cost_by_model: { model: string; calls: number; cost_usd: number }[]
  cost_by_agent: { agent_id: string; calls: number; cost_usd: number }[]
  top_traces: { trace_id: string; cost_usd: number }[]
}
interface Cost {
  rows: { day?: string; model?: string; agent_id?: string; calls: number; cost_usd: number }[]
  total_cost_usd: number
}

describe('GET /api/reports/monthly', () => {
  it('equals /api/metrics and /api/cost/* for the same month', async () => {
    const report = await getJson<Monthly>(`/api/reports/monthly?month=${month}`)
    const range = `from=${from}&to=${to}`
    const metrics = await getJson<{
      traces: number
      spans: number
      input_tokens: number
      output_tokens: number
      cost_usd: number
      error_rate: number
    }>(`/api/metrics?${range}`)
    const daily = await getJson<Cost>(`/api/cost/daily?${range}&granularity=day`)
    const byModel = await getJson<Cost>(`/api/cost/by-model?${range}`)
    const byAgent = await getJson<Cost>(`/api/cost/by-agent?${range}`)

    const spans = sent.flatMap((s) => s.spans)
    expect(report).toMatchObject({
      month,
      traces: metrics.traces,
      spans: metrics.spans,
      input_tokens: metrics.input_tokens,
      output_tokens: metrics.output_tokens,
      tokens: metrics.input_tokens + metrics.output_tokens,
      error_rate: metrics.error_rate,
    })
    expect(report.total_cost_usd).toBeCloseTo(metrics.cost_usd, 9)
    // And what was sent: the redelivery and the spans outside the month do not count.
    expect(report.traces).toBe(sent.length)
    expect(report.spans).toBe(spans.length)
    const sentCost = spans.reduce((a, s) => a + ((s.cost as { total_usd: number }).total_usd ?? 0), 0)
    expect(report.total_cost_usd).toBeCloseTo(sentCost, 9)
    expect(daily.total_cost_usd).toBeCloseTo(report.total_cost_usd, 9)

    // Calls exactly; costs to 1e-9 (ClickHouse may add floats in another order from one query to the next).
    const same = (
      mine: { calls: number; cost_usd: number }[],
      theirs: Cost['rows'],
      key: (r: Record<string, unknown>) => unknown,
    ) => {
      expect(mine.map((r) => [key(r), r.calls])).toEqual(theirs.map((r) => [key(r), r.calls]))
      mine.forEach((r, i) => expect(r.cost_usd).toBeCloseTo(theirs[i]?.cost_usd ?? NaN, 9))
    }
    same(report.cost_by_day, daily.rows, (r) => r.day)
    same(report.cost_by_model, byModel.rows, (r) => `${String(r.provider)}/${String(r.model)}`)
    same(report.cost_by_agent, byAgent.rows, (r) => r.agent_id)
    expect(report.cost_by_day[0]?.day).toBe(from.slice(0, 10))

    const costOf = (s: Sent) => s.spans.reduce((a, x) => a + (x.cost as { total_usd: number }).total_usd, 0)
    const top = [...sent].sort((a, b) => costOf(b) - costOf(a)).slice(0, 10)
    expect(report.top_traces.map((x) => x.trace_id)).toEqual(top.map((x) => x.traceId))
  })

  it('refuses a malformed month', async () => {
    for (const bad of ['2026-13', '2026-1', 'last', '2026-00'])
      expect((await t.request(`/api/reports/monthly?month=${bad}`)).status).toBe(400)
  })
})

describe('GET /api/reports/monthly/csv', () => {
  it('parses back (RFC 4180) to one row per trace with the sums of its spans', async () => {
    const res = await t.request(`/api/reports/monthly/csv?month=${month}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present')
    expect(res.body).toBeInstanceOf(ReadableStream)
    const text = await res.text()
    expect(text.split('\r\n')[0]).toBe(
      'trace_id,name,start_time,end_time,duration_ms,spans,errors,input_tokens,output_tokens,cost_usd,unknown_cost_spans,models,agents',
    )
    const rows = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true })
    expect(rows.map((r) => r.trace_id)).toEqual(sent.map((s) => s.traceId).sort())
    for (const s of sent) {
      const row = rows.find((r) => r.trace_id === s.traceId)
      const cost = s.spans.reduce((a, x) => a + (x.cost as { total_usd: number }).total_usd, 0)
      expect(row).toMatchObject({
        name: s.spans[0]?.name,
        start_time: s.spans[0]?.start_time?.toString().replace('Z', '000Z'),
        spans: String(s.spans.length),
        errors: String(s.spans.filter((x) => x.status === 'error').length),
        input_tokens: String(s.spans.reduce((a, x) => a + (x.usage as { input_tokens: number }).input_tokens, 0)),
        models: [...new Set(s.spans.map((x) => String(x.model)))].sort().join(';'),
        agents: [...new Set(s.spans.map((x) => (x.agent as { id: string }).id))].sort().join(';'),
      })
      expect(Number(row?.cost_usd)).toBeCloseTo(cost, 9)
    }
    const report = await getJson<Monthly>(`/api/reports/monthly?month=${month}`)
    expect(rows.reduce((a, r) => a + Number(r.cost_usd), 0)).toBeCloseTo(report.total_cost_usd, 9)
    expect(rows.reduce((a, r) => a + Number(r.spans), 0)).toBe(report.spans)
  })

  it('counts in unknown_cost_spans the model calls without a price only, as unknown_cost_calls counts them', async () => {
    // A month of its own (the one before), so the other tests' sums are untouched.
    const earlier = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1))
    const at = (ms: number) => new Date(earlier.getTime() + 86_400_000 + ms).toISOString()
    const { traceId, spanId } = ids()
    const spans = [
      { name: 'agent.run', kind: 'agent', model: undefined, provider: undefined, usage: undefined },
      { name: 'tool.search', kind: 'tool', model: undefined, provider: undefined, usage: undefined },
      { name: 'llm.unpriced', model: 'tollgate-unpriced-model' },
      { name: 'llm.priced', model: 'gpt-4o' },
    ].map((fields, i) =>
      span({
        trace_id: traceId,
        span_id: spanId(i),
        parent_span_id: i === 0 ? null : spanId(0),
        operation: undefined,
        start_time: at(i * 1000),
        end_time: at(i * 1000 + 500),
        ...fields,
      }),
    )
    expect((await ingest(t, { spans })).status).toBe(202)
    // The pricer marks the agent and tool spans `unknown` too: only the unpriced model call counts.
    const stored = await runQuery(t.deps.ch, {
      name: 'test.trace',
      query: `SELECT * FROM ${t.deps.ch.table('spans')} FINAL WHERE project_id = 'default' AND trace_id = {t:String}`,
      params: { t: traceId },
      schema: SpanRow,
    })
    expect(stored.filter((r) => r.cost_status === 'unknown').map((r) => r.name)).toEqual(
      expect.arrayContaining(['agent.run', 'tool.search', 'llm.unpriced']),
    )
    const earlierMonth = earlier.toISOString().slice(0, 7)
    const res = await t.request(`/api/reports/monthly/csv?month=${earlierMonth}`)
    expect(res.status).toBe(200)
    const rows = parse<Record<string, string>>(await res.text(), { columns: true, skip_empty_lines: true })
    // (The month also holds the priced span sent just before the other tests' month.)
    expect(rows.find((r) => r.trace_id === traceId)).toMatchObject({ spans: '4', unknown_cost_spans: '1' })
    expect(rows.reduce((a, r) => a + Number(r.unknown_cost_spans), 0)).toBe(1)
    const report = await getJson<{ unknown_cost_calls: number }>(`/api/reports/monthly?month=${earlierMonth}`)
    expect(report.unknown_cost_calls).toBe(1)
  })

  it('reads the month a page at a time (the CSV is streamed from these pages)', async () => {
    const pages: number[] = []
    for await (const page of tracesInRange(t.deps.ch, { projectId: 'default', fromUs, toUs, pageSize: 5 }))
      pages.push(page.length)
    expect(pages).toEqual([5, 5, 2])
  })
})

describe('GET /api/reports/monthly/pdf', () => {
  it('is a signed PDF with the month and its totals; the signature verifies', async () => {
    const res = await t.request(`/api/reports/monthly/pdf?month=${month}`)
    expect(res.status).toBe(200)
    const pdf = new Uint8Array(await res.arrayBuffer())
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
    const report = await getJson<Monthly>(`/api/reports/monthly?month=${month}`)
    const { text } = await pdfText(pdf)
    expect(text).toContain(first.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }))
    expect(text).toContain(`$${report.total_cost_usd.toFixed(2)}`)
    expect(text).toContain(report.top_traces[0]?.trace_id)
    const verdict = await t.request('/api/reports/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', 'x-signature': res.headers.get('x-signature') ?? '' },
      body: Buffer.from(pdf),
    })
    expect(await verdict.json()).toMatchObject({ valid: true, report_id: res.headers.get('x-report-id') })
    // The default key: Ed25519, generated under DATA_DIR.
    const jwks = (await (await t.request('/api/reports/keys')).json()) as { keys: { kid: string; crv?: string }[] }
    expect(jwks.keys.find((k) => k.kid === res.headers.get('x-signing-key-id'))?.crv).toBe('Ed25519')
    ensurePdftoppm()
    expect(renderPng(pdf, t.dataDir, 'monthly').length).toBeGreaterThanOrEqual(1)
  })
})
