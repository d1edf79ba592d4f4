// Ingest of the embedded default, end to end over HTTP, against the engine's own insert rate measured
// in the same run (shared machines are noisy: only same-run ratios mean anything). Prints figures;
// asserts nothing. Usage: npm run bench:ingest [-- --spans 60000 --saturate-s 5]
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { spans: { type: 'string', default: '60000' }, 'saturate-s': { type: 'string', default: '5' } },
})
const SPANS = Number(values.spans)
const CHILD = fileURLToPath(new URL('./lib/chdb-child.mjs', import.meta.url))
const LOAD = fileURLToPath(new URL('./lib/load.mjs', import.meta.url))
const MAIN = fileURLToPath(new URL('../apps/api/dist/main.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => resolve(p))
    })
  })
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
const chdb = (...args) =>
  JSON.parse(
    execFileSync(process.execPath, [CHILD, ...args], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1),
  )

// Prompts differ from span to span, as real ones do: one text repeated everywhere made the embedding
// index's inserts look several times cheaper than they are (HNSW does little work on identical vectors).
const WORDS =
  'account billing refund login password reset invoice latency outage upgrade plan seat export report dashboard alert webhook token limit region'.split(
    ' ',
  )
const prompt = () =>
  `Summarise ticket ${randomBytes(3).toString('hex')} in one sentence: ` +
  Array.from({ length: 40 }, () => WORDS[randomBytes(1)[0] % WORDS.length]).join(' ')

function spansOfTrace(n) {
  const traceId = randomBytes(16).toString('hex')
  const now = Date.now()
  return Array.from({ length: n }, (_, i) => ({
    trace_id: traceId,
    span_id: randomBytes(8).toString('hex'),
    name: 'openai.chat.completions',
    start_time: now - 500 - i,
    end_time: now - i,
    status: 'ok',
    provider: 'openai',
    model: 'gpt-4o-mini',
    usage: { input_tokens: 120 + i, output_tokens: 40, cache_read_tokens: 64 },
    tags: { feature: 'bench', tenant: `t${i % 7}` },
    user_id: `user-${i % 50}`,
    input: prompt(),
    output: 'The customer cannot log in after the password reset.',
  }))
}

/** Server CPU time (user + system) in µs, from /proc. */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6
}

