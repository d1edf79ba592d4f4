// compose:check must fail on a broken compose file: one copy of docker-compose.local.yml per
// kind of defect, each checked alone.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const script = path.join(root, 'scripts/check-compose.mjs')
const original = readFileSync(path.join(root, 'docker-compose.local.yml'), 'utf8')
const dir = mkdtempSync(path.join(tmpdir(), 'compose-check-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function check(...files) {
  const run = spawnSync(process.execPath, [script, ...files], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  })
  return { status: run.status, output: run.stdout + run.stderr }
}

function brokenCopy(name, from, to) {
  expect(original).toContain(from)
  const file = path.join(dir, `${name}.docker-compose.yml`)
  writeFileSync(file, original.replace(from, to))
  return file
}

const postgresHealthcheck = original.slice(
  original.indexOf('    healthcheck:\n      # Over TCP'),
  original.indexOf('  api:'),
)

describe('compose:check', () => {
  it('passes the compose files in the repository', () => {
    const { status, output } = check()
    expect(output).toContain('ok docker-compose.local.yml')
    expect(status).toBe(0)
  })

  it.each([
    ['schema', '    init: true\n', '    init: true\n    initt: true\n', 'invalid-schema'],
    ['unpinned-image', 'clickhouse-server:26.8.10.6', 'clickhouse-server:latest', 'service-image-require-explicit-tag'],
    ['unbound-port', '"127.0.0.1:${POSTGRES_PORT:-5432}:5432"', '"5432:5432"', 'no-unbound-port-interfaces'],
    [
      'no-healthcheck',
      postgresHealthcheck,
      '    restart: unless-stopped\n\n',
      'services.postgres: no healthcheck, but api waits',
    ],
    [
      'undeclared-volume',
      '- postgres-data:/var/lib/postgresql',
      '- pgdata:/var/lib/postgresql',
      'named volume "pgdata" is not declared',
    ],
  ])('fails on a copy with defect %s', (name, from, to, expected) => {
    const { status, output } = check(brokenCopy(name, from, to))
    expect(output).toContain(expected)
    expect(status).toBe(1)
  })
})
