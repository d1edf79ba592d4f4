import type { CallRecord } from './capture.js'
import { readRequest } from './capture.js'
import type { Detected } from './providers.js'
import { detect } from './providers.js'

/** The part of undici's Dispatcher the interceptor relies on. */
export interface DispatcherLike {
  dispatch(opts: DispatchOptions, handler: object): boolean
}

export interface DispatchOptions {
  origin?: string | URL
  path: string
  method?: string
  body?: unknown
  headers?: unknown
}

export interface DispatchHooks {
  active(): boolean
  /** A call met only at the dispatcher (its client captured fetch before instrument()). */
  begin(detected: Detected, url: string): CallRecord
  /** Breaker and budget checks; rejects (after onBlock) when the call must not be sent. */
  beforeSend(record: CallRecord): void | Promise<void>
  blocked(record: CallRecord, err: unknown): void
}

const UNWRAPPED = Symbol.for('tollgate.dispatcher.inner')
const MAX_TAP_BYTES = 4 * 1024 * 1024

/** Reads one header out of undici's dispatch headers (flat array, pairs, or record). */
export function dispatchHeader(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) {
      for (const pair of headers as unknown[][]) if (String(pair[0]).toLowerCase() === name) return String(pair[1])
      return undefined
    }
    for (let i = 0; i + 1 < headers.length; i += 2)
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1])
    return undefined
  }
  if (typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers))
      if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : String(v)
  }
  return undefined
}

/** A header reader over raw response headers (flat Buffer/string array or a record), decoded once. */
function responseHeaders(raw: unknown): (name: string) => string | undefined {
  if (!Array.isArray(raw)) return (name) => dispatchHeader(raw, name)
  const map = new Map<string, string>()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = String(raw[i]).toLowerCase()
    if (!map.has(key)) map.set(key, String(raw[i + 1]))
  }
  return (name) => map.get(name)
}

function toBuffer(chunk: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  if (typeof chunk === 'string') return Buffer.from(chunk)
  return undefined
}

/** Copies request bytes as they are sent; the chunks themselves go out untouched. */
async function* tapBody(src: AsyncIterable<unknown>, record: CallRecord): AsyncGenerator<unknown> {
  const seen: Buffer[] = []
  let size = 0
  for await (const chunk of src) {
    const b = toBuffer(chunk)
    if (b && size < MAX_TAP_BYTES) {
      seen.push(Buffer.from(b))
      size += b.length
    }
    yield chunk
  }
  if (size <= MAX_TAP_BYTES) record.request = readRequest(record.detected, Buffer.concat(seen).toString('utf8'))
}

function observeBody(opts: DispatchOptions, record: CallRecord): DispatchOptions {
  const body = opts.body
  if (body === undefined || body === null) return opts
  const direct = toBuffer(body)
  if (direct) {
    record.request = readRequest(record.detected, direct.toString('utf8'))
    return opts
  }
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    return { ...opts, body: tapBody(body as AsyncIterable<unknown>, record) }
  }
  return opts
}

function failHandler(handler: object, err: unknown): void {
  const h = handler as Record<string, unknown>
  const error = err instanceof Error ? err : new Error(String(err))
  try {
    if (typeof h.onError === 'function') h.onError.call(handler, error)
    else if (typeof h.onResponseError === 'function')
      h.onResponseError.call(handler, { abort() {}, pause() {}, resume() {} }, error)
  } catch {
    // The handler is the client's; whatever it does with the error is its business.
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Wraps the response handler so the record sees status, headers, body bytes and the end. */
function wrapHandler(handler: object, record: CallRecord, onRedirect: () => void): object {
  let redirect = false
  const safe = (fn: () => void) => {
    try {
      fn()
    } catch {
      // Observation failures stay inside the SDK.
    }
  }
  const start = (status: number, headers: unknown) => {
    if (REDIRECTS.has(status)) {
      redirect = true
      return onRedirect()
    }
    safe(() => record.responseStart(status, responseHeaders(headers)))
  }
  const cache = new Map<PropertyKey, unknown>()
  return new Proxy(handler, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop)
      if (typeof value !== 'function') return value
      const hit = cache.get(prop)
      if (hit) return hit
      const call = (args: unknown[]): unknown => Reflect.apply(value, target, args)
      let fn: (...args: unknown[]) => unknown
      switch (prop) {
        case 'onHeaders':
          fn = (...a) => (start(Number(a[0]), a[1]), call(a))
          break
        case 'onResponseStart':
          fn = (...a) => (start(Number(a[1]), a[2]), call(a))
          break
        case 'onData':
          fn = (...a) => (redirect || safe(() => record.data(a[0] as Buffer)), call(a))
          break
        case 'onResponseData':
          fn = (...a) => (redirect || safe(() => record.data(a[1] as Buffer)), call(a))
          break
        case 'onComplete':
        case 'onResponseEnd':
          fn = (...a) => (redirect || safe(() => record.end()), call(a))
          break
        case 'onError':
          fn = (...a) => (safe(() => record.fail(a[0])), call(a))
          break
        case 'onResponseError':
          fn = (...a) => (safe(() => record.fail(a[1])), call(a))
          break
        default:
          fn = (...a) => call(a)
      }
      cache.set(prop, fn)
      return fn
    },
  })
}

