// Read performance of the trace list, search, a trace's spans and the cost rollups over generated data.
// Prints figures; asserts nothing. Usage: npm run bench:query [-- --spans 1000000 --runs 20]
// 1. Generates spans inside ClickHouse (numbers()-based; 5 projects, the largest ('default', the one
//    the server's local mode reads) holding 60%; 20 models, 50 agents, 10k users, 30 days, 4 spans
//    per trace) through the real migrations, so the views fill the trace index and rollups.
// 2. Same-run SQL comparisons in this process: the previous list query shape vs the new path;
//    cost by model/day from deduplicated raw spans vs the rollup; the analytics functions the routes
//    call (costBreakdown, getMetrics, spendByScope) with the rollups vs forced onto the raw spans.
// 3. Starts the real server on that data directory and measures over HTTP: median/p95 per request,
//    a trace's spans alone and under concurrent list requests, /api/cost/by-model and /daily answered
//    by the rollups (whole hours) and by the raw spans (a range starting 1 s past the hour),
//    /api/metrics, /api/policy with four budgets built on every call (POLICY_CACHE_TTL_MS=0), and the
//    server's memory.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  connectClickHouse,
  costBreakdown,
  costByModel,
  getMetrics,
  spendByScope,
  listTraces,
  migrateClickHouse,
  applyRetention,
} from '../packages/store/dist/index.js'

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
})
const SPANS = Number(values.spans)
const RUNS = Number(values.runs)
const CHUNK = 1_000_000
const DAY_US = 86_400_000_000
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-query-'))
const nowUs = Date.now() * 1000
const baseUs = nowUs - 30 * DAY_US

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
  return { median: q(0.5), p95: q(0.95) }
}
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))
const line = (label, xs) => {
  const { median, p95 } = stats(xs)
  console.log(`${label.padEnd(58)} ${fmt(median).padStart(8)} ms ${fmt(p95).padStart(8)} ms`)
}
async function time(fn, runs = RUNS) {
  await fn()
  const out = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    out.push(performance.now() - t)
  }
  return out
}

// ---- 1. generation -------------------------------------------------------------------------------
const WORDS = [
  'weather',
  'invoice',
  'summary',
  'refund',
  'translate',
  'python',
  'recipe',
  'contract',
  'schedule',
  'travel',
  'poem',
  'email',
]
const gen = (from, count) => `
INSERT INTO tollgate.spans (project_id, trace_id, span_id, parent_span_id, name, kind, start_time, end_time, duration_ms, status,
  error_message, provider, model, response_model, operation, stream, ttft_ms, input_tokens, output_tokens, total_tokens,
  cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_input_usd, cost_output_usd, cost_total_usd, cost_status,
  price_source, agent_id, agent_name, agent_role, agent_parent_id, user_id, session_id, tags, input, output, input_truncated,
  output_truncated, attributes, pii_detected, pii_types, injection_attempt, sampled, prompt_sha256, source, ingested_at)
SELECT
  if(t % 10 < 6, 'default', concat('p', toString(1 + t % 4))) AS project_id,
  lower(concat(hex(cityHash64(t, 1)), hex(cityHash64(t, 2)))) AS trace_id,
  lower(hex(cityHash64(number, 3))) AS span_id,
  if(i = 0, '', lower(hex(cityHash64(t * 4, 3)))) AS parent_span_id,
  if(i = 0, 'agent.run', 'openai.chat.completions') AS name,
  if(i = 0, 'agent', 'llm') AS kind,
  fromUnixTimestamp64Micro(toInt64(${baseUs} + intDiv(t * ${30 * DAY_US}, ${SPANS / 4}) + i * 500000), 'UTC') AS start_time,
  fromUnixTimestamp64Micro(toInt64(${baseUs} + intDiv(t * ${30 * DAY_US}, ${SPANS / 4}) + i * 500000 + 400000 + cityHash64(number, 4) % 3000000), 'UTC') AS end_time,
  (toUnixTimestamp64Micro(end_time) - toUnixTimestamp64Micro(start_time)) / 1000 AS duration_ms,
  if(cityHash64(number, 5) % 50 = 0, 'error', 'ok') AS status, '' AS error_message,
  ['openai', 'anthropic', 'google', 'mistral'][1 + m % 4] AS provider,
  concat('model-', toString(m)) AS model, '' AS response_model, 'chat' AS operation, false AS stream, NULL AS ttft_ms,
  100 + cityHash64(number, 6) % 2000 AS input_tokens, 10 + cityHash64(number, 7) % 500 AS output_tokens,
  input_tokens + output_tokens AS total_tokens, 0 AS cache_read_tokens, 0 AS cache_write_tokens, 0 AS reasoning_tokens,
  input_tokens * 2e-6 AS cost_input_usd, output_tokens * 8e-6 AS cost_output_usd, cost_input_usd + cost_output_usd AS cost_total_usd,
  'computed' AS cost_status, 'bench' AS price_source,
  concat('agent-', toString(cityHash64(t, 8) % 50)) AS agent_id, agent_id AS agent_name, 'worker' AS agent_role, '' AS agent_parent_id,
  concat('user-', toString(cityHash64(t, 9) % 10000)) AS user_id, concat('session-', toString(cityHash64(t, 10) % 100000)) AS session_id,
  map('env', ['prod', 'staging'][1 + t % 2], 'feature', concat('f', toString(t % 7))) AS tags,
  concat('Please help with the ', ${JSON.stringify(WORDS).replaceAll('"', "'")}[1 + cityHash64(number, 11) % ${WORDS.length}],
         if(cityHash64(number, 12) % 5 = 0, ' and the weather', ''),
         if(cityHash64(number, 13) % 200000 = 0, ' near zanzibar', ''),
         ' for request ', toString(number), '. Keep it short and precise, thank you.') AS input,
  concat('Here is the answer number ', toString(cityHash64(number, 14) % 1000), ': done.') AS output,
  false, false, map() AS attributes, false, [] AS pii_types, false, false, '' AS prompt_sha256, 'bench' AS source,
  start_time AS ingested_at
FROM (SELECT number, intDiv(number, 4) AS t, number % 4 AS i, cityHash64(number, 15) % 20 AS m FROM numbers(${from}, ${count}))
SETTINGS max_partitions_per_insert_block = 0`

