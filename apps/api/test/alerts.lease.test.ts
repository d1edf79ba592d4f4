// The alert evaluator's lease (issue 10: one replica evaluates at a time). Evaluators of two processes'
// worth of holders on one database (the app's embedded PGlite): only the holder's passes read ClickHouse
// (reads counted on the real engine), the other takes over when the holder releases the lease
// (shutdown) or stops renewing it (a dead process: its short TTL runs out), and the server's own
// evaluator is gated by the same lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createAlertEvaluator,
  LEASE_NAMES,
  newLeaseHolder,
  pgSchema,
  type AlertEvaluator,
  type ClickHouse,
} from '@tollgate/store'
import { ids, ingest, json, span, startTestApp, type TestApp } from './harness.js'

let t: TestApp
// No scheduled passes: the tests run every pass themselves.
beforeAll(async () => {
  t = await startTestApp({ ALERT_EVAL_INTERVAL_MS: '0' })
})
afterAll(() => t.close())

/** An evaluator of its own holder whose ClickHouse reads (one per rule evaluated) are counted. */
function evaluator(ttlMs: number): { e: AlertEvaluator; reads: () => number; holder: string } {
  let reads = 0
  const ch: ClickHouse = {
    ...t.deps.ch,
    read(fn) {
      reads++
      return t.deps.ch.read(fn)
    },
    table: (name) => t.deps.ch.table(name),
    close: () => t.deps.ch.close(),
  }
  const holder = newLeaseHolder()
  const e = createAlertEvaluator({
    ch,
    db: t.deps.pg.db,
    notify: { log: () => undefined, backoffMs: 1 },
    lease: { holder, ttlMs },
  })
  return { e, reads: () => reads, holder }
}

const holderNow = async (): Promise<string | undefined> =>
  (await t.deps.pg.db.select().from(pgSchema.leases)).find((r) => r.name === LEASE_NAMES.alertEvaluator)?.holder

/** An enabled rule over spans of its own model: 3 calls in the last minute, so `threshold` 1 fires. */
async function rule(threshold: number): Promise<{ id: string; now: number }> {
  const now = Date.now()
  const model = `m-lease-${now}-${Math.random()}`
  const { traceId, spanId } = ids()
  const spans = [1, 2, 3].map((i) =>
    span({
      trace_id: traceId,
      span_id: spanId(i),
      model,
      start_time: new Date(now - 30_000 + i).toISOString(),
      end_time: new Date(now - 29_000 + i).toISOString(),
    }),
  )
  expect((await ingest(t, spans)).status).toBe(202)
  const res = await t.request(
    '/api/alerts',
    json({ name: `lease ${threshold}`, condition: 'calls_per_minute', threshold, model, action_type: 'log' }),
  )
  expect(res.status).toBe(201)
  return { id: ((await res.json()) as { id: string }).id, now }
}

const disable = async (id: string) =>
  expect((await t.request(`/api/alerts/${id}`, { ...json({ enabled: false }), method: 'PATCH' })).status).toBe(200)

describe('the alert evaluation lease', () => {
  it('lets one of two evaluators evaluate; the other reads nothing until the holder releases it', async () => {
    const { id, now } = await rule(1e9)
    const a = evaluator(60_000)
    const b = evaluator(60_000)
    for (let round = 0; round < 3; round++) await Promise.all([a.e.runOnce(now), b.e.runOnce(now)])
    const [holder, idle] = a.reads() > 0 ? [a, b] : [b, a]
    expect(idle.reads()).toBe(0)
    expect(holder.reads()).toBeGreaterThanOrEqual(3) // every round, the rule at least
    expect(await holderNow()).toBe(holder.holder)

    // Shutdown: the holder gives it up and the other's next pass takes it; the first now reads nothing.
    await holder.e.release()
    const before = holder.reads()
    await idle.e.runOnce(now)
    await holder.e.runOnce(now)
    expect(idle.reads()).toBeGreaterThanOrEqual(1)
    expect(holder.reads()).toBe(before)
    expect(await holderNow()).toBe(idle.holder)
    await idle.e.release()
    expect(await holderNow()).toBeUndefined()
    await disable(id)
  })

  it('passes from a holder that stopped renewing (a dead process) to another once its TTL runs out', async () => {
    const { id, now } = await rule(1e9)
    const dying = evaluator(200)
    await dying.e.runOnce(now)
    expect(dying.reads()).toBeGreaterThanOrEqual(1)
    expect(await holderNow()).toBe(dying.holder)
    // The dying process never runs again. The survivor's passes take the lease once it has expired.
    const survivor = evaluator(60_000)
    for (let i = 0; i < 100 && survivor.reads() === 0; i++) {
      await survivor.e.runOnce(now)
      if (survivor.reads() === 0) await new Promise((r) => setTimeout(r, 50))
    }
    expect(survivor.reads()).toBeGreaterThanOrEqual(1)
    expect(await holderNow()).toBe(survivor.holder)
    // Should the first come back (a paused process), it evaluates nothing while the survivor holds it.
    const before = dying.reads()
    await dying.e.runOnce(now)
    expect(dying.reads()).toBe(before)
    await survivor.e.release()
    await disable(id)
  })

  it("gates the server's own evaluator: it fires nothing while another process holds the lease", async () => {
    const other = evaluator(60_000)
    await other.e.runOnce()
    expect(await holderNow()).toBe(other.holder)
    const { id, now } = await rule(1)
    expect(await t.deps.alerts.runOnce(now)).toEqual([])
    await other.e.release()
    const events = await t.deps.alerts.runOnce(now)
    expect(events.filter((e) => e.rule_id === id)).toEqual([expect.objectContaining({ kind: 'fired' })])
    await t.deps.alerts.settled()
    await t.deps.alerts.release()
    await disable(id)
  })
})
