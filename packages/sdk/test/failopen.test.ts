import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import * as sdk from '../src/index.js'
import { TollgateClient } from '../src/client.js'
import type { FakeIngest } from './helpers/fake-ingest.js'
import { startFakeIngest, waitFor } from './helpers/fake-ingest.js'
import type { FakeProvider } from './helpers/fake-provider.js'
import { startFakeProvider } from './helpers/fake-provider.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'
import { tempDir } from './helpers/tmp.js'

const messages = [{ role: 'user' as const, content: 'hi' }]
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args)
  cleanups.push(() => h.close())
  return h
}

describe('a backend that is down or hangs never slows an LLM call', () => {
  it.each([
    ['refusing connections', 'dead'],
    ['accepting and never answering', 'hang'],
  ])('backend %s', async (_label, mode) => {
    const h = await harness({ flushIntervalMs: 20, requestTimeoutMs: 60_000 }, false)
    if (mode === 'hang') h.ingest.fallback = { status: -1 }
    const endpoint = mode === 'dead' ? 'http://127.0.0.1:9' : h.ingest.url
    const tmp = tempDir()
    cleanups.push(tmp.cleanup)
    const client = new TollgateClient(
      {
        endpoint,
        spoolPath: join(tmp.dir, 's.sqlite'),
        flushIntervalMs: 20,
        policyPollIntervalMs: 50,
        requestTimeoutMs: 60_000,
      },
      { env: {} },
    ).start()
    cleanups.push(() => client.shutdown(50))
    const openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
    // No timing here (figures come from bench/): the calls must complete while every send to the
    // backend fails or hangs, i.e. nothing on the call path waits for it.
    client.instrument()
    for (let i = 0; i < 30; i++) {
      const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
      expect(r.choices[0]?.message.content).toBeTruthy()
    }
    await waitFor(() => client.getState().delivery?.status === 'retrying' || h.ingest.batches.length > 0)
    client.uninstrument()
    await waitFor(() => client.deliveryForTests?.commit() === 0)
    // A hanging backend got batches it never answered; a dead one is being retried.
    if (mode === 'hang') expect(h.ingest.batches.length).toBeGreaterThan(0)
    else expect(client.getState().delivery?.status).toBe('retrying')
    expect(client.getState().delivery?.pending).toBeGreaterThanOrEqual(30)
  })
})

describe('degraded environments', () => {
  it('falls back to memory when the spool cannot be opened, and still delivers', async () => {
    const tmp = tempDir()
    cleanups.push(tmp.cleanup)
    const file = join(tmp.dir, 'a-file')
    writeFileSync(file, 'not a directory')
    const h = await harness({ durability: 'durable_local', spoolPath: join(file, 'spool.sqlite') }, false)
    expect(h.client.durable).toBe(false)
    h.client.report({ name: 'still-delivered' })
    expect((await h.waitSpans(1))[0]?.name).toBe('still-delivered')
  })

  it('enabled: false patches nothing and sends nothing', async () => {
    const ingest = await startFakeIngest()
    cleanups.push(() => ingest.close())
    const before = globalThis.fetch
    const c = new TollgateClient({ endpoint: ingest.url, enabled: false }, { env: {} }).start()
    expect(Object.values(c.instrument()).every((v) => v === false)).toBe(true)
    expect(globalThis.fetch).toBe(before)
    c.report({ name: 'x' })
    await c.flush()
    await c.shutdown()
    expect(ingest.batches).toHaveLength(0)
  })
})

describe('data handling options', () => {
  it('zeroDataRetention drops prompts and completions everywhere', async () => {
    const h = await harness({ durability: 'best_effort', zeroDataRetention: true })
    const openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    h.client.report({ name: 'manual', input: 'secret prompt', output: 'secret answer' })
    const spans = await h.waitSpans(2)
    for (const s of spans) {
      expect(s.input).toBeUndefined()
      expect(s.output).toBeUndefined()
    }
    expect(spans.find((s) => s.name === 'openai.chat')?.usage?.total_tokens).toBe(17)
  })

  it('samples whole traces and counts what it left out; global tags are added', async () => {
    const h = await harness({ durability: 'best_effort', sampleRate: 0.5, tags: { env: 'test' } }, false)
    for (let i = 0; i < 40; i++)
      h.client.trace(`t${i}`, () => h.client.span('child', () => h.client.report({ name: 'leaf' })))
    await h.client.flush()
    const spans = h.ingest.accepted()
    const perTrace = new Map<string, number>()
    for (const s of spans) perTrace.set(s.trace_id, (perTrace.get(s.trace_id) ?? 0) + 1)
    expect([...perTrace.values()].every((n) => n === 3)).toBe(true)
    expect(perTrace.size).toBeGreaterThan(5)
    expect(perTrace.size).toBeLessThan(35)
    expect(spans.every((s) => s.tags?.env === 'test')).toBe(true)
    const dropped = h.ingest.batches.reduce((n, b) => n + (b.body.client?.dropped?.sampled_out ?? 0), 0)
    expect(dropped).toBe(120 - spans.length)
  })
})

describe('module-level API', () => {
  let provider: FakeProvider
  let ingest: FakeIngest

  it('init → instrument → calls → flush → shutdown, and uninstrument restores fetch', async () => {
    provider = await startFakeProvider()
    ingest = await startFakeIngest()
    cleanups.push(
      () => provider.close(),
      () => ingest.close(),
    )
    expect(sdk.getState().state).toBe('CLOSED')
    sdk.report({ name: 'before-init' })
    const original = globalThis.fetch
    sdk.init({ endpoint: ingest.url, durability: 'best_effort', policyPollIntervalMs: 0 })
    const hooked = sdk.instrument()
    expect(hooked).toMatchObject({ openai: true, anthropic: true, gemini: true, fetch: true, undici: true })
    expect(globalThis.fetch).not.toBe(original)
    const openai = new OpenAI({ apiKey: 'k', baseURL: provider.openaiBase, maxRetries: 0 })
    await sdk.trace('api', () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages }))
    sdk.uninstrument()
    expect(globalThis.fetch).toBe(original)
    const wrapped = sdk.wrapOpenAI(new OpenAI({ apiKey: 'k', baseURL: provider.openaiBase, maxRetries: 0 }))
    await wrapped.chat.completions.create({ model: 'wrapped', messages })
    await sdk.flush()
    await sdk.shutdown()
    expect(
      ingest
        .accepted()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['api', 'openai.chat', 'openai.chat'])
    expect(ingest.accepted().some((s) => s.name === 'before-init')).toBe(false)
  })
})
