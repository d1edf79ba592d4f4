import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import { ForbiddenError } from '@tollgate/core'
import { createProject, getProject, listProjects } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import type { KeyStore } from '../../auth/key-store.js'
import { newProjectId } from '../../auth/keys.js'
import {
  adminProblems,
  commonProblems,
  jsonResponse,
  parsedJsonBody,
  problemResponse,
} from '../../lib/openapi-route.js'
import { CreateProjectBody, parseJsonBody, ProjectView, toProjectView } from './schema.js'

const Project = ProjectView.meta({ id: 'Project' })

export function registerProjects(app: OpenAPIHono<AppEnv>, keys: KeyStore): void {
  /** `POST /api/projects`: the instance admin only (API_KEY, or local mode). */
  const createProjectRoute = createRoute({
    method: 'post',
    path: '/',
    summary: 'Create a project (instance admin: API_KEY)',
    request: { body: parsedJsonBody(app, 'CreateProjectBody', CreateProjectBody) },
    responses: { 201: jsonResponse('created', Project), 400: problemResponse('invalid body'), ...adminProblems },
  })
  app.openapi(createProjectRoute, async (c) => {
    if (!c.var.caller.instanceAdmin) throw new ForbiddenError('only the instance admin (API_KEY) creates projects')
    const body = await parseJsonBody(c, CreateProjectBody)
    const project = await createProject(c.var.deps.pg.db, { id: newProjectId(), name: body.name })
    keys.forgetProject(project.id)
    return c.json(toProjectView(project), 201)
  })

  /** `GET /api/projects`: every project for the instance admin, the caller's own otherwise. */
  const listProjectsRoute = createRoute({
    method: 'get',
    path: '/',
    summary: "Projects: all for the instance admin, the caller's own otherwise",
    responses: {
      200: jsonResponse('projects', z.object({ projects: z.array(Project) }).meta({ id: 'ProjectList' })),
      ...commonProblems,
    },
  })
  app.openapi(listProjectsRoute, async (c) => {
    const { caller, deps } = c.var
    if (caller.instanceAdmin) return c.json({ projects: (await listProjects(deps.pg.db)).map(toProjectView) }, 200)
    const own = await getProject(deps.pg.db, { id: caller.projectId })
    return c.json({ projects: own ? [toProjectView(own)] : [] }, 200)
  })
}
