import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the fake provider received. */
export interface Received {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: Record<string, unknown>
}

export interface FakeProvider {
  url: string
  /** OpenAI-style base URL (`…/v1`). */
  openaiBase: string
  received: Received[]
  /** Milliseconds between stream events. */
  eventDelayMs: number
  close(): Promise<void>
}

const WORDS = ['Hello', ' from', ' the', ' fake', ' provider', '.']
export const FAKE_TEXT = WORDS.join('')

/** Model names drive behaviour: `error-<status>`, `slow-*` (long stream), anything else succeeds. */
function errorStatus(model: unknown): number | undefined {
  const m = /^error-(\d{3})$/.exec(String(model ?? ''))
  return m ? Number(m[1]) : undefined
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': 'req_fake_1',
    'request-id': 'req_fake_1',
    ...headers,
  })
  res.end(JSON.stringify(body))
}

async function sse(
  res: ServerResponse,
  events: { event?: string; data: unknown }[],
  fake: FakeProvider,
  done = false,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_fake_1', 'request-id': 'req_fake_1' })
  for (const e of events) {
    if (res.destroyed) return
    const text = `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`
    // Split writes at an odd boundary so parsers see events cut in two.
    const cut = Math.floor(text.length / 3)
    res.write(text.slice(0, cut))
    res.write(text.slice(cut))
    if (fake.eventDelayMs) await sleep(fake.eventDelayMs)
  }
  if (done) res.write('data: [DONE]\n\n')
  res.end()
}

function openaiChat(body: Record<string, unknown>, res: ServerResponse, fake: FakeProvider): Promise<void> | void {
  const model = String(body.model)
  const tools = Array.isArray(body.tools) && body.tools.length > 0
  const usage = {
    prompt_tokens: 11,
    completion_tokens: 6,
    total_tokens: 17,
    prompt_tokens_details: { cached_tokens: 3 },
    completion_tokens_details: { reasoning_tokens: 2 },
  }
  const toolCall = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }
  if (!body.stream) {
    const message = tools
      ? { role: 'assistant', content: null, tool_calls: [toolCall] }
      : { role: 'assistant', content: FAKE_TEXT }
    return json(res, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: `${model}-2024-07-18`,
      choices: [{ index: 0, message, finish_reason: tools ? 'tool_calls' : 'stop' }],
      usage,
    })
  }
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: `${model}-2024-07-18` }
  const events: { data: unknown }[] = [
    { data: { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] } },
  ]
  const count = model.startsWith('slow') ? 200 : WORDS.length
  if (tools) {
    events.push({
      data: {
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
              ],
            },
            finish_reason: null,
          },
        ],
      },
    })
    for (const part of ['{"city"', ':"Paris"}'])
      events.push({
        data: {
          ...base,
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null },
          ],
        },
      })
  } else {
    for (let i = 0; i < count; i++)
      events.push({
        data: { ...base, choices: [{ index: 0, delta: { content: WORDS[i % WORDS.length] }, finish_reason: null }] },
      })
  }
  events.push({ data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: tools ? 'tool_calls' : 'stop' }] } })
  const opts = body.stream_options as { include_usage?: boolean } | undefined
  if (opts?.include_usage) events.push({ data: { ...base, choices: [], usage } })
  return sse(res, events, fake, true)
}

function responses(body: Record<string, unknown>, res: ServerResponse, fake: FakeProvider): Promise<void> | void {
  const model = String(body.model)
  const usage = {
    input_tokens: 12,
    output_tokens: 7,
    total_tokens: 19,
    input_tokens_details: { cached_tokens: 4 },
    output_tokens_details: { reasoning_tokens: 3 },
  }
  const message = {
    type: 'message',
    id: 'msg_1',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: FAKE_TEXT, annotations: [] }],
  }
  const response = {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    model: `${model}-2025-04-14`,
    status: 'completed',
    output: [message],
    usage,
  }
  if (!body.stream) return json(res, 200, response)
  const events: { event: string; data: unknown }[] = [
    {
      event: 'response.created',
      data: {
        type: 'response.created',
        sequence_number: 0,
        response: { ...response, status: 'in_progress', output: [], usage: null },
      },
    },
    ...WORDS.map((w, i) => ({
      event: 'response.output_text.delta',
      data: {
        type: 'response.output_text.delta',
        sequence_number: i + 1,
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        delta: w,
      },
    })),
    { event: 'response.completed', data: { type: 'response.completed', sequence_number: 99, response } },
  ]
  return sse(res, events, fake)
}

