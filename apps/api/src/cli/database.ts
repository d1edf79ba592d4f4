import {
  connectPostgres,
  createProject,
  getProject,
  insertApiKey,
  listApiKeys,
  listProjects,
  revokeApiKey,
  type KeyScope,
} from '@tollgate/store'
import { generateKey, newProjectId } from '../auth/keys.js'
import { toKeyView, toProjectView } from '../routes/projects/schema.js'

export interface DbCall {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  body?: unknown
}

/**
 * The same commands straight on Postgres (`TOLLGATE_DATABASE_URL`): for a server that is down, or a
 * Postgres the servers share. Never DATA_DIR: an embedded server holds it; its Unix socket URL (logged
 * at start as postgres_url) works here. Answers like the HTTP API: [status, body].
 */
export async function runOnDatabase(url: string, call: DbCall): Promise<[number, unknown]> {
  const pg = await connectPostgres({ url, dataDir: '', poolSize: 1 })
  try {
    const db = pg.db
    const parts = call.path.split('/').map(decodeURIComponent) // ['', 'api', 'projects', id?, 'keys'?, keyId?]
    const [projectId, keyId] = [parts[3], parts[5]]
    if (!projectId) {
      if (call.method === 'GET') return [200, { projects: (await listProjects(db)).map(toProjectView) }]
      const { name } = call.body as { name: string }
      return [201, toProjectView(await createProject(db, { id: newProjectId(), name }))]
    }
    if (!(await getProject(db, { id: projectId })))
      return [404, { title: 'Not found', detail: `project ${projectId} not found` }]
    if (call.method === 'GET') return [200, { keys: (await listApiKeys(db, { projectId })).map(toKeyView) }]
    if (call.method === 'DELETE') {
      return (await revokeApiKey(db, { projectId, keyId: keyId ?? '' }))
        ? [204, null]
        : [404, { title: 'Not found', detail: `key ${keyId ?? ''} not found` }]
    }
    const scopes = (call.body as { scopes?: string[] }).scopes ?? ['ingest']
    if (scopes.length === 0 || scopes.some((s) => s !== 'ingest' && s !== 'read'))
      return [400, { title: 'Invalid request', detail: 'scopes: ingest and/or read' }]
    const made = generateKey()
    const row = await insertApiKey(db, {
      id: made.id,
      projectId,
      prefix: made.prefix,
      hash: made.hash,
      scopes: [...new Set(scopes)] as KeyScope[],
    })
    return [
      201,
      { id: row.id, key: made.key, prefix: row.prefix, scopes: row.scopes, created_at: row.createdAt.toISOString() },
    ]
  } finally {
    await pg.close()
  }
}
