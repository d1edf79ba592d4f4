import { describe, expect, it } from 'vitest'
import { EnvError, parseEnv } from '../src/env.js'

describe('parseEnv', () => {
  it('has the documented defaults and local mode on loopback', () => {
    const env = parseEnv({})
    expect(env).toMatchObject({
      PORT: 3001,
      DATA_DIR: './.data',
      CLICKHOUSE_DB: 'tollgate',
      DATA_RETENTION_DAYS: 30,
      MAX_BODY_BYTES: 5 * 1024 * 1024,
      LOCAL_MODE: true,
      HOST: '127.0.0.1',
      ZERO_DATA_RETENTION: false,
    })
  })

  it('turns local mode off and listens everywhere when a key is set', () => {
    expect(parseEnv({ API_KEY: 'x'.repeat(16) })).toMatchObject({ LOCAL_MODE: false, HOST: '0.0.0.0' })
    expect(parseEnv({ API_KEY: 'x'.repeat(16), HOST: '127.0.0.1' }).HOST).toBe('127.0.0.1')
  })

  it.each([
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('reads ZERO_DATA_RETENTION=%s as %s (not coerce-to-true)', (value, expected) => {
    expect(parseEnv({ ZERO_DATA_RETENTION: value }).ZERO_DATA_RETENTION).toBe(expected)
  })

  it('treats empty variables as unset', () => {
    expect(parseEnv({ API_KEY: '', PORT: '' })).toMatchObject({ LOCAL_MODE: true, PORT: 3001 })
  })

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ CLICKHOUSE_URL: 'not a url' }, 'CLICKHOUSE_URL'],
    [{ CLICKHOUSE_DB: 'drop table;' }, 'CLICKHOUSE_DB'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATA_RETENTION_DAYS: '0' }, 'DATA_RETENTION_DAYS'],
    [{ EMBEDDING_SAMPLE_RATE: '2' }, 'EMBEDDING_SAMPLE_RATE'],
    [{ PII_POLICY: 'shred' }, 'PII_POLICY'],
    [{ ZERO_DATA_RETENTION: 'maybe' }, 'ZERO_DATA_RETENTION'],
    [{ API_KEY: 'short' }, 'API_KEY'],
    [{ LOCAL_MODE: 'false' }, 'LOCAL_MODE'],
    [{ JWT_SECRET: 's'.repeat(32), JWT_JWKS_URL: 'https://x/jwks' }, 'JWT_JWKS_URL'],
  ])('rejects %j naming %s', (source, name) => {
    expect(() => parseEnv(source)).toThrow(EnvError)
    expect(() => parseEnv(source)).toThrow(new RegExp(name))
  })
})
