import { serve, type ServerType } from '@hono/node-server'
import { createPricer, loadPriceOverrides } from '@tollgate/core'
import {
  CpuGate,
  LogTransport,
  clickHouseCode,
  loadScanner,
  openDirectTransport,
  openKafkaTransport,
} from '@tollgate/pipeline'
import {
  applyRetention,
  connectClickHouse,
  connectPostgres,
  createAlertEvaluator,
  LOCK_KEYS,
  migrateClickHouse,
  migratePostgres,
  newLeaseHolder,
  refreshRecentRollups,
  withLock,
} from '@tollgate/store'
import { createApp } from './app.js'
import { startEnrichment } from './enrichment.js'
import { startCompliance } from './routes/reports/start.js'
import type { AppDeps } from './context.js'
import { isLoopback, type Env } from './env.js'
import { onClientError } from './lib/http-errors.js'
import { createLogger, type Logger } from './lib/logger.js'
import { createMetrics } from './lib/metrics.js'
import { startPeriodic, type Periodic } from './lib/periodic.js'
import { hasReplayDebt, recordReplayDebt, settleReplayDebt } from './lib/replay-debt.js'

export interface BuildOptions {
  logger?: Logger
  /** Replaces the embedded chDB connection (fault tests wrap the real one in a switch). */
  clickhouseConnection?: unknown
}

