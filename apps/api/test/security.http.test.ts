import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { removeDir, startTestServer } from './harness.js'

const KEY = 'http-test-instance-key-0123456789'
let s: RunningServer & { dataDir: string }
beforeAll(async () => {
  s = await startTestServer({ API_KEY: KEY })
})
afterAll(async () => {
  await s.close()
  removeDir(s.dataDir)
})

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(s.port, '127.0.0.1')
    let data = ''
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')))
    socket.on('end', () => resolve(data))
    socket.on('close', () => resolve(data))
    socket.on('error', reject)
    socket.write(request)
  })
}

describe('wrong methods on known paths', () => {
  it.each([
    ['POST', '/health', 'GET, HEAD'],
    ['DELETE', '/api/traces', 'GET, HEAD'],
    ['PUT', '/api/projects', 'GET, HEAD, POST'],
    ['GET', '/api/ingest', 'POST'],
    ['PATCH', '/api/traces/4bf92f3577b34da6a3ce929d0e0e4736/spans', 'GET, HEAD'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const res = await fetch(s.url + path, { method, headers: { 'x-api-key': KEY } })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe(allow)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
  })

  it('still answers 404 for unknown paths', async () => {
    expect((await fetch(`${s.url}/api/nope`, { headers: { 'x-api-key': KEY } })).status).toBe(404)
  })
})

describe("Node's parser errors", () => {
  it('answers a malformed request line with 400 problem+json', async () => {
    const res = await raw('GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(res).toMatch(/^HTTP\/1\.1 400 /)
    expect(res).toContain('Content-Type: application/problem+json')
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 400,
      type: expect.stringMatching(/bad-request$/) as unknown,
    })
  })

  it('answers oversized headers with 431 problem+json', async () => {
    const res = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)
    expect(res).toMatch(/^HTTP\/1\.1 431 /)
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431 })
  })

  it('keeps serving after them', async () => {
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
  })
})

/** protobuf: a varint, and a length-delimited field. */
function varint(n: number): number[] {
  const out: number[] = []
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128)
  out.push(n)
  return out
}
const ld = (field: number, bytes: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(bytes.length)]), bytes])

/**
 * An OTLP AnyValue nesting kvlists `depth` deep, written outside in (a recursive encoder, like the
 * decoder, would overflow the stack at these depths).
 */
function deepAnyValue(depth: number): Buffer {
  const leaf = ld(1, Buffer.from('leaf'))
  const key = ld(1, Buffer.from('k'))
  const sizes = [leaf.length]
  const prefixes: Buffer[] = []
  for (let i = 1; i <= depth; i++) {
    const inner = sizes[i - 1] ?? 0
    const kv = key.length + 1 + varint(inner).length + inner
    const list = 1 + varint(kv).length + kv
    sizes.push(1 + varint(list).length + list)
    prefixes.push(Buffer.from([0x32, ...varint(list), 0x0a, ...varint(kv), ...key, 0x12, ...varint(inner)]))
  }
  return Buffer.concat([...prefixes.reverse(), leaf])
}

function fixed64(field: number, value: bigint): Buffer {
  const b = Buffer.alloc(9)
  b[0] = (field << 3) | 1
  b.writeBigUInt64LE(value, 1)
  return b
}

