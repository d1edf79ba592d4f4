import type { Usage } from '../types.js'
import { arr, at, isObj, num, str } from './json.js'
import type { Flavor } from './providers.js'
import { anthropicUsage, cohereUsage, geminiUsage, ollamaUsage, openaiUsage, usageOf } from './usage.js'

/** Captured content is bounded; the server truncates at 256 KiB anyway. */
export const MAX_CAPTURE_CHARS = 64 * 1024

export interface ToolCall {
  id?: string
  name: string
  arguments: string
}

/** What a response told us, streamed or not. */
export interface Extracted {
  responseModel?: string
  responseId?: string
  usage?: Usage
  text: string
  toolCalls: ToolCall[]
  finishReason?: string
  /** An error reported inside a 200 stream (Anthropic `error` events, Responses `response.failed`). */
  error?: string
}

/**
 * Reads one response of one flavour: `json()` for a complete body, `event()` per stream event.
 * Tolerant of anything: an unexpected shape yields less data, never an exception.
 */
export class ResponseReader {
  private readonly out: Extracted = { text: '', toolCalls: [] }
  private readonly toolsByIndex = new Map<number | string, ToolCall>()

  constructor(
    private readonly flavor: Flavor,
    private readonly operation: string,
  ) {}

  result(): Extracted {
    return this.out
  }

  private addText(t: unknown): boolean {
    if (typeof t !== 'string' || t.length === 0) return false
    if (this.out.text.length < MAX_CAPTURE_CHARS) this.out.text += t.slice(0, MAX_CAPTURE_CHARS - this.out.text.length)
    return true
  }

  private tool(key: number | string, name: string | undefined, args: string | undefined, id?: string): boolean {
    let call = this.toolsByIndex.get(key)
    if (!call) {
      call = { name: name ?? '', arguments: '', ...(id ? { id } : {}) }
      this.toolsByIndex.set(key, call)
      this.out.toolCalls.push(call)
    }
    if (name && !call.name) call.name = name
    if (args && call.arguments.length < MAX_CAPTURE_CHARS) call.arguments += args
    return true
  }

  private setUsage(u: Usage | undefined): void {
    if (u) this.out.usage = Object.assign({}, this.out.usage, u)
  }

  /** A complete JSON response body. */
  json(body: unknown): void {
    const o = this.out
    this.setUsage(usageOf(this.flavor, body))
    switch (this.flavor) {
      case 'openai': {
        o.responseModel = str(at(body, 'model'))
        o.responseId = str(at(body, 'id'))
        if (this.operation === 'responses') {
          for (const item of arr(at(body, 'output'))) {
            if (at(item, 'type') === 'function_call')
              this.tool(str(at(item, 'id')) ?? o.toolCalls.length, str(at(item, 'name')), str(at(item, 'arguments')))
            for (const part of arr(at(item, 'content')))
              if (at(part, 'type') === 'output_text') this.addText(at(part, 'text'))
          }
          o.finishReason = str(at(body, 'status'))
          return
        }
        const choice = at(body, 'choices', 0)
        this.addText(at(choice, 'message', 'content') ?? at(choice, 'text'))
        arr(at(choice, 'message', 'tool_calls')).forEach((tc, i) =>
          this.tool(i, str(at(tc, 'function', 'name')), str(at(tc, 'function', 'arguments')), str(at(tc, 'id'))),
        )
        o.finishReason = str(at(choice, 'finish_reason'))
        return
      }
      case 'anthropic':
        o.responseModel = str(at(body, 'model'))
        o.responseId = str(at(body, 'id'))
        o.finishReason = str(at(body, 'stop_reason'))
        arr(at(body, 'content')).forEach((block, i) => {
          if (at(block, 'type') === 'text') this.addText(at(block, 'text'))
          if (at(block, 'type') === 'tool_use')
            this.tool(i, str(at(block, 'name')), JSON.stringify(at(block, 'input') ?? {}), str(at(block, 'id')))
        })
        return
      case 'gemini':
        this.geminiChunk(body)
        return
      case 'cohere':
        o.responseId = str(at(body, 'id'))
        o.finishReason = str(at(body, 'finish_reason'))
        for (const part of arr(at(body, 'message', 'content'))) this.addText(at(part, 'text'))
        arr(at(body, 'message', 'tool_calls')).forEach((tc, i) =>
          this.tool(i, str(at(tc, 'function', 'name')), str(at(tc, 'function', 'arguments'))),
        )
        return
      case 'ollama':
        this.ollamaChunk(body)
        return
    }
  }

  private geminiChunk(body: unknown): boolean {
    const o = this.out
    o.responseModel = str(at(body, 'modelVersion')) ?? o.responseModel
    o.responseId = str(at(body, 'responseId')) ?? o.responseId
    this.setUsage(geminiUsage(at(body, 'usageMetadata')))
    const cand = at(body, 'candidates', 0)
    o.finishReason = str(at(cand, 'finishReason')) ?? o.finishReason
    let token = false
    for (const part of arr(at(cand, 'content', 'parts'))) {
      if (at(part, 'thought') !== true && this.addText(at(part, 'text'))) token = true
      if (isObj(at(part, 'functionCall')))
        token = this.tool(
          o.toolCalls.length,
          str(at(part, 'functionCall', 'name')),
          JSON.stringify(at(part, 'functionCall', 'args') ?? {}),
        )
    }
    return token
  }

  private ollamaChunk(body: unknown): boolean {
    this.out.responseModel = str(at(body, 'model')) ?? this.out.responseModel
    if (at(body, 'done') === true) this.setUsage(ollamaUsage(body))
    return this.addText(at(body, 'message', 'content') ?? at(body, 'response'))
  }