/** Connects both stores, applies migrations, and wires the pipeline. Order matters for shutdown. */
export async function buildDeps(env: Env, options: BuildOptions = {}): Promise<AppDeps> {
  const logger = options.logger ?? createLogger(env.LOG_LEVEL)
  // Before any store: a bad PATTERNS_FILE stops the start with the file and entry named.
  const scanner = loadScanner({ patternsFile: env.PATTERNS_FILE })
  const ch = await connectClickHouse(
    {
      url: env.CLICKHOUSE_URL,
      database: env.CLICKHOUSE_DB,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      dataDir: env.DATA_DIR,
    },
    { connection: options.clickhouseConnection },
  )
  const applied = await migrateClickHouse(ch)
  await applyRetention(ch, env.DATA_RETENTION_DAYS)
  const pg = await connectPostgres({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, pglitePort: env.PGLITE_PORT })
  await migratePostgres(pg.db)
  const enrichment = await startEnrichment(env, pg.db, logger)
  const limits = {
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxSpansPerRequest: env.MAX_SPANS_PER_REQUEST,
    maxTextBytes: env.MAX_TEXT_BYTES,
    maxAttributes: env.MAX_ATTRIBUTES,
    maxTags: env.MAX_TAGS,
    maxTagValueBytes: env.MAX_TAG_VALUE_BYTES,
    maxAttributeValueBytes: env.MAX_ATTRIBUTE_VALUE_BYTES,
  }
  const prices = env.PRICES_FILE ? loadPriceOverrides(env.PRICES_FILE) : undefined
  const pricer = createPricer({ overrides: prices?.overrides, overrideSource: prices?.source })
  const metrics = createMetrics({ health: () => transport.health() })
  // KAFKA_BROKERS selects Kafka mode: spans are produced to tollgate.spans.v1 and apps/worker stores them.
  let kafkaFailing = false
  const { transport, recovery, deadLetterPath } = env.KAFKA_BROKERS
    ? {
        transport: openKafkaTransport({
          brokers: env.KAFKA_BROKERS,
          clientId: env.KAFKA_CLIENT_ID,
          ch,
          onLog: (e) => logger[e.level]('kafka.client', { detail: e.message.slice(0, 300) }),
          hooks: {
            onSend({ rows, ok, error }) {
              // The cause once per outage, not once per refused request.
              if (!ok && !kafkaFailing) logger.error('kafka.send_failed', { rows, ...errorCause(error) })
              if (ok && kafkaFailing) logger.info('kafka.send_recovered', { rows })
              kafkaFailing = !ok
            },
          },
        }),
        recovery: null,
        deadLetterPath: '',
      }
    : await openDirectTransport({
        ch,
        dataDir: env.DATA_DIR,
        maxBatchRows: env.INGEST_BATCH_SPANS,
        lingerMs: env.INGEST_FLUSH_MS,
        maxBacklogRows: env.INGEST_QUEUE_MAX_SPANS,
        logMaxBytes: env.INGEST_LOG_MAX_BYTES,
        refuseAfterStoreFailingMs: env.INGEST_REFUSE_AFTER_STORE_FAILING_S * 1000,
        hooks: {
          onInsert({ rows, seconds, ok }) {
            const result = ok ? 'ok' : 'failed'
            metrics.storeWrites.observe({ result }, seconds)
            metrics.storeWriteRows.inc({ result }, rows)
          },
          onInsertError({ rows, error, isolating }) {
            // The cause, once per failed statement: class and code, never rows' content.
            logger.error('store.insert_failed', { query: 'spans.insert', rows, isolating, ...errorCause(error) })
          },
          onStored({ duplicates, deadLettered }) {
            if (duplicates > 0) metrics.storeDuplicates.inc(duplicates)
            if (deadLettered > 0) metrics.deadLettered.inc(deadLettered)
          },
          onStoreError(error, attempt) {
            if (attempt === 1 || attempt % 20 === 0)
              logger.error('store.drain_failed', { attempt, ...errorCause(error) })
          },
          onLogCommit({ seconds }) {
            metrics.logCommits.observe(seconds)
          },
          onDeadLetter(rows) {
            logger.error('store.dead_lettered', { rows, path: deadLetterPath })
          },
        },
      })
  if (recovery && (recovery.records > 0 || recovery.truncatedBytes > 0))
    logger.warn('ingest.log_recovered', { ...recovery })
  logger.info('stores.ready', {
    clickhouse: ch.mode,
    postgres: pg.mode,
    postgres_url: pg.mode === 'pglite' ? pg.url : undefined,
    migrations_applied: applied,
    prices: pricer.bundledSource,
  })
  // Recent days of the rollups recomputed from deduplicated spans (docs/architecture.md, "Idempotency"),
  // by one replica at a time (Postgres advisory lock).
  const rollups = startPeriodic({
    intervalMs: env.ROLLUP_REFRESH_INTERVAL_MS,
    run: async () => {
      const started = Date.now()
      const refresh = () => refreshRecentRollups(ch, { sinceHours: 48 })
      // Embedded, the process is the only one on its data directory (chDB binds it), and a lock held in
      // a transaction would hold PGlite's one session for the whole refresh: no lock there.
      const result = pg.mode === 'pglite' ? await refresh() : await withLock(pg.db, LOCK_KEYS.rollupRefresh, refresh)
      if (result) await settleReplayDebt(env.DATA_DIR)
      if (result)
        logger[result.uneven.length ? 'warn' : 'info']('rollups.refreshed', {
          days: result.days.length,
          uneven: result.uneven,
          ms: Date.now() - started,
        })
    },
    onError: (error) => logger.error('rollups.refresh_failed', errorCause(error)),
  })
  // Replayed log records may have lost their derived rows to the crash (lib/replay-debt.ts): refresh
  // the derived tables once the replay is stored, and keep the debt on disk until a refresh completes.
  if (transport instanceof LogTransport) {
    if (recovery && recovery.records > 0) await recordReplayDebt(env.DATA_DIR)
    if (await hasReplayDebt(env.DATA_DIR)) void transport.replayed.then(() => rollups.runNow())
  }
  const alerts = createAlertEvaluator({
    ch,
    db: pg.db,
    defaultWebhook: env.ALERT_WEBHOOK_URL,
    notify: {
      webhookSecret: env.ALERT_WEBHOOK_SECRET,
      resendApiKey: env.RESEND_API_KEY,
      resendApiUrl: env.RESEND_API_URL,
      emailFrom: env.FROM_EMAIL,
      backoffMs: env.ALERT_NOTIFY_BACKOFF_MS,
      log: (event, fields) => logger.warn(event, fields),
    },
    // One replica evaluates: the holder of the lease, renewed at each pass. A dead holder's lease
    // expires after four intervals (30 s at least) and the next replica's pass takes it.
    lease: { holder: newLeaseHolder(), ttlMs: Math.max(4 * env.ALERT_EVAL_INTERVAL_MS, 30_000) },
  })
  // Alert rules evaluated on a schedule by the lease's holder; a rule fires once per cooldown even when
  // two passes overlap (a pass longer than the TTL), by the conditional update on the rule.
  const alertTimer = startPeriodic({
    intervalMs: env.ALERT_EVAL_INTERVAL_MS,
    run: async () => {
      await alerts.runOnce()
    },
    onError: (error) => logger.error('alerts.evaluate_failed', errorCause(error)),
  })
  const deps: AppDeps = {
    env,
    ch,
    pg,
    transport,
    pricer,
    logger,
    metrics,
    limits,
    ingest: {
      transport,
      limits,
      enrich: {
        pricer,
        zeroDataRetention: env.ZERO_DATA_RETENTION,
        sampleRate: env.EMBEDDING_SAMPLE_RATE,
        scanner,
        piiPolicy: env.PII_POLICY,
        projectPolicies: enrichment.policies,
      },
      embeddings: enrichment.embeddings,
      window: { retentionDays: env.DATA_RETENTION_DAYS, maxFutureSkewMs: env.INGEST_MAX_FUTURE_SKEW_S * 1000 },
      gate: new CpuGate(),
    },
    alerts,
    lifecycle: { stopping: false },
  }
  await startCompliance(deps)
  background.set(deps, [
    rollups,
    alertTimer,
    {
      runNow: () => Promise.resolve(),
      // Release once no pass runs, so another replica takes over at its next pass rather than after the TTL.
      stop: async () => {
        await alertTimer.stop()
        await alerts.settled()
        await alerts.release()
      },
    },
    { runNow: () => enrichment.embeddings.runOnce(), stop: () => enrichment.stop() },
  ])
  return deps
}

