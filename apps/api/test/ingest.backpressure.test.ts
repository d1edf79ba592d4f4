import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { severableChdb } from './faults.js'
import { ids, span, startTestServer, tempDataDir } from './harness.js'

const dataDir = tempDataDir()
const ch = severableChdb(dataDir)
let server: RunningServer

beforeAll(async () => {
  server = await startTestServer({ DATA_DIR: dataDir, INGEST_QUEUE_MAX_SPANS: '200' }, { clickhouseConnection: ch.connection })
})
afterAll(() => server.close())

async function post(body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

async function storedSpanIds(traceIds: string[]): Promise<Set<string>> {
  const found = new Set<string>()
  for (const id of traceIds) {
    const res = await fetch(`${server.url}/api/traces/${id}/spans`)
    if (res.status === 404) continue
    const { spans } = (await res.json()) as { spans: Array<{ span_id: string }> }
    for (const s of spans) found.add(`${id}/${s.span_id}`)
  }
  return found
}

describe('ClickHouse unavailable', () => {
  it('answers 503 with Retry-After while it is down, and loses nothing it acknowledged', async () => {
    const traces: string[] = []
    const acked = new Set<string>()
    const send = async (n: number): Promise<number> => {
      const { traceId, spanId } = ids()
      traces.push(traceId)
      const res = await post(Array.from({ length: n }, (_, i) => span({ trace_id: traceId, span_id: spanId(i) })))
      if (res.status === 202) for (let i = 0; i < n; i++) acked.add(`${traceId}/${spanId(i)}`)
      else {
        expect(res.status).toBe(503)
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
        expect(((await res.json()) as { type: string }).type).toMatch(/\/unavailable$/)
      }
      return res.status
    }

    expect(await send(5)).toBe(202)
    ch.sever()
    expect(await Promise.all([send(5), send(5), send(5)])).toEqual([503, 503, 503])
    const ready = await fetch(`${server.url}/ready`)
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as { checks: { clickhouse: string } }).checks.clickhouse).toBe('down')

    // Cut it while requests are in flight: whatever got a 202 must be stored.
    ch.heal()
    ch.slow(30)
    const inflight = Array.from({ length: 12 }, () => send(3))
    setTimeout(() => ch.sever(), 45)
    await Promise.all(inflight)
    ch.slow(0)
    ch.heal()

    expect(await send(5)).toBe(202)
    const stored = await storedSpanIds(traces)
    for (const id of acked) expect(stored.has(id), `acknowledged span ${id} is missing`).toBe(true)
    expect((await fetch(`${server.url}/ready`)).status).toBe(200)
  })

  it('answers 503 when the write may have happened, and the retry shows each span once', async () => {
    const { traceId, spanId } = ids()
    const batch = Array.from({ length: 4 }, (_, i) => span({ trace_id: traceId, span_id: spanId(i) }))
    ch.loseNextAck()
    expect((await post(batch)).status).toBe(503)
    expect((await post(batch)).status).toBe(202)
    expect((await storedSpanIds([traceId])).size).toBe(4)
    const res = await fetch(`${server.url}/api/traces?search=${traceId}`)
    expect(((await res.json()) as { traces: Array<{ span_count: number }> }).traces[0]?.span_count).toBe(4)
  })

  it('answers 503 when the ingest queue is full, and stores every acknowledged span', async () => {
    ch.slow(150)
    const { traceId, spanId } = ids()
    const requests = Array.from({ length: 12 }, (_, r) => post(Array.from({ length: 50 }, (_, i) => span({ trace_id: traceId, span_id: spanId(r * 100 + i) }))))
    const responses = await Promise.all(requests)
    ch.slow(0)
    const statuses = responses.map((r) => r.status)
    expect(statuses).toContain(202)
    expect(statuses).toContain(503)
    for (const res of responses.filter((r) => r.status === 503)) expect(res.headers.get('retry-after')).toBe('1')
    const acceptedSpans = responses.filter((r) => r.status === 202).length * 50
    const stored = await storedSpanIds([traceId])
    expect(stored.size).toBe(acceptedSpans)
  })
})
