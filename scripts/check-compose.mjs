#!/usr/bin/env node
// Checks the Compose files without a Docker engine (npm run compose:check):
//
//   node scripts/check-compose.mjs [FILE...]
//
// With no arguments: every compose*.y(a)ml / docker-compose*.y(a)ml in the repository, the
// pattern dclint itself looks for, outside node_modules, dist and .data.
// 1. dclint: YAML syntax, the current Compose Specification schema, pinned image tags and the
//    other rules configured in .dclintrc.yml.
// 2. The project rules dclint cannot express: a service that another waits for with
//    `condition: service_healthy` exists and has a health check; named volumes and networks a
//    service uses are declared at the top level (Compose only finds out at `up`).
// Exits 1 if either step finds a problem.

import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const COMPOSE_FILE = /^(?:docker-)?compose.*\.ya?ml$/
const SKIP = new Set(['node_modules', '.git', '.data', 'dist'])

function findComposeFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : findComposeFiles(path.join(dir, e.name))
    return e.isFile() && COMPOSE_FILE.test(e.name) ? [path.join(dir, e.name)] : []
  })
}

function hasHealthcheck(service) {
  const test = service.healthcheck?.test
  if (service.healthcheck?.disable === true || test === undefined) return false
  return Array.isArray(test) ? test.length > 0 && test[0] !== 'NONE' : String(test).trim() !== ''
}

// `name:/path` uses a named volume; `./dir:/path`, `/dir:/path` and `/path` alone do not.
function namedVolume(entry) {
  if (typeof entry === 'object') return (entry.type ?? 'volume') === 'volume' ? (entry.source ?? null) : null
  const [source, target] = String(entry).split(':')
  return target === undefined || /^[./~$]/.test(source) ? null : source
}

function projectRules(doc) {
  const problems = []
  const services = doc?.services ?? {}
  const volumes = new Set(Object.keys(doc?.volumes ?? {}))
  const networks = new Set(['default', ...Object.keys(doc?.networks ?? {})])
  for (const [name, svc] of Object.entries(services)) {
    const deps = Array.isArray(svc.depends_on)
      ? svc.depends_on.map((d) => [d, {}])
      : Object.entries(svc.depends_on ?? {})
    for (const [dep, { condition }] of deps) {
      if (!(dep in services)) problems.push(`services.${name}.depends_on: no service "${dep}"`)
      else if (condition === 'service_healthy' && !hasHealthcheck(services[dep]))
        problems.push(`services.${dep}: no healthcheck, but ${name} waits for it with condition: service_healthy`)
    }
    for (const source of (svc.volumes ?? []).map(namedVolume)) {
      if (source !== null && !volumes.has(source))
        problems.push(`services.${name}.volumes: named volume "${source}" is not declared under top-level volumes`)
    }
    for (const net of Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {})) {
      if (!networks.has(net))
        problems.push(`services.${name}.networks: "${net}" is not declared under top-level networks`)
    }
  }
  return problems
}

const args = process.argv.slice(2)
const files = args.length > 0 ? args.map((f) => path.resolve(f)) : findComposeFiles(root).sort()
if (files.length === 0) {
  console.error(`no compose files found under ${root}`)
  process.exit(1)
}

const dclint = fileURLToPath(new URL('bin/dclint.cjs', import.meta.resolve('dclint/package.json')))
const lint = spawnSync(
  process.execPath,
  [dclint, ...files, '--config', path.join(root, '.dclintrc.yml'), '--max-warnings', '0'],
  { stdio: 'inherit', cwd: root },
)
let failed = lint.status !== 0

for (const file of files) {
  let problems
  try {
    problems = projectRules(parse(readFileSync(file, 'utf8'), { merge: true }))
  } catch (err) {
    problems = [`cannot read: ${err.message}`] // dclint reports the YAML error itself
  }
  const shown = path.relative(process.cwd(), file)
  console.log(problems.length === 0 ? `ok ${shown}` : `fail ${shown}\n  ${problems.join('\n  ')}`)
  failed ||= problems.length > 0
}
process.exitCode = failed ? 1 : 0
