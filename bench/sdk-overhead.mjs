// Overhead of @tollgate/sdk instrumentation per LLM call, and cost of report() per span.
// Measures, in one run, the same calls to the same local fake provider with and without
// instrument() (interleaved rounds), through the real `openai` client. Prints figures; asserts
// nothing. Needs `npm run build` first. Usage: node bench/sdk-overhead.mjs [--calls 2000 --rounds 4]
// [--sdk path/to/another/build/dist] (e.g. an older commit's build, for a same-machine before/after).
// The network-bound medians move by tens of µs with machine load; the in-process line (the SDK's
// own work per call, no socket) is the one that shows a sub-µs change.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import OpenAI from 'openai'
import { pathToFileURL } from 'node:url'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '4' },
    spans: { type: 'string', default: '200000' },
    sdk: { type: 'string' },
  },
})
const dist = values.sdk
  ? pathToFileURL(`${values.sdk.replace(/\/+$/, '')}/`).href
  : new URL('../packages/sdk/dist/', import.meta.url).href
const { TollgateClient } = await import(`${dist}index.js`)
const { detect } = await import(`${dist}instrument/providers.js`)
const { readRequest } = await import(`${dist}instrument/capture.js`)
const CALLS = Number(values.calls)
const ROUNDS = Number(values.rounds)
const SPANS = Number(values.spans)

const servers = spawn(process.execPath, [new URL('./sdk-fake-servers.mjs', import.meta.url).pathname], {
  stdio: ['pipe', 'pipe', 'inherit'],
})
const ports = await new Promise((resolve) => servers.stdout.once('data', (d) => resolve(JSON.parse(d.toString()))))
const dir = mkdtempSync(join(tmpdir(), 'tollgate-sdk-bench-'))

const client = new TollgateClient(
  {
    endpoint: `http://127.0.0.1:${ports.ingest}`,
    spoolPath: join(dir, 'spool.sqlite'),
    policyPollIntervalMs: 0,
    flushIntervalMs: 1000,
  },
  { env: {} },
).start()
const base = `http://127.0.0.1:${ports.provider}/v1`
// Created before instrument(): it keeps Node's own fetch, so only the dispatcher sees its calls.
const plainClient = new OpenAI({ apiKey: 'k', baseURL: base, maxRetries: 0 })
client.instrument()
// Created after instrument(): its calls go through the patched fetch.
const lateClient = new OpenAI({ apiKey: 'k', baseURL: base, maxRetries: 0 })
client.uninstrument()
const messages = [{ role: 'user', content: 'Say hello in five words.' }]

async function once(openai, stream) {
  const t0 = process.hrtime.bigint()
  if (stream) {
    const s = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    })
    for await (const _ of s) {
      // consume
    }
  } else {
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
  }
  return Number(process.hrtime.bigint() - t0) / 1000
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const fmt = (n) => n.toFixed(1).padStart(7)

async function compare(stream) {
  const plain = []
  const early = []
  const late = []
  for (let i = 0; i < 300; i++) await once(plainClient, stream) // warm up every path
  client.instrument()
  for (let i = 0; i < 300; i++) await once(plainClient, stream)
  for (let i = 0; i < 300; i++) await once(lateClient, stream)
  client.uninstrument()
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < CALLS; i++) plain.push(await once(plainClient, stream))
    client.instrument()
    for (let i = 0; i < CALLS; i++) late.push(await once(lateClient, stream))
    for (let i = 0; i < CALLS; i++) early.push(await once(plainClient, stream))
    client.uninstrument()
  }
  const label = stream ? 'stream (20 chunks)' : 'non-stream'
  const [m0, p0] = [pct(plain, 50), pct(plain, 99)]
  console.log(`${label.padEnd(19)} uninstrumented        median ${fmt(m0)} µs  p99 ${fmt(p0)} µs`)
  for (const [name, xs] of [
    ['patched fetch', late],
    ['dispatcher only', early],
  ]) {
    const [m, p] = [pct(xs, 50), pct(xs, 99)]
    console.log(
      `${''.padEnd(19)} ${name.padEnd(21)} median ${fmt(m)} µs  p99 ${fmt(p)} µs   overhead median ${fmt(m - m0)} µs  p99 ${fmt(p - p0)} µs`,
    )
  }
}

