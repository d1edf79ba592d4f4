/** What is embedded of a prompt: at most this many characters (providers cap inputs at ~8k tokens). */
export const MAX_EMBED_CHARS = 8000

/**
 * The prompt's words: when the input is a JSON message list or object, its string values (message
 * contents) joined by newlines, so the JSON keys every prompt shares ("role", "content") do not make
 * unrelated prompts look alike; otherwise the text itself.
 */
export function embeddingText(input: string): string {
  const t = input.trimStart()
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      const parts: string[] = []
      collect(JSON.parse(t), parts, 0)
      if (parts.length > 0) return parts.join('\n').slice(0, MAX_EMBED_CHARS)
    } catch {
      // Not JSON after all: embed it as text.
    }
  }
  return input.slice(0, MAX_EMBED_CHARS)
}

const SKIP_KEYS = new Set(['role', 'type', 'id', 'name', 'tool_call_id', 'model'])

function collect(v: unknown, out: string[], depth: number): void {
  if (depth > 16) return
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1)
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (!SKIP_KEYS.has(k)) collect(x, out, depth + 1)
}
