import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbedderError, createLocalEmbedder, createOpenAiEmbedder } from '../src/embed/index.js'
import { embeddingText } from '../src/embed/text.js'

const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0)

describe('local embedder', () => {
  const local = createLocalEmbedder(384)

  it('is deterministic and L2-normalised, 384 dimensions', async () => {
    const [a, b] = await local.embed(['Translate this invoice into German', 'Translate this invoice into German'])
    expect(a).toHaveLength(384)
    expect(a).toEqual(b)
    expect(dot(a ?? [], a ?? [])).toBeCloseTo(1, 10)
  })

  it('puts a near-duplicate closer than an unrelated prompt', async () => {
    const [base, twin, other] = await local.embed([
      'Summarise the attached quarterly sales report for the board in five bullet points.',
      'Summarise the attached quarterly sales report for the board in 5 bullet points!',
      'Write a limerick about a cat who learns to play the violin.',
    ])
    expect(dot(base ?? [], twin ?? [])).toBeGreaterThan(0.9)
    expect(dot(base ?? [], other ?? [])).toBeLessThan(0.5)
  })

  it('embeds message contents, not the JSON keys every prompt shares', () => {
    const input = JSON.stringify([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'What is pgvector?' }] },
    ])
    expect(embeddingText(input)).toBe('Be brief.\nWhat is pgvector?')
    expect(embeddingText('{not json')).toBe('{not json')
  })
})

type Handler = (
  req: IncomingMessage,
  body: { input: string[]; model: string; dimensions: number },
  res: ServerResponse,
) => void

let server: Server | null = null
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = null
})

/** A stand-in OpenAI-compatible provider on 127.0.0.1. */
async function provider(handler: Handler): Promise<{ url: string; calls: number[] }> {
  const calls: number[] = []
  server = createServer((req, res) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString()))
    req.on('end', () => {
      const body = JSON.parse(raw) as { input: string[]; model: string; dimensions: number }
      calls.push(body.input.length)
      handler(req, body, res)
    })
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/v1`, calls }
}

const answer = (res: ServerResponse, body: { input: string[]; dimensions: number }, dims = body.dimensions): void => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(
    JSON.stringify({
      data: body.input.map((_, i) => ({
        index: i,
        embedding: Array.from({ length: dims }, (_, j) => (j === i ? 2 : 0)),
      })),
    }),
  )
}

describe('OpenAI-compatible provider', () => {
  it('sends the model, the batch and the dimensions with the key; returns normalised vectors in order', async () => {
    let auth = ''
    let path = ''
    const p = await provider((req, body, res) => {
      auth = req.headers.authorization ?? ''
      path = req.url ?? ''
      expect(body).toMatchObject({ model: 'm1', dimensions: 8 })
      answer(res, body)
    })
    const e = createOpenAiEmbedder({ url: p.url, model: 'm1', apiKey: 'k-123', dims: 8 })
    const vectors = await e.embed(['a', 'b', 'c'])
    expect(p.calls).toEqual([3])
    expect(auth).toBe('Bearer k-123')
    expect(path).toBe('/v1/embeddings')
    expect(vectors[1]).toEqual([0, 1, 0, 0, 0, 0, 0, 0])
  })

  it('honours 429 Retry-After, then succeeds', async () => {
    let n = 0
    const p = await provider((_req, body, res) => {
      if (++n === 1) {
        res.writeHead(429, { 'retry-after': '1' }).end()
        return
      }
      answer(res, body)
    })
    const started = Date.now()
    const e = createOpenAiEmbedder({ url: p.url, model: 'm', dims: 4, backoffMs: 1 })
    expect(await e.embed(['x'])).toHaveLength(1)
    expect(p.calls).toEqual([1, 1])
    // Waited for the provider's Retry-After, not the 1 ms backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  it('gives up at once on a Retry-After beyond maxWaitMs, saying when to come back', async () => {
    const p = await provider((_req, _body, res) => res.writeHead(429, { 'retry-after': '120' }).end())
    const e = createOpenAiEmbedder({ url: p.url, model: 'm', dims: 4, maxWaitMs: 5000 })
    const err = await e.embed(['x']).catch((error: unknown) => error)
    expect(err).toBeInstanceOf(EmbedderError)
    expect((err as EmbedderError).retryAfterMs).toBe(120_000)
    expect(p.calls).toEqual([1])
  })

  it('times out a provider that never answers, retries, then fails', async () => {
    const p = await provider(() => undefined)
    const e = createOpenAiEmbedder({ url: p.url, model: 'm', dims: 4, timeoutMs: 100, retries: 2, backoffMs: 1 })
    await expect(e.embed(['x'])).rejects.toThrow(/timed out after 100 ms/)
    expect(p.calls).toEqual([1, 1, 1])
  })

  it('retries a 5xx; does not retry a 400 or vectors of the wrong size', async () => {
    let n = 0
    const flaky = await provider((_req, body, res) => (++n < 3 ? res.writeHead(503).end() : answer(res, body)))
    expect(await createOpenAiEmbedder({ url: flaky.url, model: 'm', dims: 4, backoffMs: 1 }).embed(['x'])).toHaveLength(
      1,
    )
    await new Promise<void>((r) => server?.close(() => r()))

    const bad = await provider((_req, _body, res) => res.writeHead(400).end())
    await expect(createOpenAiEmbedder({ url: bad.url, model: 'm', dims: 4 }).embed(['x'])).rejects.toThrow('HTTP 400')
    expect(bad.calls).toEqual([1])
    await new Promise<void>((r) => server?.close(() => r()))

    const wrong = await provider((_req, body, res) => answer(res, body, 3))
    await expect(createOpenAiEmbedder({ url: wrong.url, model: 'm', dims: 4 }).embed(['x'])).rejects.toThrow(
      'provider returned 3 dimensions; span_embeddings holds 4',
    )
    expect(wrong.calls).toEqual([1])
  })

  it('reports an unreachable provider as retryable', async () => {
    const e = createOpenAiEmbedder({ url: 'http://127.0.0.1:1/v1', model: 'm', dims: 4, retries: 0 })
    const err = (await e.embed(['x']).catch((error: unknown) => error)) as EmbedderError
    expect(err.message).toMatch(/^unreachable/)
    expect(err.retryable).toBe(true)
  })
})
