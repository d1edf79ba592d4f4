import { statfs } from 'node:fs/promises'
import { Hono } from 'hono'
import { pingPostgres } from '@tollgate/store'
import type { AppEnv } from '../../context.js'

/** Liveness, readiness and metrics; no auth (load balancers, scrapers and agentwatch's verify() call them bare). */
export const healthRoutes = new Hono<AppEnv>()

const live = { status: 'ok', product: 'tollgate' } as const
healthRoutes.get('/health', (c) => c.json(live))
healthRoutes.get('/api/health', (c) => c.json(live))

/** Below this much free space under DATA_DIR the log and the stores cannot be trusted to take writes. */
const MIN_FREE_BYTES = 256 * 1024 * 1024

healthRoutes.get('/ready', async (c) => {
  const { ch, pg, transport, env } = c.var.deps
  const check = async (fn: () => Promise<unknown>): Promise<'ok' | 'down'> => {
    try {
      await withTimeout(fn(), 2000)
      return 'ok'
    } catch {
      return 'down'
    }
  }
  const [clickhouse, postgres, disk] = await Promise.all([
    check(async () => {
      const r = await ch.client.ping()
      if (!r.success) throw new Error('ping failed')
      // Answering pings while refusing inserts (disk full, read-only) is down for ingest.
      if (transport.health().storeFailingForMs > 5000) throw new Error('inserts failing')
    }),
    check(() => pingPostgres(pg.db)),
    check(async () => {
      const fs = await statfs(env.DATA_DIR)
      if (fs.bavail * fs.bsize < MIN_FREE_BYTES) throw new Error('disk full')
    }),
  ])
  const ready = clickhouse === 'ok' && postgres === 'ok' && disk === 'ok'
  if (!ready) c.header('Retry-After', '5')
  const h = transport.health()
  return c.json(
    {
      status: ready ? 'ready' : 'unavailable',
      checks: { clickhouse, postgres, disk: disk === 'ok' ? 'ok' : 'full' },
      ingest: {
        backlog_spans: h.backlogRows,
        log_bytes: h.logBytes,
        store_failing_for_s: Math.round(h.storeFailingForMs / 1000),
      },
    },
    ready ? 200 : 503,
  )
})

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms)
    p.then(resolve, reject).finally(() => clearTimeout(t))
  })
}

/** Prometheus text format; counts and durations only, no ids, keys or content. */
healthRoutes.get('/metrics', async (c) => {
  const { registry } = c.var.deps.metrics
  return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType })
})
