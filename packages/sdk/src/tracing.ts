import type { AgentFrame, ContextAttrs, TraceContext } from './context.js'
import { agentId, childContext, currentContext, runWithContext } from './context.js'
import { newSpanId } from './ids.js'
import { errorMessage } from './log.js'
import { agentOf, isoMicro } from './spans.js'
import type { AttributeValue, Span, SpanKind } from './types.js'
import { applyContext, runtimeContext } from './user-context.js'
import type { Pending } from './inflight.js'
import type { SpanHandle } from './span-handle.js'
import { SpanState } from './span-handle.js'

/** Attributes of `trace()` and `span()`. */
export interface SpanAttrs extends ContextAttrs {
  kind?: SpanKind
  input?: unknown
  output?: unknown
  attributes?: Record<string, AttributeValue>
}

/** Options of `agent()`. Limits apply to every LLM call inside, on top of the global ones. */
export interface AgentOptions {
  name: string
  role?: string
  /** Stable id; defaults to a slug of the name, so re-entering an agent keeps its budget. */
  id?: string
  budgetPerHour?: number
  maxErrorRate?: number
  maxCallsPerMinute?: number
  /** Defaults to the global `blockOnThreshold`. */
  blockOnThreshold?: boolean
}

/** Where finished spans go, and where agents register their limits (the current client). */
export interface SpanSink {
  emit(span: Span): void
  registerAgent(frame: AgentFrame): void
  /** A span waiting for its wrapped stream: flush() and shutdown() wait for it. */
  track(pending: Pending): void
  untrack(pending: Pending): void
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof Reflect.get(v, 'then') === 'function'
}

/**
 * Runs `fn` inside a new span; the span ends when `fn` returns or its promise settles (or, when
 * `fn` wrapped a stream with the handle, when that stream ends), with status error when it
 * throws (the error is rethrown unchanged).
 */
export function runInSpan<T>(
  sink: SpanSink | undefined,
  name: string,
  kind: SpanKind,
  fn: (span: SpanHandle) => T,
  attrs: SpanAttrs | undefined,
  newTrace: boolean,
  frame?: AgentFrame,
): T {
  const parent = newTrace ? undefined : currentContext()
  const ctx: TraceContext = childContext(attrs, newTrace, frame)
  const parentSpanId = parent?.spanId ?? ctx.remoteParentId ?? null
  const startWall = Date.now()
  const startPerf = performance.now()
  const user = runtimeContext()
  let outcome: { err?: unknown; failed: boolean } | undefined
  let emitted = false
  const emit = (abandoned: boolean) => {
    if (emitted || !outcome) return
    emitted = true
    state.end()
    if (sink) sink.untrack(pending)
    if (sink) sink.emit(buildSpan(abandoned))
  }
  const state = new SpanState(ctx.traceId, ctx.spanId, () => emit(false))
  // Registered so flush()/shutdown() wait for a span whose stream is still being read.
  const pending = { abandon: () => ((outcome ??= { failed: false }), emit(true)), inflightSlot: -1 }
  const buildSpan = (abandoned: boolean): Span => {
    const failed = outcome?.failed === true
    const span: Span = {
      trace_id: ctx.traceId,
      span_id: ctx.spanId,
      parent_span_id: parentSpanId,
      name: name.slice(0, 256) || 'span',
      kind: attrs?.kind === undefined && (state.model !== undefined || state.usage !== undefined) ? 'llm' : kind,
      start_time: isoMicro(startWall),
      end_time: isoMicro(startWall + (performance.now() - startPerf)),
      status: failed ? 'error' : abandoned ? 'unset' : 'ok',
    }
    if (failed) span.error_message = errorMessage(outcome?.err, 4096)
    const agent = agentOf(ctx)
    if (agent) span.agent = agent
    if (Object.keys(ctx.tags).length) span.tags = { ...ctx.tags }
    if (ctx.userId) span.user_id = ctx.userId
    if (ctx.sessionId) span.session_id = ctx.sessionId
    if (attrs?.input !== undefined) span.input = attrs.input
    const output = state.output !== undefined ? state.output : attrs?.output
    if (output !== undefined) span.output = output
    if (attrs?.attributes || state.attributes || abandoned)
      span.attributes = { ...attrs?.attributes, ...state.attributes, ...(abandoned ? { incomplete: true } : {}) }
    if (state.model !== undefined) span.model = state.model
    if (state.provider !== undefined) span.provider = state.provider
    if (state.usage) span.usage = state.usage
    if (state.streaming) {
      span.stream = true
      span.ttft_ms =
        state.firstChunkPerf === undefined ? null : Math.round((state.firstChunkPerf - startPerf) * 1000) / 1000
    }
    applyContext(span, user)
    return span
  }
  const finish = (err?: unknown, failed = false) => {
    if (!sink) return
    try {
      outcome = { err, failed }
      if (!state.waiting) emit(false)
      else sink.track(pending)
    } catch {
      // Telemetry never changes what fn returns or throws.
    }
  }
  let result: T
  try {
    result = runWithContext(ctx, () => fn(state))
  } catch (err) {
    finish(err, true)
    throw err
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (v) => {
        finish()
        return v
      },
      (err: unknown) => {
        finish(err, true)
        throw err
      },
    ) as T
  }
  finish()
  return result
}

export function agentFrame(opts: AgentOptions): AgentFrame {
  const outer = currentContext()?.agents
  const parent = outer?.[outer.length - 1]
  return {
    id: opts.id ?? agentId(opts.name),
    name: opts.name,
    role: opts.role ?? null,
    parent_id: parent?.id ?? null,
    spanId: newSpanId(),
    limits: {
      budgetPerHour: opts.budgetPerHour,
      maxErrorRate: opts.maxErrorRate,
      maxCallsPerMinute: opts.maxCallsPerMinute,
      blockOnThreshold: opts.blockOnThreshold,
    },
  }
}
