import type { AttributeValue } from '../span.js'

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (text.length * 3 <= maxBytes) return { text, truncated: false }
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.length <= maxBytes) return { text, truncated: false }
  let end = maxBytes
  // Step back over UTF-8 continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true }
}

/** Prompt/completion text: strings as they are, structured messages as JSON. */
export function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

/** Attribute values are scalars; anything structured is kept as its JSON text rather than dropped. */
export function attributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'bigint') return value.toString()
  return JSON.stringify(value)
}

/** Structured values deeper than this are refused: JSON.stringify recurses and would overflow the stack. */
export const MAX_JSON_DEPTH = 64

/**
 * Whether `value` nests objects/arrays deeper than `max` levels. Iterative, so a hostile 100k-level
 * value cannot overflow the stack while it is being measured.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const item = stack.pop()
    if (!item) break
    const [v, depth] = item
    if (depth > max) return true
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}
