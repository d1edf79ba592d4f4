// POST /v1/traces with the real OpenTelemetry JS SDK and its OTLP/HTTP exporters (protobuf and JSON,
// gzip), a real GenAI instrumentation of the `openai` client against the fake provider, and the
// protocol's edges: partial success, undecodable bodies, media types, back-pressure.
import { execFile } from 'node:child_process'
import { gzipSync } from 'node:zlib'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api'
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace'
import type { SpanView } from '@tollgate/core'
import { startFakeProvider, type FakeProvider } from '../../../packages/sdk/test/helpers/fake-provider.js'
import type { RunningServer } from '../src/server.js'
import { decodeTraceResponse, encodeTraceRequest } from '../src/routes/otlp/codec.js'
import { ids, removeDir, startTestServer } from './harness.js'

let server: RunningServer & { dataDir: string }
let fake: FakeProvider

beforeAll(async () => {
  server = await startTestServer()
  fake = await startFakeProvider()
})
afterAll(async () => {
  await fake.close()
  await server.close()
  removeDir(server.dataDir)
})

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The trace's spans once `n` are queryable (a 200 from /v1/traces is durable, not yet queryable). */
async function spansOf(traceId: string, n: number): Promise<SpanView[]> {
  const until = Date.now() + 20_000
  for (;;) {
    const res = await fetch(`${server.url}/api/traces/${traceId}/spans`)
    if (res.status === 200) {
      const { spans } = (await res.json()) as { spans: SpanView[] }
      if (spans.length >= n || Date.now() > until) return spans
    } else if (Date.now() > until) return []
    await sleep(100)
  }
}

/** One provider per exporter; spans are exported as they end. */
function tracerWith(exporter: SpanExporter) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment.name': 'staging' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  })
  return { tracer: provider.getTracer('test'), provider }
}

/** A GenAI chat span as instrumentations emit it, under an agent span with an exception event. */
async function emitTrace(exporter: SpanExporter): Promise<string> {
  const { tracer, provider } = tracerWith(exporter)
  let traceId = ''
  tracer.startActiveSpan('invoke_agent Planner', { kind: SpanKind.INTERNAL }, (agent) => {
    agent.setAttributes({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Planner' })
    traceId = agent.spanContext().traceId
    // No context manager is registered here: the parent is passed explicitly.
    const parent = trace.setSpan(context.active(), agent)
    const llm = tracer.startSpan(
      'chat gpt-4o-mini',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.input_tokens': 1200,
          'gen_ai.usage.output_tokens': 300,
          'gen_ai.usage.cache_read.input_tokens': 1000,
          'gen_ai.conversation.id': 'conv-9',
          'user.id': 'user-1',
          'gen_ai.agent.name': 'Planner',
        },
      },
      parent,
    )
    llm.end()
    agent.recordException(new TypeError('tool failed'))
    agent.setStatus({ code: SpanStatusCode.ERROR })
    agent.end()
  })
  await provider.forceFlush()
  await provider.shutdown()
  return traceId
}

describe.each([
  ['protobuf (exporter-trace-otlp-proto)', (url: string) => new ProtoExporter({ url })],
  ['JSON (exporter-trace-otlp-http)', (url: string) => new JsonExporter({ url })],
  ['protobuf, gzip', (url: string) => new ProtoExporter({ url, compression: 'gzip' as never })],
  ['JSON, gzip', (url: string) => new JsonExporter({ url, compression: 'gzip' as never })],
])('POST /v1/traces from the OpenTelemetry JS SDK: %s', (_, exporterFor) => {
  it('stores each span with its GenAI fields mapped and priced', async () => {
    const traceId = await emitTrace(exporterFor(`${server.url}/v1/traces`))
    const spans = await spansOf(traceId, 2)
    expect(spans).toHaveLength(2)
    const agent = spans.find((s) => s.kind === 'agent')
    const llm = spans.find((s) => s.kind === 'llm')
    expect(agent).toMatchObject({
      name: 'invoke_agent Planner',
      status: 'error',
      error_message: 'TypeError: tool failed',
      cost: null,
      source: 'otlp',
      tags: { 'service.name': 'checkout', environment: 'staging' },
    })
    expect(llm).toMatchObject({
      parent_span_id: agent?.span_id,
      provider: 'openai',
      model: 'gpt-4o-mini',
      response_model: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      user_id: 'user-1',
      session_id: 'conv-9',
      agent: { name: 'Planner' },
      cost_status: 'computed',
      source: 'otlp',
    })
    expect(llm?.usage).toMatchObject({ input_tokens: 1200, output_tokens: 300, cache_read_tokens: 1000 })
    // gpt-4o-mini: $0.15/M input, $0.075/M cached, $0.60/M output.
    expect(llm?.cost?.total_usd).toBeCloseTo((200 * 0.15 + 1000 * 0.075 + 300 * 0.6) / 1e6, 12)
    expect(llm?.attributes).toMatchObject({ 'otel.span_kind': 'client', 'gen_ai.request.model': 'gpt-4o-mini' })
  })
})

