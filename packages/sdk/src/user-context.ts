import { AsyncLocalStorage } from 'node:async_hooks'
import type { Span } from './types.js'

/**
 * Who and what a call is for (Tokenome's and Aden's context helpers). `tenant`, `customer`,
 * `feature` and `route` become tags of the same name, so budgets scoped to them match.
 */
export interface CallContext {
  userId?: string
  sessionId?: string
  tenant?: string
  customer?: string
  feature?: string
  route?: string
  tags?: Record<string, string>
}

/** A context with its named fields folded into tags. */
export interface ResolvedContext {
  userId?: string
  sessionId?: string
  tags: Readonly<Record<string, string>>
}

// A storage of its own: trace()'s context says where a span sits in a trace, this one says whom a
// call is for, and setContext() outside any trace must not invent a shared trace id.
const storage = new AsyncLocalStorage<ResolvedContext>()
let processDefault: ResolvedContext | undefined

function resolve(base: ResolvedContext | undefined, ctx: CallContext): ResolvedContext {
  const tags: Record<string, string> = Object.assign({}, base?.tags, ctx.tags)
  for (const key of ['tenant', 'customer', 'feature', 'route'] as const) {
    const v = ctx[key]
    if (typeof v === 'string' && v) tags[key] = v
  }
  return { userId: ctx.userId ?? base?.userId, sessionId: ctx.sessionId ?? base?.sessionId, tags }
}

/**
 * Sets the context of the current async context (this request, this job) and what it starts
 * from now on; merged into what is already set (tags merged, other fields replaced).
 * Turns on Node's async context tracking for the process (AsyncLocalStorage), like `trace()`.
 *
 * @example
 * app.use((req, _res, next) => {
 *   setContext({ userId: req.user.id, tenant: req.user.orgId, route: req.path })
 *   next()
 * })
 */
export function setContext(ctx: CallContext): void {
  storage.enterWith(resolve(storage.getStore(), ctx))
}

/**
 * Runs `fn` with `ctx` merged into the current context; the context ends with `fn`.
 *
 * @example
 * await withContext({ customer: 'acme', feature: 'summarize' }, () => summarize(doc))
 */
export function withContext<T>(ctx: CallContext, fn: () => T): T {
  return storage.run(resolve(storage.getStore(), ctx), fn)
}

/**
 * The process-wide default under every runtime context (e.g. the tenant of a single-tenant
 * deployment). `undefined` clears it.
 *
 * @example
 * setDefaultContext({ tenant: 'acme', tags: { environment: 'prod' } })
 */
export function setDefaultContext(ctx: CallContext | undefined): void {
  processDefault = ctx ? resolve(undefined, ctx) : undefined
}

/** The runtime context (without the default), captured where a call or span starts. */
export function runtimeContext(): ResolvedContext | undefined {
  return storage.getStore()
}

/** Default, then runtime, then the span's own values: the innermost that sets a field wins, tags merge. */
export function effectiveContext(runtime: ResolvedContext | undefined): ResolvedContext | undefined {
  const d = processDefault
  if (!d) return runtime
  if (!runtime) return d
  return {
    userId: runtime.userId ?? d.userId,
    sessionId: runtime.sessionId ?? d.sessionId,
    tags: Object.assign({}, d.tags, runtime.tags),
  }
}

/** Fills a span from the context it was started in; the span's own fields win. */
export function applyContext(span: Span, runtime: ResolvedContext | undefined): void {
  const ctx = effectiveContext(runtime)
  if (!ctx) return
  if (Object.keys(ctx.tags).length) span.tags = Object.assign({}, ctx.tags, span.tags)
  if (!span.user_id && ctx.userId) span.user_id = ctx.userId
  if (!span.session_id && ctx.sessionId) span.session_id = ctx.sessionId
}
