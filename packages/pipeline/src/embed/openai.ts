import { EmbedderError, type Embedder } from './embedder.js'

export interface OpenAiEmbedderOptions {
  /** Base URL (`…/v1`) or the full `…/embeddings` endpoint: OpenAI, Ollama, vLLM, TEI, LiteLLM. */
  url: string
  model: string
  apiKey?: string | undefined
  dims: number
  timeoutMs?: number
  /** Attempts per call after the first, on timeouts, resets, 429 and 5xx. */
  retries?: number
  /** First backoff; doubled per attempt, with jitter. */
  backoffMs?: number
  /** A Retry-After longer than this is not waited for here: the call fails and the job defers the rows. */
  maxWaitMs?: number
  fetch?: typeof fetch
}

const EmbeddingResponse = {
  parse(body: unknown, n: number, dims: number): number[][] {
    const data = (body as { data?: unknown } | null)?.data
    if (!Array.isArray(data) || data.length !== n) throw new EmbedderError(`expected ${n} embeddings in data[]`)
    const out = new Array<number[]>(n)
    for (const item of data as Array<{ index?: unknown; embedding?: unknown }>) {
      const i = typeof item.index === 'number' ? item.index : -1
      const e = item.embedding
      if (i < 0 || i >= n || !Array.isArray(e)) throw new EmbedderError('malformed embedding item')
      if (e.length !== dims)
        throw new EmbedderError(`provider returned ${e.length} dimensions; span_embeddings holds ${dims}`)
      if (!e.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new EmbedderError('non-numeric embedding')
      out[i] = normalise(e as number[])
    }
    return out
  },
}

function normalise(v: number[]): number[] {
  let norm = 0
  for (const x of v) norm += x * x
  norm = Math.sqrt(norm)
  return norm > 0 ? v.map((x) => x / norm) : v
}

/** Seconds or an HTTP date, as milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined
  const s = Number(header)
  if (Number.isFinite(s)) return Math.max(0, s * 1000)
  const at = Date.parse(header)
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * An OpenAI-compatible `/embeddings` client: one request per batch of texts, a timeout per request,
 * retries with exponential backoff (a 429's or 503's Retry-After honoured up to `maxWaitMs`). Asks
 * for `dims` dimensions (text-embedding-3 models shorten natively); a provider that returns another
 * size fails loudly instead of storing vectors of the wrong model. The key is sent only in the
 * Authorization header and never logged.
 */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const endpoint = /\/embeddings\/?$/.test(options.url) ? options.url : options.url.replace(/\/+$/, '') + '/embeddings'
  const doFetch = options.fetch ?? fetch
  const retries = options.retries ?? 3
  const backoffMs = options.backoffMs ?? 250
  const maxWaitMs = options.maxWaitMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? 10_000

  async function once(texts: string[]): Promise<number[][]> {
    let res: Response
    try {
      res = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: options.model, input: texts, dimensions: options.dims }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      const e = err as Error
      throw new EmbedderError(
        e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `unreachable: ${e.message}`,
        {
          retryable: true,
        },
      )
    }
    if (!res.ok) {
      await res.body?.cancel()
      throw new EmbedderError(`HTTP ${res.status}`, {
        retryable: res.status === 429 || res.status >= 500,
        retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
      })
    }
    let body: unknown
    try {
      body = await res.json()
    } catch {
      throw new EmbedderError('response is not JSON')
    }
    return EmbeddingResponse.parse(body, texts.length, options.dims)
  }

  return {
    id: `openai:${options.model}`,
    dims: options.dims,
    async embed(texts) {
      if (texts.length === 0) return []
      for (let attempt = 0; ; attempt++) {
        try {
          return await once(texts)
        } catch (err) {
          const e = err instanceof EmbedderError ? err : new EmbedderError(String(err))
          if (!e.retryable || attempt >= retries) throw e
          const wait = e.retryAfterMs ?? backoffMs * 2 ** attempt * (0.5 + Math.random() / 2)
          if (wait > maxWaitMs) throw e
          await sleep(wait)
        }
      }
    },
  }
}
