import type { Breaker } from './breaker/breaker.js'
import { CircuitBreakerError } from './breaker/errors.js'
import type { CallRecord } from './instrument/capture.js'
import type { SendPlan } from './instrument/fetch.js'
import type { Logger } from './log.js'
import { agentOf } from './spans.js'
import type { AgentRef } from './types.js'
import { effectiveContext } from './user-context.js'

/** What the hook sees of the request about to be sent. */
export interface RequestParams {
  provider: string
  operation: string
  /** The model that will be sent (after a server budget's degrade, if any). */
  model: string | undefined
  stream: boolean
  url: string
  /** The prompt part of the body (messages, input, contents...). */
  input: unknown
}

/** Whom the request is for: trace, agent and the resolved context (default, setContext, trace). */
export interface RequestContext {
  traceId: string | undefined
  spanId: string
  agent: AgentRef | null
  userId: string | undefined
  sessionId: string | undefined
  tags: Readonly<Record<string, string>>
}

export type BeforeRequestResult =
  | { action: 'proceed' }
  | { action: 'cancel'; reason: string }
  | { action: 'throttle'; delayMs: number }
  | { action: 'degrade'; toModel: string; reason?: string }

/** Returning nothing means proceed. */
export type BeforeRequestHook = (
  params: RequestParams,
  context: RequestContext,
) => BeforeRequestResult | void | Promise<BeforeRequestResult | void>

/**
 * Builders for a hook's answer (Aden's `BeforeRequestResult`).
 *
 * @example
 * init({
 *   beforeRequest: (params, ctx) => {
 *     if (!rateLimiter.allow(ctx.userId)) return BeforeRequest.cancel('rate limit')
 *     if (params.model === 'gpt-4o' && ctx.tags.tier === 'free') return BeforeRequest.degrade('gpt-4o-mini', 'free tier')
 *     return BeforeRequest.proceed()
 *   },
 * })
 */
export const BeforeRequest = {
  proceed: (): BeforeRequestResult => ({ action: 'proceed' }),
  cancel: (reason: string): BeforeRequestResult => ({ action: 'cancel', reason }),
  throttle: (delayMs: number): BeforeRequestResult => ({ action: 'throttle', delayMs }),
  degrade: (toModel: string, reason?: string): BeforeRequestResult => ({ action: 'degrade', toModel, reason }),
} as const

// The same cap as a server budget's throttle: a hook cannot park a request for longer.
const MAX_DELAY_MS = 60_000

function contextOf(record: CallRecord, configTags: Readonly<Record<string, string>>): RequestContext {
  const user = effectiveContext(record.user)
  return {
    traceId: record.ctx?.traceId,
    spanId: record.spanId,
    agent: agentOf(record.ctx),
    userId: record.ctx?.userId ?? user?.userId,
    sessionId: record.ctx?.sessionId ?? user?.sessionId,
    tags: Object.assign({}, configTags, user?.tags, record.ctx?.tags),
  }
}

/**
 * Runs the hook after the budget checks passed. Fail-open: a hook that throws, rejects or
 * answers something unknown lets the request proceed as the budgets decided.
 */
export async function runBeforeRequest(
  hook: BeforeRequestHook,
  record: CallRecord,
  decided: { degradeTo?: string; throttleMs: number },
  deps: { breaker: Breaker; log: Logger; tags: Readonly<Record<string, string>> },
): Promise<SendPlan> {
  let degradeTo = decided.degradeTo
  let delay = decided.throttleMs
  let result: BeforeRequestResult | void = undefined
  try {
    const params: RequestParams = {
      provider: record.detected.provider,
      operation: record.detected.operation,
      model: degradeTo ?? record.request.model,
      stream: record.request.stream,
      url: record.url,
      input: record.request.input,
    }
    result = await hook(params, contextOf(record, deps.tags))
  } catch (err) {
    deps.log.debug('beforeRequest failed; the request proceeds', { error: err instanceof Error ? err.name : 'error' })
  }
  if (result && typeof result === 'object') {
    if (result.action === 'cancel') {
      record.attributes.cancelled_by = 'before_request'
      const reason = typeof result.reason === 'string' && result.reason ? result.reason : 'cancelled'
      throw new CircuitBreakerError(
        `Cancelled by beforeRequest: ${reason}`,
        'request_cancelled',
        deps.breaker.global.snapshot(),
        deps.breaker.global.handle,
      )
    }
    if (result.action === 'throttle' && Number.isFinite(result.delayMs) && result.delayMs > 0) delay += result.delayMs
    if (result.action === 'degrade' && typeof result.toModel === 'string' && result.toModel) {
      degradeTo = result.toModel
      if (result.reason) record.attributes.degrade_reason = result.reason
    }
  }
  delay = Math.min(delay, MAX_DELAY_MS)
  if (delay > 0) {
    record.attributes.throttled_ms = delay
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
  return { degradeTo }
}