/**
 * The SDK's own work for one plain call (no budget, no hook, no exporter), without a socket:
 * request read, pre-send decision, response observed, span built and queued.
 */
function inProcess() {
  const c = new TollgateClient(
    {
      endpoint: `http://127.0.0.1:${ports.ingest}`,
      durability: 'best_effort',
      spoolPath: join(dir, 'cpu.sqlite'),
      policyPollIntervalMs: 0,
      flushIntervalMs: 3_600_000,
      maxQueueSize: 1e9,
    },
    { env: {} },
  ).start()
  const url = 'https://api.openai.com/v1/chat/completions'
  const detected = detect(url, 'POST')
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages })
  const answer = {
    id: 'c1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Hello there, how are you?' }, finish_reason: 'stop' },
    ],
  }
  const response = Buffer.from(
    JSON.stringify({ ...answer, usage: { prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 } }),
  )
  const headers = { 'content-type': 'application/json', 'x-request-id': 'req_1' }
  const call = () => {
    const r = c.hooks.begin(detected, url)
    r.request = readRequest(detected, body)
    c.hooks.plan(r)
    r.responseStart(200, (name) => headers[name])
    r.data(response)
    r.end()
  }
  const times = []
  for (let i = 0; i < 5000; i++) call()
  for (let i = 0; i < CALLS * ROUNDS * 5; i++) {
    const t0 = process.hrtime.bigint()
    call()
    times.push(Number(process.hrtime.bigint() - t0) / 1000)
  }
  console.log(
    `in-process          SDK work per call     median ${pct(times, 50).toFixed(2).padStart(7)} µs  p99 ${pct(times, 99).toFixed(2).padStart(7)} µs   (no socket: read request, decide, observe response, build and queue the span)`,
  )
  return c.shutdown(0)
}

console.log(
  `@tollgate/sdk overhead (${values.sdk ?? 'packages/sdk/dist'}): ${ROUNDS} interleaved rounds x ${CALLS} calls per mode, openai client, fake provider in another process, durable_local spool`,
)
await inProcess()
await compare(false)
await compare(true)
await client.flush()

// report(): the hot path (queueing) and the deferred spool commit, per span.
async function reportCost(durability) {
  const c = new TollgateClient(
    {
      endpoint: `http://127.0.0.1:${ports.ingest}`,
      durability,
      spoolPath: join(dir, `report-${durability}.sqlite`),
      policyPollIntervalMs: 0,
      flushIntervalMs: 3_600_000,
      maxQueueSize: SPANS * 2,
      maxSpoolBytes: 1e10,
    },
    { env: {} },
  ).start()
  const d = c.deliveryForTests
  const span = {
    name: 'tool.call',
    kind: 'tool',
    attributes: { tool: 'search', hits: 12 },
    input: 'what is the weather in Paris?',
  }
  for (let i = 0; i < 20_000; i++) c.report({ ...span })
  d.commit()
  let hot = 0n
  let commit = 0n
  const batch = 256
  for (let done = 0; done < SPANS; done += batch) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) c.report({ ...span })
    const t1 = process.hrtime.bigint()
    d.commit()
    commit += process.hrtime.bigint() - t1
    hot += t1 - t0
  }
  console.log(
    `report() ${durability.padEnd(13)} hot path ${(Number(hot) / SPANS).toFixed(0).padStart(6)} ns/span | spool commit (off the call path) ${(Number(commit) / SPANS).toFixed(0).padStart(6)} ns/span`,
  )
  await c.shutdown(0)
}
await reportCost('best_effort')
await reportCost('durable_local')

await client.shutdown(1000)
servers.stdin.end()
rmSync(dir, { recursive: true, force: true })
