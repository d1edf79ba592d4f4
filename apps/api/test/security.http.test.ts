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
