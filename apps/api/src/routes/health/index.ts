import { statfs } from 'node:fs/promises'
import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { pingPostgres } from '@tollgate/store'
import { openApiRoutes } from '../../lib/openapi-route.js'

/** Liveness, readiness and metrics; no auth (load balancers, scrapers and agentwatch's verify() call them bare). */
export const healthRoutes = openApiRoutes()

const Live = z.object({ status: z.literal('ok'), product: z.literal('tollgate') }).meta({ id: 'Live' })
const live = { status: 'ok', product: 'tollgate' } as const
for (const path of ['/health', '/api/health']) {
  const route = createRoute({
    method: 'get',
    path,
    summary: 'Liveness (no auth)',
    security: [],
    responses: { 200: { description: 'alive', content: { 'application/json': { schema: Live } } } },
  })
  healthRoutes.openapi(route, (c) => c.json(live, 200))
}

const Check = z.enum(['ok', 'down'])
const Readiness = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.object({ clickhouse: Check, postgres: Check, disk: z.enum(['ok', 'full']) }),
    ingest: z.object({
      backlog_spans: z.number().describe('spans acknowledged, not yet in ClickHouse'),
      log_bytes: z.number().describe('bytes of the write-ahead log not yet drained'),
      store_failing_for_s: z.number().describe('how long inserts have been failing (0: they are not)'),
    }),
  })
  .meta({ id: 'Readiness' })
const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  summary: 'Readiness: ClickHouse takes inserts, Postgres answers, DATA_DIR has room (no auth)',
  security: [],
  responses: {
    200: { description: 'ready', content: { 'application/json': { schema: Readiness } } },
    503: {
      description: 'a dependency is down',
      headers: { 'Retry-After': { description: 'seconds', schema: { type: 'integer' as const } } },
      content: { 'application/json': { schema: Readiness } },
    },
  },
})

/** Below this much free space under DATA_DIR the log and the stores cannot be trusted to take writes. */
const MIN_FREE_BYTES = 256 * 1024 * 1024

healthRoutes.openapi(readyRoute, async (c) => {
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
const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (credentials needed unless METRICS_PUBLIC=true)',
  responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } } },
})
healthRoutes.openapi(metricsRoute, async (c) => {
  const { registry } = c.var.deps.metrics
  return c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType })
})
