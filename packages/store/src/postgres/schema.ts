import { pgTable, text, timestamp } from 'drizzle-orm/pg-core'

export const DEFAULT_PROJECT_ID = 'default'

export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})
export type Project = typeof projects.$inferSelect
