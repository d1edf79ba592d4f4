import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '@tollgate/pipeline'
import { ids, ingest, span, startTestApp, type TestApp } from './harness.js'

// The OpenAI-compatible provider path end to end: a provider on 127.0.0.1 that can be down, rate
// limiting or up. Spans are stored whatever it does; embeddings wait pending and are back-filled.
let mode: 'up' | 'down' | 'limited' = 'down'
const embeddedTexts: string[] = []
let requests = 0
const local = createLocalEmbedder(384)
let provider: Server
let t: TestApp

beforeAll(async () => {
  provider = createServer((req, res) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString()))
    req.on('end', () => {
      requests++
      if (mode === 'down') return void res.writeHead(503).end()
      if (mode === 'limited') {
        mode = 'up'
        return void res.writeHead(429, { 'retry-after': '1' }).end()
      }
      const body = JSON.parse(raw) as { input: string[]; dimensions: number }
      void local.embed(body.input).then((vectors) => {
        embeddedTexts.push(...body.input)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ data: vectors.map((embedding, index) => ({ index, embedding })) }))
      })
    })
  })
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r))
  const { port } = provider.address() as AddressInfo
  t = await startTestApp({
    EMBEDDING_SAMPLE_RATE: '1',
    EMBEDDINGS_URL: `http://127.0.0.1:${port}/v1`,
    EMBEDDINGS_MODEL: 'test-embed',
    EMBEDDINGS_TIMEOUT_MS: '1000',
  })
})
afterAll(async () => {
  await t.close()
  await new Promise<void>((r) => provider.close(() => r()))
})

const status = async (spanId: string): Promise<string> => {
  const res = await t.request(`/api/spans/${spanId}/similar`)
  return res.status === 200
    ? ((await res.json()) as { embedding_status: string }).embedding_status
    : `http ${res.status}`
}

async function until(what: () => Promise<boolean>, label: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await what()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${label}`)
}

describe('embedding provider faults', () => {
  it('provider down: spans stored at once, embeddings pending, back-filled when it is back; redeliveries embedded once', async () => {
    const { traceId, spanId } = ids()
    const spans = [1, 2, 3].map((i) =>
      span({ trace_id: traceId, span_id: spanId(i), input: `Outage prompt number ${i}: rewrite the release notes` }),
    )
    const res = await ingest(t, spans, {})
    expect(res.status).toBe(202)
    // Stored and readable although no embedding could be made.
    const stored = (await (await t.request(`/api/traces/${traceId}/spans`)).json()) as { spans: unknown[] }
    expect(stored.spans).toHaveLength(3)
    await until(async () => requests > 0, 'a first attempt')
    await until(async () => {
      const rows = await t.deps.pg.pool.query<{ last_error: string | null }>(
        'SELECT last_error FROM span_embeddings WHERE trace_id = $1',
        [traceId],
      )
      return rows.rows.length === 3 && rows.rows.every((r) => r.last_error === 'HTTP 503')
    }, 'the failure recorded')
    expect(await status(spanId(1))).toBe('pending')
    // Redelivered while pending.
    expect((await ingest(t, spans, {})).status).toBe(202)

    mode = 'limited'
    await until(async () => (await status(spanId(3))) === 'done', 'the back-fill')
    for (const i of [1, 2, 3]) expect(await status(spanId(i))).toBe('done')
    const rows = await t.deps.pg.pool.query<{ embedder: string; text: string | null }>(
      'SELECT embedder, text FROM span_embeddings WHERE trace_id = $1',
      [traceId],
    )
    expect(rows.rows).toEqual([1, 2, 3].map(() => ({ embedder: 'openai:test-embed', text: null })))
    // Each prompt went to the provider successfully exactly once.
    for (const i of [1, 2, 3])
      expect(embeddedTexts.filter((x) => x === `Outage prompt number ${i}: rewrite the release notes`)).toHaveLength(1)

    // Redelivered after embedding: nothing is sent again.
    const before = embeddedTexts.length
    expect((await ingest(t, spans, {})).status).toBe(202)
    const fresh = ids()
    await ingest(t, [span({ trace_id: fresh.traceId, span_id: fresh.spanId(1), input: 'a sentinel prompt' })], {})
    await until(async () => (await status(fresh.spanId(1))) === 'done', 'the sentinel')
    expect(embeddedTexts.slice(before)).toEqual(['a sentinel prompt'])
  })
})
