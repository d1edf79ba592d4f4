// A full disk under DATA_DIR, for real: the data directory lives on its own small tmpfs, which the test
// fills. /ready says so (503, Retry-After, disk: full); ingest answers 202 while the log's preallocated
// segment still has room (those spans are on disk), then 503 + Retry-After once the stores cannot take
// them — never a 500 — while /health stays up; freeing the space brings everything back and every span
// answered 202 becomes queryable. Mounting needs root, as CI (.ci/run) has: this fails, never skips.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { ids, span, startTestServer } from './harness.js'

const KEY = 'disk-test-instance-key-0123456789'
const headers = { 'x-api-key': KEY, 'content-type': 'application/json' }
let mountpoint: string
let s: RunningServer
const filler = (): string => join(mountpoint, 'filler')

beforeAll(async () => {
  mountpoint = mkdtempSync(join(tmpdir(), 'tollgate-disk-'))
  // Room for the engines' start (~110 MB: two 32 MiB log segments, PGlite, chDB) plus the 256 MiB /ready wants free.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=480m', 'tmpfs', mountpoint])
  s = await startTestServer({
    API_KEY: KEY,
    DATA_DIR: join(mountpoint, 'data'),
    // A small log limit: with ClickHouse refusing inserts, the log fills after a few requests.
    INGEST_LOG_MAX_BYTES: String(2 * 1024 * 1024),
    RATE_LIMIT_KEY_PER_S: '0',
    RATE_LIMIT_PROJECT_PER_S: '0',
  })
}, 120_000)

afterAll(async () => {
  await s?.close()
  if (mountpoint) {
    execFileSync('umount', ['-l', mountpoint])
    rmSync(mountpoint, { recursive: true, force: true })
  }
})

/** Writes zeros until the filesystem refuses (ENOSPC): tmpfs allocates pages as they are written. */
function fillDisk(): void {
  // cat stops at ENOSPC (its exit status says so, and is expected).
  execFileSync('sh', ['-c', `cat /dev/zero > '${filler()}' 2>/dev/null; true`])
  // Whatever a large write could not use (a partial page) is taken by small ones.
  for (let i = 0; i < 64; i++) {
    try {
      writeFileSync(`${filler()}-${i}`, Buffer.alloc(4096))
    } catch {
      break
    }
  }
}

const free = (): number => {
  const fs = statfsSync(mountpoint)
  return fs.bavail * fs.bsize
}

async function ready(): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/ready`)
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as never }
}

function batch(traceId: string, spanId: (i: number) => string, from: number): unknown[] {
  // ~20 KB a span: the log's 2 MiB is reached in a few requests.
  return Array.from({ length: 20 }, (_, i) =>
    span({ trace_id: traceId, span_id: spanId(from + i), input: 'x'.repeat(20_000) }),
  )
}

describe('a full disk', () => {
  it('is reported by /ready and answered 503 + Retry-After by ingest, never 500, and recovered from', async () => {
    // Before: ready, and a span is stored.
    expect((await ready()).status).toBe(200)
    const control = ids()
    const before = await fetch(`${s.url}/api/ingest?consistency=strong`, {
      method: 'POST',
      headers,
      body: JSON.stringify(span({ trace_id: control.traceId, span_id: control.spanId(1) })),
    })
    expect(before.status).toBe(202)

    fillDisk()
    expect(free()).toBeLessThan(1024 * 1024)
    const full = await ready()
    expect(full.status).toBe(503)
    expect(full.retryAfter).not.toBeNull()
    expect(full.body).toMatchObject({ status: 'unavailable', checks: { disk: 'full' } })

    // Ingest until refused: every answer a 202 (durable in the preallocated log) or a 503 with Retry-After.
    const { traceId, spanId } = ids()
    let accepted = 0
    let refused: Response | undefined
    for (let round = 0; round < 60 && !refused; round++) {
      const res = await fetch(`${s.url}/api/ingest`, {
        method: 'POST',
        headers,
        body: JSON.stringify(batch(traceId, spanId, round * 20)),
      })
      expect([202, 503, 507], `round ${round}`).toContain(res.status)
      if (res.status === 202) accepted += ((await res.json()) as { accepted: number }).accepted
      else refused = res
      expect((await fetch(`${s.url}/health`)).status).toBe(200)
    }
    if (!refused) throw new Error('ingest was never refused on a full disk')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(refused.headers.get('content-type')).toContain('application/problem+json')
    expect(((await refused.json()) as { type: string }).type).toMatch(/\/unavailable$/)
    // Reads still answer (ClickHouse reads need no space).
    expect((await fetch(`${s.url}/api/traces/${control.traceId}/spans`, { headers })).status).toBe(200)

    // Space again: ready within a bounded wait, ingest takes spans, and every span answered 202 is stored.
    rmSync(filler(), { force: true })
    for (let i = 0; i < 64; i++) rmSync(`${filler()}-${i}`, { force: true })
    let back = await ready()
    for (let i = 0; i < 300 && back.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200))
      back = await ready()
    }
    expect(back.status).toBe(200)
    const after = ids()
    const res = await fetch(`${s.url}/api/ingest?consistency=strong`, {
      method: 'POST',
      headers,
      body: JSON.stringify(span({ trace_id: after.traceId, span_id: after.spanId(1) })),
    })
    expect(res.status).toBe(202)
    let stored = 0
    for (let i = 0; i < 300 && stored < accepted; i++) {
      const page = await fetch(`${s.url}/api/traces/${traceId}/spans?limit=1000`, { headers })
      stored = page.status === 200 ? ((await page.json()) as { spans: unknown[] }).spans.length : 0
      if (stored < accepted) await new Promise((r) => setTimeout(r, 200))
    }
    expect(accepted).toBeGreaterThan(0)
    expect(stored).toBe(accepted)
  }, 180_000)
})
