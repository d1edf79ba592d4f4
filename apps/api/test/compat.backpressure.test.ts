// Back-pressure at the compatibility doors: while the store has been failing too long, every door
// answers 503 + Retry-After before reading the body (the status each client retries on: OTLP
// exporters and tokenome retry 503), and the real OTLP exporter's retry delivers once it heals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import type { RunningServer } from '../src/server.js'
import { severableChdb } from './faults.js'
import { startTestServer, tempDataDir } from './harness.js'

const dataDir = tempDataDir()
const ch = severableChdb(dataDir)
let server: RunningServer

beforeAll(async () => {
  server = await startTestServer(
    { DATA_DIR: dataDir, INGEST_REFUSE_AFTER_STORE_FAILING_S: '1' },
    { clickhouseConnection: ch.connection },
  )
})
afterAll(() => server.close())

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const post = (path: string, type: string, body: string | Uint8Array) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body })

/** Requests refused before their body, all reasons (tollgate_ingest_refused_requests_total). */
async function refused(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return text
    .split('\n')
    .filter((l) => l.startsWith('tollgate_ingest_refused_requests_total'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0)
}

describe('store failing', () => {
  it('every door answers 503 + Retry-After; the OTLP exporter retries and delivers after the store heals', async () => {
    // A span goes to the log, the drainer then fails against the severed store.
    expect((await post('/v1/spans', 'application/json', '[]')).status).toBe(202)
    ch.sever()
    const spanBody = {
      span_id: crypto.randomUUID(),
      model: 'gpt-4o',
      provider: 'openai',
      service_name: 's',
      endpoint: '/',
      prompt_tokens: 1,
      completion_tokens: 1,
      latency_ms_total: 1,
      cost_usd_micro: 0,
      timestamp_utc: new Date().toISOString(),
    }
    expect((await post('/v1/spans', 'application/json', JSON.stringify(spanBody))).status).toBe(202)
    await sleep(1600)
    for (const [path, type, body] of [
      ['/v1/traces', 'application/x-protobuf', new Uint8Array(0)],
      ['/v1/traces', 'application/json', '{}'],
      ['/v1/spans', 'application/json', '[]'],
      ['/v1/events/batch', 'application/json', '{"events":[]}'],
      ['/v1/control/events', 'application/json', '{"events":[]}'],
    ] as const) {
      const res = await post(path, type, body)
      expect(res.status, path).toBe(503)
      expect(Number(res.headers.get('retry-after')), path).toBeGreaterThan(0)
    }

    const refusedBefore = await refused()
    const exporter = new OTLPTraceExporter({ url: `${server.url}/v1/traces`, timeoutMillis: 30_000 })
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
    const span = provider.getTracer('t').startSpan('after-heal', { attributes: { 'gen_ai.request.model': 'gpt-4o' } })
    const traceId = span.spanContext().traceId
    span.end()
    setTimeout(() => ch.heal(), 1500)
    await provider.forceFlush()
    await provider.shutdown()
    // The exporter was refused at least once before its retry went through.
    expect((await refused()) - refusedBefore).toBeGreaterThanOrEqual(1)
    const until = Date.now() + 20_000
    let found = 0
    while (Date.now() < until && found === 0) {
      const res = await fetch(`${server.url}/api/traces/${traceId}/spans`)
      if (res.status === 200) found = ((await res.json()) as { spans: unknown[] }).spans.length
      else await sleep(200)
    }
    expect(found).toBe(1)
  })
})
