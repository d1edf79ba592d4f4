import { describe, expect, it } from 'vitest'
import { ResponseReader } from '../src/instrument/response.js'
import type { SseEvent } from '../src/instrument/sse.js'
import { NdjsonParser, SseParser } from '../src/instrument/sse.js'
import { anthropicUsage, geminiUsage, openaiUsage } from '../src/instrument/usage.js'

function parseAll(chunks: (string | Buffer)[]): SseEvent[] {
  const out: SseEvent[] = []
  const p = new SseParser((e) => out.push(e))
  for (const c of chunks) p.push(typeof c === 'string' ? Buffer.from(c) : c)
  p.end()
  return out
}

describe('SseParser', () => {
  it('handles LF, CRLF and CR line ends, comments, event names and multi-line data', () => {
    const events = parseAll([
      ': keep-alive\n',
      'event: a\ndata: 1\n\n',
      'data: x\r\ndata: y\r\n\r\n',
      'data:no-space\r\r',
    ])
    expect(events).toEqual([{ event: 'a', data: '1' }, { data: 'x\ny' }, { data: 'no-space' }])
  })

  it('reassembles events and multi-byte characters cut across chunks', () => {
    const bytes = Buffer.from('data: {"t":"héllo 👋"}\n\n')
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
    expect(parseAll(chunks)).toEqual([{ data: '{"t":"héllo 👋"}' }])
  })

  it('does not split an event when a CRLF is cut between chunks', () => {
    expect(parseAll(['data: x\r', '\ndata: y\r', '\n\r', '\n'])).toEqual([{ data: 'x\ny' }])
  })

  it('dispatches a last event without a trailing blank line', () => {
    expect(parseAll(['data: end'])).toEqual([{ data: 'end' }])
  })
})

describe('NdjsonParser', () => {
  it('splits lines across chunks', () => {
    const lines: string[] = []
    const p = new NdjsonParser((l) => lines.push(l))
    p.push(Buffer.from('{"a":1}\n{"b"'))
    p.push(Buffer.from(':2}\n{"c":3}'))
    p.end()
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}'])
  })
})

describe('usage normalisation (input includes cache; output includes reasoning)', () => {
  it('OpenAI chat', () => {
    expect(
      openaiUsage({
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 40 },
        completion_tokens_details: { reasoning_tokens: 20 },
      }),
    ).toEqual({
      input_tokens: 100,
      output_tokens: 50,
      total_tokens: 150,
      cache_read_tokens: 40,
      reasoning_tokens: 20,
    })
  })
  it('OpenAI Responses', () => {
    expect(
      openaiUsage({
        input_tokens: 10,
        output_tokens: 5,
        total_tokens: 15,
        input_tokens_details: { cached_tokens: 2 },
        output_tokens_details: { reasoning_tokens: 1 },
      }),
    ).toEqual({
      input_tokens: 10,
      output_tokens: 5,
      total_tokens: 15,
      cache_read_tokens: 2,
      reasoning_tokens: 1,
    })
  })
  it('Anthropic: cache reads and writes are added to input_tokens', () => {
    expect(
      anthropicUsage({
        input_tokens: 20,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 50,
        output_tokens: 8,
      }),
    ).toEqual({
      input_tokens: 170,
      output_tokens: 8,
      total_tokens: 178,
      cache_read_tokens: 100,
      cache_write_tokens: 50,
    })
  })
  it('Gemini: thoughts are added to output_tokens', () => {
    expect(
      geminiUsage({
        promptTokenCount: 9,
        candidatesTokenCount: 5,
        thoughtsTokenCount: 4,
        totalTokenCount: 18,
        cachedContentTokenCount: 3,
      }),
    ).toEqual({
      input_tokens: 9,
      output_tokens: 9,
      total_tokens: 18,
      cache_read_tokens: 3,
      reasoning_tokens: 4,
    })
  })
  it('ignores garbage', () => {
    expect(openaiUsage({ prompt_tokens: -1, completion_tokens: 'x' })).toBeUndefined()
    expect(anthropicUsage(null)).toBeUndefined()
  })
})

describe('ResponseReader on streams', () => {
  it('OpenAI chat: text, tool-call deltas, final usage chunk', () => {
    const r = new ResponseReader('openai', 'chat')
    expect(r.event({ model: 'm-1', choices: [{ delta: { role: 'assistant', content: '' } }] })).toBe(false)
    expect(r.event({ choices: [{ delta: { content: 'Hi' } }] })).toBe(true)
    r.event({
      choices: [{ delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a"' } }] } }],
    })
    r.event({
      choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }, finish_reason: 'tool_calls' }],
    })
    r.event({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })
    expect(r.result()).toMatchObject({
      responseModel: 'm-1',
      text: 'Hi',
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'c1', name: 'f', arguments: '{"a":1}' }],
      usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
    })
  })

  it('OpenAI Responses API events', () => {
    const r = new ResponseReader('openai', 'responses')
    r.event({ type: 'response.created', response: { id: 'resp_1', model: 'gpt-4.1' } })
    expect(r.event({ type: 'response.output_text.delta', delta: 'Yo' })).toBe(true)
    r.event({ type: 'response.output_item.added', item: { type: 'function_call', id: 'fc1', name: 'lookup' } })
    r.event({ type: 'response.function_call_arguments.delta', item_id: 'fc1', delta: '{}' })
    r.event({
      type: 'response.completed',
      response: {
        id: 'resp_1',
        model: 'gpt-4.1-2025',
        status: 'completed',
        usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
      },
    })
    expect(r.result()).toMatchObject({
      text: 'Yo',
      responseModel: 'gpt-4.1-2025',
      toolCalls: [{ name: 'lookup', arguments: '{}' }],
      usage: { input_tokens: 5, output_tokens: 2 },
    })
  })

  it('Anthropic: usage from message_start plus cumulative output from message_delta; errors in-stream', () => {
    const r = new ResponseReader('anthropic', 'chat')
    r.event({
      type: 'message_start',
      message: {
        id: 'msg',
        model: 'claude-x',
        usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 },
      },
    })
    expect(r.event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } })).toBe(true)
    r.event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 12 } })
    r.event({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
    expect(r.result()).toMatchObject({
      text: 'ok',
      finishReason: 'end_turn',
      error: 'Overloaded',
      usage: { input_tokens: 15, output_tokens: 12, total_tokens: 27, cache_read_tokens: 5 },
    })
  })

  it('Gemini chunks carry cumulative usage; function calls are captured', () => {
    const r = new ResponseReader('gemini', 'chat')
    r.event({ candidates: [{ content: { parts: [{ text: 'a' }] } }], modelVersion: 'gemini-2.0-flash' })
    r.event({
      candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { x: 1 } } }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2 },
    })
    expect(r.result()).toMatchObject({
      text: 'a',
      responseModel: 'gemini-2.0-flash',
      toolCalls: [{ name: 'f', arguments: '{"x":1}' }],
      usage: { input_tokens: 4, output_tokens: 2 },
    })
  })

  it('Ollama native NDJSON: counts in the done line', () => {
    const r = new ResponseReader('ollama', 'chat')
    expect(r.event({ model: 'llama3', message: { content: 'hey' }, done: false })).toBe(true)
    r.event({ model: 'llama3', done: true, prompt_eval_count: 7, eval_count: 3 })
    expect(r.result()).toMatchObject({ text: 'hey', usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10 } })
  })
})
