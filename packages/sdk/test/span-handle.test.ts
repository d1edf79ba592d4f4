import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness
beforeEach(async () => {
  h = await startHarness({ durability: 'best_effort' }, false)
})
afterEach(() => h.close())

interface Chunk {
  choices: { delta: { content?: string } }[]
  usage?: { prompt_tokens: number; completion_tokens: number }
}

/** A stream of the application's own making (a self-hosted model, a proxy, a queue). */
async function* tokens(words: string[]): AsyncGenerator<Chunk> {
  for (const w of words) {
    await new Promise((r) => setTimeout(r, 2))
    yield { choices: [{ delta: { content: w } }] }
  }
  yield { choices: [], usage: { prompt_tokens: 12, completion_tokens: words.length } }
}
const text = (c: Chunk) => c.choices[0]?.delta.content

describe('span() handle', () => {
  it('metadata set mid-call lands on the span, which becomes an LLM span', async () => {
    const answer = await h.client.span('my-model-call', async (s) => {
      s.setModel('llama-3.1-8b', 'ollama')
      s.setAttribute('gpu', 'a100')
      s.setUsage({ input_tokens: 30, output_tokens: 12 })
      s.setOutput('forty-two')
      return 42
    })
    expect(answer).toBe(42)
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      name: 'my-model-call',
      kind: 'llm',
      provider: 'ollama',
      model: 'llama-3.1-8b',
      usage: { input_tokens: 30, output_tokens: 12 },
      output: 'forty-two',
      attributes: { gpu: 'a100' },
      status: 'ok',
    })
  })

  it('wrapStream: the span ends with the stream, with time to first chunk, final usage and text', async () => {
    const stream = h.client.span('generate', (s) => s.wrapStream(tokens(['Hel', 'lo', '!']), { text }))
    // span() has returned; the span waits for its stream (and flush()/shutdown() wait for it).
    expect(h.client.inflight.size).toBe(1)
    let got = ''
    for await (const c of stream) got += text(c) ?? ''
    expect(got).toBe('Hello!')
    const [span] = await h.waitSpans(1)
    expect(h.client.inflight.size).toBe(0)
    expect(span).toMatchObject({
      kind: 'llm',
      stream: true,
      output: 'Hello!',
      usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
      status: 'ok',
    })
    expect(span?.ttft_ms).toBeGreaterThan(0)
    const duration = Date.parse(String(span?.end_time)) - Date.parse(String(span?.start_time))
    expect(duration).toBeGreaterThanOrEqual(span?.ttft_ms ?? 0)
  })

  it('a wrapped stream left early still ends its span, with what was read', async () => {
    const stream = h.client.span('generate', (s) => s.wrapStream(tokens(['a', 'b', 'c', 'd']), { text }))
    for await (const c of stream) if (text(c) === 'b') break
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({ output: 'ab', status: 'ok', stream: true })
  })

  it('a wrapped stream nobody reads becomes a span flagged incomplete at shutdown', async () => {
    h.client.span('never-read', (s) => s.wrapStream(tokens(['x'])))
    const delivered = h.ingest.accepted()
    await h.client.shutdown(300)
    expect(delivered).toHaveLength(1)
    expect(delivered[0]).toMatchObject({ name: 'never-read', status: 'unset', attributes: { incomplete: true } })
  })
})