/** An ExportTraceServiceRequest of one span whose attribute `deep` nests `depth` kvlists. */
function deepOtlpProtobuf(depth: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n
  const span = Buffer.concat([
    ld(1, Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex')),
    ld(2, Buffer.from('00f067aa0ba902b7', 'hex')),
    ld(5, Buffer.from('chat')),
    fixed64(7, now - 1_000_000_000n),
    fixed64(8, now),
    ld(9, Buffer.concat([ld(1, Buffer.from('deep')), ld(2, deepAnyValue(depth))])),
  ])
  return ld(1, ld(2, ld(2, span)))
}

function deepOtlpJson(depth: number, where: 'span' | 'resource'): string {
  // Built as text: JSON.stringify recurses too.
  const open = '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth)
  const value = open + '{"stringValue":"leaf"}' + '}]}}'.repeat(depth)
  const now = Date.now() * 1_000_000
  const span = (id: string, attributes: string): string =>
    `{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"${id}","name":"chat","startTimeUnixNano":"${now - 1e9}","endTimeUnixNano":"${now}","attributes":[${attributes}]}`
  const deep = `{"key":"deep","value":${value}}`
  return where === 'span'
    ? `{"resourceSpans":[{"scopeSpans":[{"spans":[${span('00f067aa0ba902b7', deep)},${span('00f067aa0ba902b8', '')}]}]}]}`
    : `{"resourceSpans":[{"resource":{"attributes":[${deep}]},"scopeSpans":[{"spans":[${span('00f067aa0ba902b9', '')}]}]}]}`
}

describe('OTLP bodies nested beyond any limit', () => {
  const send = (body: string | Buffer, type: string) =>
    fetch(`${s.url}/v1/traces`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': type },
      body: new Uint8Array(typeof body === 'string' ? Buffer.from(body) : body),
    })

  it('refuses a span whose attribute nests 20,000 deep on its own index (JSON), storing its neighbour', async () => {
    const res = await send(deepOtlpJson(20_000, 'span'), 'application/json')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: 'span 0: attributes.deep: nested deeper than 64 levels' },
    })
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
  })

  it('refuses a request whose resource attribute nests 20,000 deep with a 400 naming it', async () => {
    const res = await send(deepOtlpJson(20_000, 'resource'), 'application/json')
    expect(res.status).toBe(400)
    expect(((await res.json()) as { detail: string }).detail).toContain('resource.attributes.deep')
  })

  it("answers protobuf nesting 20,000 deep with 400 problem+json (the decoder's depth limit), never a 500", async () => {
    const res = await send(deepOtlpProtobuf(20_000), 'application/x-protobuf')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(((await res.json()) as { detail: string }).detail).toMatch(/nesting depth/)
    // The same encoder's shallow body is a valid request: the 400 is the depth, not the encoding.
    expect((await send(deepOtlpProtobuf(3), 'application/x-protobuf')).status).toBe(200)
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
  })
})

describe('bodies the control routes keep as JSON, nested 20,000 deep', () => {
  // Built as text: JSON.stringify recurses. Each used to answer 500 (RangeError from JSON.stringify).
  const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)
  const now = new Date().toISOString()
  it.each([
    [
      '/api/circuit-breaker/state',
      `{"scope":"agent","scope_id":"p","name":"p","event":"triggered","from":"CLOSED","to":"OPEN","reason":"cost_limit","timestamp":"${now}","snapshot":${deep}}`,
      400,
      /snapshot.*nested deeper than 64 levels/,
    ],
    ['/api/alerts/sdk-alert', `{"scope":"agent","reason":"cost_limit","details":${deep}}`, 400, /details/],
    ['/api/api/alerts/sdk-alert', `{"scope":"agent","reason":"cost_limit","sdk":${deep}}`, 400, /sdk/],
    [
      '/v1/control/events',
      `{"events":[{"event_type":"control","action":"block","budget_id":"b","data":${deep}}]}`,
      200,
      /"index":0,"error":"data: nested deeper than 64 levels"/,
    ],
    [
      '/v1/control/events',
      `{"events":[{"event_type":"metric","data":{"model":"gpt-4o","metadata":{"m":${deep}}}}]}`,
      200,
      /metadata\.m: nested deeper than 64 levels/,
    ],
    [
      '/v1/events/batch',
      `{"events":[{"event_id":"e1","operation":"chat.completions","tags":{"t":${deep}}}]}`,
      400,
      /all 1 items were rejected/,
    ],
  ])('POST %s → %i, never 500', async (path, body, status, detail) => {
    const res = await fetch(s.url + path, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(status)
    expect(await res.text()).toMatch(detail)
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
  })
})
