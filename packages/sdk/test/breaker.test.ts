import Anthropic from '@anthropic-ai/sdk'
import { createOpenAI } from '@ai-sdk/openai'
import { GoogleGenAI } from '@google/genai'
import { generateText } from 'ai'
import OpenAI from 'openai'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CircuitBreakerError, isCircuitBreakerError } from '../src/breaker/errors.js'
import type { AlertEvent, BlockEvent } from '../src/breaker/types.js'
import type { InitOptions } from '../src/config.js'
import { loadPrices, priceOf } from '../src/pricing.js'
import { waitFor } from './helpers/fake-ingest.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness | undefined
beforeAll(() => loadPrices())
afterEach(async () => {
  await h?.close()
  h = undefined
})

const messages = [{ role: 'user' as const, content: 'hi' }]

async function setup(
  opts: InitOptions,
): Promise<{ h: Harness; openai: OpenAI; call: (model?: string) => Promise<unknown> }> {
  h = await startHarness({ durability: 'best_effort', ...opts })
  const openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
  const call = (model = 'gpt-4o-mini') => openai.chat.completions.create({ model, messages })
  return { h, openai, call }
}

const rejection = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )
const events = (hh: Harness, path: string) =>
  hh.ingest.other.filter((o) => o.path === path).map((o) => o.body as Record<string, unknown>)

// One fake call: 11 input (3 cached) and 6 output tokens of gpt-4o-mini.
const CALL_COST = () =>
  priceOf('openai', 'gpt-4o-mini-2024-07-18', { input_tokens: 11, output_tokens: 6, cache_read_tokens: 3 })
    ?.total_usd ?? 0

describe('thresholds block before anything is sent', () => {
  it('budget per hour', async () => {
    const cost = CALL_COST()
    expect(cost).toBeGreaterThan(0)
    const { h, call } = await setup({ budgetPerHour: cost * 1.5, blockOnThreshold: true })
    await call()
    await call()
    await waitFor(() => h.client.getState().global.spend_last_hour_usd >= cost * 2 - 1e-12)
    const err = await rejection(call())
    expect(err).toBeInstanceOf(CircuitBreakerError)
    expect(err).toMatchObject({ reason: 'budget_exceeded', state: { state: 'OPEN', scope: 'global' } })
    expect(h.provider.received).toHaveLength(2)
    expect(h.client.getState().state).toBe('OPEN')
    await waitFor(
      () => events(h, '/api/circuit-breaker/state').length === 1 && events(h, '/api/alerts/sdk-alert').length === 1,
    )
    expect(events(h, '/api/circuit-breaker/state')[0]).toMatchObject({
      event: 'triggered',
      from: 'CLOSED',
      to: 'OPEN',
      reason: 'budget_exceeded',
      scope: 'global',
    })
    expect(events(h, '/api/alerts/sdk-alert')[0]).toMatchObject({
      reason: 'budget_exceeded',
      blocked: true,
      scope: 'global',
      scope_id: 'default',
    })
  })

  it('error rate over 5 minutes, only from 10 calls on', async () => {
    const { h, call } = await setup({ maxErrorRate: 0.5, blockOnThreshold: true })
    for (let i = 0; i < 9; i++) await rejection(call('error-500'))
    // 9 failures: below the minimum sample, still closed.
    await waitFor(() => h.client.getState().global.calls_last_5min === 9)
    await rejection(call('error-500'))
    await waitFor(() => h.client.getState().global.errors_last_5min === 10)
    const err = await rejection(call())
    expect(err).toMatchObject({ reason: 'error_rate', name: 'CircuitBreakerError' })
    expect(h.provider.received).toHaveLength(10)
  })

  it('calls per minute (loop detection)', async () => {
    const { h, call } = await setup({ maxCallsPerMinute: 3, blockOnThreshold: true })
    await Promise.all([call(), call(), call()])
    const err = await rejection(call())
    expect(err).toMatchObject({ reason: 'calls_per_minute' })
    expect(h.provider.received).toHaveLength(3)
    const spans = await h.waitSpans(4)
    expect(spans.filter((s) => s.attributes?.blocked === true)).toHaveLength(1)
  })

  it('only alerts when blockOnThreshold is false, once per 60 s per reason', async () => {
    const alerts: AlertEvent[] = []
    const { h, call } = await setup({ maxCallsPerMinute: 2, onAlert: (a) => void alerts.push(a) })
    for (let i = 0; i < 6; i++) await call()
    expect(h.provider.received).toHaveLength(6)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ reason: 'calls_per_minute', blocked: false, threshold: 2, current: 2 })
    expect(h.client.getState().state).toBe('CLOSED')
  })

  it('runs an async onBlock before the error reaches the caller', async () => {
    const seen: string[] = []
    const { call } = await setup({
      maxCallsPerMinute: 1,
      blockOnThreshold: true,
      onBlock: async (e: BlockEvent) => {
        await new Promise((r) => setTimeout(r, 20))
        seen.push(`onBlock:${e.reason}:${e.state.state}`)
      },
    })
    await call()
    await call().catch(() => seen.push('caught'))
    expect(seen).toEqual(['onBlock:calls_per_minute:OPEN', 'caught'])
  })

  it('a failing alert or block callback does not change the outcome', async () => {
    const { h, call } = await setup({
      maxCallsPerMinute: 1,
      blockOnThreshold: true,
      onAlert: () => {
        throw new Error('alert handler bug')
      },
      onBlock: () => Promise.reject(new Error('block handler bug')),
    })
    await call()
    expect(await rejection(call())).toBeInstanceOf(CircuitBreakerError)
    expect(h.provider.received).toHaveLength(1)
  })
})

