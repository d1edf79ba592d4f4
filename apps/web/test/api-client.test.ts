import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { format, resolveConfig } from 'prettier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeDir, startTestApp, type TestApp } from '../../api/test/harness.js'

/**
 * The dashboard's typed client (`src/api/schema.gen.d.ts`) is generated from the app's own `/openapi.json`,
 * in process (no server). This test fails when the committed file is stale, so a changed endpoint
 * breaks the web build's typecheck instead of the page at run time. Regenerate with
 * `npm run gen:api -w @tollgate/web`.
 */
const target = fileURLToPath(new URL('../src/api/schema.gen.d.ts', import.meta.url))

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(async () => {
  await t.close()
  removeDir(t.dataDir)
})

async function generate(): Promise<string> {
  const res = await t.request('/openapi.json')
  expect(res.status).toBe(200)
  const ast = await openapiTS((await res.json()) as Parameters<typeof openapiTS>[0])
  const header = '// Generated from /openapi.json by apps/web/test/api-client.test.ts: do not edit.\n'
  return format(header + astToString(ast), { ...(await resolveConfig(target)), filepath: target })
}

describe('the typed API client', () => {
  it('is generated from the current /openapi.json', async () => {
    const fresh = await generate()
    if (process.env.UPDATE_API_CLIENT === '1') await writeFile(target, fresh)
    const committed = await readFile(target, 'utf8').catch(() => '')
    expect(committed, 'apps/web/src/api/schema.gen.d.ts is stale: run npm run gen:api -w @tollgate/web').toBe(fresh)
  })
})
