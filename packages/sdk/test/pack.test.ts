import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FakeIngest } from './helpers/fake-ingest.js'
import { startFakeIngest } from './helpers/fake-ingest.js'
import { tempDir } from './helpers/tmp.js'
import { REPO_ROOT } from './helpers/tollgate.js'

// What a user gets from the registry: the tarball `npm pack` makes, installed into an empty
// project (dependencies from the npm cache when present, else the registry).
let tmp: ReturnType<typeof tempDir>
let ingest: FakeIngest
let tarball: string
let app: string
let listing: string[]

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 400_000 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stdout}${r.stderr}`)
  return r.stdout
}

beforeAll(async () => {
  tmp = tempDir()
  ingest = await startFakeIngest()
  run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/sdk'], REPO_ROOT)
  // Packed from a staging copy: the package's prepack step puts a copy of @tollgate/policy into
  // packages/sdk/node_modules, and doing that in the shared tree raced other test files that resolve
  // @tollgate/policy from there at the same moment. The staging copy is what prepack would assemble.
  const stage = join(tmp.dir, 'stage')
  const noBuildInfo = (src: string): boolean => !src.endsWith('.tsbuildinfo')
  for (const f of ['package.json', 'README.md', 'dist']) {
    cpSync(join(REPO_ROOT, 'packages/sdk', f), join(stage, f), { recursive: true, filter: noBuildInfo })
    cpSync(join(REPO_ROOT, 'packages/policy', f), join(stage, 'node_modules/@tollgate/policy', f), {
      recursive: true,
      filter: noBuildInfo,
    })
  }
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp.dir, '--silent'], stage)
  const file = readdirSync(tmp.dir).find((f) => f.endsWith('.tgz'))
  if (!file) throw new Error('npm pack made no tarball')
  tarball = join(tmp.dir, file)
  listing = run('tar', ['tzf', tarball], tmp.dir).trim().split('\n')
  app = join(tmp.dir, 'app')
  run('mkdir', ['-p', app], tmp.dir)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-app', private: true, type: 'module' }))
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], app)
}, 600_000)
afterAll(async () => {
  await ingest?.close()
  tmp?.cleanup()
})

describe('npm pack of @tollgate/sdk', () => {
  it('ships dist, the README and the bundled @tollgate/policy; no sources, tests or build info', () => {
    expect(listing).toContain('package/dist/index.js')
    expect(listing).toContain('package/dist/index.d.ts')
    expect(listing).toContain('package/README.md')
    expect(listing).toContain('package/node_modules/@tollgate/policy/dist/index.js')
    expect(listing.filter((f) => /^package\/(src|test|scripts)\/|tsbuildinfo|tsconfig/.test(f))).toEqual([])
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/sdk/package.json'), 'utf8')) as Record<
      string,
      unknown
    >
    expect(pkg).toMatchObject({
      license: expect.any(String),
      engines: { node: expect.any(String) },
      exports: { '.': expect.anything() },
      files: expect.arrayContaining(['dist']),
    })
  })

  it('installs into an empty project and works there: durable spool, delivery, policy, token counting', async () => {
    ingest.policy = { status: 200, body: { version: 'v1', budgets: [{ id: 'b', limit_usd: 1, spent_usd: 0 }] } }
    copyFileSync(join(REPO_ROOT, 'packages/sdk/test/fixtures/packed-app.mjs'), join(app, 'packed-app.mjs'))
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['packed-app.mjs'], {
        cwd: app,
        env: { ...process.env, ENDPOINT: ingest.url, SPOOL: join(app, 'spool.sqlite') },
      })
      let text = ''
      child.stdout.on('data', (d: Buffer) => (text += d.toString()))
      child.stderr.on('data', (d: Buffer) => (text += d.toString()))
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))))
    })
    expect(JSON.parse(out.trim())).toEqual({
      durable: true,
      policyBudgets: 1,
      delivery: 'ok',
      tokens: { tokens: 2, method: 'tiktoken:o200k_base' },
    })
    expect(
      ingest
        .accepted()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['from-the-tarball', 'packed'])
  })

  it('the README refers to nothing outside the package', () => {
    const readme = readFileSync(join(REPO_ROOT, 'packages/sdk/README.md'), 'utf8')
    expect(
      readme.match(/DESIGN|RELIABILITY|docs\/|\.\.\/|apps\/|bench\/|test\/[\w-]+\.test\.ts|packages\//g) ?? [],
    ).toEqual([])
  })
})
