import { Breaker } from './breaker/breaker.js'
import type { InitOptions } from './config.js'
import type { ClientDeps, InstrumentOptions, SdkState } from './client.js'
import { TollgateClient } from './client.js'
import type { InstrumentResult } from './instrument/install.js'
import type { AgentOptions, SpanAttrs } from './tracing.js'
import { agentFrame, runInSpan } from './tracing.js'
import type { SpanHandle } from './span-handle.js'
import type { Span } from './types.js'

// The one process-wide client behind the module API (an SDK's entry points are global by nature).
let client: TollgateClient | undefined

/**
 * Configures the SDK: where spans go, how they are kept until delivered, and the circuit
 * breaker. Reads `TOLLGATE_*` environment variables for anything not given. Calling it again
 * replaces the configuration. Never throws.
 *
 * @example
 * import { init, instrument } from '@tollgate/sdk'
 * init({ endpoint: 'http://localhost:3001', budgetPerHour: 5, blockOnThreshold: true })
 * instrument()
 */
export function init(options: InitOptions = {}, deps: ClientDeps = {}): void {
  try {
    const previous = client
    client = undefined
    // Unpatch now, not after the old client's flush: the new client may instrument at once.
    previous?.uninstrument()
    if (previous) void previous.shutdown(0)
    client = new TollgateClient(options, deps).start()
  } catch {
    client = undefined
  }
}

/** The current client, created from the environment on first use. */
export function getClient(): TollgateClient | undefined {
  if (!client) init()
  return client
}

/**
 * Captures every LLM call of the process with no code change: patches `globalThis.fetch` and
 * observes undici's global dispatcher, so the official `openai`, `@anthropic-ai/sdk` and
 * `@google/genai` clients, the Vercel AI SDK and LangChain.js are all seen. Returns which
 * client packages are installed and which transports are hooked.
 *
 * @example
 * const hooked = instrument()
 * if (!hooked.undici) console.warn('clients created before instrument() are not captured')
 */
export function instrument(options: InstrumentOptions = {}): InstrumentResult {
  const c = getClient()
  if (!c)
    return {
      openai: false,
      anthropic: false,
      gemini: false,
      vercelAi: false,
      langchain: false,
      fetch: false,
      undici: false,
    }
  return c.instrument(options)
}

/** Removes the global patches of {@link instrument}. Explicitly wrapped clients keep working. */
export function uninstrument(): void {
  client?.uninstrument()
}

/**
 * Queues one span for delivery. Never throws and never waits on I/O: the span is written to
 * the spool shortly after. Missing ids and times are filled from the current trace.
 * Does nothing before {@link init}.
 *
 * @example
 * report({ name: 'rerank', kind: 'retrieval', attributes: { documents: 20 } })
 * report({ kind: 'llm', provider: 'acme', model: 'acme-1', usage: { input_tokens: 12, output_tokens: 40 } })
 */
export function report(span: Partial<Span>): void {
  client?.report(span)
}

/**
 * Runs `fn` as the root span of a new trace (or continues a remote one via `traceparent`).
 * LLM calls inside become its children. Returns what `fn` returns.
 *
 * @example
 * const answer = await trace('answer-question', async () => {
 *   const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
 *   return r.choices[0]?.message.content
 * }, { userId: 'u_42', traceparent: req.headers.traceparent })
 */
export function trace<T>(name: string, fn: (span: SpanHandle) => T, attrs?: SpanAttrs): T {
  return client ? client.trace(name, fn, attrs) : runInSpan(undefined, name, attrs?.kind ?? 'chain', fn, attrs, true)
}

/**
 * Runs `fn` as a child span of the current one (a new trace if there is none).
 *
 * @example
 * const docs = await span('retrieve', () => search(query), { kind: 'retrieval' })
 */
export function span<T>(name: string, fn: (span: SpanHandle) => T, attrs?: SpanAttrs): T {
  return client ? client.span(name, fn, attrs) : runInSpan(undefined, name, attrs?.kind ?? 'chain', fn, attrs, false)
}

/**
 * Runs `fn` as an agent: its LLM calls carry the agent, and its own limits are enforced on
 * top of the global ones (nested agents: every enclosing agent's limits apply too).
 *
 * @example
 * await agent({ name: 'Researcher', role: 'research', budgetPerHour: 2, blockOnThreshold: true }, async () => {
 *   await openai.chat.completions.create({ model: 'gpt-4o', messages })
 * })
 */
export function agent<T>(options: AgentOptions, fn: (span: SpanHandle) => T): T {
  return client
    ? client.agent(options, fn)
    : runInSpan(undefined, options.name, 'agent', fn, undefined, false, agentFrame(options))
}

/**
 * Sends everything spooled now (ignoring backoff). Resolves when the spool is drained or the
 * backend is unavailable; never rejects.
 */
export function flush(): Promise<void> {
  return client?.flush() ?? Promise.resolve()
}

/**
 * Flushes for at most `timeoutMs` (default 5 s), removes the patches and closes the spool.
 * Anything undelivered stays in the spool for the next process. Never rejects.
 */
export async function shutdown(timeoutMs?: number): Promise<void> {
  const c = client
  client = undefined
  await c?.shutdown(timeoutMs)
}

/**
 * Circuit breaker state (the global monitor, each agent's, the server policy in force) and
 * delivery: `delivery.status === 'paused'` means the backend refused the API key or the
 * endpoint (401/403/404) and spans are waiting in the spool.
 *
 * @example
 * const { delivery } = getState()
 * if (delivery?.status === 'paused') alertOps(`Tollgate refused us: HTTP ${delivery.http_status}`)
 */
export function getState(): SdkState {
  if (client) return client.getState()
  const global = new Breaker({ global: { blockOnThreshold: false } }).snapshot().global
  return { state: global.state, global, agents: [], policy: null, delivery: null }
}

/**
 * Instruments one OpenAI client, without patching anything global. Returns the same client.
 *
 * @example
 * const openai = wrapOpenAI(new OpenAI())
 */
export function wrapOpenAI<T extends object>(openaiClient: T): T {
  return getClient()?.wrap(openaiClient) ?? openaiClient
}

/**
 * Instruments one Anthropic client, without patching anything global. Returns the same client.
 *
 * @example
 * const anthropic = wrapAnthropic(new Anthropic())
 */
export function wrapAnthropic<T extends object>(anthropicClient: T): T {
  return getClient()?.wrap(anthropicClient) ?? anthropicClient
}
