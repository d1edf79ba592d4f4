import { request as httpRequest } from 'node:http'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { span, startTestServer } from './harness.js'

// Through a real socket: the limits must hold whatever the client claims in its headers.
let server: RunningServer
const MAX = 64 * 1024
beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: String(MAX), MAX_SPANS_PER_REQUEST: '10' })
})
afterAll(() => server.close())

function post(
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}/api/ingest`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

const problemType = (body: string): string => (JSON.parse(body) as { type: string }).type

describe('ingest limits over a real socket', () => {
  it('413 when Content-Length is over the limit', async () => {
    const res = await post('x'.repeat(MAX + 1), { 'content-type': 'application/json' })
    expect(res.status).toBe(413)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(problemType(res.body)).toMatch(/\/payload-too-large$/)
  })

  it('413 for a chunked body without Content-Length', async () => {
    const res = await post(JSON.stringify([span({ input: 'x'.repeat(MAX) })]), {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    })
    expect(res.status).toBe(413)
  })

  it('413 for a gzip bomb: small on the wire, over the limit decompressed', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20))
    expect(bomb.length).toBeLessThan(MAX)
    const before = process.memoryUsage().rss
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    expect(res.status).toBe(413)
    // Decompression stopped at the limit instead of inflating 50 MiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024)
  })

  it('413 for more spans than allowed in one request', async () => {
    const res = await post(JSON.stringify(Array.from({ length: 11 }, () => span())), {
      'content-type': 'application/json',
    })
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body)).toMatchObject({ limit: 10 })
  })

  it.each([
    ['truncated JSON', '{"trace_id": '],
    ['not JSON at all', 'hello'],
    ['empty body', ''],
  ])('400 for %s', async (_, body) => {
    const res = await post(body, { 'content-type': 'application/json' })
    expect(res.status).toBe(400)
    expect(problemType(res.body)).toMatch(/\/malformed-json$/)
  })

  it('400 for JSON that is not a span, an array or { spans }', async () => {
    const res = await post('42', { 'content-type': 'application/json' })
    expect(res.status).toBe(400)
    expect(problemType(res.body)).toMatch(/\/validation$/)
  })

  it('a deeply nested body is a clean 4xx, not a crash', async () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000)
    const res = await post(deep, { 'content-type': 'application/json' })
    expect(res.status).toBe(400)
    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
  })

  it('415 for a body that is not JSON by type', async () => {
    const res = await post('<xml/>', { 'content-type': 'application/xml' })
    expect(res.status).toBe(415)
  })

  it('415 for an unsupported Content-Encoding', async () => {
    const res = await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' })
    expect(res.status).toBe(415)
  })

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await fetch(`${server.url}/api/nope`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
  })
})
