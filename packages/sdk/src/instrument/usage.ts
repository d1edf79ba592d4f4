import type { Usage } from '../types.js'
import { at, isObj, num } from './json.js'
import type { Flavor } from './providers.js'

function clean(u: Usage): Usage | undefined {
  const out: Usage = {}
  let any = false
  for (const [k, v] of Object.entries(u) as [keyof Usage, number | undefined][]) {
    if (v !== undefined) {
      out[k] = Math.round(v)
      any = true
    }
  }
  if (!any) return undefined
  if (out.total_tokens === undefined && (out.input_tokens !== undefined || out.output_tokens !== undefined)) {
    out.total_tokens = (out.input_tokens ?? 0) + (out.output_tokens ?? 0)
  }
  return out
}

/** OpenAI chat/completions/embeddings (`prompt_tokens`) and Responses (`input_tokens`), and compatibles. */
export function openaiUsage(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined
  return clean({
    input_tokens: num(u.prompt_tokens) ?? num(u.input_tokens),
    output_tokens: num(u.completion_tokens) ?? num(u.output_tokens),
    total_tokens: num(u.total_tokens),
    cache_read_tokens:
      num(at(u, 'prompt_tokens_details', 'cached_tokens')) ??
      num(at(u, 'input_tokens_details', 'cached_tokens')) ??
      num(u.prompt_cache_hit_tokens),
    reasoning_tokens:
      num(at(u, 'completion_tokens_details', 'reasoning_tokens')) ??
      num(at(u, 'output_tokens_details', 'reasoning_tokens')),
  })
}

/**
 * Anthropic counts cache reads and writes outside `input_tokens`; on the wire `input_tokens`
 * includes them (OpenAI's convention), so nothing is priced twice or missed.
 */
export function anthropicUsage(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined
  const base = num(u.input_tokens)
  const read = num(u.cache_read_input_tokens)
  const write = num(u.cache_creation_input_tokens)
  const input =
    base === undefined && read === undefined && write === undefined
      ? undefined
      : (base ?? 0) + (read ?? 0) + (write ?? 0)
  return clean({
    input_tokens: input,
    output_tokens: num(u.output_tokens),
    cache_read_tokens: read,
    cache_write_tokens: write,
  })
}

/** Gemini's candidates exclude thoughts; output_tokens includes them (reasoning). */
export function geminiUsage(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined
  const prompt = num(u.promptTokenCount)
  const toolPrompt = num(u.toolUsePromptTokenCount)
  const candidates = num(u.candidatesTokenCount)
  const thoughts = num(u.thoughtsTokenCount)
  return clean({
    input_tokens: prompt === undefined && toolPrompt === undefined ? undefined : (prompt ?? 0) + (toolPrompt ?? 0),
    output_tokens: candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0),
    total_tokens: num(u.totalTokenCount),
    cache_read_tokens: num(u.cachedContentTokenCount),
    reasoning_tokens: thoughts,
  })
}

export function cohereUsage(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined
  const tokens = isObj(u.tokens) ? u.tokens : isObj(u.billed_units) ? u.billed_units : undefined
  if (!tokens) return undefined
  return clean({ input_tokens: num(tokens.input_tokens), output_tokens: num(tokens.output_tokens) })
}

export function ollamaUsage(body: unknown): Usage | undefined {
  if (!isObj(body)) return undefined
  return clean({ input_tokens: num(body.prompt_eval_count), output_tokens: num(body.eval_count) })
}

/** Usage of a complete (non-streamed) response body. */
export function usageOf(flavor: Flavor, body: unknown): Usage | undefined {
  switch (flavor) {
    case 'openai':
      return openaiUsage(at(body, 'usage'))
    case 'anthropic':
      return anthropicUsage(at(body, 'usage'))
    case 'gemini':
      return geminiUsage(at(body, 'usageMetadata'))
    case 'cohere':
      return cohereUsage(at(body, 'usage')) ?? cohereUsage(at(body, 'meta'))
    case 'ollama':
      return ollamaUsage(body)
  }
}
