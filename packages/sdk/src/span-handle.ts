import { openaiUsage } from './instrument/usage.js'
import type { AttributeValue, Usage } from './types.js'

/** How {@link SpanHandle.wrapStream} reads chunks it does not know. */
export interface WrapStreamOptions<C> {
  /** Usage carried by a chunk (cumulative or final); default: an OpenAI-style `chunk.usage`. */
  usage?: (chunk: C) => Usage | undefined
  /** Text carried by a chunk, concatenated into the span's output (none by default). */
  text?: (chunk: C) => string | undefined
}

/**
 * What `span()`/`trace()` hand their callback: metadata known only mid-call (instrumentation-sdk's
 * `llm_span`). Every method is safe to call after the span ended (it is ignored).
 */
export interface SpanHandle {
  readonly traceId: string
  readonly spanId: string
  setAttribute(key: string, value: AttributeValue): void
  setUsage(usage: Usage): void
  /** Marks the span as an LLM call of this model (and provider, a genai-prices id such as `openai`). */
  setModel(model: string, provider?: string): void
  setOutput(output: unknown): void
  /**
   * Wraps a stream you produce or receive: the span ends when the stream ends (not when the
   * callback returns), records time to first chunk as `ttft_ms`, and the last usage seen.
   */
  wrapStream<C>(stream: AsyncIterable<C>, options?: WrapStreamOptions<C>): AsyncIterable<C>
}

/** The mutable state behind a handle, read when the span is built. */
export class SpanState implements SpanHandle {
  attributes: Record<string, AttributeValue> | undefined
  usage: Usage | undefined
  model: string | undefined
  provider: string | undefined
  output: unknown
  firstChunkPerf: number | undefined
  streaming = false
  private openStreams = 0
  private ended = false

  constructor(
    readonly traceId: string,
    readonly spanId: string,
    /** Called when the last wrapped stream ends, if the span is waiting for it. */
    private readonly onStreamsDone: () => void,
  ) {}

  get waiting(): boolean {
    return this.openStreams > 0
  }

  end(): void {
    this.ended = true
  }

  setAttribute(key: string, value: AttributeValue): void {
    if (this.ended) return
    this.attributes ??= {}
    this.attributes[key] = value
  }

  setUsage(usage: Usage): void {
    if (!this.ended && usage && typeof usage === 'object') this.usage = { ...usage }
  }

  setModel(model: string, provider?: string): void {
    if (this.ended) return
    this.model = model
    if (provider) this.provider = provider
  }

  setOutput(output: unknown): void {
    if (!this.ended) this.output = output
  }

  wrapStream<C>(stream: AsyncIterable<C>, options: WrapStreamOptions<C> = {}): AsyncIterable<C> {
    if (this.ended) return stream
    this.streaming = true
    this.openStreams++
    const readUsage =
      options.usage ??
      ((chunk: C) => (chunk && typeof chunk === 'object' ? openaiUsage(Reflect.get(chunk, 'usage')) : undefined))
    return this.observe(stream, readUsage, options.text)
  }

  private async *observe<C>(
    stream: AsyncIterable<C>,
    readUsage: (chunk: C) => Usage | undefined,
    readText: ((chunk: C) => string | undefined) | undefined,
  ): AsyncGenerator<C> {
    let text = ''
    try {
      for await (const chunk of stream) {
        this.firstChunkPerf ??= performance.now()
        try {
          const u = readUsage(chunk)
          if (u) this.usage = u
          const t = readText?.(chunk)
          if (t) text += t
        } catch {
          // A reader that fails on one chunk does not change the stream.
        }
        yield chunk
      }
    } finally {
      if (text) this.output = text
      this.openStreams--
      if (this.openStreams === 0) this.onStreamsDone()
    }
  }
}
