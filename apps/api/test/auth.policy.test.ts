import { describe, expect, it } from 'vitest'
import { permits, publicPaths, requiredPermission } from '../src/auth/policy.js'
import type { Caller } from '../src/context.js'

const caller = (c: Partial<Caller>): Caller => ({
  projectId: 'p',
  role: 'viewer',
  via: 'project-key',
  scopes: [],
  instanceAdmin: false,
  ...c,
})
const ingestKey = caller({ scopes: ['ingest'] })
const readKey = caller({ scopes: ['read'] })
const viewer = caller({ via: 'jwt', scopes: ['read'] })
const adminJwt = caller({ via: 'jwt', role: 'admin', scopes: ['read'] })
const instance = caller({ via: 'api-key', role: 'admin', scopes: ['ingest', 'read'], instanceAdmin: true })

describe('authorization table', () => {
  it.each<[string, string, Caller, boolean]>([
    ['POST', '/api/ingest', ingestKey, true],
    ['POST', '/api/ingest', readKey, false],
    ['POST', '/api/ingest', adminJwt, false],
    ['POST', '/api/ingest', instance, true],
    ['GET', '/api/traces', ingestKey, false],
    ['GET', '/api/traces', readKey, true],
    ['GET', '/api/traces', viewer, true],
    ['GET', '/api/policy', ingestKey, true],
    ['GET', '/api/policy', readKey, true],
    ['POST', '/api/circuit-breaker/state', ingestKey, true],
    ['POST', '/api/circuit-breaker/state', viewer, false],
    ['POST', '/api/alerts/sdk-alert', ingestKey, true],
    ['POST', '/api/budgets', ingestKey, false],
    ['POST', '/api/budgets', readKey, false],
    ['PATCH', '/api/budgets/b1', viewer, false],
    ['DELETE', '/api/budgets/b1', adminJwt, true],
    ['POST', '/api/projects/p/keys', viewer, false],
    ['POST', '/api/projects/p/keys', adminJwt, true],
    ['PUT', '/api/anything-new', readKey, false],
    ['PUT', '/api/anything-new', instance, true],
  ])('%s %s', (method, path, who, allowed) => {
    expect(permits(who, requiredPermission(method, path))).toBe(allowed)
  })

  it('allow-lists only the health, readiness, document and report-key paths (metrics on request)', () => {
    expect([...publicPaths({ metricsPublic: false })].sort()).toEqual([
      '/api/health',
      '/api/reports/keys',
      '/health',
      '/openapi.json',
      '/ready',
    ])
    expect(publicPaths({ metricsPublic: true }).has('/metrics')).toBe(true)
  })
})
