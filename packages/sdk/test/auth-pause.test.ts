import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TollgateClient } from '../src/client.js'
import type { InitOptions } from '../src/config.js'
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
