import { createHash } from 'node:crypto'
import { Breaker } from './breaker/breaker.js'
import type { BreakerSnapshot } from './breaker/types.js'
import { Calls } from './calls.js'
import type { InitOptions, ResolvedConfig } from './config.js'
import { resolveConfig } from './config.js'
import { ControlPlane } from './control.js'
import type { DeliveryState } from './delivery/delivery.js'
import { Delivery } from './delivery/delivery.js'
import { openStore } from './delivery/open-store.js'
import { Sender } from './delivery/sender.js'
import { Exports } from './exporters.js'
import { Inflight } from './inflight.js'
import { CallRecord } from './instrument/capture.js'
import { unwrap } from './instrument/dispatcher.js'
import type { FetchHooks } from './instrument/fetch.js'
import type { InstrumentResult } from './instrument/install.js'
import { Installation, globalDispatcher } from './instrument/install.js'
import { wrapFetchOf } from './instrument/wrap.js'
import type { Logger } from './log.js'
import { createLogger } from './log.js'
import { loadPrices } from './pricing.js'
import type { SpanHandle } from './span-handle.js'
import { completeReported, keepTrace } from './spans.js'
import type { AgentOptions, SpanAttrs, SpanSink } from './tracing.js'
import { agentFrame, runInSpan } from './tracing.js'
import type { Span } from './types.js'

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /** Add a W3C `traceparent` header to intercepted LLM requests (off: provider requests stay as sent). */
  propagateTraceparent?: boolean
}

export interface ClientDeps {
  env?: Record<string, string | undefined>
  /** The fetch used for the SDK's own traffic (ingest, policy, state reports). */
  fetch?: typeof fetch
}

/** What `getState()` returns: the breakers, the server policy, and where delivery stands. */
export interface SdkState extends BreakerSnapshot {
  /** null when the SDK is disabled or not started. */
  delivery: DeliveryState | null
}

/** Hex SHA-256: the same user always maps to the same id, and the id itself never leaves the process. */
export function hashUserId(id: string): string {
  return createHash('sha256').update(id).digest('hex')
}

const DISABLED: InstrumentResult = {
  openai: false,
  anthropic: false,
  gemini: false,
  vercelAi: false,
  langchain: false,
  fetch: false,
  undici: false,
}

/**
 * One configured SDK: delivery, breaker, budgets and instrumentation. The module-level API
 * (`init`, `report`, ...) drives one instance; tests and embedders may create their own.
 */
export class TollgateClient {
  readonly config: ResolvedConfig
  readonly log: Logger
  readonly breaker: Breaker
  readonly control: ControlPlane
  readonly hooks: FetchHooks
  /** Captures started and not yet spans: flush() and shutdown() wait for them. */
  readonly inflight = new Inflight()
  private readonly exports: Exports
  private readonly calls: Calls
  private delivery: Delivery | undefined
  private readonly installation = new Installation()
  private readonly ownFetch: typeof fetch
  private instrumentOptions: InstrumentOptions = {}
  private instrumented = false
  private closed = false
  private enqueuedSinceExitFlush = 0
  private readonly onExit = () => {
    this.inflight.abandonAll()
    this.delivery?.closeSync()
  }
  private readonly onBeforeExit = () => this.exitFlush()

