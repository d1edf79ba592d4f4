import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import { NotFoundError } from '@tollgate/core'
import { getProject, insertApiKey, listApiKeys, revokeApiKey } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import type { KeyStore } from '../../auth/key-store.js'
import { generateKey } from '../../auth/keys.js'
import { adminProblems, jsonResponse, parsedJsonBody, problemResponse } from '../../lib/openapi-route.js'
import {
  CreatedKey,
  CreateKeyBody,
  KeyView,
  managedProjectId,
  parseJsonBody,
  requireAdmin,
  toKeyView,
} from './schema.js'
import { recordAudit } from '../audit/record.js'

const ProjectParam = z.object({ id: z.string().max(128) })
const noProject = problemResponse('no such project for this caller')

export function registerKeys(app: OpenAPIHono<AppEnv>, keys: KeyStore): void {
  /** `POST /api/projects/:id/keys`: the key is in this response and nowhere else (only its hash is stored; never logged). */
  const createKeyRoute = createRoute({
    method: 'post',
    path: '/{id}/keys',
    summary: 'Create a key (shown once; stored as SHA-256); scopes ingest and/or read',
    request: { params: ProjectParam, body: parsedJsonBody(app, 'CreateKeyBody', CreateKeyBody, false) },
    responses: {
      201: jsonResponse('the key, once', CreatedKey.meta({ id: 'CreatedKey' })),
      400: problemResponse('invalid body'),
      404: noProject,
      ...adminProblems,
    },
  })
  app.openapi(createKeyRoute, async (c) => {
    const { caller, deps } = c.var
    const projectId = managedProjectId(caller, c.req.param('id'))
    const body = await parseJsonBody(c, CreateKeyBody)
    if (!(await getProject(deps.pg.db, { id: projectId }))) throw new NotFoundError('project', projectId)
    const made = generateKey()
    const row = await insertApiKey(deps.pg.db, {
      id: made.id,
      projectId,
      prefix: made.prefix,
      hash: made.hash,
      scopes: body.scopes,
    })
    // The key itself is never audited: its id, prefix and scopes only.
    await recordAudit(c, {
      projectId,
      action: 'key.created',
      targetType: 'api_key',
      targetId: row.id,
      details: { prefix: row.prefix, scopes: row.scopes },
    })
    c.header('Cache-Control', 'no-store')
    return c.json(
      { id: row.id, key: made.key, prefix: row.prefix, scopes: row.scopes, created_at: row.createdAt.toISOString() },
      201,
    )
  })

  /** `GET /api/projects/:id/keys`: prefixes, scopes, last use; admins only (a viewer gets 403). */
  const listKeysRoute = createRoute({
    method: 'get',
    path: '/{id}/keys',
    summary: "A project's keys: prefixes, scopes, last use, revocation",
    request: { params: ProjectParam },
    responses: {
      200: jsonResponse('keys', z.object({ keys: z.array(KeyView) }).meta({ id: 'KeyList' })),
      404: noProject,
      ...adminProblems,
    },
  })
  app.openapi(listKeysRoute, async (c) => {
    const { caller, deps } = c.var
    const projectId = managedProjectId(caller, c.req.param('id'))
    requireAdmin(caller)
    if (!(await getProject(deps.pg.db, { id: projectId }))) throw new NotFoundError('project', projectId)
    return c.json({ keys: (await listApiKeys(deps.pg.db, { projectId })).map(toKeyView) }, 200)
  })

  /** `DELETE /api/projects/:id/keys/:keyId`: revoked here at once, on other processes within API_KEY_CACHE_TTL_MS. */
  const revokeKeyRoute = createRoute({
    method: 'delete',
    path: '/{id}/keys/{keyId}',
    summary: 'Revoke a key (at once on this process, within API_KEY_CACHE_TTL_MS on others)',
    request: { params: ProjectParam.extend({ keyId: z.string().max(128) }) },
    responses: {
      204: { description: 'revoked' },
      404: problemResponse('no such live key in this project'),
      ...adminProblems,
    },
  })
  app.openapi(revokeKeyRoute, async (c) => {
    const { caller, deps } = c.var
    const projectId = managedProjectId(caller, c.req.param('id'))
    const keyId = c.req.param('keyId')
    if (!(await revokeApiKey(deps.pg.db, { projectId, keyId }))) throw new NotFoundError('key', keyId)
    keys.forget(keyId)
    await recordAudit(c, { projectId, action: 'key.revoked', targetType: 'api_key', targetId: keyId })
    return c.body(null, 204)
  })
}
