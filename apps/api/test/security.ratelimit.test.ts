import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TokenBuckets } from '../src/auth/rate-limit.js'
import { json, span, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'ratelimit-test-instance-key-0123456789'
let t: TestApp
beforeAll(async () => {
  // Slow refill so the test's own duration adds (almost) no tokens.
  t = await startTestApp({
    API_KEY: ADMIN,
    RATE_LIMIT_KEY_PER_S: '0.5',
    RATE_LIMIT_KEY_BURST: '8',
    RATE_LIMIT_PROJECT_PER_S: '0.5',
    RATE_LIMIT_PROJECT_BURST: '12',
  })
})
afterAll(() => t.close())

async function projectKeys(n: number): Promise<string[]> {
  // The instance key is limited too: this test makes fewer than its burst of admin calls.
  const project = (await (await t.request('/api/projects', json({ name: 'rl' }, { 'x-api-key': ADMIN }))).json()) as {
    id: string
  }
  const keys: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await t.request(
      `/api/projects/${project.id}/keys`,
      json({ scopes: ['ingest', 'read'] }, { 'x-api-key': ADMIN }),
    )
    keys.push(((await res.json()) as { key: string }).key)
  }
  return keys
}

const send = (key: string) => t.request('/api/ingest', json(span(), { 'x-api-key': key }))

describe('rate limits', () => {
  it('limits a noisy project without touching another one', async () => {
    const [noisy] = await projectKeys(1)
    const [quiet] = await projectKeys(1)
    const noisyResults = Promise.all(Array.from({ length: 40 }, () => send(noisy ?? '')))
    const quietResults = Promise.all(Array.from({ length: 6 }, () => send(quiet ?? '')))
    const [n, q] = await Promise.all([noisyResults, quietResults])
    const statuses = n.map((r) => r.status)
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(9)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(31)
    expect(q.map((r) => r.status)).toEqual(Array(6).fill(202))

    const limited = must429(n)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.headers.get('ratelimit-limit')).toBe('8')
    expect(limited.headers.get('ratelimit-remaining')).toBe('0')
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0)
    expect(limited.headers.get('content-type')).toContain('application/problem+json')
    expect(((await limited.json()) as { type: string }).type).toMatch(/\/rate-limited$/)
    // Health stays up.
    expect((await t.request('/health')).status).toBe(200)
  })

  it('limits per key, and per project across its keys', async () => {
    const [a, b] = await projectKeys(2)
    const first = await Promise.all(Array.from({ length: 10 }, () => send(a ?? '')))
    expect(first.filter((r) => r.status === 202)).toHaveLength(8) // key burst
    const second = await Promise.all(Array.from({ length: 10 }, () => send(b ?? '')))
    expect(second.filter((r) => r.status === 202)).toHaveLength(4) // what is left of the project's 12
  })
})

function must429(responses: Response[]): Response {
  const r = responses.find((x) => x.status === 429)
  if (!r) throw new Error('no 429')
  return r
}

describe('TokenBuckets', () => {
  it('refills at the configured rate and takes from every bucket or none', () => {
    let now = 0
    const buckets = new TokenBuckets(() => now)
    const key = { id: 'k', config: { perSecond: 2, burst: 2 } }
    const project = { id: 'p', config: { perSecond: 1, burst: 3 } }
    expect(buckets.take([key, project]).ok).toBe(true)
    expect(buckets.take([key, project]).ok).toBe(true)
    const refused = buckets.take([key, project])
    expect(refused).toMatchObject({ ok: false, retryAfterS: 1, limit: 2, remaining: 0 })
    // The refused request took nothing from the project bucket: 1 token left there.
    now = 500 // the key bucket refills one token
    expect(buckets.take([key, project]).ok).toBe(true)
    expect(buckets.take([{ id: 'other', config: key.config }, project]).ok).toBe(false)
    now = 1500
    expect(buckets.take([{ id: 'other', config: key.config }, project]).ok).toBe(true)
    expect(buckets.take([{ id: 'off', config: { perSecond: 0, burst: 1 } }]).ok).toBe(true)
  })
})