  /** One stream event. Returns true when it carried a token (text or tool call). */
  event(data: unknown, name?: string): boolean {
    switch (this.flavor) {
      case 'openai':
        return this.operation === 'responses' ? this.responsesEvent(data) : this.chatChunk(data)
      case 'anthropic':
        return this.anthropicEvent(data, name)
      case 'gemini':
        return this.geminiChunk(data)
      case 'cohere':
        return this.cohereEvent(data)
      case 'ollama':
        return this.ollamaChunk(data)
    }
  }

  private chatChunk(c: unknown): boolean {
    const o = this.out
    o.responseModel = str(at(c, 'model')) ?? o.responseModel
    o.responseId = str(at(c, 'id')) ?? o.responseId
    this.setUsage(openaiUsage(at(c, 'usage')) ?? openaiUsage(at(c, 'x_groq', 'usage')))
    const choice = at(c, 'choices', 0)
    o.finishReason = str(at(choice, 'finish_reason')) ?? o.finishReason
    let token = this.addText(at(choice, 'delta', 'content') ?? at(choice, 'text'))
    if (
      typeof at(choice, 'delta', 'reasoning_content') === 'string' ||
      typeof at(choice, 'delta', 'reasoning') === 'string'
    )
      token = true
    for (const tc of arr(at(choice, 'delta', 'tool_calls'))) {
      token = this.tool(
        num(at(tc, 'index')) ?? 0,
        str(at(tc, 'function', 'name')),
        str(at(tc, 'function', 'arguments')),
        str(at(tc, 'id')),
      )
    }
    return token
  }

  private responsesEvent(e: unknown): boolean {
    const o = this.out
    const type = str(at(e, 'type')) ?? ''
    if (type === 'response.output_text.delta') return this.addText(at(e, 'delta'))
    if (type === 'response.output_item.added' && at(e, 'item', 'type') === 'function_call') {
      return this.tool(str(at(e, 'item', 'id')) ?? o.toolCalls.length, str(at(e, 'item', 'name')), undefined)
    }
    if (type === 'response.function_call_arguments.delta')
      return this.tool(str(at(e, 'item_id')) ?? 0, undefined, str(at(e, 'delta')))
    if (type === 'response.reasoning_summary_text.delta') return true
    const response = at(e, 'response')
    if (isObj(response)) {
      o.responseModel = str(response.model) ?? o.responseModel
      o.responseId = str(response.id) ?? o.responseId
      this.setUsage(openaiUsage(response.usage))
      o.finishReason = str(response.status) ?? o.finishReason
      if (type === 'response.failed') o.error = str(at(response, 'error', 'message')) ?? 'response failed'
    }
    if (type === 'error') o.error = str(at(e, 'message')) ?? 'stream error'
    return false
  }

  private anthropicEvent(e: unknown, name?: string): boolean {
    const o = this.out
    const type = str(at(e, 'type')) ?? name
    switch (type) {
      case 'message_start':
        o.responseModel = str(at(e, 'message', 'model'))
        o.responseId = str(at(e, 'message', 'id'))
        this.setUsage(anthropicUsage(at(e, 'message', 'usage')))
        return false
      case 'content_block_start':
        if (at(e, 'content_block', 'type') === 'tool_use') {
          return this.tool(
            num(at(e, 'index')) ?? 0,
            str(at(e, 'content_block', 'name')),
            undefined,
            str(at(e, 'content_block', 'id')),
          )
        }
        return false
      case 'content_block_delta': {
        const d = at(e, 'delta')
        if (at(d, 'type') === 'input_json_delta')
          return this.tool(num(at(e, 'index')) ?? 0, undefined, str(at(d, 'partial_json')))
        if (at(d, 'type') === 'thinking_delta') return true
        return this.addText(at(d, 'text'))
      }
      case 'message_delta': {
        o.finishReason = str(at(e, 'delta', 'stop_reason')) ?? o.finishReason
        // Input counts are final in message_start; message_delta carries the cumulative output.
        const out = num(at(e, 'usage', 'output_tokens'))
        if (out !== undefined) {
          this.setUsage({ output_tokens: out })
          const u = this.out.usage
          if (u) u.total_tokens = (u.input_tokens ?? 0) + out
        }
        return false
      }
      case 'error':
        o.error = str(at(e, 'error', 'message')) ?? 'stream error'
        return false
      default:
        return false
    }
  }

  private cohereEvent(e: unknown): boolean {
    const type = str(at(e, 'type'))
    if (type === 'content-delta') return this.addText(at(e, 'delta', 'message', 'content', 'text'))
    if (type === 'tool-call-start' || type === 'tool-call-delta') {
      return this.tool(
        num(at(e, 'index')) ?? 0,
        str(at(e, 'delta', 'message', 'tool_calls', 'function', 'name')),
        str(at(e, 'delta', 'message', 'tool_calls', 'function', 'arguments')),
      )
    }
    if (type === 'message-end') {
      this.out.finishReason = str(at(e, 'delta', 'finish_reason'))
      this.setUsage(cohereUsage(at(e, 'delta', 'usage')))
    }
    return false
  }
}

/** The provider's error message from an error body, bounded. */
export function errorFromBody(body: unknown): string | undefined {
  const msg =
    str(at(body, 'error', 'message')) ?? str(at(body, 'message')) ?? str(at(body, 'error')) ?? str(at(body, 'detail'))
  return msg ? msg.slice(0, 2048) : undefined
}
