import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type Problem } from './harness.js'

// Query parameters an attacker controls: each answered 400 (problem+json), never a 500 or a huge read.
let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const forged = (v: unknown): string =>
  Buffer.from(JSON.stringify({ s: 'time', o: 'desc', v, id: 'x' })).toString('base64url')

describe.each([
  ['21 tag.* filters', Array.from({ length: 21 }, (_, i) => `tag.k${i}=v`).join('&')],
  ['1,000 tag.* filters', Array.from({ length: 1000 }, (_, i) => `tag.k${i}=v`).join('&')],
  ['from in the year 9999', 'from=9999-01-01T00:00:00Z'],
  ['to before 1900', 'to=1850-01-01T00:00:00Z'],
  ['a cursor holding 2^60', `cursor=${forged(2 ** 60)}`],
  ['a cursor holding a string', `cursor=${forged('1; DROP TABLE spans')}`],
  ['a cursor that is not one', 'cursor=bm90IGEgY3Vyc29y'],
])('GET /api/traces with %s', (_name, query) => {
  it('answers 400 problem+json', async () => {
    const res = await t.request(`/api/traces?${query}`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(((await res.json()) as Problem).type).toMatch(/\/validation$/)
    expect((await t.request('/health')).status).toBe(200)
  })
})

describe('within the caps', () => {
  it('20 tag.* filters and tag.__proto__ are filters like any other', async () => {
    const twenty = Array.from({ length: 19 }, (_, i) => `tag.k${i}=v`).join('&') + '&tag.__proto__=x'
    const res = await t.request(`/api/traces?${twenty}`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { traces: unknown[] }).traces).toEqual([])
  })
})