/** Timers of each built deps, stopped first by closeDeps (a run in flight finishes before the stores close). */
const background = new WeakMap<AppDeps, Periodic[]>()

/** What a log line may say about a store error: its class, ClickHouse code and first line, no data. */
export function errorCause(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: unknown; message?: string } | null
  return {
    error_class: e?.name ?? typeof error,
    clickhouse_code: clickHouseCode(error) ?? undefined,
    code: typeof e?.code === 'string' && clickHouseCode(error) === null ? e.code : undefined,
    error: (e?.message ?? String(error)).split('\n')[0]?.slice(0, 300),
  }
}

/**
 * Stop the background jobs, drain the log into ClickHouse (until `deadlineMs`; the rest stays in the log for the next start),
 * then close ClickHouse, then Postgres (pool, socket server, PGlite).
 */
export async function closeDeps(deps: AppDeps, deadlineMs = deps.env.SHUTDOWN_DEADLINE_MS): Promise<void> {
  await Promise.all((background.get(deps) ?? []).map((job) => job.stop()))
  await deps.transport.close(deadlineMs)
  await deps.ch.close()
  await deps.pg.close()
}

export interface RunningServer {
  url: string
  port: number
  deps: AppDeps
  close(): Promise<void>
}

/** env.ts refuses an open API on a non-loopback address unless LOCAL_MODE=true was set on purpose; say so at every start all the same. */
export function warnIfOpenAndExposed(env: Env, logger: Logger): boolean {
  if (!env.DATABASE_URL && env.PGLITE_PORT > 0) {
    logger.warn('postgres.tcp_open', {
      port: env.PGLITE_PORT,
      detail:
        'PGLITE_PORT serves the embedded database on loopback TCP without a password: any local user can open it; unset it for a private Unix socket',
    })
  }
  if (!env.LOCAL_MODE || isLoopback(env.HOST)) return false
  logger.warn('auth.local_mode_exposed', {
    host: env.HOST,
    detail: 'LOCAL_MODE=true on a non-loopback address: anyone who reaches this port can read and write every span',
  })
  return true
}

export async function startServer(env: Env, options: BuildOptions = {}): Promise<RunningServer> {
  const deps = await buildDeps(env, options)
  warnIfOpenAndExposed(env, deps.logger)
  const app = createApp(deps)
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => resolve(s))
    s.on('clientError', onClientError)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    deps,
    // SIGTERM order: stop taking work → finish requests → drain the log → close clients, all within
    // SHUTDOWN_DEADLINE_MS. Requests arriving on kept-alive sockets meanwhile get 503 + Connection: close.
    async close() {
      const deadline = Date.now() + env.SHUTDOWN_DEADLINE_MS
      deps.lifecycle.stopping = true
      const http = server as ServerType & { closeIdleConnections?: () => void; closeAllConnections?: () => void }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      http.closeIdleConnections?.()
      const timer = setTimeout(() => http.closeAllConnections?.(), Math.max(0, deadline - Date.now()))
      await closed
      clearTimeout(timer)
      await closeDeps(deps, Math.max(0, deadline - Date.now()))
    },
  }
}
