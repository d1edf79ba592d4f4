import { defineConfig } from 'drizzle-kit'

// Generates reviewed SQL into migrations/postgres (`npx drizzle-kit generate`); never used at runtime.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/store/src/postgres/schema.ts',
  out: './migrations/postgres',
})