describe('recovery', () => {
  it('pause → PAUSED → HALF_OPEN → one probe → CLOSED, and trips again while the loop goes on', async () => {
    const { h, call } = await setup({ maxCallsPerMinute: 2, blockOnThreshold: true })
    await call()
    await call()
    const err = (await rejection(call())) as CircuitBreakerError
    err.monitor.pause(0.15)
    expect(await rejection(call())).toMatchObject({ reason: 'circuit_paused' })
    await new Promise((r) => setTimeout(r, 200))
    await call() // the probe
    expect(h.client.getState().state).toBe('CLOSED')
    expect(await rejection(call())).toMatchObject({ reason: 'calls_per_minute' })
    await waitFor(() => events(h, '/api/circuit-breaker/state').length === 5)
    expect(events(h, '/api/circuit-breaker/state').map((t) => t.event)).toEqual([
      'triggered',
      'paused',
      'half_open',
      'recovered',
      'triggered',
    ])
    expect(h.provider.received).toHaveLength(3)
  })

  it('a failed probe reopens the circuit', async () => {
    const { h, call } = await setup({ maxCallsPerMinute: 1, blockOnThreshold: true })
    await call()
    const err = (await rejection(call())) as CircuitBreakerError
    err.monitor.pause(0)
    await rejection(call('error-500'))
    await waitFor(() => h.client.getState().state === 'OPEN')
    expect(await rejection(call())).toMatchObject({ reason: 'circuit_open' })
  })

  it('half-open lets exactly one probe through at a time', async () => {
    const { h, openai, call } = await setup({ maxCallsPerMinute: 1, blockOnThreshold: true })
    h.provider.eventDelayMs = 2
    await call()
    const err = (await rejection(call())) as CircuitBreakerError
    err.monitor.pause(0)
    const probe = await openai.chat.completions.create({ model: 'slow-model', messages, stream: true })
    expect(await rejection(call())).toMatchObject({ reason: 'circuit_half_open' })
    for await (const _ of probe) {
      // drain
    }
    await waitFor(() => h.client.getState().state === 'CLOSED')
  })

  it('increaseBudget closes the circuit at once; reset clears the windows', async () => {
    const cost = CALL_COST()
    const { h, call } = await setup({ budgetPerHour: cost * 0.5, blockOnThreshold: true })
    await call()
    await waitFor(() => h.client.getState().global.spend_last_hour_usd > 0)
    const err = (await rejection(call())) as CircuitBreakerError
    expect(err.reason).toBe('budget_exceeded')
    err.monitor.increaseBudget(cost * 2)
    expect(h.client.getState().global).toMatchObject({ state: 'CLOSED', budget_per_hour_usd: cost * 2.5 })
    await call()
    await call()
    await waitFor(() => h.client.getState().global.spend_last_hour_usd >= cost * 3 - 1e-12)
    const again = (await rejection(call())) as CircuitBreakerError
    again.monitor.reset()
    expect(h.client.getState().global).toMatchObject({
      state: 'CLOSED',
      spend_last_hour_usd: 0,
      budget_per_hour_usd: cost * 0.5,
    })
    await call()
    expect(h.provider.received).toHaveLength(4)
  })
})

