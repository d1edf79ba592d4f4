import { createHash } from 'node:crypto'
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setContext, setDefaultContext, withContext } from '../src/user-context.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness
let openai: OpenAI
const messages = [{ role: 'user' as const, content: 'Hi' }]
const ask = () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages })

beforeEach(async () => {
  h = await startHarness({ durability: 'best_effort', tags: { service: 'api' } })
  openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
})
afterEach(async () => {
  setDefaultContext(undefined)
  await h.close()
})

describe('setContext / setDefaultContext', () => {
  it('runtime context over the process default, tags merged, named fields become tags', async () => {
    setDefaultContext({ tenant: 'acme', userId: 'default-user', tags: { environment: 'prod', team: 'a' } })
    await ask()
    await withContext(
      {
        userId: 'u1',
        sessionId: 's1',
        tenant: 'globex',
        customer: 'c9',
        feature: 'summarize',
        route: '/v1/sum',
        tags: { team: 'b' },
      },
      async () => {
        await ask()
        // trace() attributes are the innermost level: they win over setContext.
        await h.client.trace('inner', () => ask(), { userId: 'u-trace', tags: { team: 'c' } })
      },
    )
    const llm = (await h.waitSpans(4)).filter((s) => s.kind === 'llm')
    expect(llm).toHaveLength(3)
    expect(llm[0]).toMatchObject({
      user_id: 'default-user',
      tags: { service: 'api', tenant: 'acme', environment: 'prod', team: 'a' },
    })
    expect(llm[0]?.session_id).toBeUndefined()
    expect(llm[1]).toMatchObject({
      user_id: 'u1',
      session_id: 's1',
      tags: {
        service: 'api',
        environment: 'prod',
        tenant: 'globex',
        customer: 'c9',
        feature: 'summarize',
        route: '/v1/sum',
        team: 'b',
      },
    })
    expect(llm[2]).toMatchObject({ user_id: 'u-trace', session_id: 's1', tags: { tenant: 'globex', team: 'c' } })
  })

  it('setContext() applies to the rest of the request that set it, not to other requests', async () => {
    const handle = (user: string) =>
      new Promise<void>((resolve, reject) =>
        // A fresh async context per request, as an HTTP server gives each request.
        setImmediate(() => {
          setContext({ userId: user, feature: `f-${user}` })
          ask()
            .then(() => ask())
            .then(() => resolve(), reject)
        }),
      )
    await Promise.all([handle('alice'), handle('bob')])
    await ask()
    const llm = (await h.waitSpans(5)).filter((s) => s.kind === 'llm')
    const by = (u: string | undefined) => llm.filter((s) => s.user_id === u)
    expect(by('alice').map((s) => s.tags?.feature)).toEqual(['f-alice', 'f-alice'])
    expect(by('bob').map((s) => s.tags?.feature)).toEqual(['f-bob', 'f-bob'])
    expect(by(undefined)).toHaveLength(1)
    expect(by(undefined)[0]?.tags?.feature).toBeUndefined()
  })

  it('report() and span() pick up the context too', async () => {
    await withContext({ userId: 'u7', customer: 'initech' }, async () => {
      h.client.report({ name: 'manual', kind: 'tool' })
      await h.client.span('step', async () => undefined)
    })
    const spans = await h.waitSpans(2)
    for (const s of spans) expect(s).toMatchObject({ user_id: 'u7', tags: { customer: 'initech', service: 'api' } })
  })
})

describe('hashUserIds', () => {
  it('sends the SHA-256 of the user id, never the id', async () => {
    await h.close()
    h = await startHarness({ durability: 'best_effort', hashUserIds: true })
    openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
    await withContext({ userId: 'alice@example.com' }, () => ask())
    h.client.report({ name: 'manual', user_id: 'alice@example.com' })
    const spans = await h.waitSpans(2)
    const hashed = createHash('sha256').update('alice@example.com').digest('hex')
    expect(spans.map((s) => s.user_id)).toEqual([hashed, hashed])
    expect(JSON.stringify(h.ingest.batches.map((b) => b.body))).not.toContain('alice@example.com')
  })
})