  constructor(options: InitOptions = {}, deps: ClientDeps = {}) {
    this.config = resolveConfig(options, deps.env)
    this.log = createLogger(this.config.debug)
    const base = deps.fetch ?? globalThis.fetch
    // The SDK's own traffic goes to the unwrapped dispatcher: it is never observed as a call.
    this.ownFetch = (input, init) => {
      const d = globalDispatcher()
      if (!d) return base(input, init)
      return base(input, Object.assign({}, init, { dispatcher: unwrap(d) }))
    }
    this.breaker = new Breaker({
      global: {
        budgetPerHour: this.config.budgetPerHour,
        maxErrorRate: this.config.maxErrorRate,
        maxCallsPerMinute: this.config.maxCallsPerMinute,
        blockOnThreshold: this.config.blockOnThreshold,
        onAlert: this.config.onAlert,
        onBlock: this.config.onBlock,
      },
      onTransition: (t) => this.control.reportTransition(t),
      onAlert: (a) => this.control.reportAlert(a),
    })
    this.control = new ControlPlane(this.config, this.breaker, this.ownFetch, this.log)
    this.calls = new Calls({
      config: this.config,
      control: this.control,
      breaker: this.breaker,
      log: this.log,
      inflight: this.inflight,
      emit: (s) => this.emit(s),
    })
    this.exports = new Exports(this.config.exporters, (err) =>
      this.log.debug('onSpan exporter failed', { error: err instanceof Error ? err.name : 'error' }),
    )
    this.hooks = {
      active: () => this.instrumented && !this.closed,
      begin: (detected, url) => {
        const record = new CallRecord(detected, url, (r) => this.calls.complete(r))
        this.inflight.add(record)
        return record
      },
      plan: (record) => this.calls.plan(record),
      beforeSend: (record) => {
        const p = this.calls.plan(record)
        return p instanceof Promise ? p.then(() => undefined) : undefined
      },
      blocked: (record, err) => this.calls.blocked(record, err),
      propagateTraceparent: () => this.instrumentOptions.propagateTraceparent === true,
      ensureDispatcher: () => this.installation.ensureDispatcher(),
    }
  }

  get enabled(): boolean {
    return this.config.enabled && !this.closed
  }

  /** Opens the spool (falling back to memory), starts timers and the policy poller. */
  start(): this {
    if (!this.config.enabled) return this
    void loadPrices()
    this.control.start()
    if (!this.config.deliver) return this
    const store = openStore(this.config, this.log)
    const sender = new Sender({
      endpoint: this.config.endpoint,
      apiKey: this.config.apiKey,
      timeoutMs: this.config.requestTimeoutMs,
      fetch: this.ownFetch,
    })
    this.delivery = new Delivery(
      store,
      sender,
      {
        maxBatch: this.config.maxBatch,
        maxBatchBytes: this.config.maxBatchBytes,
        flushIntervalMs: this.config.flushIntervalMs,
        maxBuffer: this.config.maxQueueSize,
      },
      this.log,
    )
    this.delivery.start()
    process.once('exit', this.onExit)
    process.on('beforeExit', this.onBeforeExit)
    return this
  }

  get durable(): boolean {
    return this.delivery?.isDurable ?? false
  }

  /** Internal access for tests and benchmarks. */
  get deliveryForTests(): Delivery | undefined {
    return this.delivery
  }

  report(partial: Partial<Span>): void {
    if (!this.enabled) return
    try {
      if (!partial || typeof partial !== 'object' || Array.isArray(partial)) {
        this.delivery?.countDrop('invalid')
        return
      }
      const span = completeReported(partial)
      this.control.recordReported(span)
      this.emit(span)
    } catch (err) {
      this.delivery?.countDrop('invalid')
      this.log.debug('report() ignored a span', { error: String(err) })
    }
  }

  /** Sampling, zero data retention and global tags, then the delivery queue. */
  emit(span: Span): void {
    const d = this.delivery
    if (!this.enabled || (!d && this.exports.size === 0)) return
    if (!keepTrace(span.trace_id, this.config.sampleRate)) {
      d?.countDrop('sampled_out')
      return
    }
    if (this.config.zeroDataRetention) {
      delete span.input
      delete span.output
    }
    if (this.config.hashUserIds && span.user_id) span.user_id = hashUserId(span.user_id)
    if (Object.keys(this.config.tags).length) span.tags = Object.assign({}, this.config.tags, span.tags)
    if (this.exports.size) this.exports.run(span)
    if (!d) return
    this.enqueuedSinceExitFlush++
    d.enqueue(span)
  }

