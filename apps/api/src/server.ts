import { serve, type ServerType } from '@hono/node-server'
import { createPricer, loadPriceOverrides } from '@tollgate/core'
import { createDirectTransport } from '@tollgate/pipeline'
import { applyRetention, connectClickHouse, connectPostgres, migrateClickHouse, migratePostgres } from '@tollgate/store'
import { createApp } from './app.js'
import type { AppDeps } from './context.js'
import type { Env } from './env.js'
import { createLogger, type Logger } from './lib/logger.js'
import { createMetrics } from './lib/metrics.js'

export interface BuildOptions {
  logger?: Logger
  /** Replaces the embedded chDB connection (fault tests wrap the real one in a switch). */
  clickhouseConnection?: unknown
}

/** Connects both stores, applies migrations, and wires the pipeline. Order matters for shutdown. */
export async function buildDeps(env: Env, options: BuildOptions = {}): Promise<AppDeps> {
  const logger = options.logger ?? createLogger(env.LOG_LEVEL)
  const ch = await connectClickHouse(
    { url: env.CLICKHOUSE_URL, database: env.CLICKHOUSE_DB, username: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD, dataDir: env.DATA_DIR },
    { connection: options.clickhouseConnection },
  )
  const applied = await migrateClickHouse(ch)
  await applyRetention(ch, env.DATA_RETENTION_DAYS)
  const pg = await connectPostgres({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, pglitePort: env.PGLITE_PORT })
  await migratePostgres(pg.db)
  const prices = env.PRICES_FILE ? loadPriceOverrides(env.PRICES_FILE) : undefined
  const pricer = createPricer({ overrides: prices?.overrides, overrideSource: prices?.source })
  if (env.KAFKA_BROKERS) logger.warn('kafka.not_available', { detail: 'KAFKA_BROKERS is set but the Kafka transport is not built yet; using direct mode' })
  const metrics = createMetrics({ queuedSpans: () => transport.queued })
  const transport = createDirectTransport({
    ch,
    pricer,
    zeroDataRetention: env.ZERO_DATA_RETENTION,
    sampleRate: env.EMBEDDING_SAMPLE_RATE,
    maxBatchRows: env.INGEST_BATCH_SPANS,
    lingerMs: env.INGEST_FLUSH_MS,
    maxQueuedRows: env.INGEST_QUEUE_MAX_SPANS,
    onWrite({ rows, seconds, ok }) {
      const result = ok ? 'ok' : 'failed'
      metrics.storeWrites.observe({ result }, seconds)
      metrics.storeWriteRows.inc({ result }, rows)
    },
  })
  logger.info('stores.ready', { clickhouse: ch.mode, postgres: pg.mode, postgres_url: pg.mode === 'pglite' ? pg.url : undefined, migrations_applied: applied, prices: pricer.bundledSource })
  return {
    env,
    ch,
    pg,
    transport,
    pricer,
    logger,
    metrics,
    limits: {
      maxBodyBytes: env.MAX_BODY_BYTES,
      maxSpansPerRequest: env.MAX_SPANS_PER_REQUEST,
      maxTextBytes: env.MAX_TEXT_BYTES,
      maxAttributes: env.MAX_ATTRIBUTES,
    },
  }
}

/** Flush the writer, then close ClickHouse, then Postgres (pool, socket server, PGlite). */
export async function closeDeps(deps: AppDeps): Promise<void> {
  await deps.transport.close()
  await deps.ch.close()
  await deps.pg.close()
}

export interface RunningServer {
  url: string
  port: number
  deps: AppDeps
  close(): Promise<void>
}

export async function startServer(env: Env, options: BuildOptions = {}): Promise<RunningServer> {
  const deps = await buildDeps(env, options)
  const app = createApp(deps)
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => resolve(s))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    deps,
    // SIGTERM order (STYLE 14): stop taking work → flush writers → close clients.
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      })
      await closeDeps(deps)
    },
  }
}