async function startServer(dataDir, env = {}) {
  const port = await freePort()
  // BENCH_CPU_PROF=<dir>: profile the server (node --cpu-prof) to name the top frames before optimising.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []
  // The flags `npm start` runs the server with (package.json).
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...prof, MAIN], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url }
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function stop(child) {
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

/** `clients` loops posting the prepared bodies (each once); 503s are retried after Retry-After. */
async function drive(url, bodies, clients) {
  let next = 0
  const latencies = []
  let acked = 0
  let refused = 0
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const { body, n } = bodies[next++]
        for (;;) {
          const t = performance.now()
          const res = await fetch(`${url}/api/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          })
          await res.arrayBuffer()
          if (res.status === 202) {
            latencies.push(performance.now() - t)
            acked += n
            break
          }
          if (res.status !== 503 && res.status !== 429) throw new Error(`ingest answered ${res.status}`)
          refused++
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    }),
  )
  return { latencies: latencies.sort((a, b) => a - b), acked, refused }
}

/** While `running()`, posts one 1-span trace every 200 ms and times 202 → visible in /api/traces/:id/spans. */
async function freshness(url, running) {
  const samples = []
  while (running()) {
    const [span] = spansOfTrace(1)
    const res = await fetch(`${url}/api/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(span),
    })
    await res.arrayBuffer()
    if (res.status === 202) {
      const acked = performance.now()
      for (;;) {
        const r = await fetch(`${url}/api/traces/${span.trace_id}/spans`)
        await r.arrayBuffer()
        if (r.status === 200) break
        await new Promise((r) => setTimeout(r, 10))
      }
      samples.push(performance.now() - acked)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return samples.sort((a, b) => a - b)
}

async function scenario(name, batchSize, clients, allSpans) {
  const dataDir = join(work, name)
  const bodies = []
  for (let i = 0; i < allSpans.length; i += batchSize) {
    const slice = allSpans.slice(i, i + batchSize)
    bodies.push({ body: JSON.stringify(slice), n: slice.length })
  }
  const { child, url } = await startServer(dataDir)
  await drive(url, bodies.slice(0, Math.ceil(bodies.length / 20)), clients) // warm-up (JIT), counted in stored
  const warm = bodies.slice(0, Math.ceil(bodies.length / 20)).reduce((a, b) => a + b.n, 0)
  const measured = bodies.slice(Math.ceil(bodies.length / 20))
  const cpu0 = cpuMicros(child.pid)
  const t0 = performance.now()
  let driving = true
  const fresh = freshness(url, () => driving)
  const r = await drive(url, measured, clients)
  const seconds = (performance.now() - t0) / 1000
  driving = false
  const freshMs = await fresh
  const cpu = cpuMicros(child.pid) - cpu0
  const commits = await logCommits(url)
  await stop(child) // SIGTERM drains the log into ClickHouse
  const stored = chdb('count', dataDir)
  return {
    name,
    spansPerS: r.acked / seconds,
    p50: pct(r.latencies, 50),
    p99: pct(r.latencies, 99),
    cpuUsPerSpan: cpu / r.acked,
    refused: r.refused,
    acked: r.acked + warm + freshMs.length,
    stored,
    fresh50: pct(freshMs, 50),
    fresh99: pct(freshMs, 99),
    commits,
  }
}

/** The write-ahead log's group commits (write + fdatasync) from the server's /metrics: how many, mean ms. */
async function logCommits(url) {
  const text = await (await fetch(`${url}/metrics`)).text()
  const value = (name) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN)
  const count = value('tollgate_ingest_log_commit_seconds_count')
  return { count, meanMs: (value('tollgate_ingest_log_commit_seconds_sum') / count) * 1000 }
}

/** /health latency while 256 clients in another process post 1,000-span batches as fast as they can. */
async function saturation(seconds) {
  const dataDir = join(work, 'saturation')
  const { child, url } = await startServer(dataDir)
  const load = spawn(process.execPath, [LOAD, url, '256', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  load.stdout.on('data', (d) => (out += d))
  const loadDone = new Promise((r) => load.once('exit', r))
  const health = []
  const until = Date.now() + seconds * 1000
  await new Promise((r) => setTimeout(r, 500))
  while (Date.now() < until) {
    const t = performance.now()
    await fetch(`${url}/health`)
    health.push(performance.now() - t)
    await new Promise((r) => setTimeout(r, 20))
  }
  await loadDone
  const rss = Number(readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? 0) / 1024
  const sigterm = performance.now()
  await stop(child)
  health.sort((a, b) => a - b)
  return {
    probes: health.length,
    p50: pct(health, 50),
    p99: pct(health, 99),
    statuses: JSON.parse(out).statuses,
    peakRssMiB: rss,
    stopMs: performance.now() - sigterm,
  }
}

try {
  const allSpans = []
  while (allSpans.length < SPANS) allSpans.push(...spansOfTrace(100))
  writeFileSync(join(work, 'spans.json'), JSON.stringify(allSpans))
  const raw = chdb('raw', join(work, 'raw'), join(work, 'spans.json'))
  const a = await scenario('8x100', 100, 8, allSpans)
  const b = await scenario('64x5', 5, 64, allSpans.slice(0, Math.min(allSpans.length, 30000)))
  const s = await saturation(Number(values['saturate-s']))

  console.log(`embedded chDB + PGlite, ${process.version}, ${SPANS} spans`)
  console.log(
    `baseline: raw JSONEachRow inserts of 6,400 rows into the same table, one in flight: ${raw.rowsPerS.toFixed(0)} rows/s`,
  )
  console.log(
    'clients x batch   spans/s   ×baseline  ack p50 ms  ack p99 ms  fresh p50/p99 ms  CPU µs/span  503s   acked  stored rows  distinct',
  )
  for (const r of [a, b]) {
    console.log(
      `${r.name.padStart(15)}  ${r.spansPerS.toFixed(0).padStart(8)}  ${(r.spansPerS / raw.rowsPerS).toFixed(2).padStart(9)}  ${r.p50.toFixed(1).padStart(10)}  ${r.p99.toFixed(1).padStart(10)}  ${`${r.fresh50.toFixed(0)}/${r.fresh99.toFixed(0)}`.padStart(16)}  ${r.cpuUsPerSpan.toFixed(1).padStart(11)}  ${String(r.refused).padStart(4)}  ${String(r.acked).padStart(6)}  ${String(r.stored.rows).padStart(11)}  ${String(r.stored.keys).padStart(8)}`,
    )
  }
  for (const r of [a, b])
    console.log(
      `${r.name}: ${r.commits.count} log group commits (write + fdatasync), mean ${r.commits.meanMs.toFixed(1)} ms`,
    )
  console.log(
    `saturation (256 clients x 1,000-span batches, ${values['saturate-s']} s): /health p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms over ${s.probes} probes; ingest statuses ${JSON.stringify(s.statuses)}; peak RSS ${s.peakRssMiB.toFixed(0)} MiB; SIGTERM to exit ${s.stopMs.toFixed(0)} ms`,
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
