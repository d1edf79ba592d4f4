import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { Db } from './client.js'
import { DEFAULT_PROJECT_ID, projects } from './schema.js'

export const DEFAULT_POSTGRES_MIGRATIONS = fileURLToPath(new URL('../../../../migrations/postgres/', import.meta.url))

export async function migratePostgres(db: Db, dir = DEFAULT_POSTGRES_MIGRATIONS): Promise<void> {
  await migrate(db, { migrationsFolder: dir })
  await db.insert(projects).values({ id: DEFAULT_PROJECT_ID, name: 'Default project' }).onConflictDoNothing()
}

export async function pingPostgres(db: Db): Promise<void> {
  await db.execute(sql`select 1`)
}
