import { createRequire } from 'node:module'

/**
 * How a count was made: `tiktoken:*` is exact for OpenAI models; `approximate:o200k_base` is
 * OpenAI's tokenizer applied to another vendor's model (Anthropic, Gemini, Llama and Mistral
 * tokenizers are not public or not in JS; counts typically differ by 10–20 %); `heuristic` is
 * 4 characters per token, used when the tokenizer cannot be loaded.
 */
export type TokenMethod = 'tiktoken:o200k_base' | 'tiktoken:cl100k_base' | 'approximate:o200k_base' | 'heuristic'

export interface TokenCount {
  tokens: number
  method: TokenMethod
}

type Encoding = 'o200k_base' | 'cl100k_base'
interface Encoder {
  encode(text: string, allowedSpecial?: 'all' | string[], disallowedSpecial?: 'all' | string[]): number[]
}

// Loaded on first use (the o200k table is ~2 MB of JS): applications that never count tokens,
// and every plain instrumented call, pay nothing for it.
const encoders = new Map<Encoding, Encoder | null>()

function encoder(name: Encoding): Encoder | null {
  const cached = encoders.get(name)
  if (cached !== undefined) return cached
  let enc: Encoder | null = null
  try {
    const require = createRequire(import.meta.url)
    const lite = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => Encoder }
    const ranks: unknown = require(`js-tiktoken/ranks/${name}`)
    enc = new lite.Tiktoken(ranks && typeof ranks === 'object' && 'default' in ranks ? ranks.default : ranks)
  } catch {
    enc = null
  }
  encoders.set(name, enc)
  return enc
}

/** OpenAI models by tokenizer; anything else gets o200k as an approximation. */
function encodingOf(model: string | undefined): { encoding: Encoding; exact: boolean } {
  const m = (model ?? '').toLowerCase().replace(/^openai\//, '')
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss|codex)/.test(m))
    return { encoding: 'o200k_base', exact: true }
  if (/^(gpt-4|gpt-3\.5|text-embedding-(3|ada-002))/.test(m)) return { encoding: 'cl100k_base', exact: true }
  return { encoding: 'o200k_base', exact: m === '' }
}

const TEXT_KEYS = new Set([
  'content',
  'text',
  'system',
  'instructions',
  'input',
  'prompt',
  'parts',
  'contents',
  'messages',
  'arguments',
])

/** Text of a prompt in any of the shapes the providers take (messages, parts, contents). */
function collect(value: unknown, out: string[], depth = 0): void {
  if (depth > 8 || value === null || value === undefined) return
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1)
  else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (TEXT_KEYS.has(k)) collect(v, out, depth + 1)
  }
}

function isMessages(value: unknown): value is readonly object[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m) => typeof m === 'object' && m !== null && ('content' in m || 'parts' in m))
  )
}

/**
 * Counts the tokens of a prompt before it is sent (instrumentation-sdk's pre-call counting):
 * a string, a chat `messages` array (OpenAI, Anthropic or Gemini shapes, with OpenAI's
 * per-message overhead: 3 tokens per message and 3 for the reply) or a request body. Images
 * and audio are not counted. Never throws.
 *
 * @example
 * const { tokens, method } = countTokens([{ role: 'user', content: 'Hello!' }], 'gpt-4o-mini')
 * // { tokens: 9, method: 'tiktoken:o200k_base' }
 * countTokens('Bonjour', 'claude-3-5-sonnet-latest') // { tokens: 1, method: 'approximate:o200k_base' }
 */
export function countTokens(input: unknown, model?: string): TokenCount {
  const { encoding, exact } = encodingOf(model)
  const enc = encoder(encoding)
  const count = (text: string): number => {
    if (!text) return 0
    if (!enc) return Math.ceil(text.length / 4)
    try {
      // Special-token text in a prompt is counted as the ordinary text it is.
      return enc.encode(text, [], []).length
    } catch {
      return Math.ceil(text.length / 4)
    }
  }
  let tokens = 0
  if (isMessages(input)) {
    for (const message of input) {
      const parts: string[] = []
      collect(message, parts)
      const role: unknown = Reflect.get(message, 'role')
      tokens += 3 + (typeof role === 'string' ? count(role) : 0)
      for (const p of parts) tokens += count(p)
    }
    tokens += 3
  } else {
    const parts: string[] = []
    collect(input, parts)
    for (const p of parts) tokens += count(p)
  }
  const method: TokenMethod = !enc
    ? 'heuristic'
    : exact
      ? encoding === 'cl100k_base'
        ? 'tiktoken:cl100k_base'
        : 'tiktoken:o200k_base'
      : 'approximate:o200k_base'
  return { tokens, method }
}
