import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TollgateClient } from '../src/client.js'
import { consoleExporter, fileExporter, filterExporter, memoryExporter, transformExporter } from '../src/exporters.js'
import type { Span } from '../src/types.js'
import type { FakeIngest } from './helpers/fake-ingest.js'
import { startFakeIngest } from './helpers/fake-ingest.js'
import type { FakeProvider } from './helpers/fake-provider.js'
import { startFakeProvider } from './helpers/fake-provider.js'
import { loadPrices } from '../src/pricing.js'
import { tempDir } from './helpers/tmp.js'

let provider: FakeProvider
let ingest: FakeIngest
let tmp: ReturnType<typeof tempDir>
let client: TollgateClient | undefined
const messages = [{ role: 'user' as const, content: 'Hi' }]

beforeAll(() => loadPrices())
beforeEach(async () => {
  ;[provider, ingest] = await Promise.all([startFakeProvider(), startFakeIngest()])
  tmp = tempDir()
})
afterEach(async () => {
  await client?.shutdown(200)
  client = undefined
  await Promise.all([provider.close(), ingest.close()])
  tmp.cleanup()
})

function start(opts: ConstructorParameters<typeof TollgateClient>[0]): OpenAI {
  client = new TollgateClient(
    { endpoint: ingest.url, spoolPath: join(tmp.dir, 'spool.sqlite'), policyPollIntervalMs: 30_000, ...opts },
    { env: {} },
  ).start()
  client.instrument()
  return new OpenAI({ apiKey: 'k', baseURL: provider.openaiBase, maxRetries: 0 })
}

describe('onSpan exporters', () => {
  it('local testing without a server: console line and a JSONL file per day, nothing sent, no spool', async () => {
    const lines: string[] = []
    const dir = join(tmp.dir, 'logs')
    const openai = start({
      deliver: false,
      onSpan: [consoleExporter({ write: (l) => lines.push(l) }), fileExporter({ dir })],
    })
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const s = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    })
    for await (const _ of s) void _
    await client?.shutdown()
    expect(lines).toHaveLength(2)
    for (const line of lines)
      expect(line).toMatch(
        /^\[tollgate\] openai gpt-4o-mini \d+ms tokens 11 in \/ 6 out \$0\.\d{6} .*trace [0-9a-f]{8}$/,
      )
    expect(lines[1]).toContain('ttft')
    const files = readdirSync(dir)
    expect(files).toEqual([`spans-${new Date().toISOString().slice(0, 10)}.jsonl`])
    const spans = readFileSync(join(dir, files[0] ?? ''), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Span)
    expect(spans.map((x) => [x.provider, x.model, x.stream, x.usage?.output_tokens])).toEqual([
      ['openai', 'gpt-4o-mini', false, 6],
      ['openai', 'gpt-4o-mini', true, 6],
    ])
    expect(ingest.batches).toHaveLength(0)
    expect(ingest.other).toHaveLength(0)
    expect(existsSync(join(tmp.dir, 'spool.sqlite'))).toBe(false)
  })

  it('besides delivery: filter and transform; a failing exporter changes nothing', async () => {
    const big = memoryExporter()
    const redacted = memoryExporter()
    const openai = start({
      onSpan: [
        () => {
          throw new Error('exporter bug')
        },
        () => Promise.reject(new Error('async exporter bug')),
        filterExporter((s) => (s.usage?.total_tokens ?? 0) > 100, big),
        transformExporter(
          (s) => ({ ...s, input: undefined, output: undefined, tags: { ...s.tags, copy: 'yes' } }),
          redacted,
        ),
      ],
    })
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(r.choices[0]?.message.content).toBeTruthy()
    await client?.flush()
    expect(big.spans).toHaveLength(0)
    expect(redacted.spans).toHaveLength(1)
    expect(redacted.spans[0]).toMatchObject({ provider: 'openai', tags: { copy: 'yes' } })
    expect(redacted.spans[0]?.input).toBeUndefined()
    // The delivered span is not the transformed copy.
    expect(ingest.accepted()).toHaveLength(1)
    expect(ingest.accepted()[0]?.input).toEqual(messages)
    expect(ingest.accepted()[0]?.tags?.copy).toBeUndefined()
  })

  it('flush() waits for an async exporter', async () => {
    const done: string[] = []
    const openai = start({
      deliver: false,
      onSpan: (s) => new Promise<void>((resolve) => setTimeout(() => (done.push(s.span_id), resolve()), 50)),
    })
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    await client?.flush()
    expect(done).toHaveLength(1)
  })
})
