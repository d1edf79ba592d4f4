import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKafkaLog, type ConsumedRecord, type SpanLog } from '@tollgate/pipeline'
import { kafkaUnavailable, startBroker, type Broker } from './broker.js'
import { readTopic } from './spans.js'

// The SpanLog interface on kafkajs, on a real Apache Kafka broker: topic creation from the
// configuration, the LZ4 codec as the broker stores it, and the guards against kafkajs' known issues
// (concurrent send(), an eachBatch that throws). The worker's use of them is in kafka.flow/faults.
const unavailable = kafkaUnavailable()
if (unavailable) console.warn(`skipped: ${unavailable}`)

let topicCount = 0
const freshTopic = (): string => `test.log.${Date.now()}.${++topicCount}`
const text = (r: ConsumedRecord): string => r.value?.toString('utf8') ?? ''

/** The compression codec of every record batch in a partition's segment files (attributes & 7; 3 = LZ4). */
function segmentCodecs(broker: Broker, topic: string, partition: number): number[] {
  const dir = join(broker.dir, 'logs', `${topic}-${partition}`)
  const codecs: number[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const buf = readFileSync(join(dir, file))
    // RecordBatch v2: baseOffset int64, batchLength int32, leaderEpoch int32, magic int8, crc int32, attributes int16.
    for (let at = 0; at + 23 <= buf.length; at += 12 + buf.readInt32BE(at + 8))
      codecs.push(buf.readInt16BE(at + 21) & 7)
  }
  return codecs
}

describe.skipIf(unavailable)('SpanLog on kafkajs, on a real broker', () => {
  let broker: Broker
  let log: SpanLog

  beforeAll(async () => {
    broker = await startBroker()
    log = createKafkaLog({ brokers: [broker.brokers], clientId: 'test-log' })
  })
  afterAll(async () => {
    try {
      await log?.producer().close()
    } finally {
      await broker?.destroy()
    }
  })

  it('creates a missing topic with the configured partitions and replication, and leaves an existing one as it is', async () => {
    const name = freshTopic()
    expect(await log.ensureTopics([{ name, partitions: 3, replicationFactor: 1 }])).toEqual([
      { name, created: true, partitions: 3, replicationFactor: 1 },
    ])
    expect(await log.ensureTopics([{ name, partitions: 5, replicationFactor: 1 }])).toEqual([
      { name, created: false, partitions: 3, replicationFactor: 1 },
    ])
  })

  it('produces LZ4: the broker validates and stores the batches LZ4-compressed, a consumer reads them back', async () => {
    const topic = freshTopic()
    await log.ensureTopics([{ name: topic, partitions: 1, replicationFactor: 1 }])
    const values = Array.from({ length: 200 }, (_, i) => `{"v":1,"n":${i},"text":"${'lorem ipsum '.repeat(20)}"}`)
    await log.producer().send(
      topic,
      values.map((value) => ({ key: 'k', value })),
    )
    const codecs = segmentCodecs(broker, topic, 0)
    expect(codecs.length).toBeGreaterThan(0)
    expect(codecs.every((c) => c === 3)).toBe(true)
    expect((await readTopic(broker.brokers, topic, values.length)).map(text)).toEqual(values)
  })

  it('concurrent send() calls: every record stored once, in call order per partition (kafkajs#598)', async () => {
    const topic = freshTopic()
    await log.ensureTopics([{ name: topic, partitions: 2, replicationFactor: 1 }])
    const calls = 40
    const perCall = 25
    await Promise.all(
      Array.from({ length: calls }, (_, c) =>
        log.producer().send(
          topic,
          Array.from({ length: perCall }, (_, j) => ({ key: `k${j % 4}`, value: `${c}:${j}` })),
        ),
      ),
    )
    const records = await readTopic(broker.brokers, topic, calls * perCall)
    const values = records.map(text)
    expect(values).toHaveLength(calls * perCall)
    expect(new Set(values).size).toBe(calls * perCall)
    // Within each key (one partition), records appear in the order they were passed to send().
    const byKey = new Map<string, number[]>()
    for (const r of records) {
      const [c, j] = text(r).split(':').map(Number)
      byKey.set(r.key ?? '', [...(byKey.get(r.key ?? '') ?? []), (c ?? 0) * perCall + (j ?? 0)])
    }
    expect(byKey.size).toBe(4)
    for (const seq of byKey.values()) expect(seq).toEqual([...seq].sort((a, b) => a - b))
  })

  it('a batch handler that throws gets the same records again from the last commit: none skipped (kafkajs#238)', async () => {
    const topic = freshTopic()
    await log.ensureTopics([{ name: topic, partitions: 1, replicationFactor: 1 }])
    const first = Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `a${i}` }))
    await log.producer().send(topic, first)
    const group = `test-throws-${topicCount}`
    const deliveries: string[][] = []
    const consumer = log.consumer(group, [topic])
    await consumer.run(async (batch) => {
      deliveries.push(batch.records.map(text))
      if (deliveries.length === 1) throw new Error('handler failed before storing anything')
      await batch.commit(batch.records.at(-1)?.offset ?? '0')
    })
    const until = Date.now() + 60_000
    while (deliveries.flat().filter((v) => v === 'a9').length < 2 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100))
    await consumer.close()
    expect(consumer.crashed).toBeNull()
    // Delivered again from offset 0 after the throw, not from past the failed batch.
    expect(deliveries[0]?.[0]).toBe('a0')
    expect(deliveries[1]?.[0]).toBe('a0')
    expect(new Set(deliveries.slice(1).flat())).toEqual(new Set(first.map((m) => m.value)))

    // The commit after the redelivery holds: the group's next member reads only what came after.
    await log.producer().send(topic, [{ key: 'k', value: 'b0' }])
    const later: string[] = []
    const next = log.consumer(group, [topic])
    await next.run(async (batch) => {
      later.push(...batch.records.map(text))
      await batch.commit(batch.records.at(-1)?.offset ?? '0')
    })
    const wait = Date.now() + 60_000
    while (later.length === 0 && Date.now() < wait) await new Promise((r) => setTimeout(r, 100))
    await next.close()
    expect(later).toEqual(['b0'])
  })
})
