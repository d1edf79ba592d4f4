// The published Python clients against a real Tollgate: starts Tollgate (apps/api/dist, a fresh data
// directory) and a fake OpenAI provider on 127.0.0.1, gives each client a project and ingest key of
// its own, runs clients.py for it with the venv's Python ($PYTHON), then checks what Tollgate stored.
// Prints one line per check and `N passed, N failed`; exits 1 on any failure (never skips).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..', '..')
const PYTHON = process.env.PYTHON
if (!PYTHON) throw new Error('PYTHON (the venv interpreter) is not set: run tests/python-clients/run.sh')

const { parseEnv } = await import(join(root, 'apps/api/dist/env.js'))
const { startServer } = await import(join(root, 'apps/api/dist/server.js'))
const { createLogger } = await import(join(root, 'apps/api/dist/lib/logger.js'))

// The fake provider: OpenAI chat completions, the usage the checks expect. Also answers as an HTTP
// proxy (absolute-form request targets), which is how the agentwatch client reaches it.
const USAGE = {
  prompt_tokens: 11,
  completion_tokens: 6,
  total_tokens: 17,
  prompt_tokens_details: { cached_tokens: 3 },
  completion_tokens_details: { reasoning_tokens: 0 },
}
const fake = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const path = new URL(req.url, 'http://fake').pathname
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      res.writeHead(404).end()
      return
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' })
    res.end(
      JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: `${body.model}-2024-07-18`,
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Hello from the fake provider.' }, finish_reason: 'stop' },
        ],
        usage: USAGE,
      }),
    )
  })
})
await new Promise((r) => fake.listen(0, '127.0.0.1', r))
const openaiBase = `http://127.0.0.1:${fake.address().port}/v1`

const ADMIN = `pyclients-admin-${process.pid}-0123456789abcdef`
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-pyclients-'))
const server = await startServer(
  parseEnv({
    API_KEY: ADMIN,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    POLICY_CACHE_TTL_MS: '0',
  }),
  { logger: createLogger('silent') },
)

async function api(path, { key = ADMIN, method = 'GET', body } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : {} }
}

/** A project and an ingest+read key of its own, so each client's spans are told apart by project. */
async function projectKey(name) {
  const project = await api('/api/projects', { method: 'POST', body: { name } })
  const key = await api(`/api/projects/${project.body.id}/keys`, {
    method: 'POST',
    body: { scopes: ['ingest', 'read'] },
  })
  return key.body.key
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Every stored span of the key's project, once at least `n` are there (bounded wait). */
async function spansOf(key, n) {
  const until = Date.now() + 20_000
  for (;;) {
    const list = await api('/api/traces?limit=100', { key })
    const spans = []
    for (const t of list.body.traces ?? [])
      spans.push(...(await api(`/api/traces/${t.trace_id}/spans`, { key })).body.spans)
    if (spans.length >= n || Date.now() > until) return spans
    await sleep(250)
  }
}

let passed = 0
let failed = 0
function check(name, ok, detail) {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${JSON.stringify(detail)}`}`)
}

/** Checks `expected` (a partial object) against `actual`, one path at a time. */
function matches(name, actual, expected) {
  const miss = []
  const walk = (a, e, path) => {
    for (const [k, v] of Object.entries(e)) {
      const got = a?.[k]
      if (typeof v === 'function') {
        if (!v(got)) miss.push({ path: `${path}${k}`, got })
      } else if (v && typeof v === 'object') walk(got, v, `${path}${k}.`)
      else if (got !== v) miss.push({ path: `${path}${k}`, expected: v, got })
    }
  }
  walk(actual, expected, '')
  check(name, miss.length === 0, miss)
}

async function runClient(client, key) {
  try {
    const { stdout } = await promisify(execFile)(PYTHON, [join(here, 'clients.py'), client], {
      env: { ...process.env, TOLLGATE_URL: server.url, TOLLGATE_KEY: key, OPENAI_BASE: openaiBase, SPOOL_DIR: dataDir },
      timeout: 120_000,
    })
    const out = JSON.parse(stdout.trim().split('\n').pop())
    check(`${client}: the client ran against the fake provider`, out.content === 'Hello from the fake provider.', out)
    return true
  } catch (err) {
    check(`${client}: the client ran`, false, String(err.stderr || err.message).slice(-2000))
    return false
  }
}

const positive = (v) => typeof v === 'number' && v > 0
const hex64 = (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)

