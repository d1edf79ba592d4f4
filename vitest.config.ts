import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url))

// Tests import workspace packages from source so a test run never depends on a stale dist/.
export default defineConfig({
  resolve: {
    alias: {
      '@tollgate/core': src('./packages/core/src/index.ts'),
      '@tollgate/store': src('./packages/store/src/index.ts'),
      '@tollgate/pipeline': src('./packages/pipeline/src/index.ts'),
      '@tollgate/policy': src('./packages/policy/src/index.ts'),
      '@tollgate/reports': src('./packages/reports/src/index.ts'),
      '@tollgate/sdk': src('./packages/sdk/src/index.ts'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'scripts/**/*.test.mjs',
    ],
    // chDB binds one data directory per process: every test file gets its own process.
    pool: 'forks',
    isolate: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
})
