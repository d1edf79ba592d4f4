export {
  init,
  instrument,
  uninstrument,
  report,
  trace,
  span,
  agent,
  flush,
  shutdown,
  getState,
  wrapOpenAI,
  wrapAnthropic,
  getClient,
} from './api.js'
export { currentTraceId, currentTraceparent } from './context.js'
export { setContext, setDefaultContext, withContext } from './user-context.js'
export type { CallContext } from './user-context.js'
export { inject, extract } from './propagation.js'
export { BeforeRequest } from './request-hook.js'
export { countTokens } from './tokens.js'
export type { TokenCount, TokenMethod } from './tokens.js'
export {
  consoleExporter,
  fileExporter,
  filterExporter,
  transformExporter,
  memoryExporter,
  formatSpanLine,
} from './exporters.js'
export type { SpanExporter } from './exporters.js'
export type { SpanHandle, WrapStreamOptions } from './span-handle.js'
export type { BeforeRequestHook, BeforeRequestResult, RequestContext, RequestParams } from './request-hook.js'
export type { HeaderCarrier, PropagationFormat, RemoteContext } from './propagation.js'
export { CircuitBreakerError, isCircuitBreakerError } from './breaker/errors.js'
export { parseTraceparent, formatTraceparent } from './ids.js'
export { TollgateClient } from './client.js'
export type { ClientDeps, InstrumentOptions, SdkState } from './client.js'
export type { DeliveryState } from './delivery/delivery.js'
export type { InitOptions, Durability } from './config.js'
export type { InstrumentResult } from './instrument/install.js'
export type { AgentOptions, SpanAttrs } from './tracing.js'
export type { ContextAttrs } from './context.js'
export type {
  AlertEvent,
  BlockEvent,
  BreakerReason,
  BreakerSnapshot,
  BreakerState,
  MonitorHandle,
  MonitorSnapshot,
  Transition,
} from './breaker/types.js'
export type { Policy, PolicyBudget, PolicyThreshold, PolicyAction, BudgetScope, BudgetWindow } from './policy/types.js'
export type { Span, SpanKind, SpanStatus, Usage, Cost, AgentRef, AttributeValue, IngestBody } from './types.js'
export { SDK_VERSION } from './version.js'
