import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { normalizeSpan } from '@tollgate/core'
import { ingestSpans } from '@tollgate/pipeline'
import { spanRowRecord, type RowRecord } from '@tollgate/store'
import { ids, span, startTestApp, type TestApp } from './harness.js'

// A row the store refuses (here: a value its column cannot parse, as a future normaliser bug or a
// hand-edited log would produce) is isolated from its neighbours and dead-lettered; every other
// request's spans are stored. It used to fail the whole shared insert and 115–175 of 200 neighbours.
let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

function goodRows(traceId: string, spanId: (i: number) => string, n: number): RowRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const r = normalizeSpan(span({ trace_id: traceId, span_id: spanId(i) }), t.deps.limits)
    if (!r.ok) throw new Error(r.error)
    return spanRowRecord('default', r.span, {
      cost: null,
      cost_status: 'unknown',
      price_source: '',
      keep_text: true,
      pii_detected: false,
      pii_types: [],
      injection_attempt: false,
      sampled: false,
      prompt_sha256: '',
      ingested_us: Date.now() * 1000,
    })
  })
}

describe('a poison row among concurrent good requests', () => {
  it('stores every good request and dead-letters the poison row alone', async () => {
    const poisonTrace = ids()
    const [template] = goodRows(poisonTrace.traceId, poisonTrace.spanId, 1)
    if (!template) throw new Error('no row')
    // start_time is not a date: ClickHouse refuses the row (CANNOT_PARSE_DATETIME).
    const poison: RowRecord = {
      ...template,
      line: template.line.replace(/"\d{4}-\d{2}-\d{2} [\d:.]+"/, '"not a time"'),
    }
    const goods = Array.from({ length: 20 }, () => ids())

    const receipts = await Promise.all([
      t.deps.transport.submit({
        projectId: 'default',
        rows: [poison, ...goodRows(poisonTrace.traceId, (i) => poisonTrace.spanId(i + 100), 3)],
      }),
      ...goods.map((g) =>
        ingestSpans(t.deps.ingest, {
          projectId: 'default',
          items: [
            span({ trace_id: g.traceId, span_id: g.spanId(1) }),
            span({ trace_id: g.traceId, span_id: g.spanId(2) }),
          ],
          normalize: normalizeSpan,
        }).then((r) => r.receipt),
      ),
    ])
    await Promise.all(receipts.map((r) => r.stored()))

    for (const g of goods) {
      const res = await t.request(`/api/traces/${g.traceId}/spans`)
      expect(res.status).toBe(200)
      expect(((await res.json()) as { spans: unknown[] }).spans).toHaveLength(2)
    }
    // The poison row's own batch-mates are stored too; only the poison is missing.
    const mates = (await (await t.request(`/api/traces/${poisonTrace.traceId}/spans`)).json()) as {
      spans: Array<{ span_id: string }>
    }
    expect(mates.spans.map((s) => s.span_id).sort()).toEqual([100, 101, 102].map((i) => poisonTrace.spanId(i)).sort())

    const letters = readFileSync(join(t.dataDir, 'dead-letter', 'spans.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>)
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({
      project_id: 'default',
      trace_id: poisonTrace.traceId,
      span_id: poisonTrace.spanId(0),
    })
    expect(letters[0]?.error).toMatch(/ClickHouse code \d+/)
    expect(letters[0]?.row).toBe(poison.line)
    const metrics = await (await t.request('/metrics')).text()
    expect(metrics).toMatch(/^tollgate_store_dead_lettered_rows_total 1$/m)
  })
})
