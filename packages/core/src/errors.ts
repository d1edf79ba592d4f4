/**
 * The closed set of domain errors. They carry no HTTP: apps map them to responses in one place
 * (apps/api `onError`), the worker maps them to retry/dead-letter decisions.
 */
export type ErrorCode =
  | 'validation'
  | 'malformed-json'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'not-found'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'rate-limited'

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode
}

export class ValidationError extends DomainError {
  readonly code = 'validation'
  constructor(
    readonly path: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(path ? `${path}: ${message}` : message)
  }
}

export class MalformedBodyError extends DomainError {
  readonly code = 'malformed-json'
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload-too-large'
  constructor(
    readonly limit: number,
    readonly unit: 'bytes' | 'spans',
  ) {
    super(`request exceeds the limit of ${limit} ${unit}`)
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported-media-type'
}

export class NotFoundError extends DomainError {
  readonly code = 'not-found'
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`)
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized'
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden'
}

/** A dependency (store, broker, queue) cannot take work now; the caller should retry later. */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable'
  constructor(
    readonly dependency: string,
    readonly retryAfterS: number,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is unavailable`, options)
  }
}

export class RateLimitedError extends DomainError {
  readonly code = 'rate-limited'
  constructor(readonly retryAfterS: number) {
    super('rate limit exceeded')
  }
}