describe('a real GenAI instrumentation (@opentelemetry/instrumentation-openai) of the openai client', () => {
  it('delivers the chat span with model, provider, tokens and cost', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/otel-openai.mjs', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, [fixture], {
      env: { ...process.env, OPENAI_BASE: fake.openaiBase, OTLP_URL: `${server.url}/v1/traces` },
      timeout: 60_000,
    })
    const { trace_id: traceId, content } = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      trace_id: string
      content: string
    }
    expect(content).toBe('Hello from the fake provider.')
    const spans = await spansOf(traceId, 1)
    const chat = spans.find((s) => s.kind === 'llm')
    expect(chat).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      response_model: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      cost_status: 'computed',
      tags: { 'service.name': 'otel-openai-app' },
    })
    // The fake provider reports 11 prompt and 6 completion tokens.
    expect(chat?.usage).toMatchObject({ input_tokens: 11, output_tokens: 6 })
    expect(chat?.cost?.total_usd).toBeGreaterThan(0)
  })
})

const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0')

/** A request of `spans`; `id` encodes hex ids as the encoding wants them (JSON: hex; protobuf encoder: base64). */
function rawRequest(
  traceId: string,
  spans: Array<Record<string, unknown>>,
  id: (hex: string) => string = (h) => h,
): Record<string, unknown> {
  const now = BigInt(Date.now()) * 1_000_000n
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] },
        scopeSpans: [
          {
            spans: spans.map((s, i) => ({
              traceId: id(traceId),
              spanId: id(hex(i + 1, 16)),
              name: `s${i}`,
              startTimeUnixNano: String(now - 1_000_000n),
              endTimeUnixNano: String(now),
              ...s,
            })),
          },
        ],
      },
    ],
  }
}

const b64 = (h: string): string => Buffer.from(h, 'hex').toString('base64')

describe('the protocol', () => {
  it('rejected spans are counted in partialSuccess (protobuf), the others stored', async () => {
    const { traceId } = ids()
    const body = rawRequest(traceId, [{}, { spanId: b64('0000000000000000') }, { startTimeUnixNano: '5' }], b64)
    // The protobuf encoder takes bytes as base64 from fromObject.
    const res = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeTraceRequest(body),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/x-protobuf/)
    const answer = decodeTraceResponse(new Uint8Array(await res.arrayBuffer())) as {
      partialSuccess?: { rejectedSpans: number; errorMessage: string }
    }
    expect(answer.partialSuccess?.rejectedSpans).toBe(2)
    expect(answer.partialSuccess?.errorMessage).toMatch(/span 1: .*span 2: /)
    expect(await spansOf(traceId, 1)).toHaveLength(1)
  })

  it('JSON with hex ids, gzip; an all-good request has no partialSuccess; a redelivery is stored once', async () => {
    const { traceId } = ids()
    const body = gzipSync(JSON.stringify(rawRequest(traceId, [{}, {}])))
    const post = () =>
      fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
      })
    const res = await post()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    expect((await post()).status).toBe(200)
    await sleep(300)
    const spans = await spansOf(traceId, 2)
    expect(spans.map((s) => s.span_id).sort()).toEqual([hex(1, 16), hex(2, 16)])
  })

  it.each([
    ['an undecodable protobuf body', 'application/x-protobuf', Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]), 400],
    ['malformed JSON', 'application/json', Buffer.from('{'), 400],
    ['JSON that is no request', 'application/json', Buffer.from('[1]'), 400],
    ['another media type', 'text/xml', Buffer.from('<a/>'), 415],
  ])('%s → %d problem', async (_, type, body, status) => {
    const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body })
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toMatch(/problem\+json/)
  })

  it('an empty request is a success with nothing stored', async () => {
    const res = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(0),
    })
    expect(res.status).toBe(200)
  })
})
