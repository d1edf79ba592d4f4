import type { Hono } from 'hono'
import { ForbiddenError } from '@tollgate/core'
import { createProject, getProject, listProjects } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import type { KeyStore } from '../../auth/key-store.js'
import { newProjectId } from '../../auth/keys.js'
import { CreateProjectBody, parseJsonBody, toProjectView } from './schema.js'

export function registerProjects(app: Hono<AppEnv>, keys: KeyStore): void {
  /** `POST /api/projects`: the instance admin only (API_KEY, or local mode). */
  app.post('/', async (c) => {
    if (!c.var.caller.instanceAdmin) throw new ForbiddenError('only the instance admin (API_KEY) creates projects')
    const body = await parseJsonBody(c, CreateProjectBody)
    const project = await createProject(c.var.deps.pg.db, { id: newProjectId(), name: body.name })
    keys.forgetProject(project.id)
    return c.json(toProjectView(project), 201)
  })

  /** `GET /api/projects`: every project for the instance admin, the caller's own otherwise. */
  app.get('/', async (c) => {
    const { caller, deps } = c.var
    if (caller.instanceAdmin) return c.json({ projects: (await listProjects(deps.pg.db)).map(toProjectView) })
    const own = await getProject(deps.pg.db, { id: caller.projectId })
    return c.json({ projects: own ? [toProjectView(own)] : [] })
  })
}
