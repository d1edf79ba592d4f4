// Before/after of @tollgate/sdk's own work per call, two builds in one process, interleaved.
// bench:sdk runs one build per process, and two runs minutes apart on a shared machine differ
// by more than the change being measured. Here both builds do the same in-process work (the
// in-process line of sdk-overhead.mjs: read the request, decide, observe the response, build and
// queue the span; no budget, no hook, no exporter) and report() in alternating rounds, so load
// hits both alike. Prints figures; asserts nothing. Needs `npm run build` first. Usage:
//   node bench/sdk-compare.mjs --before path/to/older/build/dist [--calls 10000 --rounds 10]
// (`--before`: e.g. packages/sdk of an older commit, `git archive`d and built with `tsc -b`).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    calls: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '10' },
  },
})
if (!values.before) throw new Error('--before <dist of the older build> is required')
const CALLS = Number(values.calls)
const ROUNDS = Number(values.rounds)
const dir = mkdtempSync(join(tmpdir(), 'tollgate-sdk-compare-'))

async function load(name, distDir) {
  const dist = pathToFileURL(`${distDir.replace(/\/+$/, '')}/`).href
  const { TollgateClient } = await import(`${dist}index.js`)
  const { detect } = await import(`${dist}instrument/providers.js`)
  const { readRequest } = await import(`${dist}instrument/capture.js`)
  const options = (file) => ({
    // Nothing listens here: the flush interval is an hour and the queue never fills.
    endpoint: 'http://127.0.0.1:9',
    durability: 'best_effort',
    spoolPath: join(dir, `${name}-${file}.sqlite`),
    policyPollIntervalMs: 0,
    flushIntervalMs: 3_600_000,
    maxQueueSize: 1e9,
  })
  const calls = new TollgateClient(options('calls'), { env: {} }).start()
  const reports = new TollgateClient(options('report'), { env: {} }).start()
  const url = 'https://api.openai.com/v1/chat/completions'
  const detected = detect(url, 'POST')
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }] })
  const answer = Buffer.from(
    JSON.stringify({
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 },
    }),
  )
  const headers = { 'content-type': 'application/json', 'x-request-id': 'req_1' }
  const span = { name: 'tool.call', kind: 'tool', attributes: { tool: 'search', hits: 12 }, input: 'weather?' }
  return {
    name,
    call() {
      const r = calls.hooks.begin(detected, url)
      r.request = readRequest(detected, body)
      calls.hooks.plan(r)
      r.responseStart(200, (h) => headers[h])
      r.data(answer)
      r.end()
    },
    report: () => reports.report({ ...span }),
    // The queues only grow: drop what was queued between rounds so both builds work on the same sizes.
    drain() {
      for (const c of [calls, reports]) c.deliveryForTests?.buffer?.splice(0)
    },
    close: () => Promise.all([calls.shutdown(0), reports.shutdown(0)]),
    callTimes: [],
    reportNs: 0n,
  }
}

const builds = [
  await load('before', values.before),
  await load('after', new URL('../packages/sdk/dist', import.meta.url).pathname),
]
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
// Warm up both.
for (const b of builds)
  for (let i = 0; i < 5000; i++) {
    b.call()
    b.report()
  }
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which build goes first so neither always runs on a warmer or colder machine.
  for (const b of r % 2 ? [...builds].reverse() : builds) {
    for (let i = 0; i < CALLS; i++) {
      const t0 = process.hrtime.bigint()
      b.call()
      b.callTimes.push(Number(process.hrtime.bigint() - t0) / 1000)
    }
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < CALLS; i++) b.report()
    b.reportNs += process.hrtime.bigint() - t0
    b.drain()
    // Let deferred work of this round run (microtasks, the commit), untimed, then drop its spans.
    await nextTurn()
    b.drain()
  }
}
console.log(
  `@tollgate/sdk before (${values.before}) vs after (packages/sdk/dist): ${ROUNDS} alternating rounds x ${CALLS}, in one process`,
)
const [before, after] = builds
for (const b of builds)
  console.log(
    `${b.name.padEnd(6)} SDK work per plain call  median ${pct(b.callTimes, 50).toFixed(2).padStart(6)} µs  p99 ${pct(b.callTimes, 99).toFixed(2).padStart(6)} µs | report() hot path ${(Number(b.reportNs) / (CALLS * ROUNDS)).toFixed(0).padStart(5)} ns/span`,
  )
console.log(
  `after - before         median ${(pct(after.callTimes, 50) - pct(before.callTimes, 50)).toFixed(2).padStart(6)} µs  p99 ${(pct(after.callTimes, 99) - pct(before.callTimes, 99)).toFixed(2).padStart(6)} µs | report() ${((Number(after.reportNs) - Number(before.reportNs)) / (CALLS * ROUNDS)).toFixed(0).padStart(5)} ns/span`,
)
await Promise.all(builds.map((b) => b.close()))
rmSync(dir, { recursive: true, force: true })
