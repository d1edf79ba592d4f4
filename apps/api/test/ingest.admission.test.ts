import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, span, startTestApp, type TestApp } from './harness.js'

// Admission bounds what is in flight in the process, whichever door the requests came through:
// POST /api/ingest and the compatibility doors (OTLP, instrumentation-sdk, tokenome, aden) share one
// count. With a count per door, each door could hold the whole limit.
let t: TestApp
beforeAll(async () => {
  t = await startTestApp({ INGEST_MAX_INFLIGHT_REQUESTS: '2' })
})
afterAll(() => t.close())

/** A request whose body arrives only when `release()` is called: it holds its admission until then. */
function held(path: string, body: unknown): { response: Promise<Response>; release: () => void } {
  let release = (): void => undefined
  const bytes = new TextEncoder().encode(JSON.stringify(body))
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      release = () => {
        controller.enqueue(bytes)
        controller.close()
      }
    },
  })
  const response = t.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: stream,
    duplex: 'half',
  })
  return { response, release }
}

const post = (path: string, body: unknown): Promise<Response> =>
  t.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** Spans of the trace once the drainer has stored them (the 202 means durable, not yet queryable). */
async function storedSpans(traceId: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const res = await t.request(`/api/traces/${traceId}/spans`)
    if (res.status === 200) return ((await res.json()) as { spans: unknown[] }).spans.length
    await new Promise((r) => setTimeout(r, 100))
  }
  return 0
}

describe('one admission for every ingest door', () => {
  it('requests held open on /api/ingest and /v1/traces fill the limit for all doors; released, they are stored', async () => {
    const a = ids()
    const b = ids()
    const native = held('/api/ingest', [span({ trace_id: a.traceId, span_id: a.spanId(1) })])
    const otlp = held('/v1/traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: b.traceId,
                  spanId: b.spanId(1),
                  name: 'chat gpt-4o-mini',
                  startTimeUnixNano: String(BigInt(Date.now() - 1000) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                },
              ],
            },
          ],
        },
      ],
    })
    // Both are admitted and waiting for their bodies: every door is now full.
    await new Promise((r) => setTimeout(r, 200))
    for (const path of ['/api/ingest', '/v1/spans', '/v1/traces']) {
      const refused = await post(path, path === '/v1/traces' ? { resourceSpans: [] } : [span()])
      expect(refused.status, path).toBe(503)
      expect(refused.headers.get('retry-after'), path).toBe('1')
    }
    native.release()
    otlp.release()
    expect((await native.response).status).toBe(202)
    expect((await otlp.response).status).toBe(200)
    // Room again.
    expect((await post('/v1/spans', [])).status).not.toBe(503)
    for (const { traceId } of [a, b]) expect(await storedSpans(traceId)).toBe(1)
  })
})
