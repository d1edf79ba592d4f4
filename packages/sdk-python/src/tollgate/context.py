"""Where a call sits in a trace (trace()/span()/agent()) and whom it is for (set_context())."""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from .ids import format_traceparent, new_span_id, new_trace_id, parse_traceparent


@dataclass(frozen=True)
class AgentFrame:
    id: str
    name: str
    role: str | None
    parent_id: str | None
    span_id: str
    budget_per_hour: float | None = None
    max_error_rate: float | None = None
    max_calls_per_minute: float | None = None
    block_on_threshold: bool | None = None


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str
    remote_parent_id: str | None = None
    agents: tuple[AgentFrame, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    user_id: str | None = None
    session_id: str | None = None


_trace: ContextVar[TraceContext | None] = ContextVar("tollgate_trace", default=None)


def current_context() -> TraceContext | None:
    return _trace.get()


def child_context(
    *,
    traceparent: str | None,
    tags: Mapping[str, str] | None,
    user_id: str | None,
    session_id: str | None,
    new_trace: bool,
    agent: AgentFrame | None = None,
) -> TraceContext:
    """Child of the current context, or a new trace (a new trace() inside another keeps the agents)."""
    outer = _trace.get()
    span_id = agent.span_id if agent else new_span_id()
    if outer is not None and not new_trace:
        return TraceContext(
            trace_id=outer.trace_id,
            span_id=span_id,
            agents=outer.agents + ((agent,) if agent else ()),
            tags={**outer.tags, **tags} if tags else outer.tags,
            user_id=user_id or outer.user_id,
            session_id=session_id or outer.session_id,
        )
    remote = parse_traceparent(traceparent)
    agents = outer.agents if outer else ()
    return TraceContext(
        trace_id=remote.trace_id if remote else new_trace_id(),
        span_id=span_id,
        remote_parent_id=remote.parent_span_id if remote else None,
        agents=agents + ((agent,) if agent else ()),
        tags={**(outer.tags if outer else {}), **(tags or {})},
        user_id=user_id or (outer.user_id if outer else None),
        session_id=session_id or (outer.session_id if outer else None),
    )


@contextlib.contextmanager
def use_context(ctx: TraceContext) -> Iterator[TraceContext]:
    token = _trace.set(ctx)
    try:
        yield ctx
    finally:
        try:
            _trace.reset(token)
        except ValueError:
            # Reset from another context (an async generator finalised elsewhere): leave it be.
            pass


def current_trace_id() -> str | None:
    """The trace id of the current context, for logs or to link a response to its trace."""
    ctx = _trace.get()
    return ctx.trace_id if ctx else None


def current_traceparent() -> str | None:
    """A W3C `traceparent` for the current span, to propagate the trace to a service you call."""
    ctx = _trace.get()
    return format_traceparent(ctx.trace_id, ctx.span_id) if ctx else None


def agent_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-")
    return slug or "agent"


# --- whom a call is for -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedContext:
    user_id: str | None = None
    session_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


_user: ContextVar[ResolvedContext | None] = ContextVar("tollgate_user", default=None)
_process_default: list[ResolvedContext | None] = [None]


def _resolve(base: ResolvedContext | None, fields: Mapping[str, Any]) -> ResolvedContext:
    tags: dict[str, str] = dict(base.tags) if base else {}
    tags.update({str(k): str(v) for k, v in (fields.get("tags") or {}).items() if v is not None})
    for key in ("tenant", "customer", "feature", "route"):
        v = fields.get(key)
        if isinstance(v, str) and v:
            tags[key] = v
    return ResolvedContext(
        user_id=fields.get("user_id") or (base.user_id if base else None),
        session_id=fields.get("session_id") or (base.session_id if base else None),
        tags=tags,
    )


def set_context(
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    tenant: str | None = None,
    customer: str | None = None,
    feature: str | None = None,
    route: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> None:
    """Sets whom calls are for in the current context (this request, this task) from now on.

    Merged into what is already set: tags merge, other fields are replaced. `tenant`, `customer`,
    `feature` and `route` become tags of the same name, so server budgets scoped to them match.

    Example::

        @app.middleware("http")
        async def who(request, call_next):
            tollgate.set_context(user_id=request.state.user, tenant=request.state.org, route=request.url.path)
            return await call_next(request)
    """
    fields = dict(user_id=user_id, session_id=session_id, tenant=tenant, customer=customer, feature=feature, route=route)
    _user.set(_resolve(_user.get(), {**fields, "tags": tags}))


@contextlib.contextmanager
def with_context(
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    tenant: str | None = None,
    customer: str | None = None,
    feature: str | None = None,
    route: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> Iterator[None]:
    """Like set_context(), for the `with` block only.

    Example::

        with tollgate.with_context(customer="acme", feature="summarize"):
            summarize(doc)
    """
    fields = dict(user_id=user_id, session_id=session_id, tenant=tenant, customer=customer, feature=feature, route=route)
    token = _user.set(_resolve(_user.get(), {**fields, "tags": tags}))
    try:
        yield
    finally:
        try:
            _user.reset(token)
        except ValueError:
            pass


def set_default_context(
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    tenant: str | None = None,
    customer: str | None = None,
    feature: str | None = None,
    route: str | None = None,
    tags: Mapping[str, str] | None = None,
    clear: bool = False,
) -> None:
    """The process-wide default under every runtime context; `clear=True` removes it.

    Example::

        tollgate.set_default_context(tenant="acme", tags={"environment": "prod"})
    """
    if clear:
        _process_default[0] = None
        return
    fields = dict(user_id=user_id, session_id=session_id, tenant=tenant, customer=customer, feature=feature, route=route)
    _process_default[0] = _resolve(None, {**fields, "tags": tags})


def runtime_context() -> ResolvedContext | None:
    return _user.get()


def effective_context(runtime: ResolvedContext | None) -> ResolvedContext | None:
    d = _process_default[0]
    if d is None:
        return runtime
    if runtime is None:
        return d
    return ResolvedContext(
        user_id=runtime.user_id or d.user_id,
        session_id=runtime.session_id or d.session_id,
        tags={**d.tags, **runtime.tags},
    )


def apply_context(span: dict[str, Any], runtime: ResolvedContext | None) -> None:
    """Fills a span from the context it started in; the span's own fields win."""
    ctx = effective_context(runtime)
    if ctx is None:
        return
    if ctx.tags:
        span["tags"] = {**ctx.tags, **(span.get("tags") or {})}
    if not span.get("user_id") and ctx.user_id:
        span["user_id"] = ctx.user_id
    if not span.get("session_id") and ctx.session_id:
        span["session_id"] = ctx.session_id
