import OpenAI from 'openai'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CircuitBreakerError } from '../src/breaker/errors.js'
import type { AlertEvent } from '../src/breaker/types.js'
import type { AgentFrame } from '../src/context.js'
import type { InitOptions } from '../src/config.js'
import { evaluatePolicy, usagePercent } from '../src/policy/evaluate.js'
import { parsePolicy } from '../src/policy/types.js'
import type { Policy } from '../src/policy/types.js'
import { loadPrices } from '../src/pricing.js'
import { withContext } from '../src/user-context.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

const frame = (id: string): AgentFrame => ({
  id,
  name: id,
  role: null,
  parent_id: null,
  spanId: '0'.repeat(15) + '1',
  limits: {},
})
const budget = (over: Record<string, unknown>) => ({
  id: 'b1',
  scope: 'global',
  limit_usd: 100,
  window: 'month',
  spent_usd: 0,
  spent_tokens: 0,
  ...over,
})
const policyOf = (...budgets: Record<string, unknown>[]): Policy => {
  const p = parsePolicy({ version: 'v1', budgets })
  if (!p) throw new Error('invalid policy')
  return p
}
const none = undefined

describe('policy shape', () => {
  it('parses leniently: invalid budgets and thresholds are skipped, not fatal', () => {
    const p = parsePolicy({
      version: 'v7',
      poll_interval_s: 1,
      budgets: [
        budget({
          thresholds: [
            { percent: 80, action: 'degrade' },
            { percent: 90, action: 'throttle', throttle_ms: 500 },
            { percent: 'x', action: 'block' },
          ],
        }),
        { id: 'no-limit', scope: 'global' },
        { id: 'bad-scope', scope: 'planet', limit_usd: 1 },
        { id: 'tag-without-key', scope: 'tag', scope_value: 'x', limit_usd: 1 },
        budget({ id: 'b2', scope: 'tenant', scope_value: 'acme', limit_tokens: 1000 }),
      ],
    })
    expect(p?.poll_interval_s).toBe(5)
    expect(p?.budgets.map((b) => b.id)).toEqual(['b1', 'b2'])
    expect(p?.budgets[0]?.thresholds).toEqual([{ percent: 90, action: 'throttle', throttle_ms: 500 }])
    // No thresholds: a hard limit.
    expect(p?.budgets[1]?.thresholds).toEqual([{ percent: 100, action: 'block' }])
    expect(parsePolicy({ budgets: 'nope' })).toBeUndefined()
  })
})

