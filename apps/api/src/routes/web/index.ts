import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../context.js'
import { openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { problem } from '../../lib/problem.js'

/** apps/web's build output; the same depth from src/ (tests) and dist/ (npm start). */
const DEFAULT_DIST = fileURLToPath(new URL('../../../../web/dist/', import.meta.url))

/** The SPA's client routes: each answers index.html. They must match WEB_PATHS in auth/policy.ts (web.test.ts). */
export const CLIENT_ROUTES = ['/', '/login', '/traces', '/traces/:id', '/cost', '/alerts', '/budgets', '/settings']

/**
 * Strict: only our own files, no inline script or style, no framing, no plugins. The SPA calls only its
 * own origin. Inline styles set through the CSSOM (element.style, what uPlot and Preact do) are not
 * affected by style-src.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } })
const missing = {
  404: problemResponse('no such file'),
  503: problemResponse('the dashboard is not built (npm run build)'),
} as const

interface StaticFile {
  body: Buffer
  gzip: Buffer | null
  type: string
  etag: string
}

function load(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>()
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(path)
      else {
        const body = readFileSync(join(dir, path))
        const type = TYPES[extname(path)] ?? 'application/octet-stream'
        // Compressed once at load: the bundle is small and every response would otherwise pay for it.
        const gzip = /^(text|image\/svg|application\/json)/.test(type) && body.length > 1024 ? gzipSync(body) : null
        files.set(path, {
          body,
          gzip,
          type,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        })
      }
    }
  }
  walk('')
  return files
}

/**
 * The dashboard (apps/web's build) at `/`: hashed `/assets/*` cached for a year as immutable, index.html
 * revalidated every time (no-cache + ETag), a strict Content-Security-Policy on every response. Only the
 * paths listed here are served; auth/policy.ts lets exactly those through without credentials.
 */
export function webRoutes(options: { dir?: string } = {}): OpenAPIHono<AppEnv> {
  const dir = options.dir ?? DEFAULT_DIST
  let files: Map<string, StaticFile> | null = null
  const routes = openApiRoutes()

  const send = (c: Context<AppEnv>, path: string, cacheControl: string): Response => {
    try {
      files ??= load(dir)
    } catch {
      // Not built (a checkout without `npm run build`): say so instead of a bare 404.
      return problem(c, 503, 'unavailable', 'Dashboard not built', 'run `npm run build` (npm start does it)')
    }
    const file = files.get(path)
    if (!file) return problem(c, 404, 'not-found', 'Not found', `no file ${path}`)
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'no-referrer')
    c.header('X-Frame-Options', 'DENY')
    c.header('Cache-Control', cacheControl)
    c.header('ETag', file.etag)
    c.header('Vary', 'Accept-Encoding')
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304)
    c.header('Content-Type', file.type)
    if (file.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('Content-Encoding', 'gzip')
      return c.body(new Uint8Array(file.gzip), 200)
    }
    return c.body(new Uint8Array(file.body), 200)
  }

  for (const route of CLIENT_ROUTES)
    routes.openapi(
      createRoute({
        method: 'get',
        path: route.replace(/:(\w+)/g, '{$1}'),
        tags: ['dashboard'],
        summary: `The dashboard (index.html of apps/web; the page at ${route} is routed in the browser)`,
        ...(route.includes(':id') ? { request: { params: z.object({ id: z.string() }) } } : {}),
        responses: { 200: html('the single-page app'), 304: { description: 'not modified (ETag)' }, ...missing },
      }),
      (c) => send(c, 'index.html', 'no-cache'),
    )
  // Vite names every asset by its content hash: a new build is a new URL, so an old one never changes.
  routes.openapi(
    createRoute({
      method: 'get',
      path: '/assets/{file}',
      tags: ['dashboard'],
      summary: "The dashboard's content-hashed scripts and styles (immutable)",
      request: { params: z.object({ file: z.string() }) },
      responses: { 200: { description: 'the file' }, 304: { description: 'not modified (ETag)' }, ...missing },
    }),
    (c) => send(c, `assets/${c.req.param('file')}`, 'public, max-age=31536000, immutable'),
  )
  routes.openapi(
    createRoute({
      method: 'get',
      path: '/favicon.svg',
      tags: ['dashboard'],
      summary: "The dashboard's icon",
      responses: { 200: { description: 'the icon' }, ...missing },
    }),
    (c) => send(c, 'favicon.svg', 'public, max-age=86400'),
  )
  return routes
}
