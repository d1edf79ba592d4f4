import { asc, eq } from 'drizzle-orm'
import type { Db } from './client.js'
import { projects, type Project } from './schema.js'

/** Project rows. Callers decide who may see which project; these functions only read and write. */
export async function createProject(db: Db, params: { id: string; name: string }): Promise<Project> {
  const [row] = await db.insert(projects).values(params).returning()
  if (!row) throw new Error('insert into projects returned no row')
  return row
}

export async function listProjects(db: Db): Promise<Project[]> {
  return db.select().from(projects).orderBy(asc(projects.createdAt), asc(projects.id))
}

export async function getProject(db: Db, params: { id: string }): Promise<Project | undefined> {
  const [row] = await db.select().from(projects).where(eq(projects.id, params.id)).limit(1)
  return row
}