console.log(`bench:query — ${SPANS.toLocaleString('en')} spans, ${RUNS} runs per figure, data in ${dataDir}`)
let ch = await connectClickHouse({ database: 'tollgate', dataDir })
await migrateClickHouse(ch)
await applyRetention(ch, 90)
const g0 = performance.now()
for (let from = 0; from < SPANS; from += CHUNK)
  await ch.client.command({ query: gen(from, Math.min(CHUNK, SPANS - from)) })
await ch.client.command({ query: 'OPTIMIZE TABLE tollgate.span_keys FINAL' }).catch(() => undefined)
console.log(`generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`)

// ---- 2. same-run SQL comparisons -----------------------------------------------------------------
console.log(`\n${'SQL in process (chDB)'.padEnd(58)} ${'median'.padStart(11)} ${'p95'.padStart(11)}`)
const sql = async (query) => (await ch.client.query({ query, format: 'JSONEachRow' })).json()
const OLD_LIST = `SELECT trace_id, min(start_time) AS s, count() AS n, sum(cost_total_usd) AS c FROM tollgate.spans FINAL
  WHERE project_id = 'default' GROUP BY trace_id HAVING 1 ORDER BY s DESC, trace_id DESC LIMIT 51`
const OLD_COUNT = `SELECT count() FROM (SELECT trace_id FROM tollgate.spans FINAL WHERE project_id = 'default' GROUP BY trace_id)`
line(
  'list first page, previous shape (GROUP BY all + count)',
  await time(() => Promise.all([sql(OLD_LIST), sql(OLD_COUNT)])),
)
const input = { projectId: 'default', filter: {}, sort: 'time', order: 'desc', limit: 50, offset: 0 }
line('list first page, new path (listTraces, approx total)', await time(() => listTraces(ch, input)))
line('list first page, new path, total=exact', await time(() => listTraces(ch, { ...input, total: 'exact' })))
line('list first page, new path, total=none', await time(() => listTraces(ch, { ...input, total: 'none' })))
line(
  'list ?model=model-3, previous shape (HAVING)',
  await time(() => sql(OLD_LIST.replace('HAVING 1', "HAVING countIf(model = 'model-3') > 0"))),
)
line('list ?model=model-3, new path', await time(() => listTraces(ch, { ...input, filter: { model: 'model-3' } })))
line(
  'list ?user_id=user-42, previous shape (HAVING)',
  await time(() => sql(OLD_LIST.replace('HAVING 1', "HAVING countIf(user_id = 'user-42') > 0"))),
)
line('list ?user_id=user-42, new path', await time(() => listTraces(ch, { ...input, filter: { userId: 'user-42' } })))
line(
  'search "zanzibar", previous shape (substring scan)',
  await time(
    () => sql(OLD_LIST.replace('HAVING 1', "HAVING countIf(positionCaseInsensitiveUTF8(input, 'zanzibar') > 0) > 0")),
    3,
  ),
)
line(
  'search "zanzibar", new path (text index, 7 days)',
  await time(() => listTraces(ch, { ...input, filter: { search: 'zanzibar' } })),
)
const range = { fromUs: baseUs - DAY_US, toUs: nowUs + DAY_US }
const RAW_BY_MODEL = `SELECT provider, model, toDate(start_time) AS day, count() AS calls, sum(cost_total_usd) AS cost FROM tollgate.spans FINAL
  WHERE project_id = 'default' GROUP BY provider, model, day ORDER BY day, provider, model`
