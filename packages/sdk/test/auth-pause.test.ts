import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TollgateClient } from '../src/client.js'
import type { InitOptions } from '../src/config.js'
import { DeliveryHealth } from '../src/delivery/health.js'
import type { FakeIngest } from './helpers/fake-ingest.js'
import { startFakeIngest } from './helpers/fake-ingest.js'
import { tempDir } from './helpers/tmp.js'
import { startTollgate } from './helpers/tollgate.js'

// A rotated key or a proxy answering 404 used to empty the spool ("drop"). It must pause instead.
let ingest: FakeIngest
let tmp: ReturnType<typeof tempDir>
const clients: TollgateClient[] = []

function client(opts: InitOptions = {}): TollgateClient {
  const c = new TollgateClient(
    {
      endpoint: ingest.url,
      apiKey: 'tg_key_0123456789abcdef',
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

beforeEach(async () => {
  ingest = await startFakeIngest()
  tmp = tempDir()
})
afterEach(async () => {
  vi.restoreAllMocks()
  for (const c of clients.splice(0)) await c.shutdown(100)
  await ingest.close()
  tmp.cleanup()
})

describe.each(['durable_local', 'best_effort'] as const)('credentials refused (%s)', (durability) => {
  it.each([401, 403, 404])(
    '%i pauses delivery, keeps every span, warns once, and a later process delivers them',
    async (status) => {
      const warnings: string[] = []
      vi.spyOn(process.stderr, 'write').mockImplementation(
        (chunk: string | Uint8Array) => (warnings.push(String(chunk)), true),
      )
      ingest.fallback = { status, body: { type: 'x', title: 'no', status } }
      const c = client({ durability })
      for (const id of ids(3)) c.report({ span_id: id, name: 'work' })
      await c.flush()
      for (const id of ids(2, 3)) c.report({ span_id: id, name: 'work' })
      await c.flush()
      // The pause holds even against an explicit flush: one refused request, not one per flush.
      expect(ingest.batches.map((b) => b.status)).toEqual([status])
      const state = c.getState().delivery
      expect(state).toMatchObject({
        status: 'paused',
        http_status: status,
        endpoint: `${ingest.url}/api/ingest`,
        pending: 5,
      })
      expect(Date.parse(state?.retry_at ?? '')).toBeGreaterThan(Date.now() + 25_000)
      const paused = warnings.filter((w) => w.includes('delivery paused'))
      expect(paused).toHaveLength(1)
      expect(paused[0]).toContain(String(status))
      expect(paused[0]).toContain(`${ingest.url}/api/ingest`)
      expect(paused[0]).not.toContain('tg_key')
      if (durability === 'best_effort') return
      await c.shutdown(200)
      // The key works again (or the proxy is fixed): the next process delivers everything, nothing counted as dropped.
      ingest.fallback = (b) => ({ status: 202, body: { accepted: b.spans.length, rejected: [] } })
      const next = client({ durability })
      await next.flush()
      expect(
        ingest
          .accepted()
          .map((s) => s.span_id)
          .sort(),
      ).toEqual(ids(5).sort())
      expect(ingest.batches.slice(1).every((b) => b.body.client?.dropped === undefined)).toBe(true)
      expect(next.getState().delivery).toMatchObject({ status: 'ok', http_status: null, pending: 0 })
    },
  )

  it.each([400, 413])(
    '%i of a single span stays final: the span is dropped and counted, delivery goes on',
    async (status) => {
      ingest.replies.push({ status })
      const c = client({ durability })
      c.report({ span_id: ids(1)[0], name: 'bad' })
      await c.flush()
      c.report({ span_id: ids(1, 1)[0], name: 'good' })
      await c.flush()
      expect(ingest.batches.map((b) => b.status)).toEqual([status, 202])
      expect(ingest.batches[1]?.body.client?.dropped).toEqual({ [`http_${status}`]: 1 })
      expect(c.getState().delivery?.status).toBe('ok')
    },
  )
})

describe('the pause', () => {
  it('lasts 1 min doubling to 1 h (jitter down to half), warns once per status, resets when delivery works', () => {
    const log = { debug: vi.fn(), warn: vi.fn() }
    const health = new DeliveryHealth('http://tollgate.test/api/ingest', log)
    const longest = Array.from({ length: 9 }, () => health.paused(401, () => 1))
    expect(longest).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000])
    expect(health.paused(401, () => 0)).toBe(1_800_000)
    expect(log.warn).toHaveBeenCalledTimes(1)
    // A transient failure during a pause does not hide it.
    health.retrying('http_503')
    expect(health.state(Date.now() + 60_000, 2)).toMatchObject({ status: 'paused', http_status: 401, pending: 2 })
    // Another status is news: one more warning.
    health.paused(403, () => 1)
    expect(log.warn).toHaveBeenCalledTimes(2)
    expect(String(log.warn.mock.calls[1]?.[0])).toContain('answered 403')
    health.ok()
    expect(log.warn).toHaveBeenLastCalledWith('delivery resumed', { endpoint: 'http://tollgate.test/api/ingest' })
    expect(health.state(0, 0)).toMatchObject({ status: 'ok', http_status: null, retry_at: null, since: null })
    expect(health.paused(401, () => 1)).toBe(60_000)
  })

  it('ends on its own: once the backoff has passed, the next scheduled send delivers every kept span', async () => {
    const warnings: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (chunk: string | Uint8Array) => (warnings.push(String(chunk)), true),
    )
    ingest.fallback = { status: 401, body: { type: 'x', title: 'no', status: 401 } }
    const c = client({ flushIntervalMs: 20 })
    for (const id of ids(3)) c.report({ span_id: id, name: 'work' })
    await c.flush()
    expect(ingest.batches.map((b) => b.status)).toEqual([401])
    const retryAt = Date.parse(c.getState().delivery?.retry_at ?? '')
    ingest.fallback = (b) => ({ status: 202, body: { accepted: b.spans.length, rejected: [] } })
    // The clock moves past the pause; no flush() is called: the delivery timer resumes by itself.
    const realNow = Date.now.bind(Date)
    const skew = retryAt - realNow() + 1000
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skew)
    const until = realNow() + 10_000
    // Waits for the client to take in the answer (the fake records the spans before it replies).
    while (c.getState().delivery?.status !== 'ok' && realNow() < until) await new Promise((r) => setTimeout(r, 20))
    expect(
      ingest
        .accepted()
        .map((s) => s.span_id)
        .sort(),
    ).toEqual(ids(3).sort())
    expect(ingest.batches.map((b) => b.status)).toEqual([401, 202])
    expect(c.getState().delivery).toMatchObject({ status: 'ok', http_status: null, pending: 0 })
    expect(warnings.filter((w) => w.includes('delivery resumed'))).toHaveLength(1)
  })
})

