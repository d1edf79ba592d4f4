import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Policy, evaluatePolicy, parsePolicy } from '../src/index.js'

const readmeExample = (): unknown => {
  const text = readFileSync(new URL('../../sdk/README.md', import.meta.url), 'utf8')
  const block = /## Server budgets: the policy shape[\s\S]*?```json\n([\s\S]*?)```/.exec(text)?.[1]
  if (!block) throw new Error('no policy example in the SDK README')
  return JSON.parse(block)
}

describe('the policy shape', () => {
  it('the SDK README example is a valid policy (strict) and reads the same leniently', () => {
    const strict = Policy.parse({
      ...(readmeExample() as object),
      budgets: (readmeExample() as { budgets: object[] }).budgets.map((b) => ({ thresholds: [], ...b })),
    })
    expect(strict.budgets.map((b) => b.id)).toEqual(['b_org', 'b_acme'])
    const lenient = parsePolicy(readmeExample())
    expect(lenient?.budgets[0]?.thresholds.map((t) => t.action)).toEqual(['alert', 'degrade', 'throttle', 'block'])
    expect(lenient?.budgets[0]?.limit_tokens).toBeUndefined()
    expect(lenient?.budgets[1]).toMatchObject({
      scope: 'tenant',
      scope_value: 'acme',
      thresholds: [{ percent: 100, action: 'block' }],
    })
  })

  it.each([
    ['no limit', { id: 'x', window: 'day', spent_usd: 0, spent_tokens: 0, thresholds: [] }],
    [
      'unknown scope',
      { id: 'x', scope: 'planet', limit_usd: 1, window: 'day', spent_usd: 0, spent_tokens: 0, thresholds: [] },
    ],
    [
      'tenant without scope_value',
      { id: 'x', scope: 'tenant', limit_usd: 1, window: 'day', spent_usd: 0, spent_tokens: 0, thresholds: [] },
    ],
    [
      'degrade without a model',
      {
        id: 'x',
        limit_usd: 1,
        window: 'day',
        spent_usd: 0,
        spent_tokens: 0,
        thresholds: [{ percent: 80, action: 'degrade' }],
      },
    ],
  ])('strict validation (the server) refuses a budget with %s', (_, budget) => {
    expect(Policy.safeParse({ budgets: [budget] }).success).toBe(false)
  })

  it('lenient reading (the SDKs) keeps the valid budgets, drops bad thresholds, caps throttles and poll intervals', () => {
    const p = parsePolicy({
      poll_interval_s: 99_999,
      budgets: [
        {
          id: 'ok',
          limit_usd: 10,
          spent_usd: 1,
          thresholds: [
            { percent: 90, action: 'throttle', throttle_ms: 600_000 },
            { percent: 'x', action: 'block' },
            { percent: 50, action: 'warp' },
          ],
        },
        { id: 'bad', scope: 'tag', scope_value: 'eu', limit_usd: 10 },
        'junk',
      ],
    })
    expect(p).toMatchObject({
      poll_interval_s: 3600,
      budgets: [
        {
          id: 'ok',
          window: 'month',
          spent_tokens: 0,
          thresholds: [{ percent: 90, action: 'throttle', throttle_ms: 60_000 }],
        },
      ],
    })
    expect(p?.budgets).toHaveLength(1)
    expect(parsePolicy({ budgets: {} })).toBeUndefined()
  })

  it('evaluation adds spend the server does not know yet', () => {
    const p = parsePolicy({
      budgets: [{ id: 'b', limit_tokens: 1000, spent_tokens: 900, thresholds: [{ percent: 95, action: 'block' }] }],
    })
    expect(evaluatePolicy(p, { agents: [], tags: {} }).action).toBe('allow')
    expect(evaluatePolicy(p, { agents: [], tags: {} }, () => ({ usd: 0, tokens: 60 })).action).toBe('block')
  })
})
