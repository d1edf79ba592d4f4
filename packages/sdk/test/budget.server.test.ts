// A server budget holds across processes: spend delivered to a real Tollgate by one process (here raw
// ingest, as any SDK delivers it) exhausts a budget, and the real SDK in another process — a fresh
// TollgateClient that only polls GET /api/policy — is blocked before its call is sent, while a tenant the
// budget does not cover still goes through.
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CircuitBreakerError } from '../src/breaker/errors.js'
import { TollgateClient } from '../src/client.js'
import { startFakeProvider, type FakeProvider } from './helpers/fake-provider.js'
import { tempDir } from './helpers/tmp.js'
import { startTollgate, type Tollgate } from './helpers/tollgate.js'

let tollgate: Tollgate
let provider: FakeProvider
let tmp: ReturnType<typeof tempDir>

beforeAll(async () => {
  tmp = tempDir()
  ;[tollgate, provider] = await Promise.all([
    startTollgate(join(tmp.dir, 'data'), undefined, { POLICY_CACHE_TTL_MS: '0' }),
    startFakeProvider(),
  ])
}, 120_000)
afterAll(async () => {
  await Promise.all([tollgate?.stop(), provider?.close()])
  tmp.cleanup()
})

const post = (path: string, body: unknown) =>
  fetch(`${tollgate.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

async function clientWithPolicy(name: string): Promise<TollgateClient> {
  const client = new TollgateClient(
    { endpoint: tollgate.url, spoolPath: join(tmp.dir, `${name}.sqlite`), policyPollIntervalMs: 100 },
    { env: {} },
  ).start()
  client.instrument()
  const until = Date.now() + 15_000
  while (client.getState().policy === null && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  expect(client.getState().policy, 'the SDK read the server policy').not.toBeNull()
  return client
}

it('blocks a process whose budget another process exhausted', async () => {
  const budget = await post('/api/budgets', {
    name: 'tenant acme daily',
    scope: 'tenant',
    scope_value: 'acme',
    limit_usd: 1,
    window: 'day',
  })
  expect(budget.status).toBe(201)

  // Another process spends $1.20 for acme (delivered and stored).
  const now = Date.now()
  const spans = [0, 1].map((i) => ({
    trace_id: `${'ab'.repeat(12)}${String(now).slice(-8)}`,
    span_id: `${'cd'.repeat(7)}0${i}`,
    name: 'openai.chat',
    kind: 'llm',
    start_time: new Date(now - 2000 + i).toISOString(),
    end_time: new Date(now - 1000).toISOString(),
    status: 'ok',
    provider: 'openai',
    model: 'gpt-4o',
    tags: { tenant: 'acme' },
    usage: { input_tokens: 100, output_tokens: 10 },
    cost: { input_usd: 0.6, output_usd: 0 },
  }))
  expect((await post('/api/ingest?consistency=strong', { spans })).status).toBe(202)

  const after = await clientWithPolicy('after')
  const openai = new OpenAI({ apiKey: 'k', baseURL: provider.openaiBase, maxRetries: 0 })
  const call = () =>
    openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
  const sent = provider.received.length
  try {
    await expect(after.trace('acme', () => call(), { tags: { tenant: 'acme' } })).rejects.toBeInstanceOf(
      CircuitBreakerError,
    )
    expect(provider.received.length, 'the blocked call was never sent').toBe(sent)
    // Another tenant is not covered by the budget.
    await expect(after.trace('globex', () => call(), { tags: { tenant: 'globex' } })).resolves.toBeDefined()
  } finally {
    await after.shutdown(2000)
  }
  const policy = (await (await fetch(`${tollgate.url}/api/policy`)).json()) as { budgets: { spent_usd: number }[] }
  expect(policy.budgets[0]?.spent_usd).toBeGreaterThanOrEqual(1.2)
}, 120_000)
