import {
  brotliDecompressSync,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  gunzipSync,
  inflateSync,
} from 'node:zlib'
import type { Transform } from 'node:stream'
import type { Ticket } from '../breaker/breaker.js'
import type { TraceContext } from '../context.js'
import type { Usage } from '../types.js'
import { currentContext } from '../context.js'
import type { ResolvedContext } from '../user-context.js'
import { runtimeContext } from '../user-context.js'
import { newSpanId } from '../ids.js'
import { tryParse } from './json.js'
import type { Detected } from './providers.js'
import type { Extracted } from './response.js'
import { ResponseReader, errorFromBody } from './response.js'
import type { RequestInfo } from './request.js'
import { NdjsonParser, SseParser } from './sse.js'

export { readRequest } from './request.js'
export type { RequestInfo } from './request.js'

// A JSON body larger than this is passed through unread (no usage) rather than buffered.
const MAX_JSON_BYTES = 8 * 1024 * 1024
// Stream events kept for reading after the stream; beyond this only usage is read.
const MAX_PENDING_CHARS = 4 * 1024 * 1024

export type ResponseMode = 'json' | 'sse' | 'ndjson'

/**
 * One intercepted LLM call, from request to last byte. It observes a copy of what flows by;
 * nothing here can change or delay what the application reads.
 */
export class CallRecord {
  readonly spanId = newSpanId()
  readonly ctx: TraceContext | undefined = currentContext()
  /** setContext()/withContext() in force where the call started. */
  readonly user: ResolvedContext | undefined = runtimeContext()
  readonly startWall = Date.now()
  startPerf = performance.now()
  request: RequestInfo = { stream: false, bodyBytes: 0 }
  /** Set by the pre-send checks; the outcome is recorded against it when the call completes. */
  plan: { ticket: Ticket; budgetIds: string[] } | undefined
  /** Attributes added by the pre-send checks (degrade, throttle). */
  readonly attributes: Record<string, string | number | boolean> = {}
  status: number | undefined
  requestId: string | undefined
  retryCount: number | undefined
  mode: ResponseMode = 'json'
  firstTokenPerf: number | undefined
  private firstEventPerf: number | undefined
  endPerf: number | undefined
  error: string | undefined
  aborted = false
  finished = false
  /** True once a dispatcher (or the fetch fallback) observes the response. */
  observed = false
  /** Finalised before its response ended (shutdown deadline, process exit): a partial span. */
  abandoned = false
  /** Replaced by another record (a redirect seen at the global dispatcher): no span. */
  discarded = false
  /** Owned by the client's in-flight list (see inflight.ts). */
  inflightSlot = -1
  private readonly reader: ResponseReader
  private decoder: Transform | undefined
  private sse: SseParser | undefined
  private ndjson: NdjsonParser | undefined
  private json: Buffer[] = []
  private jsonBytes = 0
  private pending: { data: string; name?: string }[] = []
  private pendingChars = 0
  private lastUsage = -1
  private usageHint: Usage | undefined
  private encoding = ''
  private ended = false

  constructor(
    readonly detected: Detected,
    readonly url: string,
    private readonly onFinish: (record: CallRecord) => void,
  ) {
    this.reader = new ResponseReader(detected.flavor, detected.operation)
  }

  get extracted(): Extracted {
    return this.reader.result()
  }

  get durationMs(): number {
    return (this.endPerf ?? performance.now()) - this.startPerf
  }

  get ttftMs(): number | undefined {
    const t = this.firstTokenPerf ?? this.firstEventPerf
    return this.request.stream || this.mode !== 'json' ? (t === undefined ? undefined : t - this.startPerf) : undefined
  }

  /** Response status line and headers arrived. `header` reads one header, lower-case name. */
  responseStart(status: number, header: (name: string) => string | undefined): void {
    this.observed = true
    this.status = status
    this.requestId =
      header('x-request-id') ?? header('request-id') ?? header('apim-request-id') ?? header('x-goog-request-id')
    const type = (header('content-type') ?? '').toLowerCase()
    this.mode = type.includes('text/event-stream') ? 'sse' : type.includes('ndjson') ? 'ndjson' : 'json'
    if (this.mode === 'sse') this.sse = new SseParser((e) => this.onEvent(e.data, e.event))
    if (this.mode === 'ndjson') this.ndjson = new NdjsonParser((line) => this.onEvent(line))
    this.encoding = (header('content-encoding') ?? '').toLowerCase().trim()
    if (this.mode === 'json' || !this.encoding || this.encoding === 'identity') return
    // Streams are decoded as they come; JSON bodies are decoded at once at the end.
    if (this.encoding === 'gzip' || this.encoding === 'x-gzip') this.decoder = createGunzip()
    else if (this.encoding === 'br') this.decoder = createBrotliDecompress()
    else if (this.encoding === 'deflate') this.decoder = createInflate()
    else {
      this.sse = undefined
      this.ndjson = undefined
      return
    }
    this.decoder.on('data', (d: Buffer) => this.consume(d))
    this.decoder.on('error', () => {
      this.decoder = undefined
      this.sse = undefined
      this.ndjson = undefined
    })
    this.decoder.on('end', () => this.finalize())
  }

