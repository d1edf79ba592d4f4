import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { severableChdb } from './faults.js'
import { ids, span, startTestServer, tempDataDir } from './harness.js'

// Direct mode: a 202 means "in the fdatasync'd log". ClickHouse being down delays storage, it never
// loses an acknowledged span; ingest refuses (503 + Retry-After) once the store has failed for
// INGEST_REFUSE_AFTER_STORE_FAILING_S or the backlog is full.
const dataDir = tempDataDir()
const ch = severableChdb(dataDir)
let server: RunningServer

beforeAll(async () => {
  server = await startTestServer(
    { DATA_DIR: dataDir, INGEST_QUEUE_MAX_SPANS: '200', INGEST_REFUSE_AFTER_STORE_FAILING_S: '1' },
    { clickhouseConnection: ch.connection },
  )
})
afterAll(() => server.close())

async function post(body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

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

/** Waits (bounded) until every acknowledged id is stored; returns what is stored then. */
async function eventuallyStored(traceIds: string[], acked: Set<string>, timeoutMs = 20_000): Promise<Set<string>> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const stored = await storedSpanIds(traceIds)
    if ([...acked].every((id) => stored.has(id)) || Date.now() > until) return stored
    await sleep(200)
  }
}

async function rawRows(traceId: string): Promise<number> {
  const res = await server.deps.ch.client.query({
    query: `SELECT count() AS n FROM ${server.deps.ch.table('spans')} WHERE trace_id = {id:String}`,
    query_params: { id: traceId },
    format: 'JSONEachRow',
  })
  const [row] = await res.json<{ n: number | string }>()
  return Number(row?.n)
}

async function duplicatesSkipped(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith('tollgate_store_duplicate_rows_total '))
  return line ? Number(line.split(' ')[1]) : 0
}

describe('ClickHouse unavailable', () => {
  it('keeps acknowledging into the log, refuses once it has failed too long, and stores every acknowledged span after it heals', async () => {
    const traces: string[] = []
    const acked = new Set<string>()
    const send = async (n: number): Promise<Response> => {
      const { traceId, spanId } = ids()
      traces.push(traceId)
      const res = await post(Array.from({ length: n }, (_, i) => span({ trace_id: traceId, span_id: spanId(i) })))
      if (res.status === 202) for (let i = 0; i < n; i++) acked.add(`${traceId}/${spanId(i)}`)
      return res
    }

    expect((await send(5)).status).toBe(202)
    ch.sever()
    // Durable in the log: still a 202 while the store is only briefly away.
    expect((await send(5)).status).toBe(202)
    await sleep(1600)
    const refused = await send(5)
    expect(refused.status).toBe(503)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await refused.json()) as { type: string }).type).toMatch(/\/unavailable$/)
    const ready = await fetch(`${server.url}/ready`)
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as { checks: { clickhouse: string } }).checks.clickhouse).toBe('down')

    ch.heal()
    const stored = await eventuallyStored(traces, acked)
    for (const id of acked) expect(stored.has(id), `acknowledged span ${id} is missing`).toBe(true)
    expect((await fetch(`${server.url}/ready`)).status).toBe(200)
    expect((await send(5)).status).toBe(202)
  })

  it('an insert whose answer is lost is retried by the drainer and stored once', async () => {
    const { traceId, spanId } = ids()
    const batch = Array.from({ length: 4 }, (_, i) => span({ trace_id: traceId, span_id: spanId(i) }))
    const duplicatesBefore = await duplicatesSkipped()
    ch.loseNextAck()
    expect((await post(batch)).status).toBe(202)
    const acked = new Set(batch.map((_, i) => `${traceId}/${spanId(i)}`))
    expect((await eventuallyStored([traceId], acked)).size).toBe(4)
    // The retry found the rows stored and skipped them: no duplicate row at all.
    expect(await rawRows(traceId)).toBe(4)
    expect((await duplicatesSkipped()) - duplicatesBefore).toBeGreaterThanOrEqual(4)
    const res = await fetch(`${server.url}/api/traces?search=${traceId}`)
    expect(((await res.json()) as { traces: Array<{ span_count: number }> }).traces[0]?.span_count).toBe(4)
  })

  it('answers 503 + Retry-After: 1 when the backlog is full, and stores every acknowledged span', async () => {
    ch.slow(400)
    const { traceId, spanId } = ids()
    const requests = Array.from({ length: 12 }, (_, r) =>
      post(Array.from({ length: 50 }, (_, i) => span({ trace_id: traceId, span_id: spanId(r * 100 + i) }))),
    )
    const responses = await Promise.all(requests)
    const statuses = responses.map((r) => r.status)
    expect(statuses).toContain(202)
    expect(statuses).toContain(503)
    for (const res of responses.filter((r) => r.status === 503)) expect(res.headers.get('retry-after')).toBe('1')
    ch.slow(0)
    const acked = new Set<string>()
    responses.forEach((res, r) => {
      if (res.status === 202) for (let i = 0; i < 50; i++) acked.add(`${traceId}/${spanId(r * 100 + i)}`)
    })
    const stored = await eventuallyStored([traceId], acked)
    expect(stored.size).toBe(acked.size)
  })
})