try {
  // OpenTelemetry: opentelemetry-instrumentation-openai-v2 → OTLP/HTTP protobuf → /v1/traces.
  {
    const key = await projectKey('otel')
    if (await runClient('otel', key)) {
      const spans = await spansOf(key, 1)
      const chat = spans.find((s) => s.kind === 'llm')
      matches('otel: the chat span with provider, model, tokens, cost, service', chat, {
        source: 'otlp',
        provider: 'openai',
        model: 'gpt-4o-mini',
        response_model: 'gpt-4o-mini-2024-07-18',
        operation: 'chat',
        usage: { input_tokens: 11, output_tokens: 6 },
        cost_status: 'computed',
        cost: { total_usd: positive },
        tags: { 'service.name': 'pyclients-otel' },
      })
    }
  }

  // tokenome: TokenLens(endpoint=.../v1/events/batch).
  {
    const key = await projectKey('tokenome')
    if (await runClient('tokenome', key)) {
      const spans = await spansOf(key, 1)
      check('tokenome: one span per event', spans.length === 1, spans.length)
      matches('tokenome: model, provider, tokens incl. cached, cost, user, session, tags', spans[0], {
        source: 'tokenome',
        provider: 'openai',
        model: 'gpt-4o-mini-2024-07-18',
        usage: { input_tokens: 11, output_tokens: 6, cache_read_tokens: 3 },
        cost_status: 'computed',
        cost: { total_usd: positive },
        user_id: hex64,
        session_id: 'sess-tk',
        tags: { route: '/chat', feature: 'greeter', team: 'py', environment: 'ci', project_id: 'tk-project' },
      })
    }
  }

  // aden: MeterOptions(server_url=...) → /v1/control/policy, /tsdb/pricing, /v1/control/events.
  {
    const key = await projectKey('aden')
    if (await runClient('aden', key)) {
      const spans = await spansOf(key, 1)
      check('aden: one span per metric event', spans.length === 1, spans.length)
      matches('aden: model, tokens incl. cached, cost, agent, tenant and feature tags', spans[0], {
        source: 'aden',
        provider: 'openai',
        usage: { input_tokens: 11, output_tokens: 6, cache_read_tokens: 3 },
        cost_status: 'computed',
        cost: { total_usd: positive },
        agent: { name: 'PyResearcher' },
        tags: { tenant_id: 'acme-py', feature: 'search' },
      })
      check(
        'aden: the model is the one requested or answered',
        /^gpt-4o-mini/.test(spans[0]?.model ?? ''),
        spans[0]?.model,
      )
      // It read its policy and the price table from Tollgate, answered 200 (else it fails open silently).
      const metrics = await (await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': ADMIN } })).text()
      for (const [method, route] of [
        ['GET', '/v1/control/policy'],
        ['GET', '/tsdb/pricing'],
        ['POST', '/v1/control/events'],
      ]) {
        const line = metrics
          .split('\n')
          .find(
            (l) =>
              l.startsWith('tollgate_http_requests_total{') &&
              l.includes(`method="${method}"`) &&
              l.includes(`route="${route}"`) &&
              l.includes('status="200"'),
          )
        check(
          `aden: ${method} ${route} answered 200`,
          line !== undefined,
          metrics.split('\n').filter((l) => l.includes(route)),
        )
      }
    }
  }

  // agentwatch: init(proxy_url=.../api/ingest); alerts at /api/api/alerts/sdk-alert.
  {
    const key = await projectKey('agentwatch')
    if (await runClient('agentwatch', key)) {
      const spans = await spansOf(key, 2)
      const llm = spans.filter((s) => s.kind === 'llm')
      check(
        'agentwatch: a span per call',
        llm.length >= 2,
        spans.map((s) => s.name),
      )
      matches('agentwatch: model, provider, tokens, cost, agent', llm[0], {
        source: 'atp',
        provider: 'openai',
        model: (m) => /^gpt-4o-mini/.test(m),
        usage: { input_tokens: 11, output_tokens: 6 },
        cost_status: 'computed',
        cost: { total_usd: positive },
        agent: { id: (v) => typeof v === 'string' && v.length > 0 },
      })
      const history = await api('/api/alerts/history', { key })
      const alert = (history.body.events ?? []).find((e) => e.kind === 'sdk')
      matches('agentwatch: its loop-detection alert is in the history', alert, {
        details: { reason: 'Too many calls (loop detected)', scope: 'global' },
      })
    }
  }
} finally {
  await server.close()
  await new Promise((r) => fake.close(r))
  rmSync(dataDir, { recursive: true, force: true })
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
