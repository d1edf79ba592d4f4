// The cost of the Kafka hop: API → Kafka → worker → ClickHouse against the direct mode (API → local
// log → ClickHouse), in the same run, same spans, same clients (shared machines are noisy: only
// same-run ratios mean anything). A real broker from scripts/kafka.sh; the server side runs in one
// process (bench/lib/stack.mjs), the load from this one. Prints figures; asserts nothing.
// Usage: npm run bench:kafka [-- --spans 30000 --clients 8 --probes 40]
// Freshness: a 1-span trace posted every 50 ms during the load, timed from its 202 to visible in
// /api/traces/:id/spans (under load that is mostly the backlog: the API acknowledges faster than the
// store keeps up); then, once everything is stored, `probes` 1-span traces one after the other on the
// idle stack (the latency of the path itself). "stored spans/s": all spans / time until every trace
// is visible in full.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '30000' },
    clients: { type: 'string', default: '8' },
    probes: { type: 'string', default: '40' },
  },
})
const PROBES = Number(values.probes)
const SPANS = Number(values.spans)
const CLIENTS = Number(values.clients)
const STACK = fileURLToPath(new URL('./lib/stack.mjs', import.meta.url))
const KAFKA = fileURLToPath(new URL('../scripts/kafka.sh', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tollgate-bench-kafka-'))

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => resolve(p))
    })
  })
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const post = (url, body) =>
  fetch(`${url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

function trace(n) {
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
    usage: { input_tokens: 120 + i, output_tokens: 40 },
    tags: { feature: 'bench' },
    input: 'Summarise the following ticket in one sentence: ' + 'lorem ipsum '.repeat(20),
    output: 'The customer cannot log in.',
  }))
}

async function startStack(name, env) {
  const child = spawn(process.execPath, [STACK], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(work, name), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const [line] = await Promise.race([
    (async () => {
      for await (const l of createInterface({ input: child.stdout })) if (l.startsWith('{"url"')) return [l]
    })(),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`stack exited with ${code}`)))),
  ])
  return { child, url: JSON.parse(line).url }
}

async function run(name, env, bodies, traceIds) {
  const { child, url } = await startStack(name, env)
  const latencies = []
  const fresh = []
  let next = 0
  let driving = true
  /** One 1-span trace: ms from its 202 to visible in /api/traces (undefined when not accepted). */
  const probe = async () => {
    const [span] = trace(1)
    const res = await post(url, JSON.stringify(span))
    await res.arrayBuffer()
    if (res.status !== 202) return undefined
    const acked = performance.now()
    while (
      (await fetch(`${url}/api/traces/${span.trace_id}/spans`).then(async (r) => (await r.arrayBuffer(), r.status))) !==
      200
    )
      await sleep(10)
    return performance.now() - acked
  }
  const t0 = performance.now()
  const freshness = (async () => {
    while (driving) {
      const ms = await probe()
      if (ms !== undefined) fresh.push(ms)
      await sleep(50)
    }
  })()
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]
        for (;;) {
          const t = performance.now()
          const res = await post(url, body)
          await res.arrayBuffer()
          if (res.status === 202) {
            latencies.push(performance.now() - t)
            break
          }
          if (res.status !== 503 && res.status !== 429) throw new Error(`ingest answered ${res.status}`)
          await sleep(50)
        }
      }
    }),
  )
  const ackedS = (performance.now() - t0) / 1000
  driving = false
  await freshness
  // Stored = every posted trace visible with all its 100 spans (8 pollers, the last posted first).
  let i = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < traceIds.length) {
        const id = traceIds[i++]
        while (
          (await fetch(`${url}/api/traces/${id}/spans`).then(async (r) =>
            r.status === 200 ? (await r.json()).spans.length : 0,
          )) < 100
        )
          await sleep(20)
      }
    }),
  )
  const storedS = (performance.now() - t0) / 1000
  const idle = []
  while (idle.length < PROBES) {
    const ms = await probe()
    if (ms !== undefined) idle.push(ms)
  }
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  latencies.sort((a, b) => a - b)
  fresh.sort((a, b) => a - b)
  idle.sort((a, b) => a - b)
  return {
    name,
    acked: SPANS / ackedS,
    stored: SPANS / storedS,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    fresh50: pct(fresh, 50),
    fresh99: pct(fresh, 99),
    samples: fresh.length,
    idle50: pct(idle, 50),
    idle99: pct(idle, 99),
  }
}

let broker
try {
  const traces = Array.from({ length: Math.ceil(SPANS / 100) }, () => trace(100))
  const bodies = traces.map((t) => JSON.stringify(t))
  const traceIds = traces.map((t) => t[0].trace_id).reverse()
  const [port, cport] = [await freePort(), await freePort()]
  const started = performance.now()
  broker = spawn('bash', [KAFKA, 'run', join(work, 'kafka'), String(port), String(cport)], { stdio: 'ignore' })
  while (
    !(await new Promise((r) => {
      const s = createConnection(port, '127.0.0.1')
        .once('connect', () => (s.destroy(), r(true)))
        .once('error', () => r(false))
    }))
  )
    await sleep(100)
  const brokerS = (performance.now() - started) / 1000
  const direct = await run('direct', {}, bodies, traceIds)
  const kafka = await run(
    'kafka',
    { KAFKA_BROKERS: `127.0.0.1:${port}`, KAFKA_TOPIC_PARTITIONS: '3' },
    bodies,
    traceIds,
  )
  console.log(
    `${process.version}, ${SPANS} spans in 100-span batches, ${CLIENTS} clients; Kafka 4.1.1 single broker (listening after ${brokerS.toFixed(1)} s), 3 partitions, 1 worker; embedded chDB`,
  )
  console.log(
    'mode     202 spans/s  stored spans/s  ack p50 ms  ack p99 ms  fresh p50/p99 ms under load  idle (202 → visible)',
  )
  for (const r of [direct, kafka]) {
    console.log(
      `${r.name.padEnd(7)}  ${r.acked.toFixed(0).padStart(11)}  ${r.stored.toFixed(0).padStart(14)}  ${r.p50.toFixed(1).padStart(10)}  ${r.p99.toFixed(1).padStart(10)}  ${`${r.fresh50.toFixed(0)}/${r.fresh99.toFixed(0)}`.padStart(11)} (${String(r.samples).padStart(3)})  ${r.idle50.toFixed(0)}/${r.idle99.toFixed(0)} (${PROBES})`,
    )
  }
  console.log(
    `kafka/direct: 202 spans/s ${(kafka.acked / direct.acked).toFixed(2)}, stored spans/s ${(kafka.stored / direct.stored).toFixed(2)}`,
  )
} finally {
  broker?.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
}
