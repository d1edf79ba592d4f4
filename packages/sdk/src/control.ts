import type { Breaker, CheckResult } from './breaker/breaker.js'
import type { AlertEvent, Transition } from './breaker/types.js'
import type { ResolvedConfig } from './config.js'
import { currentContext } from './context.js'
import type { CallRecord } from './instrument/capture.js'
import type { Logger } from './log.js'
import type { BudgetHit } from './policy/evaluate.js'
import { evaluatePolicy, matches } from './policy/evaluate.js'
import { PolicyPoller } from './policy/poller.js'
import { loadPrices, priceOf, pricesLoaded } from './pricing.js'
import type { Span, Usage } from './types.js'
import { countTokens } from './tokens.js'
import { effectiveContext } from './user-context.js'
import { SDK_NAME, SDK_VERSION } from './version.js'

export type Decision =
  | { kind: 'block'; result: Extract<CheckResult, { ok: false }> }
  | { kind: 'go'; degradeTo?: string; throttleMs: number }

const REPORT_TIMEOUT_MS = 2000
const POLICY_ALERT_COOLDOWN_MS = 60_000

/**
 * Usage is missing when a stream was not asked for it (OpenAI's `stream_options.include_usage`).
 * Budgets still need a spend figure, so the breaker counts ~4 characters per token; the span
 * itself carries no made-up numbers (it is flagged `usage_missing`).
 */
export function estimateUsage(record: CallRecord): Usage {
  const x = record.extracted
  const out = x.text.length + x.toolCalls.reduce((n, t) => n + t.arguments.length + t.name.length, 0)
  const input = Math.ceil(record.request.bodyBytes / 4)
  const output = Math.ceil(out / 4)
  return { input_tokens: input, output_tokens: output, total_tokens: input + output }
}

/**
 * The pre-send decision (server budgets, then circuit breakers) and the post-call accounting
 * that feeds them; also the fire-and-forget reports of transitions and alerts to the server.
 */
export class ControlPlane {
  private readonly poller: PolicyPoller
  private readonly lastPolicyAlert = new Map<string, number>()

  constructor(
    private readonly config: ResolvedConfig,
    private readonly breaker: Breaker,
    private readonly fetch: typeof globalThis.fetch,
    private readonly log: Logger,
  ) {
    this.poller = new PolicyPoller({
      endpoint: config.endpoint,
      apiKey: config.apiKey,
      intervalMs: config.policyPollIntervalMs,
      fetch,
      log,
    })
  }

  start(): void {
    this.poller.start()
  }

  stop(): void {
    this.poller.stop()
  }

  /** Polls the policy now (tests, and `init` callers who want budgets before the first call). */
  refreshPolicy(): Promise<void> {
    return this.poller.poll()
  }

  policyInfo(): ReturnType<PolicyPoller['info']> {
    return this.poller.info()
  }

  decide(record: CallRecord): Decision {
    const agents = record.ctx?.agents ?? []
    const policy = this.poller.current()
    let budgetIds: string[] = []
    let degradeTo: string | undefined
    let throttleMs = 0
    let projected: { usd: number; tokens: number } | undefined
    if (policy) {
      // Budgets match what the span will carry: init tags, default and runtime context, trace tags.
      const tags = Object.assign({}, this.config.tags, effectiveContext(record.user)?.tags, record.ctx?.tags)
      const call = { agents, tags }
      budgetIds = policy.budgets.filter((b) => matches(b, call)).map((b) => b.id)
      if (budgetIds.length) projected = this.project(record)
      const extra = projected
      const d = evaluatePolicy(policy, call, (id) => {
        const local = this.poller.localSpend.get(id)
        return extra ? { usd: (local?.usd ?? 0) + extra.usd, tokens: (local?.tokens ?? 0) + extra.tokens } : local
      })
      for (const hit of d.hits) this.policyAlert(hit)
      const hit = d.decisive
      // The most restrictive action over every matching budget is the one applied.
      if (hit && d.action === 'block') {
        const limit = hit.budget.limit_usd ?? hit.budget.limit_tokens ?? 0
        const message = `budget "${hit.budget.name ?? hit.budget.id}" at ${hit.percent.toFixed(1)}% of its ${hit.budget.window} limit`
        return {
          kind: 'block',
          result: this.breaker.externalBlock(
            { reason: 'server_budget', message, threshold: limit, current: (hit.percent / 100) * limit },
            hit.budget.id,
          ) as Extract<CheckResult, { ok: false }>,
        }
      }
      if (hit && d.action === 'throttle') {
        throttleMs = hit.threshold.throttle_ms ?? 1000
        record.attributes.policy_budget_id = hit.budget.id
      }
      if (hit && d.action === 'degrade') {
        degradeTo = hit.threshold.degrade_to_model
        record.attributes.policy_budget_id = hit.budget.id
      }
    }
    if (!projected && this.breaker.budgeted(agents)) projected = this.project(record)
    const check = this.breaker.check(agents, projected?.usd ?? 0)
    if (!check.ok) return { kind: 'block', result: check }
    record.plan = { ticket: check.ticket, budgetIds }
    return { kind: 'go', degradeTo, throttleMs }
  }

