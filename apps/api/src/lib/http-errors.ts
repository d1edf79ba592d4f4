import type { Socket } from 'node:net'
import type { RouterRoute } from 'hono/types'

/**
 * Methods registered for a path (`Allow` of a 405). Route patterns are Hono's: `:name` is one segment.
 * GET implies HEAD, as Hono answers HEAD with the GET handler.
 */
export function allowedMethods(routes: readonly RouterRoute[], path: string): string[] {
  const methods = new Set<string>()
  for (const r of routes) {
    if (r.method === 'ALL' || !patternOf(r.path).test(path)) continue
    methods.add(r.method)
    if (r.method === 'GET') methods.add('HEAD')
  }
  return [...methods].sort()
}

const patterns = new Map<string, RegExp>()
function patternOf(route: string): RegExp {
  let re = patterns.get(route)
  if (!re) {
    const body = route
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')
    re = new RegExp(`^${body}/?$`)
    patterns.set(route, re)
  }
  return re
}

/**
 * Node's own parser errors (malformed request line, headers over --max-http-header-size, …) never reach
 * Hono; answer them as problem+json too. Only where the socket can still carry a response.
 */
export function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
  const status = tooLarge ? 431 : 400
  const title = tooLarge ? 'Request header fields too large' : 'Bad request'
  const body = JSON.stringify({
    type: `https://tollgate.dev/problems/${tooLarge ? 'headers-too-large' : 'bad-request'}`,
    title,
    status,
    // The parser's code only (e.g. HPE_INVALID_METHOD): never an echo of the bytes received.
    detail: `the request could not be parsed (${err.code ?? 'parse error'})`,
  })
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}
