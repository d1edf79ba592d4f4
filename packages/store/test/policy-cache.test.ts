// GET /api/policy's cache: SDKs poll every few seconds, so a project's policy is built once per TTL and
// concurrent requests share one build; a budget edit invalidates it; a failed build is not kept.
import type { Policy } from '@tollgate/policy'
import { expect, it } from 'vitest'
import { PolicyCache } from '../src/index.js'

const policy = (version: string): Policy => ({
  version,
  generated_at: new Date(0).toISOString(),
  poll_interval_s: 10,
  budgets: [],
})

it('builds once per project per TTL, shares a build in flight, rebuilds after an edit or a failure', async () => {
  let clock = 0
  const cache = new PolicyCache(2_000, () => clock)
  let builds = 0
  const build = (v: string) => async () => {
    builds++
    await new Promise((r) => setTimeout(r, 5))
    return policy(`${v}${builds}`)
  }
  const [a, b] = await Promise.all([cache.get('p', build('a')), cache.get('p', build('a'))])
  expect([a.version, b.version, builds]).toEqual(['a1', 'a1', 1])
  clock = 1_999
  expect((await cache.get('p', build('a'))).version).toBe('a1')
  expect((await cache.get('other', build('o'))).version).toBe('o2')
  clock = 2_000
  expect((await cache.get('p', build('a'))).version).toBe('a3')
  cache.invalidate('p')
  expect((await cache.get('p', build('a'))).version).toBe('a4')
  cache.invalidate('p')
  await expect(cache.get('p', () => Promise.reject(new Error('ClickHouse down')))).rejects.toThrow('down')
  expect((await cache.get('p', build('a'))).version).toBe('a5')
})