describe('agents', () => {
  it('enforces per-agent limits; other agents and the global scope are unaffected', async () => {
    const { h, call } = await setup({})
    await h.client.agent({ name: 'Researcher', maxCallsPerMinute: 1, blockOnThreshold: true }, async () => {
      await call()
      const err = await rejection(call())
      expect(err).toMatchObject({
        reason: 'calls_per_minute',
        state: { scope: 'agent', scope_id: 'researcher', name: 'Researcher' },
      })
    })
    await h.client.agent({ name: 'Writer' }, async () => {
      await call()
      await call()
    })
    await call()
    expect(h.provider.received).toHaveLength(4)
    const state = h.client.getState()
    expect(state.state).toBe('CLOSED')
    expect(state.agents.map((a) => [a.scope_id, a.state])).toEqual([
      ['researcher', 'OPEN'],
      ['writer', 'CLOSED'],
    ])
  })

  it('checks nested agents together: the outer limit applies inside the inner agent', async () => {
    const { h, call } = await setup({})
    await h.client.agent({ name: 'Orchestrator', maxCallsPerMinute: 2, blockOnThreshold: true }, () =>
      h.client.agent({ name: 'Sub', maxCallsPerMinute: 100, blockOnThreshold: true }, async () => {
        await call()
        await call()
        expect(await rejection(call())).toMatchObject({ state: { scope_id: 'orchestrator' } })
      }),
    )
    const spans = await h.waitSpans(5)
    const llm = spans.filter((s) => s.name === 'openai.chat' && !s.attributes?.blocked)
    expect(llm.map((s) => s.agent)).toEqual([
      { id: 'sub', name: 'Sub', role: null, parent_id: 'orchestrator' },
      { id: 'sub', name: 'Sub', role: null, parent_id: 'orchestrator' },
    ])
    expect(h.provider.received).toHaveLength(2)
  })

  it('re-entering an agent keeps its spend and state', async () => {
    const { h, call } = await setup({})
    const run = () => h.client.agent({ name: 'Looper', maxCallsPerMinute: 2, blockOnThreshold: true }, () => call())
    await run()
    await run()
    expect(await rejection(run())).toBeInstanceOf(CircuitBreakerError)
  })
})

describe('every client gets the CircuitBreakerError itself, at once', () => {
  it('openai, @anthropic-ai/sdk, @google/genai and the Vercel AI SDK', async () => {
    const { h } = await setup({ maxCallsPerMinute: 1, blockOnThreshold: true })
    const openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase })
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const anthropic = new Anthropic({ apiKey: 'k', baseURL: h.provider.url })
    const gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: h.provider.url } })
    const vercel = createOpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase })
    const attempts = [
      () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
      () => anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 5, messages }),
      () => gemini.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }),
      () => generateText({ model: vercel.chat('gpt-4o-mini'), prompt: 'hi' }),
    ]
    for (const attempt of attempts) {
      // Default retries are on: a transport error would be retried, each retry blocked again.
      expect(await rejection(attempt())).toBeInstanceOf(CircuitBreakerError)
    }
    expect(h.provider.received).toHaveLength(1)
    // One blocked span per attempt: no client retried the block (a retry passes the breaker again).
    const spans = await h.waitSpans(5)
    expect(spans.filter((s) => s.attributes?.blocked === true)).toHaveLength(attempts.length)
  })
})

describe('clients that captured fetch before instrument()', () => {
  it('are blocked at the dispatcher: nothing is sent, the cause chain carries the breaker error', async () => {
    const early = (base: string) => new OpenAI({ apiKey: 'k', baseURL: base, maxRetries: 0 })
    h = await startHarness({ durability: 'best_effort', maxCallsPerMinute: 1, blockOnThreshold: true }, false)
    const client = early(h.provider.openaiBase)
    h.client.instrument()
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const err = await rejection(client.chat.completions.create({ model: 'gpt-4o-mini', messages }))
    expect(isCircuitBreakerError(err)).toBe(true)
    expect(h.provider.received).toHaveLength(1)
  })
})

describe('reporting is fail-open', () => {
  it('a dead backend changes nothing for the breaker or the call', async () => {
    const { h, call } = await setup({ maxCallsPerMinute: 1, blockOnThreshold: true, endpoint: 'http://127.0.0.1:9' })
    await call()
    expect(await rejection(call())).toBeInstanceOf(CircuitBreakerError)
    expect(h.provider.received).toHaveLength(1)
    // The breaker's reports to the dead backend are fire-and-forget: nothing waited on them.
    expect(h.client.getState().global.state).toBe('OPEN')
  })
})
