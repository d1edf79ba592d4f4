import type { Hono } from 'hono'
import { NotFoundError } from '@tollgate/core'
import { getProject, insertApiKey, listApiKeys, revokeApiKey } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import type { KeyStore } from '../../auth/key-store.js'
import { generateKey } from '../../auth/keys.js'
import { CreateKeyBody, managedProjectId, parseJsonBody, requireAdmin, toKeyView } from './schema.js'
import { recordAudit } from '../audit/record.js'

export function registerKeys(app: Hono<AppEnv>, keys: KeyStore): void {
  /** `POST /api/projects/:id/keys`: the key is in this response and nowhere else (only its hash is stored; never logged). */
  app.post('/:id/keys', async (c) => {
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
  app.get('/:id/keys', async (c) => {
    const { caller, deps } = c.var
    const projectId = managedProjectId(caller, c.req.param('id'))
    requireAdmin(caller)
    if (!(await getProject(deps.pg.db, { id: projectId }))) throw new NotFoundError('project', projectId)
    return c.json({ keys: (await listApiKeys(deps.pg.db, { projectId })).map(toKeyView) })
  })

  /** `DELETE /api/projects/:id/keys/:keyId`: revoked here at once, on other processes within API_KEY_CACHE_TTL_MS. */
  app.delete('/:id/keys/:keyId', async (c) => {
    const { caller, deps } = c.var
    const projectId = managedProjectId(caller, c.req.param('id'))
    const keyId = c.req.param('keyId')
    if (!(await revokeApiKey(deps.pg.db, { projectId, keyId }))) throw new NotFoundError('key', keyId)
    keys.forget(keyId)
    await recordAudit(c, { projectId, action: 'key.revoked', targetType: 'api_key', targetId: keyId })
    return c.body(null, 204)
  })
}