/**
 * The dispatcher the patched fetch hands to one call: it observes that call's response on the
 * caller's real dispatcher. Passing it per call (rather than an AsyncLocalStorage) keeps Node's
 * promise hooks off for applications that never use trace().
 */
export function callDispatcher(inner: DispatcherLike, record: CallRecord): DispatcherLike {
  const dispatch = (opts: DispatchOptions, handler: object): boolean => {
    if (record.finished) return inner.dispatch(opts, handler)
    record.observed = true
    // A redirect: the next dispatch (same record) carries the response we want.
    return inner.dispatch(
      opts,
      wrapHandler(handler, record, () => (record.observed = false)),
    )
  }
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'dispatch') return dispatch
      const value: unknown = Reflect.get(target, prop)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

export function isWrapped(d: unknown): boolean {
  return typeof d === 'object' && d !== null && Reflect.get(d, UNWRAPPED) !== undefined
}

export function unwrap(d: DispatcherLike): DispatcherLike {
  const inner: unknown = Reflect.get(d, UNWRAPPED)
  return inner && typeof inner === 'object' ? (inner as DispatcherLike) : d
}

/**
 * A dispatcher that behaves exactly like `inner` and observes LLM calls going through it.
 * Everything except `dispatch` is the inner dispatcher's own (bound), so pools, close() and
 * events keep working.
 */
export function wrapDispatcher<D extends DispatcherLike>(inner: D, hooks: DispatchHooks): D {
  if (isWrapped(inner)) return inner
  const bound = new Map<PropertyKey, unknown>()
  const dispatch = (opts: DispatchOptions, handler: object): boolean => {
    if (!hooks.active()) return inner.dispatch(opts, handler)
    const url = `${String(opts.origin ?? '').replace(/\/+$/, '')}${opts.path}`
    const detected = detect(url, opts.method)
    if (!detected) return inner.dispatch(opts, handler)
    const record = hooks.begin(detected, url)
    record.observed = true
    const retry = dispatchHeader(opts.headers, 'x-stainless-retry-count')
    if (retry !== undefined) record.retryCount = Number(retry) || 0
    const observedOpts = observeBody(opts, record)
    // A redirect: the next dispatch is a new record of its own.
    const wrapped = wrapHandler(handler, record, () => record.discard())
    let pending: void | Promise<void>
    try {
      pending = hooks.beforeSend(record)
    } catch (err) {
      hooks.blocked(record, err)
      queueMicrotask(() => failHandler(handler, err))
      return true
    }
    if (pending) {
      pending.then(
        () => {
          record.startPerf = performance.now()
          inner.dispatch(observedOpts, wrapped)
        },
        (err: unknown) => {
          hooks.blocked(record, err)
          failHandler(handler, err)
        },
      )
      return true
    }
    return inner.dispatch(observedOpts, wrapped)
  }
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'dispatch') return dispatch
      if (prop === UNWRAPPED) return target
      const value: unknown = Reflect.get(target, prop)
      if (typeof value !== 'function') return value
      let fn = bound.get(prop)
      if (!fn) {
        fn = value.bind(target)
        bound.set(prop, fn)
      }
      return fn
    },
  })
}
