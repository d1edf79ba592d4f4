import { AsyncLocalStorage } from 'node:async_hooks'
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from './ids.js'
import type { AgentRef } from './types.js'

/** Limits a caller may set on an agent; the breaker turns them into a per-agent monitor. */
export interface AgentLimits {
  budgetPerHour?: number
  maxErrorRate?: number
  maxCallsPerMinute?: number
  blockOnThreshold?: boolean
}

export interface AgentFrame extends AgentRef {
  spanId: string
  limits: AgentLimits
}

/** What flows through async calls: the current span and what its children inherit. */
export interface TraceContext {
  traceId: string
  /** The current span: parent of anything started inside it. */
  spanId: string
  /** Span id from an incoming `traceparent`, for a root span that continues a remote trace. */
  remoteParentId?: string
  /** Outer to inner; nested agents are all checked by the breaker. */
  agents: readonly AgentFrame[]
  tags: Readonly<Record<string, string>>
  userId?: string
  sessionId?: string
}

const storage = new AsyncLocalStorage<TraceContext>()

export function currentContext(): TraceContext | undefined {
  return storage.getStore()
}

export function runWithContext<T>(ctx: TraceContext, fn: () => T): T {
  return storage.run(ctx, fn)
}

/** Attributes accepted by `trace()`, `span()` and `agent()`. */
export interface ContextAttrs {
  /** Continue a remote trace, e.g. `req.headers.traceparent`. Only used where a trace starts. */
  traceparent?: string
  tags?: Record<string, string>
  userId?: string
  sessionId?: string
}

/** Child context of the current one, or a new trace when there is none (or `newTrace`). */
export function childContext(attrs: ContextAttrs | undefined, newTrace: boolean, agent?: AgentFrame): TraceContext {
  const parent = newTrace ? undefined : storage.getStore()
  const spanId = agent?.spanId ?? newSpanId()
  if (parent) {
    return {
      traceId: parent.traceId,
      spanId,
      agents: agent ? [...parent.agents, agent] : parent.agents,
      tags: attrs?.tags ? Object.assign({}, parent.tags, attrs.tags) : parent.tags,
      userId: attrs?.userId ?? parent.userId,
      sessionId: attrs?.sessionId ?? parent.sessionId,
    }
  }
  const remote = parseTraceparent(attrs?.traceparent)
  // A new trace() inside another keeps the agent stack: limits of enclosing agents still apply.
  const outer = storage.getStore()
  return {
    traceId: remote?.traceId ?? newTraceId(),
    spanId,
    remoteParentId: remote?.parentSpanId,
    agents: agent ? [...(outer?.agents ?? []), agent] : (outer?.agents ?? []),
    tags: Object.assign({}, outer?.tags, attrs?.tags),
    userId: attrs?.userId ?? outer?.userId,
    sessionId: attrs?.sessionId ?? outer?.sessionId,
  }
}

/**
 * The trace id of the current context, for logs or for linking a response to its trace.
 *
 * @example
 * await trace('checkout', async () => {
 *   logger.info({ traceId: currentTraceId() }, 'calling the model')
 * })
 */
export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId
}

/**
 * A W3C `traceparent` header for the current span, to propagate the trace to a service you call.
 *
 * @example
 * await fetch(url, { headers: { traceparent: currentTraceparent() ?? '' } })
 */
export function currentTraceparent(): string | undefined {
  const ctx = storage.getStore()
  return ctx ? formatTraceparent(ctx.traceId, ctx.spanId) : undefined
}

export function agentId(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'agent'
  )
}
