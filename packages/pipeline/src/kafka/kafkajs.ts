import kafkajs, {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type LogEntry,
  type Producer,
} from 'kafkajs'
import { compressFrame, decompressFrame } from 'lz4-napi'
import type { ConsumedBatch, LogConsumer, LogProducer, LogRecord, SpanLog, TopicSpec, TopicState } from './log.js'

/**
 * LZ4 (the standard frame format Kafka uses, KIP-57) through lz4-napi, a maintained napi-rs binding of
 * lz4_flex with prebuilt binaries on npm. kafkajs ships only gzip; its LZ4 and ZSTD codec packages
 * (kafkajs-lz4, @kafkajs/zstd) wrap native modules that are no longer maintained, and Node 20 has no
 * zstd. On the span messages, LZ4 compresses a 100-span produce request about 4x faster than gzip at a
 * ratio of about 9 instead of 16: CPU on the API, which validates and enriches too, is the scarcer of
 * the two. The broker validates every compressed batch it accepts, and Java tools read it.
 */
// Through the default export: Node's CommonJS named-export detection does not see `CompressionCodecs`.
kafkajs.CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: (encoder: { buffer: Buffer }) => compressFrame(encoder.buffer),
  decompress: (buffer: Buffer) => decompressFrame(buffer),
})

export interface KafkaLogOptions {
  brokers: string[]
  clientId: string
  connectionTimeoutMs?: number
  requestTimeoutMs?: number
  /** Client diagnostics (connection errors, crashes); never message content. */
  onLog?(e: { level: 'error' | 'warn'; message: string }): void
}

/**
 * {@link SpanLog} on kafkajs 2.x. Guards against its known issues:
 * - lost or out-of-order messages under concurrent `send()` (kafkajs#598, #1050): one producer per
 *   process, and its sends are serialised here (one produce request in flight);
 * - an idempotent producer wedged by a sequence gap after a failed or timed-out send: the producer is
 *   replaced (a new producer id) after any failed send;
 * - skipped messages when `eachBatch` throws with auto-resolve/auto-commit: both are off, offsets are
 *   resolved and committed by hand only after the handler stored the batch;
 * - offsets after a rebalance: `active()` is false once the batch is stale, and a stale batch commits
 *   nothing (its records are fetched again by the partition's new owner).
 */
export function createKafkaLog(opts: KafkaLogOptions): SpanLog {
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator: () => throttledLog(opts.onLog),
  })
  let producer: LogProducer | undefined
  return {
    producer: () => (producer ??= kafkaProducer(kafka)),
    consumer: (groupId, topics) => kafkaConsumer(kafka, groupId, topics),
    async ensureTopics(topics: TopicSpec[]): Promise<TopicState[]> {
      const admin = kafka.admin()
      await admin.connect()
      try {
        const existing = new Set(await admin.listTopics())
        const missing = topics.filter((t) => !existing.has(t.name))
        if (missing.length > 0) {
          await admin
            .createTopics({
              waitForLeaders: true,
              topics: missing.map((t) => ({
                topic: t.name,
                numPartitions: t.partitions,
                replicationFactor: t.replicationFactor,
              })),
            })
            .catch((err: unknown) => {
              // Another process created it between list and create: that is the outcome we wanted.
              if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err
            })
        }
        if (topics.length === 0) return []
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) })
        return topics.map((t) => {
          const m = meta.find((x) => x.name === t.name)
          return {
            name: t.name,
            created: missing.includes(t),
            partitions: m?.partitions.length ?? 0,
            replicationFactor: m?.partitions[0]?.replicas.length ?? 0,
          }
        })
      } finally {
        await admin.disconnect()
      }
    },
  }
}

function kafkaProducer(kafka: Kafka): LogProducer {
  let current: Promise<Producer> | undefined
  const open = (): Promise<Producer> => {
    const p = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // About 2.5 s of retries (a young broker answers InitProducerId with a retriable error at first),
      // inside the transport's 5 s send timeout.
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
    })
    return p.connect().then(() => p)
  }
  const discard = (p: Promise<Producer> | undefined): void => {
    void p?.then((x) => x.disconnect()).catch(() => undefined)
  }
  // One produce request in flight, whoever calls: concurrent sends on one idempotent kafkajs producer
  // have lost or reordered messages (kafkajs#598).
  let tail: Promise<unknown> = Promise.resolve()
  let closed = false
  const serialised = <T>(f: () => Promise<T>): Promise<T> => {
    const run = tail.then(f, f)
    tail = run.catch(() => undefined)
    return run
  }
  return {
    send: (topic, records) => serialised(() => sendNow(topic, records)),
    // Does not wait for queued sends: they fail, as they would with the broker gone (callers bound shutdown).
    async close() {
      closed = true
      const p = current
      current = undefined
      if (p) await p.then((x) => x.disconnect()).catch(() => undefined)
    },
  }
  async function sendNow(topic: string, records: LogRecord[]): Promise<void> {
    if (closed) throw new Error('kafka producer closed')
    const opening = (current ??= open())
    try {
      const p = await opening
      // The key hashes with Kafka's murmur2 partitioner, so Java clients put a trace on the same partition.
      await p.send({
        topic,
        acks: -1,
        compression: CompressionTypes.LZ4,
        messages: records.map((r) => ({ key: r.key, value: r.value })),
      })
    } catch (err) {
      if (current === opening) current = undefined
      discard(opening)
      throw err
    }
  }
}

function kafkaConsumer(kafka: Kafka, groupId: string, topics: string[]): LogConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // A member that died (SIGKILL, a broker restart) holds its partitions until this passes.
    sessionTimeout: 15_000,
    heartbeatInterval: 3000,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 500,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 10 },
  })
  let crashed: Error | null = null
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) crashed = e.payload.error
  })
  return {
    get crashed() {
      return crashed
    },
    async run(handle) {
      await consumer.connect()
      await consumer.subscribe({ topics, fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const view: ConsumedBatch = {
            topic: batch.topic,
            partition: batch.partition,
            records: batch.messages.map((m) => ({
              offset: m.offset,
              key: m.key?.toString('utf8') ?? null,
              value: m.value,
            })),
            lag: Number(batch.offsetLag()),
            active: () => isRunning() && !isStale(),
            stale: isStale,
            heartbeat,
            async commit(offset) {
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: (BigInt(offset) + 1n).toString() },
              ])
              resolveOffset(offset)
            },
          }
          await handle(view)
        },
      })
    },
    async close() {
      // disconnect() stops fetching and waits for the running eachBatch before leaving the group.
      await consumer.disconnect()
    },
  }
}

/**
 * kafkajs logs every retry of every connection: with a broker down that is dozens of lines a second.
 * Passes on at most one entry per namespace every 5 s, saying how many were held back.
 */
function throttledLog(onLog: KafkaLogOptions['onLog']): (entry: LogEntry) => void {
  const last = new Map<string, { at: number; held: number }>()
  return (entry) => {
    if (!onLog) return
    const now = Date.now()
    const seen = last.get(entry.namespace)
    if (seen && now - seen.at < 5000) {
      seen.held++
      return
    }
    last.set(entry.namespace, { at: now, held: 0 })
    const held = seen?.held ? ` (+${seen.held} similar)` : ''
    onLog({
      level: entry.level === logLevel.ERROR ? 'error' : 'warn',
      message: `${entry.namespace}: ${entry.log.message}${held}`,
    })
  }
}
