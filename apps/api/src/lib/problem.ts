import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  DomainError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from '@tollgate/core'
import type { AppEnv } from '../context.js'

/** Stable problem types: clients switch on these, so they never change once published. */
const TYPE_BASE = 'https://tollgate.dev/problems/'

const STATUS: Record<DomainError['code'], ContentfulStatusCode> = {
  validation: 400,
  'malformed-json': 400,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'not-found': 404,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  'rate-limited': 429,
}

const TITLE: Record<DomainError['code'], string> = {
  validation: 'Invalid request',
  'malformed-json': 'Malformed JSON body',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'not-found': 'Not found',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  unavailable: 'Service unavailable',
  'rate-limited': 'Too many requests',
}

export function problem(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  type: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Response {
  return c.body(
    JSON.stringify({ type: TYPE_BASE + type, title, status, detail, request_id: c.get('requestId'), ...extra }),
    status,
    { 'Content-Type': 'application/problem+json' },
  )
}

/** The one place where errors become responses. Unknown errors never show their message. */
export function errorToResponse(err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof DomainError) {
    const extra: Record<string, unknown> = err instanceof ValidationError ? { ...err.extra } : {}
    if (err instanceof UnavailableError || err instanceof RateLimitedError) {
      c.header('Retry-After', String(err.retryAfterS))
    }
    // RFC 9110 §15.5.2: a 401 names the scheme that would work.
    if (err instanceof UnauthorizedError) c.header('WWW-Authenticate', 'Bearer realm="tollgate"')
    if (err instanceof PayloadTooLargeError) {
      extra.limit = err.limit
      // The rest of the body was not read: the connection cannot carry another request.
      c.header('Connection', 'close')
    }
    return problem(c, STATUS[err.code], err.code, TITLE[err.code], err.message, extra)
  }
  // Hono's own (a declared route's body that is not JSON, an undeclared media type): its status, our shape.
  if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
    const status = err.status
    const type = status === 415 ? 'unsupported-media-type' : status === 400 ? 'malformed-json' : 'bad-request'
    return problem(c, status, type, err.message || 'Bad request', err.message || 'the request was refused')
  }
  // Postgres refuses NUL (\u0000) in text, wherever it came from (a path id, a filter, a body field):
  // the caller's value, so a 400, never a 500.
  if (isUnstorableText(err)) {
    return problem(
      c,
      400,
      'validation',
      TITLE.validation,
      'a value holds a NUL character (\\u0000), which cannot be stored',
    )
  }
  const deps = c.get('deps')
  // A store that cannot be reached is back-pressure, not a bug: 503 + Retry-After, its cause logged once.
  if (isConnectionError(err)) {
    deps.logger.error('store.unreachable', {
      request_id: c.get('requestId'),
      route: c.req.routePath,
      ...connectionCause(err),
    })
    c.header('Retry-After', '5')
    return problem(c, 503, 'unavailable', TITLE.unavailable, 'a store is unavailable; retry later')
  }
  deps.logger.error('request.failed', {
    request_id: c.get('requestId'),
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  })
  return problem(c, 500, 'internal', 'Internal error', `internal error; quote request id ${c.get('requestId')}`)
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** Postgres' invalid byte sequence (22021) and untranslatable character (22P05): a NUL in a text value. */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05'])

function isUnstorableText(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && UNSTORABLE_TEXT_CODES.has(code)) return true
  }
  return false
}

/** The error, or one in its cause chain, says the connection to a store failed (not the query itself). */
function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true
    if (e instanceof Error && /^Timeout error\.?$/i.test(e.message)) return true
  }
  return false
}

function connectionCause(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; code?: unknown; message?: string }
  return {
    error_class: e.name ?? typeof err,
    code: typeof e.code === 'string' ? e.code : undefined,
    error: String(e.message ?? err)
      .split('\n')[0]
      ?.slice(0, 200),
  }
}