line('cost by model/day, raw spans FINAL', await time(() => sql(RAW_BY_MODEL)))
line('cost by model/day, rollup (costByModel)', await time(() => costByModel(ch, 'default', range)))
const [rawTotal] = await sql(
  `SELECT sum(cost_total_usd) AS c, count() AS n FROM tollgate.spans FINAL WHERE project_id = 'default'`,
)
const rolled = await costByModel(ch, 'default', range)
console.log(
  `  same sums: raw ${Number(rawTotal.n)} calls $${Number(rawTotal.c).toFixed(4)}; rollup ${rolled.reduce((a, r) => a + r.calls, 0)} calls $${rolled.reduce((a, r) => a + r.cost_usd, 0).toFixed(4)}`,
)

// The analytics functions the routes call, over the last 30 whole hours-aligned days.
const HOUR_US = 3_600_000_000
const endUs = Math.ceil(nowUs / HOUR_US) * HOUR_US
const r30 = { projectId: 'default', fromUs: endUs - 30 * DAY_US, toUs: endUs }
const byModel = (source) => costBreakdown(ch, { ...r30, group: 'model', source })
const daily = (source) => costBreakdown(ch, { ...r30, granularity: 'day', source })
line('cost by model, 30 d, rollup (costBreakdown)', await time(() => byModel('rollup')))
line('cost by model, 30 d, raw spans FINAL (costBreakdown)', await time(() => byModel('spans')))
line('cost daily, 30 d, rollup (costBreakdown)', await time(() => daily('rollup')))
line('cost daily, 30 d, raw spans FINAL (costBreakdown)', await time(() => daily('spans')))
const total = (rows) =>
  `${rows.reduce((a, r) => a + r.calls, 0)} calls $${rows.reduce((a, r) => a + r.cost_usd, 0).toFixed(4)}`
console.log(`  same sums: rollup ${total((await byModel('rollup')).rows)}; raw ${total((await byModel('spans')).rows)}`)
line(
  'metrics, 24 h (getMetrics, raw spans FINAL)',
  await time(() => getMetrics(ch, { ...r30, fromUs: endUs - DAY_US })),
)
line('metrics, 30 d (getMetrics, raw spans FINAL)', await time(() => getMetrics(ch, r30)))
// Budgets as a policy holds them: month (30 days: the last day of a month), day, rolling 24 h, hour.
const dayStartUs = Math.floor(nowUs / DAY_US) * DAY_US
const budgets = [
  { scope: 'global', fromUs: nowUs - 30 * DAY_US },
  { scope: 'agent', scopeValue: 'agent-7', fromUs: dayStartUs },
  { scope: 'feature', scopeValue: 'f3', fromUs: nowUs - DAY_US },
  { scope: 'tag', tagKey: 'env', scopeValue: 'prod', fromUs: Math.floor(nowUs / HOUR_US) * HOUR_US },
]
const policyTo = nowUs + 5 * 60_000_000
line(
  'policy spend, 4 budgets, rollups + partial hours (spendByScope)',
  await time(() => spendByScope(ch, 'default', budgets, policyTo, { nowUs })),
)
line(
  'policy spend, 4 budgets, raw spans FINAL (spendByScope)',
  await time(() => spendByScope(ch, 'default', budgets, policyTo, { source: 'spans', nowUs })),
)
line(
  'policy spend, tenant budget over 30 d (raw only: no rollup)',
  await time(() =>
    spendByScope(ch, 'default', [{ scope: 'tenant', scopeValue: 'acme', fromUs: nowUs - 30 * DAY_US }], policyTo),
  ),
)
const spent = (xs) => xs.map((x) => `$${x.usd.toFixed(4)}/${x.tokens}`).join(' ')
console.log(
  `  same spend: auto ${spent(await spendByScope(ch, 'default', budgets, policyTo, { nowUs }))}; raw ${spent(await spendByScope(ch, 'default', budgets, policyTo, { source: 'spans', nowUs }))}`,
)
await ch.close()