function anthropic(body: Record<string, unknown>, res: ServerResponse, fake: FakeProvider): Promise<void> | void {
  const model = String(body.model)
  const tools = Array.isArray(body.tools) && body.tools.length > 0
  const usage = { input_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 50, output_tokens: 8 }
  if (!body.stream) {
    const content = tools
      ? [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }]
      : [{ type: 'text', text: FAKE_TEXT }]
    return json(res, 200, {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: tools ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage,
    })
  }
  const events: { event: string; data: unknown }[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    },
  ]
  if (tools) {
    events.push({
      event: 'content_block_start',
      data: {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
      },
    })
    for (const part of ['{"city"', ':"Paris"}'])
      events.push({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: part } },
      })
  } else {
    events.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    })
    events.push({ event: 'ping', data: { type: 'ping' } })
    const count = model.startsWith('slow') ? 200 : WORDS.length
    for (let i = 0; i < count; i++)
      events.push({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: WORDS[i % WORDS.length] } },
      })
  }
  events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } })
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: tools ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 8 },
    },
  })
  events.push({ event: 'message_stop', data: { type: 'message_stop' } })
  return sse(res, events, fake)
}

function gemini(path: string, res: ServerResponse, fake: FakeProvider): Promise<void> | void {
  const model = /models\/([^:]+):/.exec(path)?.[1] ?? 'gemini'
  const usageMetadata = { promptTokenCount: 9, candidatesTokenCount: 5, thoughtsTokenCount: 4, totalTokenCount: 18 }
  const chunk = (text: string, last: boolean) => ({
    candidates: [
      { content: { role: 'model', parts: [{ text }] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) },
    ],
    ...(last ? { usageMetadata } : {}),
    modelVersion: model,
    responseId: 'resp_g1',
  })
  if (path.includes(':streamGenerateContent'))
    return sse(
      res,
      WORDS.map((w, i) => ({ data: chunk(w, i === WORDS.length - 1) })),
      fake,
    )
  return json(res, 200, chunk(FAKE_TEXT, true))
}

/** A fake OpenAI/Anthropic/Gemini-compatible provider on 127.0.0.1 that records every request. */
export async function startFakeProvider(): Promise<FakeProvider> {
  const fake: FakeProvider = { url: '', openaiBase: '', received: [], eventDelayMs: 0, close: async () => undefined }
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const path = req.url ?? '/'
      fake.received.push({ method: req.method ?? '', path, headers: req.headers, body })
      const status = errorStatus(body.model)
      if (status) {
        const headers: Record<string, string> = status === 429 || status === 503 ? { 'retry-after': '0' } : {}
        return json(
          res,
          status,
          { error: { message: `fake ${status} error`, type: 'fake_error' } },
          { ...headers, 'x-should-retry': 'false' },
        )
      }
      if (path.startsWith('/v1/chat/completions')) return openaiChat(body, res, fake)
      if (path.startsWith('/v1/messages')) return anthropic(body, res, fake)
      if (path.startsWith('/v1/responses')) return responses(body, res, fake)
      if (path.startsWith('/v1/embeddings'))
        return json(res, 200, {
          object: 'list',
          model: body.model,
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
          usage: { prompt_tokens: 4, total_tokens: 4 },
        })
      if (path.includes('/models/')) return gemini(path.split('?')[0] ?? path, res, fake)
      json(res, 404, { error: { message: 'not found' } })
    })().catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  fake.url = `http://127.0.0.1:${port}`
  fake.openaiBase = `${fake.url}/v1`
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return fake
}
