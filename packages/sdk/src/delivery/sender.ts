import { promisify } from 'node:util'
import { gzip as gzipCb } from 'node:zlib'
import { SDK_NAME, SDK_VERSION } from '../version.js'

const gzip = promisify(gzipCb)

// Below this a gzip header costs more than it saves.
const GZIP_MIN_BYTES = 2048

/** What one ingest request came to. */
export type SendOutcome =
  | { kind: 'ok'; rejected: { index: number; error: string }[] }
  | { kind: 'retry'; retryAfterMs?: number; reason: string }
  | { kind: 'drop'; reason: string }
  | { kind: 'split' }
  /** The credentials or the endpoint are wrong: nothing can be delivered until they are fixed. */
  | { kind: 'pause'; status: number }

export interface SenderOptions {
  endpoint: string
  apiKey: string | undefined
  timeoutMs: number
  /** The unpatched fetch: the SDK's own traffic is never instrumented. */
  fetch: typeof fetch
}

/** `Retry-After` as seconds or an HTTP date, capped at an hour so a bad header cannot park us forever. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  let ms: number
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000
  else {
    const at = Date.parse(trimmed)
    if (Number.isNaN(at)) return undefined
    ms = at - now
  }
  return Math.min(Math.max(0, ms), 3_600_000)
}

function parseRejected(text: string): { index: number; error: string }[] {
  try {
    const body: unknown = JSON.parse(text)
    if (!body || typeof body !== 'object' || !('rejected' in body) || !Array.isArray(body.rejected)) return []
    const out: { index: number; error: string }[] = []
    for (const r of body.rejected as unknown[]) {
      if (r && typeof r === 'object' && 'index' in r && typeof r.index === 'number') {
        out.push({ index: r.index, error: 'error' in r && typeof r.error === 'string' ? r.error : 'rejected' })
      }
    }
    return out
  } catch {
    return []
  }
}

/**
 * Classifies a status the way the delivery rules need it (Tokenome's rules, plus 413 splitting).
 * 401/403/404 say nothing about the spans: a rotated key or a proxy answering 404 must pause
 * delivery, never empty the spool. Only 400 and a single span's 413 judge the spans themselves.
 */
export function classify(
  status: number,
  spans: number,
  retryAfter: string | null,
): Exclude<SendOutcome, { kind: 'ok' }> {
  if (status === 401 || status === 403 || status === 404) return { kind: 'pause', status }
  if (status === 429 || status === 503) {
    return { kind: 'retry', retryAfterMs: parseRetryAfter(retryAfter), reason: `http_${status}` }
  }
  if (status >= 500 || status === 408 || status === 425) return { kind: 'retry', reason: `http_${status}` }
  if (status === 413 && spans > 1) return { kind: 'split' }
  return { kind: 'drop', reason: `http_${status}` }
}

/** Builds the body from already-serialized spans: no parse/stringify round trip. */
export function buildBody(bodies: readonly string[], dropped: Record<string, number> | undefined): string {
  const client = {
    name: SDK_NAME,
    version: SDK_VERSION,
    ...(dropped && Object.keys(dropped).length ? { dropped } : {}),
  }
  return `{"spans":[${bodies.join(',')}],"client":${JSON.stringify(client)}}`
}

function withCancel(timeout: AbortSignal, cancel: AbortSignal | undefined): AbortSignal {
  return cancel ? AbortSignal.any([timeout, cancel]) : timeout
}

export class Sender {
  readonly url: string

  constructor(private readonly opts: SenderOptions) {
    this.url = `${opts.endpoint}/api/ingest`
  }

  async send(
    bodies: readonly string[],
    dropped?: Record<string, number>,
    deadline = Infinity,
    cancel?: AbortSignal,
  ): Promise<SendOutcome> {
    const json = buildBody(bodies, dropped)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': `${SDK_NAME}/${SDK_VERSION}`,
    }
    if (this.opts.apiKey) headers['x-api-key'] = this.opts.apiKey
    let payload: string | Buffer = json
    if (json.length >= GZIP_MIN_BYTES) {
      payload = await gzip(json)
      headers['content-encoding'] = 'gzip'
    }
    try {
      const res = await this.opts.fetch(this.url, {
        method: 'POST',
        headers,
        body: payload,
        signal: withCancel(
          AbortSignal.timeout(Math.max(1, Math.min(this.opts.timeoutMs, deadline - Date.now()))),
          cancel,
        ),
      })
      const text = await res.text().catch(() => '')
      if (res.status >= 200 && res.status < 300) return { kind: 'ok', rejected: parseRejected(text) }
      return classify(res.status, bodies.length, res.headers.get('retry-after'))
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error'
      return { kind: 'retry', reason: name === 'TimeoutError' ? 'timeout' : 'network' }
    }
  }
}