  /** A chunk of the raw response body (a copy of the reference; never modified). */
  data(chunk: Buffer | Uint8Array): void {
    if (this.finished) return
    if (this.decoder) this.decoder.write(chunk)
    else this.consume(chunk)
  }

  end(): void {
    if (this.ended || this.finished) return
    this.ended = true
    this.endPerf = performance.now()
    // Synchronously, before the application's read of the body resolves: the next call's
    // breaker and budget checks must already count this one.
    if (this.decoder) this.decoder.end()
    else this.finalize()
  }

  fail(err: unknown): void {
    if (this.finished) return
    this.endPerf ??= performance.now()
    const name = err instanceof Error ? err.name : ''
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined
    this.aborted =
      name === 'AbortError' || cause?.name === 'AbortError' || (err instanceof Error && /aborted/i.test(err.message))
    this.error = this.aborted ? 'aborted by the client' : errText(err)
    this.sse?.end()
    this.ndjson?.end()
    this.finish()
  }

  /** Becomes a span now with what was seen so far (see Pending in inflight.ts). */
  abandon(): void {
    if (this.finished) return
    this.abandoned = true
    this.endPerf ??= performance.now()
    this.sse?.end()
    this.ndjson?.end()
    this.finish()
  }

  /** No span for this record; it only leaves the in-flight set. */
  discard(): void {
    if (this.finished) return
    this.discarded = true
    this.finish()
  }

  private consume(chunk: Buffer | Uint8Array): void {
    try {
      if (this.sse) this.sse.push(chunk)
      else if (this.ndjson) this.ndjson.push(chunk)
      else if (this.jsonBytes + chunk.byteLength <= MAX_JSON_BYTES) {
        this.json.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
        this.jsonBytes += chunk.byteLength
      } else this.json = []
    } catch {
      // Telemetry parsing never reaches the application.
    }
  }

  private feed(data: string, name?: string, reader = this.reader): boolean {
    const parsed = tryParse(data)
    return parsed !== undefined && reader.event(parsed, name)
  }

  /**
   * Events are parsed until the first token (time to first token), and then only kept: parsing
   * every chunk would cost the stream ~1 µs per event. Errors are read at once; the rest is
   * read after the stream ended ({@link settle}).
   */
  private onEvent(data: string, name?: string): void {
    this.firstEventPerf ??= performance.now()
    if (data === '[DONE]') return
    if (
      this.firstTokenPerf === undefined ||
      this.detected.flavor === 'gemini' ||
      name === 'error' ||
      data.includes('"error"')
    ) {
      if (this.feed(data, name)) this.firstTokenPerf ??= performance.now()
      return
    }
    if (this.pendingChars + data.length > MAX_PENDING_CHARS) {
      if (data.includes('sage')) this.feed(data, name)
      return
    }
    this.pending.push({ data, name })
    this.pendingChars += data.length
    if (data.includes('sage')) this.lastUsage = this.pending.length - 1
  }

  /** True while kept stream events still have to be read (see {@link settle}). */
  get unsettled(): boolean {
    return this.pending.length > 0
  }

  /** Reads the kept stream events, in order. Idempotent. */
  settle(): void {
    const events = this.pending
    this.pending = []
    this.pendingChars = 0
    this.lastUsage = -1
    this.usageHint = undefined
    try {
      for (const e of events) this.feed(e.data, e.name)
    } catch {
      // Partial content is still a span.
    }
  }

  /**
   * Usage as known now, for the budget checks of the next call: what was read so far plus the
   * last usage-bearing event kept (usage is cumulative in every provider's stream).
   */
  get usage(): Usage | undefined {
    const read = this.reader.result().usage
    if (this.lastUsage < 0) return read
    if (!this.usageHint) {
      const e = this.pending[this.lastUsage]
      const probe = new ResponseReader(this.detected.flavor, this.detected.operation)
      if (e) this.feed(e.data, e.name, probe)
      this.usageHint = { ...read, ...probe.result().usage }
    }
    return this.usageHint
  }

  private finalize(): void {
    if (this.finished) return
    try {
      this.sse?.end()
      this.ndjson?.end()
      if (this.mode === 'json' && this.json.length) {
        const body = tryParse(decode(Buffer.concat(this.json), this.encoding))
        if ((this.status ?? 0) >= 400) this.error = errorFromBody(body) ?? `HTTP ${this.status}`
        else if (body !== undefined) this.reader.json(body)
      }
    } catch {
      // A body we cannot read still yields a span: status and latency are known.
    }
    this.json = []
    if ((this.status ?? 0) >= 400) this.error ??= `HTTP ${this.status}`
    this.error ??= this.reader.result().error
    this.finish()
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.onFinish(this)
  }
}

function decode(raw: Buffer, encoding: string): string {
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(raw).toString('utf8')
    if (encoding === 'br') return brotliDecompressSync(raw).toString('utf8')
    if (encoding === 'deflate') return inflateSync(raw).toString('utf8')
    if (encoding && encoding !== 'identity') return ''
  } catch {
    return ''
  }
  return raw.toString('utf8')
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
    return `${err.message}${cause}`.slice(0, 2048)
  }
  return String(err).slice(0, 2048)
}
