"""Tollgate's Python SDK: captures every LLM call, keeps spans until the backend has them, and stops
runaway spend before a request leaves the process. The same contract as @tollgate/sdk."""

from ._version import SDK_NAME, SDK_VERSION
from .api import (
    aflush,
    agent,
    ashutdown,
    flush,
    get_client,
    get_state,
    init,
    instrument,
    report,
    shutdown,
    span,
    trace,
    uninstrument,
)
from .client import TollgateClient
from .context import current_trace_id, current_traceparent, set_context, set_default_context, with_context
from .errors import CircuitBreakerError, is_circuit_breaker_error
from .exporters import (
    console_exporter,
    file_exporter,
    filter_exporter,
    format_span_line,
    memory_exporter,
    transform_exporter,
)
from .hooks import BeforeRequest, BeforeRequestResult, RequestContext, RequestParams
from .ids import format_traceparent, parse_traceparent
from .propagation import extract, inject
from .tokens import TokenCount, count_tokens
from .tracing import SpanHandle

__version__ = SDK_VERSION

__all__ = [
    "SDK_NAME",
    "SDK_VERSION",
    "BeforeRequest",
    "BeforeRequestResult",
    "CircuitBreakerError",
    "RequestContext",
    "RequestParams",
    "SpanHandle",
    "TokenCount",
    "TollgateClient",
    "aflush",
    "agent",
    "ashutdown",
    "console_exporter",
    "count_tokens",
    "current_trace_id",
    "current_traceparent",
    "extract",
    "file_exporter",
    "filter_exporter",
    "flush",
    "format_span_line",
    "format_traceparent",
    "get_client",
    "get_state",
    "init",
    "inject",
    "instrument",
    "is_circuit_breaker_error",
    "memory_exporter",
    "parse_traceparent",
    "report",
    "set_context",
    "set_default_context",
    "shutdown",
    "span",
    "trace",
    "uninstrument",
    "with_context",
]
