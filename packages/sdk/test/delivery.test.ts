import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TollgateClient } from '../src/client.js'
import type { InitOptions } from '../src/config.js'
import { backoffMs, chunkByBytes } from '../src/delivery/delivery.js'
import { parseRetryAfter } from '../src/delivery/sender.js'
import type { FakeIngest } from './helpers/fake-ingest.js'
import { startFakeIngest, waitFor } from './helpers/fake-ingest.js'
import { tempDir } from './helpers/tmp.js'

let ingest: FakeIngest
let tmp: ReturnType<typeof tempDir>
const clients: TollgateClient[] = []

function client(opts: InitOptions = {}): TollgateClient {
  const c = new TollgateClient(
    {
      endpoint: ingest.url,
      spoolPath: join(tmp.dir, 'spool.sqlite'),
      flushIntervalMs: 3_600_000,
      policyPollIntervalMs: 0,
      ...opts,
    },
    { env: {} },
  ).start()
  clients.push(c)
  return c
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => (from + i + 1).toString(16).padStart(16, '0'))
const reportAll = (c: TollgateClient, spanIds: string[], extra: Record<string, unknown> = {}) => {
  for (const id of spanIds) c.report({ span_id: id, name: 'work', ...extra })
}
const acceptedIds = () =>
  ingest
    .accepted()
    .map((s) => s.span_id)
    .sort()

beforeEach(async () => {
  ingest = await startFakeIngest()
  tmp = tempDir()
})
afterEach(async () => {
  for (const c of clients.splice(0)) await c.shutdown(100)
  await ingest.close()
  tmp.cleanup()
})

describe.each(['durable_local', 'best_effort'] as const)('delivery (%s)', (durability) => {
  it('batches by count: a full batch goes out without waiting for the interval', async () => {
    const c = client({ durability, maxBatch: 10 })
    reportAll(c, ids(25))
    await waitFor(() => ingest.batches.length >= 2)
    expect(ingest.batches.slice(0, 2).map((b) => b.body.spans.length)).toEqual([10, 10])
    await c.flush()
    expect(ingest.batches.map((b) => b.body.spans.length)).toEqual([10, 10, 5])
    expect(acceptedIds()).toEqual(ids(25).sort())
  })

  it('batches by bytes: no request carries more than maxBatchBytes of spans', async () => {
    const c = client({ durability, maxBatchBytes: 4000 })
    reportAll(c, ids(12), { input: 'x'.repeat(900) })
    await c.flush()
    expect(ingest.batches.length).toBeGreaterThanOrEqual(3)
    for (const b of ingest.batches) expect(JSON.stringify(b.body.spans).length).toBeLessThanOrEqual(4000 + 64)
    expect(acceptedIds()).toEqual(ids(12).sort())
  })

  it('sends on the flush interval', async () => {
    const c = client({ durability, flushIntervalMs: 100 })
    reportAll(c, ids(1))
    await waitFor(() => ingest.accepted().length === 1, 2000)
  })

  it('treats a rejected index inside a 202 as final and reports it as dropped', async () => {
    ingest.replies.push({ status: 202, body: { accepted: 2, rejected: [{ index: 1, error: 'bad span' }] } })
    const c = client({ durability })
    reportAll(c, ids(3))
    await c.flush()
    reportAll(c, ids(1, 10))
    await c.flush()
    expect(ingest.batches).toHaveLength(2)
    expect(ingest.batches[1]?.body.spans.map((s) => s.span_id)).toEqual(ids(1, 10))
    expect(ingest.batches[1]?.body.client?.dropped).toEqual({ rejected: 1 })
  })

  it.each([400, 413])('drops a batch answered %i, counts it, reports the count once', async (status) => {
    ingest.replies.push({ status, body: { type: 'x', title: 'no', status } })
    const c = client({ durability, apiKey: 'tg_key' })
    reportAll(c, ids(1))
    await c.flush()
    reportAll(c, ids(1, 5))
    await c.flush()
    reportAll(c, ids(1, 9))
    await c.flush()
    expect(ingest.batches.map((b) => b.status)).toEqual([status, 202, 202])
    expect(ingest.batches[1]?.body.client?.dropped).toEqual({ [`http_${status}`]: 1 })
    expect(ingest.batches[2]?.body.client?.dropped).toBeUndefined()
    expect(ingest.batches[0]?.headers['x-api-key']).toBe('tg_key')
    expect(acceptedIds()).toEqual([...ids(1, 5), ...ids(1, 9)].sort())
  })

  it('splits a multi-span batch answered 413 instead of dropping it', async () => {
    ingest.replies.push({ status: 413 })
    const c = client({ durability })
    reportAll(c, ids(4))
    await c.flush()
    expect(ingest.batches.map((b) => [b.status, b.body.spans.length])).toEqual([
      [413, 4],
      [202, 2],
      [202, 2],
    ])
    expect(acceptedIds()).toEqual(ids(4).sort())
  })

  it.each([500, 502, 503, 0])(
    'keeps spans on %i (0 = connection reset) and delivers them once later',
    async (status) => {
      ingest.replies.push({ status })
      const c = client({ durability })
      reportAll(c, ids(3))
      await c.flush()
      expect(ingest.accepted()).toHaveLength(0)
      await c.flush()
      expect(acceptedIds()).toEqual(ids(3).sort())
      await c.flush()
      expect(ingest.accepted()).toHaveLength(3)
    },
  )

  it('honours Retry-After on 429, even for an explicit flush', async () => {
    ingest.replies.push({ status: 429, headers: { 'retry-after': '1' } })
    const c = client({ durability, flushIntervalMs: 50 })
    reportAll(c, ids(2))
    await waitFor(() => ingest.batches.length === 1)
    const first = Date.now()
    await c.flush()
    expect(ingest.batches).toHaveLength(1)
    await waitFor(() => ingest.accepted().length === 2, 4000)
    expect(Date.now() - first).toBeGreaterThanOrEqual(900)
  })

  it('gzips large bodies', async () => {
    const c = client({ durability })
    reportAll(c, ids(20), { input: 'lorem ipsum '.repeat(50) })
    await c.flush()
    expect(ingest.batches[0]?.headers['content-encoding']).toBe('gzip')
    expect(ingest.batches[0]?.body.client).toMatchObject({ name: '@tollgate/sdk' })
    expect(ingest.accepted()).toHaveLength(20)
  })

  it('shutdown() gives up at its deadline when the backend hangs', async () => {
    ingest.fallback = { status: -1 }
    const c = client({ durability })
    reportAll(c, ids(3))
    const t0 = Date.now()
    await c.shutdown(300)
    expect(Date.now() - t0).toBeLessThan(2000)
  })
})

