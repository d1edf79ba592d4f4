import type { Context } from 'hono'
import { z } from 'zod'
import {
  ForbiddenError,
  MalformedBodyError,
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  NotFoundError,
  ValidationError,
} from '@tollgate/core'
import { KEY_SCOPES, type ApiKey, type Project } from '@tollgate/store'
import type { AppEnv, Caller } from '../../context.js'

export const CreateProjectBody = z.strictObject({ name: z.string().trim().min(1).max(200) })
export type CreateProjectBody = z.infer<typeof CreateProjectBody>

export const CreateKeyBody = z.strictObject({
  scopes: z
    .array(z.enum(KEY_SCOPES))
    .min(1)
    .max(KEY_SCOPES.length)
    .refine((s) => new Set(s).size === s.length, 'scopes must not repeat')
    .default(['ingest']),
})
export type CreateKeyBody = z.infer<typeof CreateKeyBody>

export const ProjectView = z.object({ id: z.string(), name: z.string(), created_at: z.string() })
export type ProjectView = z.infer<typeof ProjectView>

export const KeyView = z.object({
  id: z.string(),
  prefix: z.string().describe('the first characters of the key, to tell keys apart'),
  scopes: z.array(z.enum(KEY_SCOPES)),
  created_at: z.string(),
  last_used_at: z.string().nullable().describe('updated at most once a minute'),
  revoked_at: z.string().nullable(),
})
export type KeyView = z.infer<typeof KeyView>

export const CreatedKey = z.object({
  id: z.string(),
  key: z.string().describe('shown once: only its SHA-256 is stored'),
  prefix: z.string(),
  scopes: z.array(z.enum(KEY_SCOPES)),
  created_at: z.string(),
})

export const toProjectView = (p: Project): ProjectView => ({
  id: p.id,
  name: p.name,
  created_at: p.createdAt.toISOString(),
})

export const toKeyView = (k: ApiKey): KeyView => ({
  id: k.id,
  prefix: k.prefix,
  scopes: k.scopes,
  created_at: k.createdAt.toISOString(),
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
  revoked_at: k.revokedAt?.toISOString() ?? null,
})

/** The top-level field of a body (or '' for the body itself) that nests deeper than MAX_JSON_DEPTH; null if none. */
export function deepestField(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return nestsDeeperThan(body, MAX_JSON_DEPTH) ? '' : null
  for (const [k, v] of Object.entries(body)) if (nestsDeeperThan(v, MAX_JSON_DEPTH - 1)) return k
  return null
}

/** A JSON body checked against `schema`; the first issue is the 400's path and message. */
export async function parseJsonBody<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.output<T>> {
  const text = await c.req.text()
  let raw: unknown = {}
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text)
    } catch {
      throw new MalformedBodyError('request body is not valid JSON')
    }
  }
  // Unknown fields are kept as JSON (snapshots, details), and JSON.stringify recurses: refuse a hostile depth here.
  const deep = deepestField(raw)
  if (deep !== null) throw new ValidationError(deep, `nested deeper than ${MAX_JSON_DEPTH} levels`)
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ValidationError(issue?.path.map(String).join('.') ?? '', issue?.message ?? 'invalid body')
  }
  return parsed.data
}

/**
 * The project a caller may manage through `:id`: its own, or any for the instance admin. Another
 * project answers 404 like a missing one, so ids cannot be probed.
 */
export function managedProjectId(caller: Caller, id: string): string {
  if (!caller.instanceAdmin && caller.projectId !== id) throw new NotFoundError('project', id)
  return id
}

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw new ForbiddenError('this needs an admin credential')
}