  private readonly sink: SpanSink = {
    emit: (s) => {
      // A manual LLM span's usage counts against the breakers and budgets, like report()'s.
      if (s.usage) this.control.recordReported(s)
      this.emit(s)
    },
    registerAgent: (f) => void this.breaker.monitorFor(f),
    track: (p) => this.inflight.add(p),
    untrack: (p) => this.inflight.delete(p),
  }

  /** See the module-level `trace()`. */
  trace<T>(name: string, fn: (span: SpanHandle) => T, attrs?: SpanAttrs): T {
    return runInSpan(this.sink, name, attrs?.kind ?? 'chain', fn, attrs, true)
  }

  /** See the module-level `span()`. */
  span<T>(name: string, fn: (span: SpanHandle) => T, attrs?: SpanAttrs): T {
    return runInSpan(this.sink, name, attrs?.kind ?? 'chain', fn, attrs, false)
  }

  /** See the module-level `agent()`. */
  agent<T>(options: AgentOptions, fn: (span: SpanHandle) => T): T {
    const frame = agentFrame(options)
    this.sink.registerAgent(frame)
    return runInSpan(this.sink, options.name, 'agent', fn, undefined, false, frame)
  }

  instrument(options: InstrumentOptions = {}): InstrumentResult {
    if (!this.enabled) return { ...DISABLED }
    this.instrumentOptions = options
    this.instrumented = true
    return this.installation.install(this.hooks)
  }

  uninstrument(): void {
    this.instrumented = false
    this.installation.uninstall()
  }

  /**
   * Instruments one client (its `fetch`), nothing global. Wrapped clients stay instrumented
   * after uninstrument(); they stop when the SDK is shut down or disabled.
   */
  wrap<T extends object>(target: T): T {
    if (!this.enabled) return target
    return wrapFetchOf(target, { ...this.hooks, active: () => this.enabled })
  }

  getState(): SdkState {
    const s = this.breaker.snapshot()
    return {
      state: s.global.state,
      global: s.global,
      agents: s.agents,
      policy: this.control.policyInfo(),
      delivery: this.delivery?.state() ?? null,
    }
  }

  /**
   * Waits for captures in flight (streams included; at most `shutdownTimeoutMs` when no
   * timeout is given, so a stream nobody reads cannot hold a flush forever), then delivers.
   */
  async flush(timeoutMs?: number): Promise<void> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs
    await this.inflight.idle(Math.min(deadline, Date.now() + this.config.shutdownTimeoutMs))
    await this.exports.settled(Math.min(deadline, Date.now() + this.config.shutdownTimeoutMs))
    try {
      await this.delivery?.flush(deadline)
    } catch (err) {
      this.log.debug('flush failed', { error: String(err) })
    }
  }

  private exitFlush(): void {
    if (!this.delivery || this.enqueuedSinceExitFlush === 0 || this.closed) return
    this.enqueuedSinceExitFlush = 0
    void this.flush(this.config.shutdownTimeoutMs)
  }

  /** Flushes until the deadline, then closes; undelivered spans stay in the spool. */
  async shutdown(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
    if (this.closed) return
    const deadline = Date.now() + timeoutMs
    // Captures get the deadline less a reserve for delivery; what is still open then becomes a
    // partial span (flagged `incomplete`) rather than nothing.
    await this.inflight.idle(deadline - Math.min(1000, timeoutMs / 2))
    this.inflight.abandonAll()
    await this.flush(Math.max(0, deadline - Date.now()))
    this.closed = true
    this.uninstrument()
    this.control.stop()
    process.removeListener('exit', this.onExit)
    process.removeListener('beforeExit', this.onBeforeExit)
    try {
      await this.delivery?.close(deadline)
    } catch (err) {
      this.log.debug('close failed', { error: String(err) })
    }
  }
}
