import type { Server } from 'node:http'
import { TOPICS, createKafkaLog, createSpanBatchHandler, type SpanConsumerDeps, type SpanLog } from '@tollgate/pipeline'
import { applyRetention, connectClickHouse, migrateClickHouse, type ClickHouse } from '@tollgate/store'
import type { WorkerEnv } from './env.js'
import { emptyStats, serveHealth, type WorkerStats } from './http.js'
import { createLogger, type Logger } from './logger.js'

export const CONSUMER_GROUP = 'tollgate-worker'

export interface WorkerOptions {
  logger?: Logger
  /** An open ClickHouse the caller owns (tests share the API's embedded one); otherwise one is connected, migrated and closed here. */
  ch?: ClickHouse
  /** Extra handler hooks (tests stop the process between insert and commit). */
  beforeCommit?: NonNullable<SpanConsumerDeps['hooks']>['beforeCommit']
  backoff?: SpanConsumerDeps['backoff']
}

export interface RunningWorker {
  port: number
  stats: WorkerStats
  /** The client's unrecoverable crash, if any (it restarts by itself from the others). */
  crashed(): Error | null
  /**
   * SIGTERM order: stop fetching → the in-flight batch stores and commits (or not) → producer →
   * ClickHouse → HTTP. Resolves false when the consumer had not left the group by the deadline (the
   * process should exit then: the client may still be running).
   */
  close(deadlineMs?: number): Promise<boolean>
}

/**
 * Starts one member of the `tollgate-worker` consumer group: migrations (the same idempotent ones the
 * API applies; whichever starts first applies them), the topics if missing, then the consumer loop.
 */
export async function startWorker(env: WorkerEnv, options: WorkerOptions = {}): Promise<RunningWorker> {
  const logger = options.logger ?? createLogger(env.LOG_LEVEL)
  const ownsCh = !options.ch
  const ch =
    options.ch ??
    (await connectClickHouse({
      url: env.CLICKHOUSE_URL,
      database: env.CLICKHOUSE_DB,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      dataDir: env.DATA_DIR,
    }))
  if (ownsCh) {
    await migrateClickHouse(ch)
    await applyRetention(ch, env.DATA_RETENTION_DAYS)
  }
  const log = await openLog(env, logger)
  const stats = emptyStats()
  const producer = log.producer()
  const consumer = log.consumer(CONSUMER_GROUP, [TOPICS.spans.name])
  let stopping = false
  const handler = createSpanBatchHandler({
    ch,
    producer,
    backoff: options.backoff,
    hooks: {
      onBatch(e) {
        stats.batches++
        stats.messages += e.messages
        stats.inserted += e.inserted
        stats.duplicates += e.duplicates
        stats.lag.set(e.partition, e.lag)
        logger.info('batch.stored', {
          partition: e.partition,
          messages: e.messages,
          inserted: e.inserted,
          duplicates: e.duplicates,
          poison: e.poison,
          lag: e.lag,
          ms: Math.round(e.seconds * 1000),
        })
      },
      onFetch(e) {
        stats.lag.set(e.partition, e.pending)
      },
      onStoreError(err, attempt) {
        stats.storeErrors++
        if (attempt === 1 || attempt % 20 === 0)
          logger.error('store.failed', {
            attempt,
            error_class: (err as Error | null)?.name,
            error: String((err as Error | null)?.message ?? err)
              .split('\n')[0]
              ?.slice(0, 300),
          })
      },
      onInsertError({ rows, isolating }) {
        logger.error('store.insert_failed', { query: 'spans.insert', rows, isolating })
      },
      onDeadLetter(rows) {
        stats.deadLettered += rows
        logger.error('store.dead_lettered', { rows, topic: TOPICS.deadLetter.name })
      },
      beforeCommit: options.beforeCommit,
    },
  })
  await consumer.run(handler)
  const http: Server & { port: number } = await serveHealth({
    host: env.WORKER_HOST,
    port: env.WORKER_PORT,
    stats,
    healthy: () => !stopping && consumer.crashed === null,
  })
  logger.info('worker.started', {
    group: CONSUMER_GROUP,
    brokers: env.KAFKA_BROKERS.length,
    clickhouse: ch.mode,
    port: http.port,
  })
  return {
    port: http.port,
    stats,
    crashed: () => consumer.crashed,
    async close(deadlineMs = env.SHUTDOWN_DEADLINE_MS) {
      stopping = true
      const deadline = Date.now() + deadlineMs
      // Past the deadline, what was not committed is read again by the next member: stored once (dedup).
      const left = await Promise.race([
        consumer.close().then(() => true),
        sleep(Math.max(0, deadline - Date.now())).then(() => false),
      ])
      await producer.close()
      if (ownsCh) await ch.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      logger.info('worker.stopped', { left_group: left, ms_left: Math.max(0, deadline - Date.now()) })
      return left
    },
  }
}

async function openLog(env: WorkerEnv, logger: Logger): Promise<SpanLog> {
  const log = createKafkaLog({
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-worker`,
    onLog: (e) => logger[e.level]('kafka.client', { detail: e.message.slice(0, 300) }),
  })
  const topic = (name: string) => ({
    name,
    partitions: env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  })
  const states = await log.ensureTopics([topic(TOPICS.spans.name), topic(TOPICS.deadLetter.name)])
  for (const t of states) {
    if (t.created) logger.info('kafka.topic_created', { ...t })
    // Existing topics are never altered: say so when they differ from the configuration.
    else if (t.partitions !== env.KAFKA_TOPIC_PARTITIONS || t.replicationFactor !== env.KAFKA_REPLICATION_FACTOR)
      logger.warn('kafka.topic_differs', {
        ...t,
        configured_partitions: env.KAFKA_TOPIC_PARTITIONS,
        configured_replication_factor: env.KAFKA_REPLICATION_FACTOR,
      })
  }
  return log
}

/**
 * `main.js migrate`: the ClickHouse migrations, the retention TTLs and the topics, then exit. The full
 * compose stack runs it once before any API or worker replica starts, so replicas never race on DDL
 * (each still applies what is missing at its start, which is then nothing).
 */
export async function prepare(env: WorkerEnv, logger: Logger = createLogger(env.LOG_LEVEL)): Promise<void> {
  const ch = await connectClickHouse({
    url: env.CLICKHOUSE_URL,
    database: env.CLICKHOUSE_DB,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    dataDir: env.DATA_DIR,
  })
  try {
    const applied = await migrateClickHouse(ch)
    await applyRetention(ch, env.DATA_RETENTION_DAYS)
    await openLog(env, logger)
    logger.info('prepared', {
      migrations_applied: applied,
      topics: [TOPICS.spans.name, TOPICS.deadLetter.name],
      partitions: env.KAFKA_TOPIC_PARTITIONS,
    })
  } finally {
    await ch.close()
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref())
