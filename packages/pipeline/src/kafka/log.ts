/**
 * The small interface the pipeline needs from a partitioned log. kafkajs implements it (kafkajs.ts);
 * kafkajs is in maintenance mode, so nothing outside this folder imports it, and another client
 * (@platformatic/kafka, a librdkafka binding) can replace it behind the same four types.
 */
export interface LogRecord {
  key: string
  value: string
}

export interface LogProducer {
  /**
   * Appends to `topic`; resolves once every record is acknowledged by all in-sync replicas (acks=-1).
   * Concurrent calls are sent one after the other, in call order.
   */
  send(topic: string, records: LogRecord[]): Promise<void>
  close(): Promise<void>
}

export interface ConsumedRecord {
  offset: string
  key: string | null
  value: Buffer | null
}

export interface ConsumedBatch {
  topic: string
  partition: number
  records: ConsumedRecord[]
  /** Messages behind the end of the partition after this batch. */
  lag: number
  /** False once the consumer is stopping or the partition moved to another member: stop retrying. */
  active(): boolean
  /** True once the partition moved to another member (a rebalance): this batch commits nothing. */
  stale(): boolean
  heartbeat(): Promise<void>
  /** Commits the group's position past `offset`. Only once the store has every record up to it. */
  commit(offset: string): Promise<void>
}

export interface LogConsumer {
  /** Starts fetching; `handle` gets one partition's batch at a time and is never run concurrently. */
  run(handle: (batch: ConsumedBatch) => Promise<void>): Promise<void>
  /** Stops fetching, lets the in-flight batch finish (it commits or not), leaves the group. */
  close(): Promise<void>
  /** Set when the client gave up (a crash it will not restart from). */
  readonly crashed: Error | null
}

export interface TopicSpec {
  name: string
  partitions: number
  replicationFactor: number
}

export interface TopicState {
  name: string
  /** False when it existed already (then it is left as it is, whatever the spec asked). */
  created: boolean
  partitions: number
  replicationFactor: number
}

export interface SpanLog {
  /** One per process; its sends are serialised (kafkajs loses or reorders messages under concurrent sends). */
  producer(): LogProducer
  consumer(groupId: string, topics: string[]): LogConsumer
  /** Creates the topics that do not exist yet; existing ones are left as they are. Returns what the broker has. */
  ensureTopics(topics: TopicSpec[]): Promise<TopicState[]>
}
