import { CircuitBreakerError } from '../breaker/errors.js'
import { formatTraceparent } from '../ids.js'
import type { CallRecord } from './capture.js'
import { readRequest } from './capture.js'
import type { DispatchHooks, DispatcherLike } from './dispatcher.js'
import { callDispatcher, unwrap } from './dispatcher.js'
import { detect } from './providers.js'

/** What the pre-send checks want done to a request the fetch layer can still change. */
export interface SendPlan {
  degradeTo?: string
}

export interface FetchHooks extends DispatchHooks {
  /** Like DispatchHooks.beforeSend, and may ask for a model rewrite (server budget degrade). */
  plan(record: CallRecord): SendPlan | Promise<SendPlan>
  propagateTraceparent(): boolean
  /** Makes sure the current global dispatcher is the observing one; returns it unwrapped. */
  ensureDispatcher(): DispatcherLike | undefined
}

type FetchInit = RequestInit
type HeadersInit = ConstructorParameters<typeof Headers>[0]
type FetchInput = Parameters<typeof fetch>[0]

/** Reads one request header from whatever `init.headers` is. */
export function initHeader(headers: HeadersInit | undefined, name: string): string | undefined {
  if (!headers) return undefined
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  if (Array.isArray(headers)) {
    for (const [k, v] of headers) if (k?.toLowerCase() === name) return v
    return undefined
  }
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v)
  return undefined
}

function isDispatcher(v: unknown): v is DispatcherLike {
  return typeof v === 'object' && v !== null && typeof Reflect.get(v, 'dispatch') === 'function'
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8')
  return undefined
}

/**
 * Stainless-generated clients (openai, @anthropic-ai/sdk) turn any fetch rejection into a
 * retried APIConnectionError. To hand the caller our CircuitBreakerError itself, at once and
 * without retries, they get a response whose first property read throws it: they read
 * `response.headers` right away, outside their retry logic. Nothing was sent either way.
 */
export function blockedResponse(err: Error): Response {
  return new Proxy(new Response(null, { status: 499 }), {
    get(_target, prop) {
      // `then` must read as absent, or resolving the fetch promise would already throw.
      if (prop === 'then') return undefined
      throw err
    },
  })
}

function withoutContentLength(headers: HeadersInit | undefined): HeadersInit | undefined {
  if (!headers) return headers
  const h = new Headers(headers)
  h.delete('content-length')
  return h
}

function withHeader(headers: HeadersInit | undefined, name: string, value: string): Headers {
  const h = new Headers(headers)
  h.set(name, value)
  return h
}

/** Reads the response a second time (a clone) when no dispatcher saw it: fetch was not undici's. */
async function observeClone(res: Response, record: CallRecord): Promise<void> {
  record.observed = true
  // fetch already decoded the body: hide content-encoding so it is not decoded twice.
  record.responseStart(res.status, (name) =>
    name === 'content-encoding' ? undefined : (res.headers.get(name) ?? undefined),
  )
  const body = res.clone().body
  if (!body) return record.end()
  try {
    for await (const chunk of body) record.data(chunk)
    record.end()
  } catch (err) {
    record.fail(err)
  }
}

/**
 * A fetch that checks LLM calls before they leave (breaker, server budgets), rewrites them
 * when a budget says degrade, and lets the dispatcher observe the response. Anything that is
 * not an LLM call goes straight to `original` with one method check and one URL parse.
 */
export function instrumentFetch(
  original: typeof fetch,
  hooks: FetchHooks,
  forceDispatcher?: () => DispatcherLike | undefined,
): typeof fetch {
  async function call(input: FetchInput, init: FetchInit | undefined, record: CallRecord): Promise<Response> {
    let text = bodyText(init?.body)
    if (text === undefined && input instanceof Request && input.body)
      text = await input
        .clone()
        .text()
        .catch(() => undefined)
    record.request = readRequest(record.detected, text)
    const retry = initHeader(init?.headers, 'x-stainless-retry-count')
    if (retry !== undefined) record.retryCount = Number(retry) || 0
    let plan: SendPlan
    try {
      plan = await hooks.plan(record)
    } catch (err) {
      hooks.blocked(record, err)
      if (err instanceof CircuitBreakerError && initHeader(init?.headers, 'x-stainless-lang') !== undefined)
        return blockedResponse(err)
      throw err
    }
    let next: FetchInit | undefined = init
    const from = record.request.model
    if (plan.degradeTo && text !== undefined && from !== plan.degradeTo) {
      const body: unknown = JSON.parse(text)
      if (body && typeof body === 'object' && 'model' in body) {
        next = {
          ...init,
          body: JSON.stringify({ ...body, model: plan.degradeTo }),
          headers: withoutContentLength(init?.headers),
        }
        record.attributes.degraded_from = from ?? ''
        record.request.model = plan.degradeTo
      }
    }
    if (hooks.propagateTraceparent() && record.ctx) {
      next = {
        ...next,
        headers: withHeader(next?.headers, 'traceparent', formatTraceparent(record.ctx.traceId, record.spanId)),
      }
    }
    const given: unknown = next ? Reflect.get(next, 'dispatcher') : undefined
    const global = hooks.ensureDispatcher()
    const inner = isDispatcher(given) ? unwrap(given) : (forceDispatcher?.() ?? global)
    // undici's `dispatcher` init option: this call is observed on the dispatcher it would use.
    if (inner) next = Object.assign({}, next, { dispatcher: callDispatcher(unwrap(inner), record) })
    record.startPerf = performance.now()
    let res: Response
    try {
      res = await original(input, next)
    } catch (err) {
      record.fail(err)
      throw err
    }
    if (!record.observed && !record.finished) void observeClone(res, record)
    return res
  }

  const instrumented = function fetch(input: FetchInput, init?: RequestInit): Promise<Response> {
    if (!hooks.active()) return original(input, init)
    const isRequest = typeof Request !== 'undefined' && input instanceof Request
    const method = init?.method ?? (isRequest ? input.method : 'GET')
    if (method.toUpperCase() !== 'POST') return original(input, init)
    const url =
      typeof input === 'string' ? input : input instanceof URL ? input.href : isRequest ? input.url : String(input)
    const detected = detect(url, method)
    if (!detected) return original(input, init)
    return call(input, init, hooks.begin(detected, url))
  }
  return instrumented
}
