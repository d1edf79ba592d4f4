// OTLP/HTTP protobuf ingest (POST /v1/traces) against POST /api/ingest on the same spans, one server,
// one run (shared machines are noisy: only the same-run ratio means anything). The spans of each door
// are the same calls (model, tokens, attributes, text: the same stored rows), encoded as that door's
// clients send them, with ids of their own so neither is dropped as a redelivery of the other. Bodies are encoded before the clock
// starts; rounds alternate the doors. Prints figures; asserts nothing.
// Usage: npm run build && node bench/otlp.mjs [--spans 30000 --batch 500 --concurrency 8 --rounds 3]
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '30000' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
  },
})
const SPANS = Number(values.spans)
const BATCH = Number(values.batch)
const CONCURRENCY = Number(values.concurrency)
const ROUNDS = Number(values.rounds)
const MAIN = fileURLToPath(new URL('../apps/api/dist/main.js', import.meta.url))
const { encodeTraceRequest } = await import(new URL('../apps/api/dist/routes/otlp/codec.js', import.meta.url).href)
const work = mkdtempSync(join(tmpdir(), 'tollgate-bench-otlp-'))

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => resolve(p))
    })
  })

/** Server CPU time (user + system) in µs, from /proc. */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6
}

/** One LLM call, as plain facts both encodings are built from. */
function call(i, nowMs) {
  return {
    startMs: nowMs - 500 - i,
    endMs: nowMs - i,
    model: 'gpt-4o-mini',
    input: 120 + (i % 100),
    output: 40,
    cached: 64,
    feature: 'bench',
    tenant: `t${i % 7}`,
    user: `user-${i % 50}`,
    prompt: 'Summarise the following ticket in one sentence: ' + 'lorem ipsum '.repeat(20),
    completion: 'The customer cannot log in after the password reset.',
  }
}

function nativeBody(calls) {
  const traceId = randomBytes(16).toString('hex')
  return JSON.stringify(
    calls.map((c) => ({
      trace_id: traceId,
      span_id: randomBytes(8).toString('hex'),
      name: 'chat gpt-4o-mini',
      start_time: c.startMs,
      end_time: c.endMs,
      status: 'ok',
      provider: 'openai',
      model: c.model,
      operation: 'chat',
      usage: { input_tokens: c.input, output_tokens: c.output, cache_read_tokens: c.cached },
      tags: { 'service.name': 'bench' },
      user_id: c.user,
      // What the OTLP door keeps of the same call: both doors store the same row.
      attributes: {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': c.model,
        'gen_ai.usage.input_tokens': c.input,
        'gen_ai.usage.output_tokens': c.output,
        'gen_ai.usage.cache_read.input_tokens': c.cached,
        feature: c.feature,
        tenant: c.tenant,
        'user.id': c.user,
        'otel.span_kind': 'client',
        'otel.scope.name': 'bench',
        'otel.scope.version': '1',
      },
      input: c.prompt,
      output: c.completion,
    })),
  )
}

const str = (key, value) => ({ key, value: { stringValue: value } })
const int = (key, value) => ({ key, value: { intValue: value } })

function otlpBody(calls) {
  const traceId = randomBytes(16).toString('base64')
  return encodeTraceRequest({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'bench')] },
        scopeSpans: [
          {
            scope: { name: 'bench', version: '1' },
            spans: calls.map((c) => ({
              traceId,
              spanId: randomBytes(8).toString('base64'),
              name: 'chat gpt-4o-mini',
              kind: 3,
              startTimeUnixNano: String(BigInt(c.startMs) * 1_000_000n),
              endTimeUnixNano: String(BigInt(c.endMs) * 1_000_000n),
              status: { code: 1 },
              attributes: [
                str('gen_ai.provider.name', 'openai'),
                str('gen_ai.operation.name', 'chat'),
                str('gen_ai.request.model', c.model),
                int('gen_ai.usage.input_tokens', c.input),
                int('gen_ai.usage.output_tokens', c.output),
                int('gen_ai.usage.cache_read.input_tokens', c.cached),
                str('feature', c.feature),
                str('tenant', c.tenant),
                str('user.id', c.user),
                str('gen_ai.input.messages', c.prompt),
                str('gen_ai.output.messages', c.completion),
              ],
            })),
          },
        ],
      },
    ],
  })
}

