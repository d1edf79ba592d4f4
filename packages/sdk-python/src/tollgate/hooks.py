"""before_request: the application's own say over each LLM request, after the budget checks."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping, Union

from .breaker import Breaker
from .context import effective_context
from .errors import CircuitBreakerError
from .instrument.capture import CallRecord
from .log import Logger
from .spans import agent_of

# The same cap as a server budget's throttle: a hook cannot park a request for longer.
MAX_DELAY_MS = 60_000


@dataclass(frozen=True)
class RequestParams:
    provider: str
    operation: str
    model: str | None  # after a server budget's degrade, if any
    stream: bool
    url: str
    input: Any  # the prompt part of the body


@dataclass(frozen=True)
class RequestContext:
    trace_id: str | None
    span_id: str
    agent: dict[str, Any] | None
    user_id: str | None
    session_id: str | None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BeforeRequestResult:
    action: str  # proceed | cancel | throttle | degrade
    reason: str | None = None
    delay_ms: float = 0.0
    to_model: str | None = None


class BeforeRequest:
    """Builders for a hook's answer.

    Example::

        def hook(params, ctx):
            if not limiter.allow(ctx.user_id):
                return tollgate.BeforeRequest.cancel("rate limit")
            if params.model == "gpt-4o" and ctx.tags.get("tier") == "free":
                return tollgate.BeforeRequest.degrade("gpt-4o-mini", "free tier")
            return tollgate.BeforeRequest.proceed()

        tollgate.init(before_request=hook)
    """

    @staticmethod
    def proceed() -> BeforeRequestResult:
        return BeforeRequestResult("proceed")

    @staticmethod
    def cancel(reason: str) -> BeforeRequestResult:
        return BeforeRequestResult("cancel", reason=reason)

    @staticmethod
    def throttle(delay_ms: float) -> BeforeRequestResult:
        return BeforeRequestResult("throttle", delay_ms=delay_ms)

    @staticmethod
    def degrade(to_model: str, reason: str | None = None) -> BeforeRequestResult:
        return BeforeRequestResult("degrade", reason=reason, to_model=to_model)


Hook = Callable[[RequestParams, RequestContext], Union[BeforeRequestResult, None, Awaitable[Any]]]


def hook_args(record: CallRecord, degrade_to: str | None, tags: Mapping[str, str]) -> tuple[RequestParams, RequestContext]:
    user = effective_context(record.user)
    ctx = record.ctx
    params = RequestParams(
        record.detected.provider,
        record.detected.operation,
        degrade_to or record.request.model,
        record.request.stream,
        record.url,
        record.request.input,
    )
    context = RequestContext(
        ctx.trace_id if ctx else None,
        record.span_id,
        agent_of(ctx),
        (ctx.user_id if ctx else None) or (user.user_id if user else None),
        (ctx.session_id if ctx else None) or (user.session_id if user else None),
        {**tags, **(user.tags if user else {}), **(ctx.tags if ctx else {})},
    )
    return params, context


def apply_result(
    result: Any, record: CallRecord, degrade_to: str | None, delay_ms: float, breaker: Breaker
) -> tuple[str | None, float]:
    """Fail-open: anything but a known answer lets the request proceed as the budgets decided."""
    if isinstance(result, BeforeRequestResult):
        if result.action == "cancel":
            record.attributes["cancelled_by"] = "before_request"
            reason = result.reason if isinstance(result.reason, str) and result.reason else "cancelled"
            g = breaker.global_monitor
            raise CircuitBreakerError(f"Cancelled by before_request: {reason}", "request_cancelled", g.snapshot(), g)
        if result.action == "throttle" and math.isfinite(result.delay_ms) and result.delay_ms > 0:
            delay_ms += result.delay_ms
        if result.action == "degrade" and isinstance(result.to_model, str) and result.to_model:
            degrade_to = result.to_model
            if result.reason:
                record.attributes["degrade_reason"] = result.reason
    return degrade_to, min(delay_ms, MAX_DELAY_MS)


def run_hook_sync(hook: Hook, record: CallRecord, degrade_to: str | None, log: Logger, tags: Mapping[str, str]) -> Any:
    try:
        r = hook(*hook_args(record, degrade_to, tags))
        if asyncio.iscoroutine(r):
            try:
                asyncio.get_running_loop()
                r.close()  # a coroutine hook cannot be awaited from a sync call inside a running loop
                return None
            except RuntimeError:
                return asyncio.run(r)
        return r
    except CircuitBreakerError:
        raise
    except Exception as err:  # noqa: BLE001
        log.debug("before_request failed; the request proceeds", error=type(err).__name__)
        return None


async def run_hook_async(
    hook: Hook, record: CallRecord, degrade_to: str | None, log: Logger, tags: Mapping[str, str]
) -> Any:
    try:
        r = hook(*hook_args(record, degrade_to, tags))
        if asyncio.iscoroutine(r) or isinstance(r, asyncio.Future):
            r = await r
        return r
    except Exception as err:  # noqa: BLE001
        log.debug("before_request failed; the request proceeds", error=type(err).__name__)
        return None
