// Ingest throughput of the embedded default, end to end over HTTP, against a baseline measured in the
// same run. Prints figures; asserts nothing. Usage: npm run bench:ingest [-- --batches 200 --size 100]
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { batches: { type: 'string', default: '200' }, size: { type: 'string', default: '100' } } })
const BATCHES = Number(values.batches)
const SIZE = Number(values.size)

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => resolve(p))
  })
})
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
const base = `http://127.0.0.1:${port}`

const t0 = performance.now()
const child = spawn(process.execPath, ['apps/api/dist/main.js'], { env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, stdio: 'inherit' })
for (;;) {
  if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break
  await new Promise((r) => setTimeout(r, 50))
}
const startupMs = performance.now() - t0

function batch() {
  const traceId = randomBytes(16).toString('hex')
  const now = Date.now()
  return JSON.stringify(
    Array.from({ length: SIZE }, (_, i) => ({
      trace_id: traceId,
      span_id: randomBytes(8).toString('hex'),
      parent_span_id: i === 0 ? null : undefined,
      name: 'openai.chat.completions',
      start_time: now - 500,
      end_time: now,
      status: 'ok',
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { input_tokens: 120 + i, output_tokens: 40, cache_read_tokens: 64 },
      tags: { feature: 'bench', tenant: `t${i % 7}` },
      input: 'Summarise the following ticket in one sentence: ' + 'lorem ipsum '.repeat(20),
      output: 'The customer cannot log in after the password reset.',
    })),
  )
}

async function run(concurrency) {
  const bodies = Array.from({ length: BATCHES }, batch)
  let next = 0
  const latencies = []
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]
        const t = performance.now()
        const res = await fetch(`${base}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`)
        await res.arrayBuffer()
        latencies.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]
  return { concurrency, spansPerS: (BATCHES * SIZE) / seconds, p50: pct(50), p99: pct(99) }
}

try {
  await run(4) // warm-up: JIT, first parts, connection pool
  const results = []
  for (const c of [1, 4, 16]) results.push(await run(c))
  const baseline = results[0].spansPerS
  console.log(`startup to /health (fresh DATA_DIR): ${startupMs.toFixed(0)} ms`)
  console.log(`batches of ${SIZE} spans, ${BATCHES} batches per row, embedded chDB + PGlite, ${process.version}`)
  console.log('concurrency  spans/s   ×(c=1)  p50 ms  p99 ms')
  for (const r of results) {
    console.log(`${String(r.concurrency).padStart(11)}  ${r.spansPerS.toFixed(0).padStart(7)}  ${(r.spansPerS / baseline).toFixed(2).padStart(6)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}`)
  }
  const list = await (await fetch(`${base}/api/traces?limit=1`)).json()
  console.log(`stored traces: ${list.total} (expected ${BATCHES * 4})`)
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  rmSync(dataDir, { recursive: true, force: true })
}
