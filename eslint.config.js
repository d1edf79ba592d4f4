import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Layers (docs/architecture.md): apps → pipeline → store/core. Written as import bans per layer,
// on the specifier, so they hold whether or not dist/ is built. Each package is listed once: a
// later `no-restricted-imports` block would replace, not extend, an earlier one.
const serverClients = {
  regex: '^(@clickhouse/client|chdb|pg|drizzle-orm|hono|kafkajs)(/|$)|^(@electric-sql|@hono)/',
  message: 'core and the SDKs import no database, HTTP-server or Kafka client (docs/architecture.md, Layers).',
}
const banned = (packages, dirs, why) => [
  { regex: `^@tollgate/(${packages.join('|')})(/|$)`, message: why },
  // Relative paths into another package or an app (../../store/src/…, ../../../apps/…).
  { regex: `^(\\.\\./)+(${dirs.join('|')})/`, message: why },
]
const layer = (files, ...patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: patterns.flat() }] },
})

const layers = [
  layer(
    ['packages/core/**/*.ts'],
    serverClients,
    banned(['store', 'pipeline', 'api', 'sdk'], ['store', 'pipeline', 'sdk', 'apps'], 'core imports no other layer.'),
  ),
  layer(
    ['packages/store/**/*.ts'],
    banned(['pipeline', 'api', 'sdk'], ['pipeline', 'sdk', 'apps'], 'store imports only core.'),
  ),
  layer(
    ['packages/pipeline/**/*.ts'],
    banned(['api', 'sdk'], ['sdk', 'apps'], 'pipeline imports store and core, never an app.'),
  ),
  layer(
    ['packages/reports/**/*.ts'],
    banned(['pipeline', 'api', 'sdk'], ['pipeline', 'sdk', 'apps'], 'reports imports store and core, never an app.'),
  ),
  // The SDKs and the policy package they share with the server run in users' processes.
  layer(
    ['packages/sdk*/**/*.{ts,mjs}', 'packages/policy/**/*.{ts,mjs}'],
    serverClients,
    banned(
      ['core', 'store', 'pipeline', 'api'],
      ['core', 'store', 'pipeline', 'apps'],
      'the SDKs import nothing server-side (@tollgate/policy is shared).',
    ),
  ),
]

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'bench/**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // Sources are found through the package tsconfigs (the root one references them all).
        projectService: { allowDefaultProject: ['vitest.config.ts', 'drizzle.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // Tests are in no package tsconfig (they are excluded from the build); tsconfig.test.json
    // holds them, with the workspace packages mapped to their sources.
    files: ['packages/*/test/**/*.ts', 'apps/*/test/**/*.ts', '**/src/**/*.test.ts'],
    languageOptions: { parserOptions: { projectService: false, project: './tsconfig.test.json' } },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'scripts/**', 'bench/**'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  ...layers,
)
