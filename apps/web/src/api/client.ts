import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema.gen.js'

export type Schemas = components['schemas']
export type Problem = Schemas['Problem']

/** An answer that was not 2xx, with its problem+json (RFC 9457) when the server sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | null,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`)
  }
}

/**
 * Every call is same-origin: the session cookie (HttpOnly, never visible here) or local mode
 * authenticates it. The CSRF header is what the API requires of cookie-authenticated mutations.
 */
const csrf: Middleware = {
  onRequest({ request }) {
    request.headers.set('X-Tollgate-CSRF', '1')
    return request
  },
}

export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' })
api.use(csrf)

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the problem. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok) throw new ApiError(response.status, (error as Partial<Problem> | undefined) ?? null)
  return data as T
}