  /**
   * The prompt's tokens and price, counted before the call is sent (only when a budget applies:
   * tokenizing costs microseconds per kilobyte of prompt). Output is unknown yet and not guessed.
   */
  private project(record: CallRecord): { usd: number; tokens: number } | undefined {
    if (record.request.input === undefined) return undefined
    const model = record.request.model
    const { tokens } = countTokens(record.request.input, model)
    record.attributes.projected_input_tokens = tokens
    const usd = pricesLoaded()
      ? (priceOf(record.detected.provider, model, { input_tokens: tokens })?.total_usd ?? 0)
      : 0
    return { usd, tokens }
  }

  recordCall(record: CallRecord): void {
    const plan = record.plan
    if (!plan) return
    const x = record.extracted
    const usage = record.usage ?? estimateUsage(record)
    const provider = record.detected.provider
    const price = () =>
      priceOf(provider, x.responseModel ?? record.request.model, usage)?.total_usd ??
      priceOf(provider, record.request.model, usage)?.total_usd ??
      0
    const failed = record.error !== undefined && !record.aborted
    // Pricing costs ~10 µs. When a budget depends on it, it is paid before the application
    // gets its response (the next call must see this spend); otherwise it runs just after.
    const budgeted = plan.budgetIds.length > 0 || plan.ticket.monitors.some((m) => m.budget !== undefined)
    if (budgeted && pricesLoaded()) {
      const cost = price()
      this.breaker.record(plan.ticket, cost, failed)
      if (plan.budgetIds.length) this.poller.addSpend(plan.budgetIds, cost, usage.total_tokens ?? 0)
      return
    }
    this.breaker.record(plan.ticket, 0, failed)
    // A call that ends before the price table has loaded is priced once it has: its spend
    // still counts, a moment late, instead of never.
    const addSpend = (): void => {
      const cost = price()
      this.breaker.addSpend(plan.ticket, cost)
      if (plan.budgetIds.length) this.poller.addSpend(plan.budgetIds, cost, usage.total_tokens ?? 0)
    }
    if (pricesLoaded()) setImmediate(addSpend)
    else void loadPrices().then(addSpend)
  }

  /** Spend of an LLM span given to report() counts against the breakers of its context. */
  recordReported(span: Span): void {
    if (span.kind !== 'llm' && span.kind !== 'embedding') return
    const agents = currentContext()?.agents ?? []
    // Priced just after report() returns (or once prices have loaded): report() stays a push to a buffer.
    const add = (): void => {
      const cost =
        span.cost?.total_usd ?? priceOf(span.provider, span.response_model ?? span.model, span.usage)?.total_usd
      if (cost && cost > 0) this.breaker.recordSpend(agents, cost)
    }
    if (span.cost || pricesLoaded()) setImmediate(add)
    else void loadPrices().then(add)
  }

  reportTransition(t: Transition): void {
    this.post('/api/circuit-breaker/state', t)
  }

  reportAlert(a: AlertEvent): void {
    this.post('/api/alerts/sdk-alert', a)
  }

  private policyAlert(hit: BudgetHit): void {
    const key = `${hit.budget.id}:${hit.threshold.action}`
    const now = Date.now()
    const last = this.lastPolicyAlert.get(key)
    if (last !== undefined && now - last < POLICY_ALERT_COOLDOWN_MS) return
    this.lastPolicyAlert.set(key, now)
    const limit = hit.budget.limit_usd ?? hit.budget.limit_tokens ?? 0
    this.breaker.externalAlert({
      scope: 'budget',
      scope_id: hit.budget.id,
      reason: 'server_budget',
      message: `budget "${hit.budget.name ?? hit.budget.id}" at ${hit.percent.toFixed(1)}%: ${hit.threshold.action}`,
      threshold: limit,
      current: (hit.percent / 100) * limit,
      blocked: hit.threshold.action === 'block',
      timestamp: new Date(now).toISOString(),
    })
  }

  /** Fire-and-forget: never awaited by a caller, never throws, bounded by a short timeout. */
  private post(path: string, body: object): void {
    if (!this.config.enabled || !this.config.deliver) return
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.config.apiKey) headers['x-api-key'] = this.config.apiKey
    let payload: string
    try {
      payload = JSON.stringify({ ...body, sdk: { name: SDK_NAME, version: SDK_VERSION } })
    } catch {
      return
    }
    this.fetch(`${this.config.endpoint}${path}`, {
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
    })
      .then((res) => res.body?.cancel())
      .catch((err: unknown) =>
        this.log.debug('report to server failed', { path, error: err instanceof Error ? err.name : 'error' }),
      )
  }
}
