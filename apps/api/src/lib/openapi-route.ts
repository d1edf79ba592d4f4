import { OpenAPIHono, type Hook } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { ForbiddenError, ValidationError } from '@tollgate/core'
import type { z } from 'zod'
import type { AppEnv } from '../context.js'

/**
 * Routes declare their contract once with `createRoute` (request and response zod schemas, status
 * codes); `/openapi.json` is generated from those declarations (apps/api/src/openapi.ts). A request
 * that fails its declared schema becomes a `ValidationError`, so it answers problem+json like every
 * other error (lib/problem.ts), naming the first offending field.
 */
export function openApiRoutes(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: rejectInvalid })
}

const rejectInvalid: Hook<unknown, AppEnv, string, undefined> = (result) => {
  if (result.success) return undefined
  throw validationErrorOf(result.error, result.target === 'json' ? 'invalid body' : `invalid ${result.target}`)
}

/** The first issue of a zod error as a ValidationError (`path: message`). */
export function validationErrorOf(error: z.ZodError, fallback: string): ValidationError {
  const issue = error.issues[0]
  const path = issue?.path.map(String).join('.') || (issue && 'keys' in issue ? String(issue.keys) : '')
  return new ValidationError(path, issue?.message ?? fallback)
}

/** Route middleware (runs before the declared validators): mutations of a project need its admin. */
export const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.caller.role !== 'admin') throw new ForbiddenError('this needs an admin credential')
  await next()
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

/** A problem+json response of the shared `Problem` schema. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
})

/** The error answers every authenticated route can give. */
export const commonProblems = {
  401: problemResponse('no valid credentials'),
  429: problemResponse('rate limited (Retry-After)'),
  503: problemResponse('a store is unavailable (Retry-After)'),
} as const
