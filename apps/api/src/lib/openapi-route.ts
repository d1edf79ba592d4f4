import { OpenAPIHono, type Hook } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { ForbiddenError, ValidationError } from '@tollgate/core'
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

/**
 * A JSON body the route documents and its handler parses itself (`parseJsonBody`: `{}` for an empty
 * body, the first bad field named, checks in the order the handler wants them, e.g. 403 before 400).
 * Registered once as a component named `name`, in the JSON Schema requests send (zod's input side).
 */
export function parsedJsonBody(app: OpenAPIHono<AppEnv>, name: string, schema: z.ZodType, required = true) {
  return { required, content: { 'application/json': { schema: component(app, name, schema, 'input') } } }
}

/**
 * A schema registered as a component through zod's own JSON Schema output, for the few zod features
 * the route generator does not render (`.catch()` in the shared policy schema); returns its `$ref`.
 */
export function component(app: OpenAPIHono<AppEnv>, name: string, schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' })
  app.openAPIRegistry.registerComponent('schemas', name, json as Record<string, unknown>)
  return { $ref: `#/components/schemas/${name}` }
}

/** A JSON response of a zod schema. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
})

/** Path parameters: ids are opaque strings (another project's id answers 404 like a missing one). */
export const IdParam = z.object({ id: z.string().max(128) })

/** The answers of an admin-only mutation besides its own. */
export const adminProblems = { ...commonProblems, 403: problemResponse('not an admin credential') } as const
