import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseTags, resolveConfig } from '../src/config.js'
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from '../src/ids.js'
import { SDK_VERSION } from '../src/version.js'

describe('ids', () => {
  it('generates W3C-shaped ids that do not repeat', () => {
    const traces = new Set(Array.from({ length: 2000 }, newTraceId))
    const spans = new Set(Array.from({ length: 2000 }, newSpanId))
    expect(traces.size).toBe(2000)
    expect(spans.size).toBe(2000)
    for (const t of traces) expect(t).toMatch(/^[0-9a-f]{32}$/)
    for (const s of spans) expect(s).toMatch(/^[0-9a-f]{16}$/)
  })
})

describe.each([
  [
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: true },
  ],
  [
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
    { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: false },
  ],
  [
    '  00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01 ',
    { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: true },
  ],
  [
    '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: true },
  ],
  ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', undefined],
  ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', undefined],
  ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', undefined],
  ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', undefined],
  ['00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01', undefined],
  ['garbage', undefined],
])('parseTraceparent(%j)', (header, expected) => {
  it('parses per W3C Trace Context', () => {
    expect(parseTraceparent(header)).toEqual(expected)
  })
})

describe('traceparent round trip', () => {
  it('formats what it parses', () => {
    const t = newTraceId()
    const s = newSpanId()
    expect(parseTraceparent(formatTraceparent(t, s))).toEqual({ traceId: t, parentSpanId: s, sampled: true })
  })
})

describe('config', () => {
  it('uses the documented defaults', () => {
    const c = resolveConfig({}, {})
    expect(c.endpoint).toBe('http://localhost:3001')
    expect(c.durability).toBe('durable_local')
    expect(c.flushIntervalMs).toBe(5000)
    expect(c.maxBatch).toBe(100)
    expect(c.maxBatchBytes).toBe(256 * 1024)
    expect(c.enabled).toBe(true)
    expect(c.spoolPath).toMatch(/tollgate[/\\]spool-[0-9a-f]{12}\.sqlite$/)
  })

  it('reads TOLLGATE_* variables, options win over them', () => {
    const env = {
      TOLLGATE_ENDPOINT: 'http://tg:9000/',
      TOLLGATE_API_KEY: 'k1',
      TOLLGATE_DURABILITY: 'best_effort',
      TOLLGATE_ENABLED: 'false',
      TOLLGATE_TAGS: 'team=search, env=prod',
      TOLLGATE_SAMPLE_RATE: '0.25',
    }
    const c = resolveConfig({}, env)
    expect(c).toMatchObject({
      endpoint: 'http://tg:9000',
      apiKey: 'k1',
      durability: 'best_effort',
      enabled: false,
      sampleRate: 0.25,
    })
    expect(c.tags).toEqual({ team: 'search', env: 'prod' })
    expect(resolveConfig({ endpoint: 'http://other', enabled: true, tags: { env: 'dev' } }, env)).toMatchObject({
      endpoint: 'http://other',
      enabled: true,
      tags: { team: 'search', env: 'dev' },
    })
  })

  it('clamps batches to the server limits and ignores nonsense', () => {
    const c = resolveConfig({ maxBatch: 50_000, maxBatchBytes: 1e9, flushIntervalMs: -1, sampleRate: 7 }, {})
    expect(c.maxBatch).toBe(1000)
    expect(c.maxBatchBytes).toBe(5 * 1024 * 1024)
    expect(c.flushIntervalMs).toBe(5000)
    expect(c.sampleRate).toBe(1)
  })

  it('uses one spool per endpoint and key, so a process only holds spans it may send', () => {
    const a = resolveConfig({ endpoint: 'http://a', apiKey: 'x' }, {}).spoolPath
    expect(resolveConfig({ endpoint: 'http://a', apiKey: 'x' }, {}).spoolPath).toBe(a)
    expect(resolveConfig({ endpoint: 'http://a', apiKey: 'y' }, {}).spoolPath).not.toBe(a)
    expect(resolveConfig({ endpoint: 'http://b', apiKey: 'x' }, {}).spoolPath).not.toBe(a)
  })

  it('parses tags as JSON or k=v and never throws', () => {
    expect(parseTags('{"a":"b","n":1}')).toEqual({ a: 'b', n: '1' })
    expect(parseTags('{broken')).toEqual({})
    expect(parseTags('a=1,b=x=y,junk')).toEqual({ a: '1', b: 'x=y' })
  })

  it('reports the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(SDK_VERSION).toBe(pkg.version)
  })
})
