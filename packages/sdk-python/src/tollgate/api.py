"""The module-level API: one process-wide client (an SDK's entry points are global by nature)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable, Mapping

from .breaker import Breaker, Limits
from .client import TollgateClient
from .tracing import Scope

_client: list[TollgateClient | None] = [None]
_lock = threading.Lock()


def init(
    *,
    endpoint: str | None = None,
    api_key: str | None = None,
    durability: str | None = None,
    spool_path: str | None = None,
    flush_interval_s: float | None = None,
    max_batch: int | None = None,
    max_batch_bytes: int | None = None,
    max_spool_bytes: int | None = None,
    max_spool_age_days: float | None = None,
    max_queue_size: int | None = None,
    zero_data_retention: bool | None = None,
    hash_user_ids: bool | None = None,
    tags: Mapping[str, str] | None = None,
    sample_rate: float | None = None,
    budget_per_hour: float | None = None,
    max_error_rate: float | None = None,
    max_calls_per_minute: float | None = None,
    block_on_threshold: bool | None = None,
    on_alert: Callable[[dict[str, Any]], Any] | None = None,
    on_block: Callable[[dict[str, Any]], Any] | None = None,
    before_request: Callable[..., Any] | None = None,
    on_span: Any = None,
    deliver: bool | None = None,
    enabled: bool | None = None,
    debug: bool | None = None,
    request_timeout_s: float | None = None,
    policy_poll_interval_s: float | None = None,
    shutdown_timeout_s: float | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Configures the SDK; `TOLLGATE_*` environment variables fill what is not given. Calling it again
    replaces the configuration. Never raises.

    Example::

        import tollgate
        tollgate.init(endpoint="http://localhost:3001", budget_per_hour=5, block_on_threshold=True)
        tollgate.instrument()
    """
    options = {k: v for k, v in locals().items() if v is not None and k != "env"}
    try:
        with _lock:
            previous, _client[0] = _client[0], None
            if previous is not None:
                previous.uninstrument()
                previous.shutdown(0)
            _client[0] = TollgateClient(options, env).start()
    except Exception:  # noqa: BLE001 - never raises
        _client[0] = None


def get_client() -> TollgateClient | None:
    """The current client, created from the environment on first use."""
    if _client[0] is None:
        init()
    return _client[0]


def instrument(*, propagate_traceparent: bool = False) -> dict[str, bool]:
    """Captures every LLM call of the process with no code change: patches the httpx and httpx2
    clients (sync and async, including those created earlier) and requests, so openai, anthropic,
    google-genai, litellm, langchain and anything else on them is seen. Returns which HTTP
    libraries are hooked.

    Example::

        tollgate.init()
        tollgate.instrument()
        client = openai.OpenAI()  # or one created before: captured either way
    """
    c = get_client()
    return c.instrument(propagate_traceparent) if c else {"httpx": False, "httpx2": False, "requests": False, "aiohttp": False}


def uninstrument() -> None:
    """Removes the patches of instrument()."""
    c = _client[0]
    if c is not None:
        c.uninstrument()


def report(span: Mapping[str, Any]) -> None:
    """Queues one span (a dict in wire format v1). Never raises, never waits on I/O; ids and times
    are filled from the current trace. Does nothing before init().

    Example::

        tollgate.report({"name": "rerank", "kind": "retrieval", "attributes": {"documents": 20}})
    """
    c = _client[0]
    if c is not None:
        c.report(span)


def _scope(name: str, kind: str | None, new_trace: bool, **attrs: Any) -> Scope:
    def sink() -> Any:
        c = _client[0]
        return c if c is not None and c.enabled else None

    return Scope(sink, name, kind or "chain", new_trace, explicit_kind=kind is not None, **attrs)


def trace(
    name: str,
    *,
    kind: str | None = None,
    input: Any = None,
    output: Any = None,
    attributes: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    user_id: str | None = None,
    session_id: str | None = None,
    traceparent: str | None = None,
) -> Scope:
    """The root span of a new trace (or a remote one continued via `traceparent`); LLM calls inside
    become its children. A context manager (`with`/`async with`, yields a SpanHandle) or a decorator.

    Example::

        with tollgate.trace("answer-question", user_id="u_42") as t:
            client.chat.completions.create(model="gpt-4o-mini", messages=messages)

        @tollgate.trace("nightly-job")
        async def job(): ...
    """
    return _scope(
        name, kind, True, input=input, output=output, attributes=attributes, tags=tags, user_id=user_id,
        session_id=session_id, traceparent=traceparent,
    )  # fmt: skip


def span(
    name: str,
    *,
    kind: str | None = None,
    input: Any = None,
    output: Any = None,
    attributes: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    user_id: str | None = None,
    session_id: str | None = None,
) -> Scope:
    """A child span of the current one (a new trace if there is none).

    Example::

        with tollgate.span("retrieve", kind="retrieval"):
            docs = search(query)
    """
    return _scope(
        name, kind, False, input=input, output=output, attributes=attributes, tags=tags, user_id=user_id,
        session_id=session_id,
    )  # fmt: skip


def agent(
    name: str,
    *,
    role: str | None = None,
    id: str | None = None,
    budget_per_hour: float | None = None,
    max_error_rate: float | None = None,
    max_calls_per_minute: float | None = None,
    block_on_threshold: bool | None = None,
) -> Scope:
    """An agent span: its LLM calls carry the agent, and its limits apply on top of the global ones
    (nested agents: every enclosing agent's limits apply too).

    Example::

        with tollgate.agent("Researcher", budget_per_hour=2, block_on_threshold=True):
            client.chat.completions.create(model="gpt-4o", messages=messages)
    """
    opts = {
        "name": name, "role": role, "id": id, "budget_per_hour": budget_per_hour,
        "max_error_rate": max_error_rate, "max_calls_per_minute": max_calls_per_minute,
        "block_on_threshold": block_on_threshold,
    }  # fmt: skip
    return _scope(name, "agent", False, agent=opts)


def flush(timeout: float | None = None) -> None:
    """Waits for captures in flight, then sends everything spooled now (ignoring backoff, not a
    server's Retry-After). Returns when drained, the backend is unavailable, or `timeout` passed."""
    c = _client[0]
    if c is not None:
        c.flush(timeout)


def shutdown(timeout: float | None = None) -> None:
    """Waits for captures in flight, flushes for at most `timeout` (default shutdown_timeout_s, 5 s),
    removes the patches and closes the spool. What is undelivered stays in the spool."""
    with _lock:
        c, _client[0] = _client[0], None
    if c is not None:
        c.shutdown(timeout)


async def aflush(timeout: float | None = None) -> None:
    """flush() for async code: runs in a worker thread, so the event loop keeps turning."""
    await asyncio.to_thread(flush, timeout)


async def ashutdown(timeout: float | None = None) -> None:
    """shutdown() for async code: runs in a worker thread, so the event loop keeps turning."""
    await asyncio.to_thread(shutdown, timeout)


def get_state() -> dict[str, Any]:
    """Breakers (global, each agent), the server policy in force, and delivery: `delivery["status"]`
    is `paused` when the backend refused the key or the endpoint (401/403/404).

    Example::

        if tollgate.get_state()["delivery"]["status"] == "paused": alert_ops()
    """
    c = _client[0]
    if c is not None:
        return c.get_state()
    g = Breaker(Limits()).snapshot()["global"]
    return {"state": g["state"], "global": g, "agents": [], "policy": None, "delivery": None}