describe('evaluatePolicy', () => {
  const steps = [
    { percent: 50, action: 'alert' },
    { percent: 80, action: 'degrade', degrade_to_model: 'gpt-4o-mini' },
    { percent: 95, action: 'throttle', throttle_ms: 2000 },
    { percent: 100, action: 'block' },
  ]
  it.each([
    [10, {}],
    [60, { alerts: 1 }],
    [85, { degrade: 'gpt-4o-mini' }],
    [97, { throttle: 2000 }],
    [100, { block: true }],
  ])('at %i%% the highest threshold reached applies', (percent, expected) => {
    const d = evaluatePolicy(
      policyOf(budget({ spent_usd: percent, thresholds: steps })),
      { agents: [], tags: {} },
      none,
    )
    const t = d.decisive?.threshold
    expect({
      ...(d.action === 'alert' ? { alerts: d.hits.length } : {}),
      ...(d.action === 'degrade' ? { degrade: t?.degrade_to_model } : {}),
      ...(d.action === 'throttle' ? { throttle: t?.throttle_ms } : {}),
      ...(d.action === 'block' ? { block: true } : {}),
    }).toEqual(expected)
  })

  it('across budgets the most restrictive action wins: block > throttle > degrade > alert', () => {
    const at = (id: string, action: string, extra: Record<string, unknown> = {}) =>
      budget({ id, spent_usd: 100, thresholds: [{ percent: 100, action, ...extra }] })
    const degrade = at('d', 'degrade', { degrade_to_model: 'gpt-4o-mini' })
    const throttle = at('t', 'throttle', { throttle_ms: 500 })
    const longer = at('t2', 'throttle', { throttle_ms: 900 })
    const cases: [Record<string, unknown>[], string, string | undefined][] = [
      [[at('a', 'alert'), degrade], 'degrade', 'd'],
      [[degrade, throttle, at('a', 'alert')], 'throttle', 't'],
      [[throttle, at('b', 'block'), degrade], 'block', 'b'],
      [[throttle, longer], 'throttle', 't2'],
      [[at('a', 'alert'), at('n', 'allow')], 'alert', 'a'],
    ]
    for (const [budgets, action, decisive] of cases) {
      const d = evaluatePolicy(policyOf(...budgets), { agents: [], tags: {} }, none)
      expect([d.action, d.decisive?.budget.id]).toEqual([action, decisive])
      // Every budget past a non-allow threshold still raises its alert.
      expect(d.hits.length).toBe(budgets.filter((b) => JSON.stringify(b).match(/"action":"(?!allow)/)).length)
    }
  })

  it('matches budgets by scope', () => {
    const p = policyOf(
      budget({ id: 'agent', scope: 'agent', scope_value: 'researcher', spent_usd: 100 }),
      budget({ id: 'tenant', scope: 'tenant', scope_value: 'acme', spent_usd: 100 }),
      budget({ id: 'customer', scope: 'customer', scope_value: 'c1', spent_usd: 100 }),
      budget({ id: 'feature', scope: 'feature', scope_value: 'chat', spent_usd: 100 }),
      budget({ id: 'tag', scope: 'tag', tag_key: 'region', scope_value: 'eu', spent_usd: 100 }),
    )
    const blocked = (agents: AgentFrame[], tags: Record<string, string>) => {
      const d = evaluatePolicy(p, { agents, tags }, none)
      return d.action === 'block' ? d.decisive?.budget.id : undefined
    }
    expect(blocked([], {})).toBeUndefined()
    expect(blocked([frame('researcher')], {})).toBe('agent')
    expect(blocked([], { tenant: 'acme' })).toBe('tenant')
    expect(blocked([], { tenant_id: 'other' })).toBeUndefined()
    expect(blocked([], { customer_id: 'c1' })).toBe('customer')
    expect(blocked([], { feature: 'chat' })).toBe('feature')
    expect(blocked([], { region: 'eu' })).toBe('tag')
  })

  it('adds spend seen locally since the poll, by USD or tokens, and forgets a window that ended', () => {
    const b = policyOf(budget({ limit_usd: 10, limit_tokens: 1000, spent_usd: 5, spent_tokens: 100 })).budgets[0]
    if (!b) throw new Error('no budget')
    expect(usagePercent(b, undefined, Date.now())).toBe(50)
    expect(usagePercent(b, { usd: 1, tokens: 800 }, Date.now())).toBe(90)
    const ended = { ...b, window_ends_at: new Date(Date.now() - 1000).toISOString() }
    expect(usagePercent(ended, { usd: 1, tokens: 0 }, Date.now())).toBe(10)
  })
})

describe('SDK enforcement against a policy server', () => {
  let h: Harness | undefined
  beforeAll(() => loadPrices())
  afterEach(async () => {
    await h?.close()
    h = undefined
  })
  const messages = [{ role: 'user' as const, content: 'hi' }]

  async function setup(policy: unknown, status = 200, opts: InitOptions = {}) {
    h = await startHarness({ durability: 'best_effort', ...opts })
    h.ingest.policy = { status, body: policy }
    await h.client.control.refreshPolicy()
    const openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
    return { h, call: (model = 'gpt-4o') => openai.chat.completions.create({ model, messages }) }
  }

  it('degrade rewrites the model in the request', async () => {
    const { h, call } = await setup({
      budgets: [
        budget({ spent_usd: 85, thresholds: [{ percent: 80, action: 'degrade', degrade_to_model: 'gpt-4o-mini' }] }),
      ],
    })
    await call('gpt-4o')
    expect(h.provider.received[0]?.body.model).toBe('gpt-4o-mini')
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      model: 'gpt-4o-mini',
      attributes: { degraded_from: 'gpt-4o', policy_budget_id: 'b1' },
    })
  })

  it('throttle holds the request for throttle_ms, then sends it', async () => {
    const { h, call } = await setup({
      budgets: [budget({ spent_usd: 96, thresholds: [{ percent: 95, action: 'throttle', throttle_ms: 300 }] })],
    })
    await call()
    expect(h.provider.received).toHaveLength(1)
    const [span] = await h.waitSpans(1)
    expect(span?.attributes).toMatchObject({ throttled_ms: 300, policy_budget_id: 'b1' })
  })

  it('block throws CircuitBreakerError before sending, after onBlock and an alert', async () => {
    const alerts: AlertEvent[] = []
    let blockedBy: string | undefined
    const { h, call } = await setup({ budgets: [budget({ name: 'org', spent_usd: 100 })] }, 200, {
      onAlert: (a) => void alerts.push(a),
      onBlock: (e) => void (blockedBy = e.scope_id),
    })
    const err = await call().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CircuitBreakerError)
    expect(err).toMatchObject({ reason: 'server_budget' })
    expect(blockedBy).toBe('b1')
    expect(alerts).toMatchObject([{ scope: 'budget', scope_id: 'b1', reason: 'server_budget', blocked: true }])
    expect(h.provider.received).toHaveLength(0)
  })

  it('only blocks the scope the budget names', async () => {
    const { h, call } = await setup({ budgets: [budget({ scope: 'tenant', scope_value: 'acme', spent_usd: 100 })] })
    await expect(h.client.trace('acme request', () => call(), { tags: { tenant: 'acme' } })).rejects.toBeInstanceOf(
      CircuitBreakerError,
    )
    await h.client.trace('globex request', () => call(), { tags: { tenant: 'globex' } })
    expect(h.provider.received).toHaveLength(1)
  })

  it('budgets by metadata: setContext() scopes match, every matching budget is checked, the most restrictive wins', async () => {
    const { h, call } = await setup({
      budgets: [
        budget({
          id: 'org',
          spent_usd: 90,
          thresholds: [{ percent: 80, action: 'degrade', degrade_to_model: 'gpt-4o-mini' }],
        }),
        budget({ id: 'acme', scope: 'tenant', scope_value: 'acme', limit_usd: 10, spent_usd: 10 }),
        budget({
          id: 'search',
          scope: 'feature',
          scope_value: 'search',
          limit_usd: 10,
          spent_usd: 9.6,
          thresholds: [{ percent: 95, action: 'throttle', throttle_ms: 10 }],
        }),
        budget({ id: 'vip', scope: 'customer', scope_value: 'c-vip', limit_usd: 10, spent_usd: 0 }),
        budget({ id: 'eu', scope: 'tag', tag_key: 'region', scope_value: 'eu', limit_usd: 10, spent_usd: 10 }),
      ],
    })
    const outcome = (ctx: Parameters<typeof withContext>[0]) =>
      withContext(ctx, () => call('gpt-4o')).then(
        () => h.provider.received.at(-1)?.body.model,
        (e: unknown) => (e instanceof CircuitBreakerError ? `blocked:${e.state.scope_id}` : 'error'),
      )
    // Only the global budget matches: degrade.
    expect(await outcome({ customer: 'c-vip' })).toBe('gpt-4o-mini')
    // Global degrade + feature throttle: the throttle wins, the model is not rewritten.
    expect(await outcome({ feature: 'search' })).toBe('gpt-4o')
    // Tenant block beats the feature throttle and the global degrade.
    expect(await outcome({ tenant: 'acme', feature: 'search' })).toBe('blocked:default')
    expect(await outcome({ tags: { region: 'eu' } })).toBe('blocked:default')
    const spans = await h.waitSpans(4)
    expect(spans.filter((s) => s.attributes?.blocked).map((s) => s.attributes?.breaker_reason)).toEqual([
      'server_budget',
      'server_budget',
    ])
    expect(spans.find((s) => s.tags?.feature === 'search' && !s.attributes?.blocked)?.attributes).toMatchObject({
      throttled_ms: 10,
      policy_budget_id: 'search',
    })
  })

  it('counts local spend against the budget between polls', async () => {
    const { h, call } = await setup({ budgets: [budget({ limit_usd: 0.00002, spent_usd: 0 })] })
    const results: string[] = []
    for (let i = 0; i < 8; i++)
      results.push(
        await call('gpt-4o-mini').then(
          () => 'ok',
          (e: unknown) => (e instanceof CircuitBreakerError ? 'blocked' : 'error'),
        ),
      )
    expect(results.slice(0, 2)).toEqual(['ok', 'ok'])
    expect(results.at(-1)).toBe('blocked')
    expect(h.provider.received.length).toBe(results.filter((r) => r === 'ok').length)
  })

  it.each([
    ['a 404 (no server budgets)', 404],
    ['a 500', 500],
  ])('treats %s as "no policy"', async (_label, status) => {
    const { h, call } = await setup({ type: 'about:blank', status }, status)
    await call()
    expect(h.provider.received).toHaveLength(1)
    expect(h.client.getState().policy).toBeNull()
  })

  it('shows the policy in getState()', async () => {
    const { h } = await setup({ version: 'v9', budgets: [budget({})] })
    expect(h.client.getState().policy).toMatchObject({ version: 'v9', budgets: 1 })
  })
})
