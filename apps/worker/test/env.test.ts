import { describe, expect, it } from 'vitest'
import { EnvError, parseWorkerEnv } from '../src/env.js'

describe('worker env', () => {
  it('needs KAFKA_BROKERS and names it when missing or malformed', () => {
    expect(() => parseWorkerEnv({})).toThrow(/KAFKA_BROKERS: required/)
    expect(() => parseWorkerEnv({ KAFKA_BROKERS: 'kafka' })).toThrow(EnvError)
    expect(() => parseWorkerEnv({ KAFKA_BROKERS: 'a:9092, b' })).toThrow(/KAFKA_BROKERS: expected host:port/)
  })

  it('splits the broker list and keeps the defaults it shares with the API', () => {
    const env = parseWorkerEnv({ KAFKA_BROKERS: 'a:9092, b:9093', CLICKHOUSE_URL: '' })
    expect(env.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093'])
    expect(env).toMatchObject({
      KAFKA_CLIENT_ID: 'tollgate',
      CLICKHOUSE_DB: 'tollgate',
      DATA_RETENTION_DAYS: 30,
      KAFKA_TOPIC_PARTITIONS: 6,
      WORKER_PORT: 3002,
    })
    expect(env.CLICKHOUSE_URL).toBeUndefined()
  })

  it('refuses out-of-range numbers', () => {
    expect(() => parseWorkerEnv({ KAFKA_BROKERS: 'a:1', KAFKA_TOPIC_PARTITIONS: '0' })).toThrow(
      /KAFKA_TOPIC_PARTITIONS/,
    )
    expect(() => parseWorkerEnv({ KAFKA_BROKERS: 'a:1', DATA_RETENTION_DAYS: '36501' })).toThrow(/DATA_RETENTION_DAYS/)
  })
})