function batches(encode) {
  const now = Date.now()
  const out = []
  for (let start = 0; start < SPANS; start += BATCH) {
    const calls = Array.from({ length: Math.min(BATCH, SPANS - start) }, (_, i) => call(start + i, now))
    out.push(encode(calls))
  }
  return out
}

async function startServer() {
  const port = await freePort()
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: String(port), DATA_DIR: join(work, 'data'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) return { child, url }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** How a refusal that closed the connection before reading the body shows in undici. */
const REFUSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])

/** Sends every body with `CONCURRENCY` in flight; spans/s and server CPU µs per span. */
async function send(server, path, type, bodies, expect) {
  let next = 0
  let refused = 0
  const cpu0 = cpuMicros(server.child.pid)
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]
        for (;;) {
          // A refusal under overload (503, connection closed before the body was read) is resent.
          const res = await fetch(`${server.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': type },
            body,
          }).catch((err) => (REFUSED.has(err?.cause?.code) ? null : Promise.reject(err)))
          if (res) await res.arrayBuffer()
          if (res?.status === expect) break
          if (res && res.status !== 503) throw new Error(`${path}: ${res.status}`)
          refused++
          await new Promise((r) => setTimeout(r, 200))
        }
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  return { spansPerS: SPANS / seconds, cpuUsPerSpan: (cpuMicros(server.child.pid) - cpu0) / SPANS, refused }
}

const server = await startServer()
try {
  const results = { native: [], otlp: [] }
  // Warm-up: both doors once with a small batch (JIT, first inserts).
  await send(server, '/api/ingest', 'application/json', [nativeBody([call(0, Date.now())])], 202)
  await send(server, '/v1/traces', 'application/x-protobuf', [otlpBody([call(0, Date.now())])], 200)
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['native', 'otlp'] : ['otlp', 'native']
    for (const door of order) {
      const bodies = door === 'native' ? batches(nativeBody) : batches(otlpBody)
      const r =
        door === 'native'
          ? await send(server, '/api/ingest', 'application/json', bodies, 202)
          : await send(server, '/v1/traces', 'application/x-protobuf', bodies, 200)
      results[door].push(r)
      console.log(
        `round ${round + 1} ${door.padEnd(6)} ${Math.round(r.spansPerS)} spans/s, server CPU ${r.cpuUsPerSpan.toFixed(1)} µs/span` +
          (r.refused ? `, ${r.refused} batches refused (503) and resent` : ''),
      )
    }
  }
  // Per round, the two doors ran back to back under the same machine load: their ratio is the figure.
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const rateRatios = results.otlp.map((r, i) => r.spansPerS / results.native[i].spansPerS)
  const cpuRatios = results.otlp.map((r, i) => r.cpuUsPerSpan / results.native[i].cpuUsPerSpan)
  const rate = (door) => median(results[door].map((r) => r.spansPerS))
  const cpu = (door) => median(results[door].map((r) => r.cpuUsPerSpan))
  console.log(
    `\n${SPANS} spans per door per round, batches of ${BATCH}, ${CONCURRENCY} in flight, ${ROUNDS} rounds (medians):\n` +
      `  POST /api/ingest (JSON)        ${Math.round(rate('native'))} spans/s, ${cpu('native').toFixed(1)} µs CPU/span\n` +
      `  POST /v1/traces (protobuf)     ${Math.round(rate('otlp'))} spans/s, ${cpu('otlp').toFixed(1)} µs CPU/span\n` +
      `  /v1/traces : /api/ingest, per round: rate ${rateRatios.map((r) => r.toFixed(2)).join(', ')} ` +
      `(median ${median(rateRatios).toFixed(2)}); server CPU per span ${cpuRatios.map((r) => r.toFixed(2)).join(', ')} ` +
      `(median ${median(cpuRatios).toFixed(2)})`,
  )
} finally {
  server.child.kill('SIGTERM')
  await new Promise((r) => server.child.once('exit', r))
  rmSync(work, { recursive: true, force: true })
}