describe('durable_local across processes', () => {
  it('leaves undelivered spans in the spool on shutdown; the next client delivers them exactly once', async () => {
    ingest.fallback = { status: 503, headers: { 'retry-after': '0' } }
    const a = client()
    reportAll(a, ids(7))
    await a.shutdown(500)
    expect(ingest.accepted()).toHaveLength(0)
    ingest.fallback = (b) => ({ status: 202, body: { accepted: b.spans.length, rejected: [] } })
    const b = client()
    await waitFor(() => ingest.accepted().length === 7, 3000)
    await b.flush()
    expect(acceptedIds()).toEqual(ids(7).sort())
  })
})

describe('best_effort', () => {
  it('bounds its memory and counts what it had to drop', async () => {
    ingest.fallback = { status: 503 }
    const c = client({ durability: 'best_effort', maxQueueSize: 5 })
    reportAll(c, ids(8))
    await c.flush()
    ingest.fallback = (b) => ({ status: 202, body: { accepted: b.spans.length, rejected: [] } })
    await c.flush()
    expect(ingest.accepted()).toHaveLength(5)
    expect(ingest.batches.at(-1)?.body.client?.dropped).toEqual({ queue_full: 3 })
  })
})

describe('helpers', () => {
  it('backoff grows exponentially with jitter, capped at 5 minutes', () => {
    expect(backoffMs(0, () => 0)).toBe(500)
    expect(backoffMs(0, () => 1)).toBe(1000)
    expect(backoffMs(3, () => 0.5)).toBe(6000)
    expect(backoffMs(40, () => 1)).toBe(300_000)
  })
  it('parses Retry-After seconds and dates, capped at an hour', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000)
    expect(parseRetryAfter('999999')).toBe(3_600_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
  it('chunks by bytes, an oversized span alone', () => {
    const rows = [10, 10, 50, 10].map((bytes, id) => ({ id, bytes, body: '', attempts: 0 }))
    expect(chunkByBytes(rows, 25).map((c) => c.map((r) => r.id))).toEqual([[0, 1], [2], [3]])
  })
})