describe('against a real Tollgate that requires an API key', () => {
  it('a wrong key keeps the spool; once the server accepts that key, a new process delivers everything', async () => {
    const key = 'tg_sdk_test_key_0123456789'
    const dataDir = join(tmp.dir, 'data')
    const spoolPath = join(tmp.dir, 'real-spool.sqlite')
    let tollgate = await startTollgate(dataDir, undefined, { API_KEY: 'tg_some_other_key_0123456789' })
    const traceId = 'ab'.repeat(16)
    try {
      const first = new TollgateClient(
        { endpoint: tollgate.url, apiKey: key, spoolPath, policyPollIntervalMs: 0 },
        { env: {} },
      ).start()
      for (const id of ids(4)) first.report({ trace_id: traceId, span_id: id, name: 'kept', kind: 'chain' })
      await first.flush()
      expect(first.getState().delivery).toMatchObject({ status: 'paused', http_status: 401, pending: 4 })
      await first.shutdown(500)
    } finally {
      await tollgate.stop()
    }
    tollgate = await startTollgate(dataDir, tollgate.port, { API_KEY: key })
    try {
      const second = new TollgateClient(
        { endpoint: tollgate.url, apiKey: key, spoolPath, policyPollIntervalMs: 0 },
        { env: {} },
      ).start()
      await second.flush()
      await second.shutdown(2000)
      // The server stores asynchronously after its 202: poll.
      const until = Date.now() + 15_000
      let stored: string[] = []
      while (stored.length < 4 && Date.now() < until) {
        const r = await tollgate
          .get<{ spans: { span_id: string }[] }>(`/api/traces/${traceId}/spans`)
          .catch(() => ({ spans: [] }))
        stored = r.spans.map((s) => s.span_id).sort()
        if (stored.length < 4) await new Promise((res) => setTimeout(res, 200))
      }
      expect(stored).toEqual(ids(4).sort())
    } finally {
      await tollgate.stop()
    }
  }, 180_000)
})
