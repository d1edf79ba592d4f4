import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { CircuitBreakerError } from '../src/breaker/errors.js'
import type { InitOptions } from '../src/config.js'
import type { BeforeRequestHook, RequestContext, RequestParams } from '../src/request-hook.js'
import { BeforeRequest } from '../src/request-hook.js'
import { withContext } from '../src/user-context.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

async function setup(
  beforeRequest: BeforeRequestHook,
  opts: InitOptions = {},
): Promise<{ h: Harness; openai: OpenAI }> {
  h = await startHarness({ durability: 'best_effort', beforeRequest, ...opts })
  return { h, openai: new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 }) }
}
const messages = [{ role: 'user' as const, content: 'Hi' }]

describe('beforeRequest', () => {
  it('sees the request and whom it is for; returning nothing proceeds', async () => {
    const seen: [RequestParams, RequestContext][] = []
    const { h, openai } = await setup((params, ctx) => void seen.push([params, ctx]), { tags: { service: 'api' } })
    await withContext({ userId: 'u1', tenant: 'acme' }, () =>
      openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true }).then(async (s) => {
        for await (const _ of s) void _
      }),
    )
    expect(h.provider.received).toHaveLength(1)
    const [params, ctx] = seen[0] ?? []
    expect(params).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      model: 'gpt-4o',
      stream: true,
      input: messages,
    })
    expect(ctx).toMatchObject({ userId: 'u1', tags: { service: 'api', tenant: 'acme' } })
  })

  it('cancel: the call fails with CircuitBreakerError, nothing is sent, the span says why', async () => {
    const { h, openai } = await setup(() => BeforeRequest.cancel('over the user quota'))
    const err = await openai.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CircuitBreakerError)
    expect(err).toMatchObject({ reason: 'request_cancelled', message: expect.stringContaining('over the user quota') })
    expect(h.provider.received).toHaveLength(0)
    const [span] = await h.waitSpans(1)
    expect(span?.attributes).toMatchObject({
      blocked: true,
      breaker_reason: 'request_cancelled',
      cancelled_by: 'before_request',
    })
  })

  it('degrade (async hook): the provider receives the cheaper model', async () => {
    const { h, openai } = await setup(async (p) =>
      p.model === 'gpt-4o' ? BeforeRequest.degrade('gpt-4o-mini', 'free tier') : undefined,
    )
    const r = await openai.chat.completions.create({ model: 'gpt-4o', messages })
    expect(r.model).toBe('gpt-4o-mini-2024-07-18')
    expect(h.provider.received[0]?.body.model).toBe('gpt-4o-mini')
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      model: 'gpt-4o-mini',
      attributes: { degraded_from: 'gpt-4o', degrade_reason: 'free tier' },
    })
  })

  it('throttle: the request is held, then sent', async () => {
    const { h, openai } = await setup(() => BeforeRequest.throttle(50))
    await openai.chat.completions.create({ model: 'gpt-4o', messages })
    expect(h.provider.received).toHaveLength(1)
    const [span] = await h.waitSpans(1)
    expect(span?.attributes?.throttled_ms).toBe(50)
  })

  it.each([
    [
      'throws',
      () => {
        throw new Error('hook bug')
      },
    ],
    ['rejects', () => Promise.reject(new Error('hook bug'))],
    ['answers nonsense', () => ({ action: 'explode' }) as never],
  ])('fail-open when the hook %s', async (_, hook) => {
    const { h, openai } = await setup(hook)
    const r = await openai.chat.completions.create({ model: 'gpt-4o', messages })
    expect(r.choices[0]?.message.content).toBeTruthy()
    expect(h.provider.received).toHaveLength(1)
  })

  it('runs after the budget check: a call a server budget blocks never reaches the hook', async () => {
    let calls = 0
    const { h, openai } = await setup(() => void calls++)
    h.ingest.policy = {
      status: 200,
      body: {
        version: 'v1',
        budgets: [{ id: 'b', scope: 'global', limit_usd: 1, window: 'day', spent_usd: 5, spent_tokens: 0 }],
      },
    }
    await h.client.control.refreshPolicy()
    const err = await openai.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e)
    expect(err).toMatchObject({ reason: 'server_budget' })
    expect(calls).toBe(0)
    expect(h.provider.received).toHaveLength(0)
  })
})
