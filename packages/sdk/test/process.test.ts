import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TollgateClient } from '../src/client.js'
import type { FakeIngest } from './helpers/fake-ingest.js'
import { startFakeIngest } from './helpers/fake-ingest.js'
import type { FakeProvider } from './helpers/fake-provider.js'
import { startFakeProvider } from './helpers/fake-provider.js'
import { tempDir } from './helpers/tmp.js'
import { REPO_ROOT, freePort, startTollgate } from './helpers/tollgate.js'

const FIXTURES = join(REPO_ROOT, 'packages/sdk/test/fixtures')
let tmp: ReturnType<typeof tempDir>

beforeAll(() => {
  // Child processes run the built SDK; build it (incrementally) so they never run stale code.
  const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/sdk'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
  if (tsc.status !== 0) throw new Error(`building the SDK failed: ${tsc.stdout}${tsc.stderr}`)
  tmp = tempDir()
}, 120_000)
afterAll(() => tmp.cleanup())

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** `kill`: SIGKILL after `ms`, counted from spawn or from the child's `S` (started) line. */
type Kill = { ms: number; from: 'spawn' | 'started' }

function runNode(
  script: string,
  env: Record<string, string>,
  kill?: Kill,
  onLine?: (line: string) => void,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(FIXTURES, script)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let partial = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      partial += d.toString()
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const l of lines) {
        if (l === 'S' && kill?.from === 'started') timer = setTimeout(() => child.kill('SIGKILL'), kill.ms)
        onLine?.(l)
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    let timer = kill?.from === 'spawn' ? setTimeout(() => child.kill('SIGKILL'), kill.ms) : undefined
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

function integrity(path: string): string {
  const db = new Database(path)
  try {
    return String(db.pragma('integrity_check', { simple: true }))
  } finally {
    db.close()
  }
}

function spoolCount(path: string): number {
  const db = new Database(path)
  try {
    return Number(db.prepare('SELECT COUNT(*) FROM spans').pluck().get())
  } finally {
    db.close()
  }
}

describe('offline, then online: the spool keeps spans and delivers them later', () => {
  let provider: FakeProvider
  beforeAll(async () => {
    provider = await startFakeProvider()
  })
  afterAll(() => provider.close())

  it('spools while the backend is down; a new process delivers each span exactly once', async () => {
    const port = await freePort()
    const endpoint = `http://127.0.0.1:${port}`
    const spool = join(tmp.dir, 'offline.sqlite')
    const calls = 12
    const app = await runNode('offline-app.mjs', {
      ENDPOINT: endpoint,
      SPOOL: spool,
      PROVIDER: provider.openaiBase,
      CALLS: String(calls),
    })
    expect(app.stderr).toBe('')
    expect(app.code).toBe(0)
    const { traces, latencies } = JSON.parse(app.stdout) as { traces: string[]; latencies: number[] }
    expect(traces).toHaveLength(calls)
    // The application ran normally: every call answered, none waited on the dead backend.
    expect([...latencies].sort((a, b) => a - b)[Math.floor(calls / 2)]).toBeLessThan(250)
    expect(spoolCount(spool)).toBe(calls * 2)

    const tollgate = await startTollgate(join(tmp.dir, 'tollgate-data'), port)
    try {
      for (let i = 0; i < 2; i++) {
        const deliver = await runNode('deliver-app.mjs', { ENDPOINT: endpoint, SPOOL: spool })
        expect(deliver.code).toBe(0)
      }
      expect(spoolCount(spool)).toBe(0)
      const list = await tollgate.get<{ traces: { trace_id: string; span_count: number; input_tokens: number }[] }>(
        '/api/traces?limit=100',
      )
      const ours = list.traces.filter((t) => traces.includes(t.trace_id))
      expect(ours.map((t) => t.trace_id).sort()).toEqual([...traces].sort())
      for (const t of ours) expect(t).toMatchObject({ span_count: 2, input_tokens: 11 })
    } finally {
      await tollgate.stop()
    }
  }, 180_000)
})

describe('SIGKILL at random moments: the spool never corrupts, committed spans survive', () => {
  let ingest: FakeIngest
  beforeAll(async () => {
    ingest = await startFakeIngest()
    // Some sends fail, so leases are released and retried while processes die.
    ingest.fallback = (b) =>
      Math.random() < 0.25 ? { status: 503 } : { status: 202, body: { accepted: b.spans.length, rejected: [] } }
  })
  afterAll(() => ingest.close())

  it('never corrupts the spool and never loses a committed span', async () => {
    const spool = join(tmp.dir, 'kill.sqlite')
    const committed = new Map<number, number>()
    const iterations = 25
    let afterStart = 0
    for (let run = 1; run <= iterations; run++) {
      // Most kills land while spans are reported, committed and sent; every fifth one at any
      // moment from spawn on, opening the spool included.
      const kill: Kill =
        run % 5 === 0
          ? { ms: Math.floor(Math.random() * 300), from: 'spawn' }
          : { ms: 20 + Math.floor(Math.random() * 280), from: 'started' }
      if (kill.from === 'started') afterStart++
      const r = await runNode(
        'kill-app.mjs',
        { ENDPOINT: ingest.url, SPOOL: spool, RUN: String(run) },
        kill,
        (line) => {
          const m = /^C (\d+)$/.exec(line)
          if (m) committed.set(run, Number(m[1]))
        },
      )
      expect(r.signal, r.stderr).toBe('SIGKILL')
      expect(integrity(spool)).toBe('ok')
    }
    const total = [...committed.values()].reduce((a, b) => a + b, 0)
    expect(committed.size).toBeGreaterThanOrEqual(afterStart)
    expect(total).toBeGreaterThan(100)

    ingest.fallback = (b) => ({ status: 202, body: { accepted: b.spans.length, rejected: [] } })
    const last = new TollgateClient(
      {
        endpoint: ingest.url,
        spoolPath: spool,
        policyPollIntervalMs: 0,
        maxBatch: 1000,
        maxBatchBytes: 4 * 1024 * 1024,
      },
      { env: {} },
    ).start()
    await last.flush()
    await last.shutdown()
    expect(spoolCount(spool)).toBe(0)

    const delivered = new Set(ingest.accepted().map((s) => s.span_id))
    const lost: string[] = []
    for (const [run, n] of committed) {
      const prefix = run.toString(16).padStart(4, '0')
      for (let i = 0; i < n; i++) {
        const id = `${prefix}${i.toString(16).padStart(12, '0')}`
        if (!delivered.has(id)) lost.push(id)
      }
    }
    expect(lost).toEqual([])
  }, 180_000)
})
