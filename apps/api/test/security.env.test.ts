import { describe, expect, it } from 'vitest'
import { EnvError, parseCliEnv, parseEnv } from '../src/env.js'
import { createLogger } from '../src/lib/logger.js'
import { warnIfOpenAndExposed } from '../src/server.js'

const KEY = 'x'.repeat(16)

describe('auth configuration', () => {
  it.each([
    [{ LOCAL_MODE: 'true', API_KEY: KEY }],
    [{ LOCAL_MODE: 'true', JWT_SECRET: 's'.repeat(32) }],
    [{ LOCAL_MODE: 'true', JWT_JWKS_URL: 'https://issuer.example/jwks' }],
  ])('refuses LOCAL_MODE=true with credentials %j (no silent bypass)', (source) => {
    expect(() => parseEnv(source)).toThrow(EnvError)
    expect(() => parseEnv(source)).toThrow(/LOCAL_MODE/)
  })

  it.each(['0.0.0.0', '::', '192.168.1.10'])(
    'refuses an open API on HOST=%s unless LOCAL_MODE=true is explicit',
    (host) => {
      expect(() => parseEnv({ HOST: host })).toThrow(/HOST/)
      expect(parseEnv({ HOST: host, LOCAL_MODE: 'true' })).toMatchObject({ HOST: host, LOCAL_MODE: true })
      expect(parseEnv({ HOST: host, API_KEY: KEY })).toMatchObject({ HOST: host, LOCAL_MODE: false })
    },
  )

  it.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])('lets local mode bind loopback %s', (host) => {
    expect(parseEnv({ HOST: host })).toMatchObject({ HOST: host, LOCAL_MODE: true })
  })

  it('binds loopback by default in local mode', () => {
    expect(parseEnv({}).HOST).toBe('127.0.0.1')
  })

  it('warns at every start when an explicit local mode listens beyond loopback', () => {
    const lines: string[] = []
    const logger = createLogger('info', (l) => lines.push(l))
    expect(warnIfOpenAndExposed(parseEnv({ HOST: '0.0.0.0', LOCAL_MODE: 'true' }), logger)).toBe(true)
    expect(lines.join('\n')).toContain('auth.local_mode_exposed')
    expect(warnIfOpenAndExposed(parseEnv({}), logger)).toBe(false)
    expect(warnIfOpenAndExposed(parseEnv({ HOST: '0.0.0.0', API_KEY: KEY }), logger)).toBe(false)
    expect(lines).toHaveLength(1)
    warnIfOpenAndExposed(parseEnv({ PGLITE_PORT: '5433' }), logger)
    expect(lines[1]).toContain('postgres.tcp_open')
  })

  it.each([
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ API_KEY: KEY, RATE_LIMIT_KEY_BURST: '0' }, 'RATE_LIMIT_KEY_BURST'],
    [{ API_KEY: KEY, METRICS_PUBLIC: 'maybe' }, 'METRICS_PUBLIC'],
  ])('rejects %j naming %s', (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(name))
  })
})

describe('CLI configuration', () => {
  it('defaults to the local server and takes the key from TOLLGATE_API_KEY, else API_KEY', () => {
    expect(parseCliEnv({})).toEqual({ TOLLGATE_URL: 'http://127.0.0.1:3001', TOLLGATE_API_KEY: undefined })
    expect(parseCliEnv({ API_KEY: 'a', TOLLGATE_API_KEY: 'b' }).TOLLGATE_API_KEY).toBe('b')
    expect(parseCliEnv({ API_KEY: 'a' }).TOLLGATE_API_KEY).toBe('a')
    expect(() => parseCliEnv({ TOLLGATE_URL: 'nope' })).toThrow(/TOLLGATE_URL/)
  })
})