// ---- 3. HTTP against the real server -------------------------------------------------------------
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => resolve(p))
  })
})
const base = `http://127.0.0.1:${port}`
const child = spawn(process.execPath, ['apps/api/dist/main.js'], {
  env: {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DATA_RETENTION_DAYS: '90',
    POLICY_CACHE_TTL_MS: '0',
  },
  stdio: 'inherit',
})
for (;;) {
  if (child.exitCode !== null) throw new Error('server exited')
  if (
    await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break
  await new Promise((r) => setTimeout(r, 100))
}
const get = async (path) => {
  const res = await fetch(base + path)
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return res.json()
}
console.log(`\n${'HTTP (real server, embedded)'.padEnd(58)} ${'median'.padStart(11)} ${'p95'.padStart(11)}`)
const first = await get('/api/traces')
console.log(`  project 'default': total ${first.total} traces`)
for (const [label, path] of [
  ['GET /api/traces (first page)', '/api/traces'],
  ['GET /api/traces?model=model-3', '/api/traces?model=model-3'],
  ['GET /api/traces?user_id=user-42', '/api/traces?user_id=user-42'],
  ['GET /api/traces?sort=cost', '/api/traces?sort=cost'],
  ['GET /api/traces?search=weather (common)', '/api/traces?search=weather'],
  ['GET /api/traces?search=zanzibar (rare)', '/api/traces?search=zanzibar'],
  ['GET /api/traces?total=none', '/api/traces?total=none'],
])
  line(label, await time(() => get(path)))
const traceIds = first.traces.map((t) => t.trace_id)
let k = 0
const oneTrace = () => get(`/api/traces/${traceIds[k++ % traceIds.length]}/spans`)
line('GET /api/traces/:id/spans alone', await time(oneTrace))
let listing = true
const background = (async () => {
  while (listing) await get('/api/traces')
})()
line('GET /api/traces/:id/spans while a client lists traces', await time(oneTrace))
listing = false
await background

// Analytics over HTTP: each cost endpoint from the rollups (whole hours) and from the raw spans (the same
// range starting 1 s past the hour, which the rollups cannot answer exactly); X-Tollgate-Source checked.
const endIso = new Date(endUs / 1000).toISOString()
const fromIso = new Date((endUs - 30 * DAY_US) / 1000).toISOString()
const offIso = new Date((endUs - 30 * DAY_US) / 1000 + 1000).toISOString()
const getFrom = async (path, source) => {
  const res = await fetch(base + path)
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  if (source && res.headers.get('x-tollgate-source') !== source)
    throw new Error(`${path}: answered from ${res.headers.get('x-tollgate-source')}, expected ${source}`)
  return res.json()
}
for (const [label, path, source] of [
  ['GET /api/cost/by-model (30 d, rollup)', `/api/cost/by-model?from=${fromIso}&to=${endIso}`, 'rollup'],
  ['GET /api/cost/by-model (30 d from :00:01, raw spans)', `/api/cost/by-model?from=${offIso}&to=${endIso}`, 'spans'],
  ['GET /api/cost/daily (30 d, rollup)', `/api/cost/daily?from=${fromIso}&to=${endIso}`, 'rollup'],
  ['GET /api/cost/daily (30 d from :00:01, raw spans)', `/api/cost/daily?from=${offIso}&to=${endIso}`, 'spans'],
  ['GET /api/metrics (default 24 h, raw spans)', '/api/metrics'],
  ['GET /api/metrics (30 d, raw spans)', `/api/metrics?from=${fromIso}&to=${endIso}`],
])
  line(label, await time(() => getFrom(path, source)))
const post = (path, body) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
for (const b of [
  { name: 'all month', scope: 'global', window: 'month', limit_usd: 1e9 },
  { name: 'agent day', scope: 'agent', scope_value: 'agent-7', window: 'day', limit_usd: 1e9 },
  { name: 'feature 24h', scope: 'feature', scope_value: 'f3', window: 'rolling_24h', limit_usd: 1e9 },
  { name: 'prod hour', scope: 'tag', tag_key: 'env', scope_value: 'prod', window: 'hour', limit_tokens: 1e12 },
]) {
  const res = await post('/api/budgets', b)
  if (res.status !== 201) throw new Error(`POST /api/budgets: ${res.status} ${await res.text()}`)
}
line('GET /api/policy (4 budgets, built on every call)', await time(() => getFrom('/api/policy')))

const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
console.log(
  `\nserver memory: RSS ${(kb('VmRSS') / 1024).toFixed(0)} MiB, peak RSS ${(kb('VmHWM') / 1024).toFixed(0)} MiB`,
)
child.kill('SIGTERM')
await new Promise((r) => child.once('exit', r))
if (!values.keep) rmSync(dataDir, { recursive: true, force: true })
