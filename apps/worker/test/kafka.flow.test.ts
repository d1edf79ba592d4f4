import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MESSAGE_VERSION,
  TOPICS,
  createKafkaLog,
  decodeMessage,
  encodeMessage,
  type ConsumedRecord,
  type SpanLog,
} from '@tollgate/pipeline'
import { DEFAULT_PROJECT_ID } from '@tollgate/store'
import { json, removeDir, startTestServer } from '../../api/test/harness.js'
import { parseWorkerEnv } from '../src/env.js'
import { startWorker, type RunningWorker } from '../src/worker.js'
import { kafkaUnavailable, startBroker, type Broker } from './broker.js'
import {
  deadLetterOf,
  rawSpan,
  readTopic,
  rowsOf,
  storedCounts,
  traceIds,
  waitCount,
  waitForTraceSpans,
  waitStored,
} from './spans.js'

// Kafka mode end to end on a real Apache Kafka broker and the real embedded ClickHouse: the API
// produces, the worker (the consumer group, in this process, sharing the API's chDB) stores.
const unavailable = kafkaUnavailable()
if (unavailable) console.warn(`skipped: ${unavailable}`)

describe.skipIf(unavailable)('Kafka mode: API → tollgate.spans.v1 → worker → ClickHouse', () => {
  let broker: Broker
  let server: Awaited<ReturnType<typeof startTestServer>>
  let worker: RunningWorker
  let log: SpanLog
  const project = DEFAULT_PROJECT_ID

  beforeAll(async () => {
    broker = await startBroker()
    console.info(`kafka broker ready in ${broker.startSeconds.toFixed(1)} s`)
    server = await startTestServer({ KAFKA_BROKERS: broker.brokers })
    const env = parseWorkerEnv({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC_PARTITIONS: '3',
      WORKER_PORT: '0',
      LOG_LEVEL: 'silent',
      DATA_DIR: server.dataDir,
    })
    worker = await startWorker(env, { ch: server.deps.ch, backoff: { minMs: 50, maxMs: 500 } })
    log = createKafkaLog({ brokers: [broker.brokers], clientId: 'test-producer' })
  })
  afterAll(async () => {
    try {
      await log?.producer().close()
      await worker?.close()
      await server?.close()
    } finally {
      await broker?.destroy()
      if (server) removeDir(server.dataDir)
    }
  })

  it('answers 202 once Kafka has the spans; the worker stores each span once, visible in the trace', async () => {
    const traces = [traceIds(), traceIds(), traceIds()]
    const body = traces.flatMap((t) => Array.from({ length: 20 }, (_, i) => rawSpan(t.traceId, t.spanId(i))))
    const res = await fetch(`${server.url}/api/ingest`, json(body))
    expect(res.status).toBe(202)
    expect(await res.json()).toMatchObject({ accepted: 60, rejected: [] })

    const counts = await waitStored(
      server.deps.ch,
      project,
      traces.map((t) => t.traceId),
      60,
    )
    expect(counts.size).toBe(60)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    expect(await waitForTraceSpans(server.url, traces[0]?.traceId ?? '', 20)).toBe(20)
  })

  it('puts one message per span on tollgate.spans.v1, keyed by trace id, in the catalog schema', async () => {
    const t = traceIds()
    expect(
      (
        await fetch(
          `${server.url}/api/ingest`,
          json([rawSpan(t.traceId, t.spanId(0)), rawSpan(t.traceId, t.spanId(1))]),
        )
      ).status,
    ).toBe(202)
    const mine = (seen: ConsumedRecord[]) => seen.filter((r) => r.key === t.traceId)
    const records = mine(await readTopic(broker.brokers, TOPICS.spans.name, (seen) => mine(seen).length >= 2))
    expect(records).toHaveLength(2)
    for (const r of records) {
      const msg = decodeMessage('spans', r.value)
      expect(msg).toMatchObject({ v: MESSAGE_VERSION, project_id: project })
      expect(msg.line).toContain(t.traceId)
    }
  })

  it('?consistency=strong answers 202 once the worker has stored the spans', async () => {
    const t = traceIds()
    const res = await fetch(`${server.url}/api/ingest?consistency=strong`, json([rawSpan(t.traceId, t.spanId(0))]))
    expect(res.status).toBe(202)
    expect((await storedCounts(server.deps.ch, project, [t.traceId])).size).toBe(1)
  })

  it('stores a batch delivered three times once (two SDK retries of the same request)', async () => {
    const t = traceIds()
    const body = Array.from({ length: 30 }, (_, i) => rawSpan(t.traceId, t.spanId(i)))
    const duplicatesBefore = worker.stats.duplicates
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/api/ingest`, json(body))).status).toBe(202)
    // All three deliveries processed: 90 messages for 30 keys.
    const until = Date.now() + 30_000
    while (worker.stats.duplicates - duplicatesBefore < 60 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100))
    expect(worker.stats.duplicates - duplicatesBefore).toBe(60)
    const counts = await storedCounts(server.deps.ch, project, [t.traceId])
    expect(counts.size).toBe(30)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    expect(await waitForTraceSpans(server.url, t.traceId, 30)).toBe(30)
  })

  it('dead-letters a poison message and a row the store refuses, with their offsets; their neighbours are stored', async () => {
    const t = traceIds()
    const [good0, refused, good2, good3] = rowsOf(project, t.traceId, t.spanId, 4)
    if (!good0 || !refused || !good2 || !good3) throw new Error('rows')
    // start_time is not a date: ClickHouse refuses that row alone (the batch is bisected around it).
    const refusedLine = refused.line.replace(/"\d{4}-\d{2}-\d{2} [\d:.]+"/, '"not a time"')
    const value = (line: string) => encodeMessage('spans', { v: MESSAGE_VERSION, project_id: project, line })
    const garbage = '{"v":1,"project_id":"default","line":'
    const deadLetteredBefore = worker.stats.deadLettered
    // One key, so one partition and one batch, in this order.
    await log.producer().send(TOPICS.spans.name, [
      { key: t.traceId, value: value(good0.line) },
      { key: t.traceId, value: garbage },
      { key: t.traceId, value: value(refusedLine) },
      { key: t.traceId, value: value(good2.line) },
      { key: t.traceId, value: value(good3.line) },
    ])
    const counts = await waitStored(server.deps.ch, project, [t.traceId], 3)
    expect([...counts.keys()].sort()).toEqual([good0, good2, good3].map((r) => `${t.traceId}/${r.spanId}`).sort())

    const letters = (await readTopic(broker.brokers, TOPICS.deadLetter.name, 2)).map(deadLetterOf)
    expect(letters).toHaveLength(2)
    const byPayload = new Map(letters.map((l) => [l.payload, l]))
    expect(byPayload.get(garbage)?.error).toMatch(/not JSON/)
    expect(byPayload.get(refusedLine)?.error).toMatch(/ClickHouse code/)
    expect(byPayload.get(refusedLine)?.project_id).toBe(project)
    for (const l of letters) expect(l.source).toMatchObject({ topic: TOPICS.spans.name })
    // The offsets are the poison's own: produced second and third, so consecutive.
    const offsets = letters.map((l) => Number(l.source?.offset)).sort((a, b) => a - b)
    expect((offsets[1] ?? 0) - (offsets[0] ?? 0)).toBe(1)
    // Counted on the worker's /metrics.
    expect(await waitCount(() => worker.stats.deadLettered - deadLetteredBefore, 2)).toBe(2)
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text()
    expect(metrics).toMatch(/tollgate_worker_spans_total\{outcome="dead_lettered"\} [1-9]/)
  })
})
