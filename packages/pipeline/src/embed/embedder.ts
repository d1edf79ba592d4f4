/** Turns texts into L2-normalised vectors of `dims` numbers (cosine distance is then 1 − dot product). */
export interface Embedder {
  /** Stored beside each vector, e.g. `local:ngram-v1` or `openai:text-embedding-3-small`. */
  readonly id: string
  readonly dims: number
  /** One vector per text, in order. Throws EmbedderError when the provider cannot answer now. */
  embed(texts: string[]): Promise<number[][]>
}

/**
 * A provider failure. `retryable`: worth another attempt (timeouts, resets, 429, 5xx), not a malformed
 * answer. `retryAfterMs` when the provider said when to come back (429/503 Retry-After).
 */
export class EmbedderError extends Error {
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  constructor(message: string, options: { retryable?: boolean; retryAfterMs?: number | undefined } = {}) {
    super(message)
    this.name = 'EmbedderError'
    this.retryable = options.retryable ?? false
    this.retryAfterMs = options.retryAfterMs
  }
}

/** FNV-1a 32-bit over UTF-16 code units, from `start` to `end` of `s`. */
function fnv1a(s: string, start: number, end: number, seed: number): number {
  let h = seed
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 15
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

const WORD_SEED = 0x811c9dc5
const CHAR_SEED = 0x9747b28c

/**
 * The built-in embedder: feature hashing of word unigrams and bigrams and of character 3- to
 * 5-grams (within and across word boundaries), each feature signed by a hash bit, weighted
 * 1 + log(tf), L2-normalised. Deterministic, no network, no model. What it finds: prompts that share
 * wording — near-duplicates, templated prompts with a few values changed, reordered sentences. What
 * it does not: paraphrases or the same question in other words or another language (there is no
 * learned meaning in it); use an EMBEDDINGS_URL provider for that.
 */
export function createLocalEmbedder(dims = 384): Embedder {
  return {
    id: 'local:ngram-v1',
    dims,
    embed: (texts) => Promise.resolve(texts.map((t) => localEmbedding(t, dims))),
  }
}

export function localEmbedding(text: string, dims: number): number[] {
  const counts = new Map<number, number>()
  const add = (h: number, weight: number): void => {
    counts.set(h, (counts.get(h) ?? 0) + weight)
  }
  const s = ' ' + text.toLowerCase().replace(/\s+/g, ' ').trim() + ' '
  // Words: runs of letters/digits; bigrams hashed from the pair.
  const words = s.match(/[\p{L}\p{N}]+/gu) ?? []
  let prev = -1
  for (const w of words) {
    const h = fnv1a(w, 0, w.length, WORD_SEED)
    add(h, 1)
    if (prev >= 0) add(Math.imul(prev ^ 0x5bd1e995, 31) ^ h, 1)
    prev = h
  }
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= s.length; i++) add(fnv1a(s, i, i + n, CHAR_SEED + n), 0.5)
  }
  const v = new Array<number>(dims).fill(0)
  for (const [h, tf] of counts) {
    const w = 1 + Math.log(tf)
    const i = (h >>> 1) % dims
    v[i] = (v[i] ?? 0) + (h & 1 ? -w : w)
  }
  let norm = 0
  for (const x of v) norm += x * x
  norm = Math.sqrt(norm)
  return norm > 0 ? v.map((x) => x / norm) : v
}
