import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { ids, removeDir, span, tempDataDir } from './harness.js'

// The real entry point in a child process, as `npm start` runs it (the root `npm test` builds first).
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const dataDir = tempDataDir()
afterAll(() => removeDir(dataDir))

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

async function start(
  port: number,
  pglitePort: number,
  extra: Record<string, string> = {},
): Promise<{ child: ChildProcess; startupMs: number }> {
  const started = Date.now()
  const env = {
    ...process.env,
    PORT: String(port),
    PGLITE_PORT: String(pglitePort),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...extra,
  }
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'inherit', 'inherit'] })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    if (Date.now() - started > 60_000) throw new Error('no /health within 60 s')
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return { child, startupMs: Date.now() - started }
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  return exited
}

describe('restart with the same DATA_DIR', () => {
  it('keeps spans in ClickHouse and the default project in Postgres', async () => {
    expect(existsSync(MAIN), 'build first: npm run build').toBe(true)
    const [port, pglitePort] = [await freePort(), await freePort()]
    const { traceId, spanId } = ids()
    const first = await start(port, pglitePort)
    // Tools reach the embedded Postgres through its socket, never by opening DATA_DIR.
    const projectCreatedAt = async (): Promise<string> => {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${pglitePort}/postgres` })
      await client.connect()
      try {
        const { rows } = await client.query<{ created_at: Date }>(
          "SELECT created_at FROM projects WHERE id = 'default'",
        )
        return rows[0]?.created_at.toISOString() ?? 'missing'
      } finally {
        await client.end()
      }
    }
    const createdAt = await projectCreatedAt()
    expect(createdAt).not.toBe('missing')
    expect(first.startupMs).toBeLessThan(60_000)
    const res = await fetch(`http://127.0.0.1:${port}/api/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        span({ trace_id: traceId, span_id: spanId(1) }),
        span({ trace_id: traceId, span_id: spanId(2), parent_span_id: spanId(1) }),
      ]),
    })
    expect(res.status).toBe(202)
    expect(await stop(first.child)).toBe(0)

    const second = await start(port, pglitePort)
    try {
      expect(await projectCreatedAt()).toBe(createdAt)
      const list = await fetch(`http://127.0.0.1:${port}/api/traces?search=${traceId}`)
      const body = (await list.json()) as { traces: Array<{ trace_id: string; span_count: number }> }
      expect(body.traces).toEqual([expect.objectContaining({ trace_id: traceId, span_count: 2 })])
      const ready = await fetch(`http://127.0.0.1:${port}/ready`)
      expect(ready.status).toBe(200)
    } finally {
      expect(await stop(second.child)).toBe(0)
    }
  })

  it('SIGTERM during ingest: every acknowledged span is there after the restart', async () => {
    const [port, pglitePort] = [await freePort(), await freePort()]
    const server = await start(port, pglitePort)
    const batches = Array.from({ length: 40 }, () => {
      const { traceId, spanId } = ids()
      return { traceId, spans: Array.from({ length: 25 }, (_, i) => span({ trace_id: traceId, span_id: spanId(i) })) }
    })
    const sends = batches.map(async (b, i) => {
      await new Promise((r) => setTimeout(r, i * 5))
      const res = await fetch(`http://127.0.0.1:${port}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b.spans),
      }).catch(() => null)
      return res?.status === 202 ? b.traceId : null
    })
    setTimeout(() => server.child.kill('SIGTERM'), 60)
    const acked = (await Promise.all(sends)).filter((id): id is string => id !== null)
    await new Promise<void>((resolve) =>
      server.child.exitCode !== null ? resolve() : server.child.once('exit', () => resolve()),
    )
    expect(server.child.exitCode).toBe(0)
    expect(acked.length).toBeGreaterThan(0) // the stop really landed mid-stream, not before it

    const again = await start(port, pglitePort)
    try {
      for (const traceId of acked) {
        const res = await fetch(`http://127.0.0.1:${port}/api/traces/${traceId}/spans`)
        expect(res.status, `acknowledged trace ${traceId}`).toBe(200)
        expect(((await res.json()) as { spans: unknown[] }).spans).toHaveLength(25)
      }
    } finally {
      expect(await stop(again.child)).toBe(0)
    }
  })

  it("keeps an existing data directory's spans when restarted at either retention bound", async () => {
    // 36,500 days is the bound: as 32-bit TTL arithmetic (the previous release) it wrapped and
    // deleted every span on restart. 1 day must keep today's spans.
    const [port, pglitePort] = [await freePort(), await freePort()]
    const recent = ids()
    const older = ids()
    const first = await start(port, pglitePort)
    const at = (ms: number) => ({ start_time: new Date(ms).toISOString(), end_time: new Date(ms + 1000).toISOString() })
    const res = await fetch(`http://127.0.0.1:${port}/api/ingest?consistency=strong`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        span({ trace_id: recent.traceId, span_id: recent.spanId(1), ...at(Date.now() - 3_600_000) }),
        span({ trace_id: older.traceId, span_id: older.spanId(1), ...at(Date.now() - 20 * 86_400_000) }),
      ]),
    })
    expect(res.status).toBe(202)
    expect(await stop(first.child)).toBe(0)
    const spansOf = async (traceId: string): Promise<number> => {
      const r = await fetch(`http://127.0.0.1:${port}/api/traces/${traceId}/spans`)
      return r.status === 200 ? ((await r.json()) as { spans: unknown[] }).spans.length : 0
    }
    for (const days of ['36500', '1', '30']) {
      const again = await start(port, pglitePort, { DATA_RETENTION_DAYS: days })
      try {
        expect(await spansOf(recent.traceId), `recent span at DATA_RETENTION_DAYS=${days}`).toBe(1)
        if (days === '36500') expect(await spansOf(older.traceId), 'older span at the longest retention').toBe(1)
      } finally {
        expect(await stop(again.child)).toBe(0)
      }
    }
  })

  it('refuses a retention past the bound and names the variable', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, DATA_RETENTION_DAYS: '36501', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(1)
    expect(stderr).toContain('DATA_RETENTION_DAYS')
  })

  it('refuses to start on a bad variable and names it', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: 'not-a-port', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(1)
    expect(stderr).toContain('PORT')
  })
})
