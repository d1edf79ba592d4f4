import { appendFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { priceOf, pricesLoaded } from './pricing.js'
import type { Span } from './types.js'

/**
 * Receives every span the SDK keeps (after sampling, zero data retention and user-id hashing),
 * besides or instead of delivery to Tollgate (Aden's emitters). Sync or async; a failing
 * exporter never reaches the application. `flush()`/`shutdown()` wait for returned promises.
 */
export type SpanExporter = (span: Readonly<Span>) => void | Promise<void>

function ms(span: Readonly<Span>): number {
  const start = typeof span.start_time === 'number' ? span.start_time : Date.parse(span.start_time)
  const end = typeof span.end_time === 'number' ? span.end_time : Date.parse(span.end_time)
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, Math.round(end - start)) : 0
}

function costOf(span: Readonly<Span>): number | undefined {
  if (span.cost) return span.cost.total_usd
  if (!span.usage || !pricesLoaded()) return undefined
  return priceOf(span.provider, span.response_model ?? span.model, span.usage)?.total_usd
}

/** One readable line per span: `provider model latency tokens cost trace`. */
export function formatSpanLine(span: Readonly<Span>): string {
  const parts = ['[tollgate]']
  if (span.kind === 'llm' || span.kind === 'embedding') parts.push(span.provider ?? '?', span.model ?? '?')
  else parts.push(span.kind, span.name)
  parts.push(`${ms(span)}ms`)
  if (span.usage) parts.push(`tokens ${span.usage.input_tokens ?? 0} in / ${span.usage.output_tokens ?? 0} out`)
  const cost = costOf(span)
  if (cost !== undefined) parts.push(`$${cost.toFixed(6)}`)
  if (span.stream && span.ttft_ms != null) parts.push(`ttft ${Math.round(span.ttft_ms)}ms`)
  if (span.status === 'error') parts.push(`ERROR ${(span.error_message ?? '').slice(0, 120)}`)
  parts.push(`trace ${span.trace_id.slice(0, 8)}`)
  return parts.join(' ')
}

/**
 * Writes one line per span, for local development.
 *
 * @example
 * init({ deliver: false, onSpan: consoleExporter() })
 * // [tollgate] openai gpt-4o-mini 412ms tokens 11 in / 6 out $0.000005 trace 3f2a9c1e
 */
export function consoleExporter(opts: { write?: (line: string) => void } = {}): SpanExporter {
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`))
  return (span) => write(formatSpanLine(span))
}

/**
 * Appends each span as one JSON line to `<dir>/<prefix>-YYYY-MM-DD.jsonl` (UTC day of the
 * span's end). Writes are queued, so lines never interleave.
 *
 * @example
 * init({ deliver: false, onSpan: fileExporter({ dir: './logs' }) }) // ./logs/spans-2026-01-15.jsonl
 */
export function fileExporter(opts: { dir: string; prefix?: string }): SpanExporter {
  const prefix = opts.prefix ?? 'spans'
  let tail: Promise<unknown> = mkdir(opts.dir, { recursive: true })
  return (span) => {
    const end = typeof span.end_time === 'number' ? new Date(span.end_time) : new Date(span.end_time)
    const day = (Number.isNaN(end.getTime()) ? new Date() : end).toISOString().slice(0, 10)
    const line = `${JSON.stringify(span)}\n`
    const write = tail.then(() => appendFile(join(opts.dir, `${prefix}-${day}.jsonl`), line))
    tail = write.catch(() => undefined)
    return write
  }
}

/**
 * Passes on only the spans `keep` accepts.
 *
 * @example
 * filterExporter((s) => (s.usage?.total_tokens ?? 0) > 1000, consoleExporter())
 */
export function filterExporter(keep: (span: Readonly<Span>) => boolean, next: SpanExporter): SpanExporter {
  return (span) => (keep(span) ? next(span) : undefined)
}

/**
 * Passes on what `fn` returns (a copy to change freely); `undefined` drops the span.
 *
 * @example
 * transformExporter((s) => ({ ...s, input: undefined, output: undefined }), myBackend)
 */
export function transformExporter(fn: (span: Span) => Span | undefined, next: SpanExporter): SpanExporter {
  return (span) => {
    const out = fn(structuredClone(span))
    return out ? next(out) : undefined
  }
}

/** Keeps spans in an array (tests, notebooks). */
export function memoryExporter(): SpanExporter & { spans: Span[] } {
  const spans: Span[] = []
  return Object.assign((span: Readonly<Span>) => void spans.push(structuredClone(span) as Span), { spans })
}

/** The configured exporters, run off nothing but the span; pending promises are awaited by flush(). */
export class Exports {
  private readonly pending = new Set<Promise<void>>()

  constructor(
    private readonly list: readonly SpanExporter[],
    private readonly onError: (err: unknown) => void,
  ) {}

  get size(): number {
    return this.list.length
  }

  run(span: Readonly<Span>): void {
    for (const exporter of this.list) {
      try {
        const r = exporter(span)
        if (r && typeof r.then === 'function') {
          const p = Promise.resolve(r).catch(this.onError)
          this.pending.add(p)
          void p.finally(() => this.pending.delete(p))
        }
      } catch (err) {
        this.onError(err)
      }
    }
  }

  /** Resolves once every exporter promise has settled, or at `deadline` (epoch ms). */
  async settled(deadline: number): Promise<void> {
    if (this.pending.size === 0) return
    const all = Promise.all(this.pending)
    if (deadline === Infinity) return void (await all)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      all,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
    ])
    if (timer) clearTimeout(timer)
  }
}
