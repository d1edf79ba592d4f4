import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { severableChdb } from './faults.js'
import { ids, span, startTestServer, tempDataDir } from './harness.js'

// Reads while ClickHouse cannot be reached are back-pressure (503 + Retry-After, problem+json), not
// an opaque 500; once it is back, they answer again.
const dataDir = tempDataDir()
const ch = severableChdb(dataDir)
let server: RunningServer
beforeAll(async () => {
  server = await startTestServer({ DATA_DIR: dataDir }, { clickhouseConnection: ch.connection })
})
afterAll(() => server.close())

describe('reads with ClickHouse down', () => {
  it('answer 503 with Retry-After and recover', async () => {
    const { traceId, spanId } = ids()
    const ok = await fetch(`${server.url}/api/ingest?consistency=strong`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(span({ trace_id: traceId, span_id: spanId(1) })),
    })
    expect(ok.status).toBe(202)
    ch.sever()
    for (const path of ['/api/traces', `/api/traces/${traceId}/spans`]) {
      const res = await fetch(`${server.url}${path}`)
      expect(res.status, path).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(((await res.json()) as { type: string }).type).toMatch(/\/unavailable$/)
    }
    ch.heal()
    expect((await fetch(`${server.url}/api/traces/${traceId}/spans`)).status).toBe(200)
  })
})
