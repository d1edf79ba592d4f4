"""trace(), span() and agent(): context managers and decorators, sync and async."""

from __future__ import annotations

import functools
import inspect
import threading
import time
from contextvars import Token
from typing import Any, AsyncIterable, Callable, Iterable, Mapping, Protocol, TypeVar

from .context import (
    AgentFrame,
    TraceContext,
    _trace,
    agent_id,
    child_context,
    current_context,
    runtime_context,
    apply_context,
)
from .ids import new_span_id
from .instrument.usage import openai_usage
from .log import error_message
from .spans import agent_of, iso_micro

F = TypeVar("F", bound=Callable[..., Any])


class Sink(Protocol):
    def emit_manual(self, span: dict[str, Any]) -> None: ...
    def register_agent(self, frame: AgentFrame) -> None: ...
    def track(self, pending: Any) -> None: ...
    def untrack(self, pending: Any) -> None: ...


def _default_usage(chunk: Any) -> dict[str, int] | None:
    u = chunk.get("usage") if isinstance(chunk, dict) else getattr(chunk, "usage", None)
    if u is not None and not isinstance(u, dict):
        dump = getattr(u, "model_dump", None)
        u = dump() if callable(dump) else getattr(u, "__dict__", None)
    return openai_usage(u)


class SpanHandle:
    """What a trace/span/agent scope yields: metadata known only mid-call. Safe after the span ended."""

    def __init__(self, trace_id: str, span_id: str, on_streams_done: Callable[[], None]) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.attributes: dict[str, Any] | None = None
        self.usage: dict[str, int] | None = None
        self.model: str | None = None
        self.provider: str | None = None
        self.output: Any = None
        self.first_chunk: float | None = None
        self.streaming = False
        self._open_streams = 0
        self._ended = False
        self._done = on_streams_done
        self._lock = threading.Lock()

    @property
    def waiting(self) -> bool:
        return self._open_streams > 0

    def end(self) -> None:
        self._ended = True

    def set_attribute(self, key: str, value: Any) -> None:
        if not self._ended:
            self.attributes = {**(self.attributes or {}), key: value}

    def set_usage(self, usage: Mapping[str, int]) -> None:
        if not self._ended and isinstance(usage, Mapping):
            self.usage = dict(usage)

    def set_model(self, model: str, provider: str | None = None) -> None:
        """Marks the span as an LLM call of this model (provider: a genai-prices id such as `openai`)."""
        if self._ended:
            return
        self.model = model
        if provider:
            self.provider = provider

    def set_output(self, output: Any) -> None:
        if not self._ended:
            self.output = output

    def wrap_stream(
        self,
        stream: Any,
        usage: Callable[[Any], Mapping[str, int] | None] | None = None,
        text: Callable[[Any], str | None] | None = None,
    ) -> Any:
        """Returns the same chunks; the span then ends when the stream ends (read to the end, left
        early, or never read before shutdown(), which flags it `incomplete`), with `ttft_ms`."""
        if self._ended:
            return stream
        self.streaming = True
        with self._lock:
            self._open_streams += 1
        read_usage = usage or _default_usage
        if hasattr(stream, "__aiter__"):
            return self._observe_async(stream, read_usage, text)
        return self._observe_sync(stream, read_usage, text)

    def _chunk(self, chunk: Any, read_usage: Callable[[Any], Any], read_text: Any, parts: list[str]) -> None:
        if self.first_chunk is None:
            self.first_chunk = time.perf_counter()
        try:
            u = read_usage(chunk)
            if u:
                self.usage = dict(u)
            t = read_text(chunk) if read_text else None
            if t:
                parts.append(t)
        except Exception:  # noqa: BLE001 - a reader failing on one chunk does not change the stream
            pass

    def _stream_done(self, parts: list[str]) -> None:
        if parts:
            self.output = "".join(parts)
        with self._lock:
            self._open_streams -= 1
            last = self._open_streams == 0
        if last:
            self._done()

    def _observe_sync(self, stream: Iterable[Any], read_usage: Any, read_text: Any) -> Any:
        parts: list[str] = []
        try:
            for chunk in stream:
                self._chunk(chunk, read_usage, read_text, parts)
                yield chunk
        finally:
            self._stream_done(parts)

    async def _observe_async(self, stream: AsyncIterable[Any], read_usage: Any, read_text: Any) -> Any:
        parts: list[str] = []
        try:
            async for chunk in stream:
                self._chunk(chunk, read_usage, read_text, parts)
                yield chunk
        finally:
            self._stream_done(parts)


class Scope:
    """One trace/span/agent: `with`, `async with`, or a decorator (a new span per call)."""

    def __init__(
        self,
        sink: Callable[[], Sink | None],
        name: str,
        kind: str,
        new_trace: bool,
        *,
        agent: dict[str, Any] | None = None,
        input: Any = None,
        output: Any = None,
        attributes: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        user_id: str | None = None,
        session_id: str | None = None,
        traceparent: str | None = None,
        explicit_kind: bool = False,
    ) -> None:
        self._sink = sink
        self._name = name
        self._kind = kind
        self._explicit_kind = explicit_kind
        self._new_trace = new_trace
        self._agent = agent
        self._input, self._output = input, output
        self._attributes = dict(attributes) if attributes else None
        self._tags, self._user_id, self._session_id, self._traceparent = tags, user_id, session_id, traceparent
        self._token: Token[TraceContext | None] | None = None
        self._state: _Running | None = None

    def _clone(self) -> Scope:
        s = Scope.__new__(Scope)
        s.__dict__.update(self.__dict__)
        s._token, s._state = None, None
        return s

    # --- context manager ------------------------------------------------------------------------

    def __enter__(self) -> SpanHandle:
        frame = None
        sink = self._sink()
        if self._agent is not None:
            frame = _agent_frame(self._agent)
            if sink is not None:
                try:
                    sink.register_agent(frame)
                except Exception:  # noqa: BLE001
                    pass
        parent = None if self._new_trace else current_context()
        ctx = child_context(
            traceparent=self._traceparent,
            tags=self._tags,
            user_id=self._user_id,
            session_id=self._session_id,
            new_trace=self._new_trace,
            agent=frame,
        )
        self._token = _trace.set(ctx)
        self._state = _Running(self, sink, ctx, parent.span_id if parent else ctx.remote_parent_id)
        return self._state.handle

    def __exit__(self, et: Any, err: BaseException | None, tb: Any) -> None:
        if self._token is not None:
            try:
                _trace.reset(self._token)
            except ValueError:
                pass
            self._token = None
        if self._state is not None:
            self._state.finish(err)

    async def __aenter__(self) -> SpanHandle:
        return self.__enter__()

    async def __aexit__(self, et: Any, err: BaseException | None, tb: Any) -> None:
        self.__exit__(et, err, tb)

    # --- decorator ------------------------------------------------------------------------------

    def __call__(self, fn: F) -> F:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with self._clone():
                    return await fn(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self._clone():
                return fn(*args, **kwargs)

        return run  # type: ignore[return-value]


class _Running:
    def __init__(self, scope: Scope, sink: Sink | None, ctx: TraceContext, parent_span_id: str | None) -> None:
        self.scope, self.sink, self.ctx, self.parent_span_id = scope, sink, ctx, parent_span_id
        self.start_wall = time.time()
        self.start_perf = time.perf_counter()
        self.user = runtime_context()
        self.outcome: BaseException | None = None
        self.finished = False
        self.emitted = False
        self._lock = threading.Lock()
        self.handle = SpanHandle(ctx.trace_id, ctx.span_id, lambda: self._emit(False))

    def finish(self, err: BaseException | None) -> None:
        if self.sink is None:
            return
        try:
            self.outcome = err
            self.finished = True
            if not self.handle.waiting:
                self._emit(False)
            else:
                self.sink.track(self)
        except Exception:  # noqa: BLE001 - telemetry never changes what the block returns or raises
            pass

    def abandon(self) -> None:
        self.finished = True
        self._emit(True)

    def _emit(self, abandoned: bool) -> None:
        with self._lock:
            if self.emitted or not self.finished or self.sink is None:
                return
            self.emitted = True
        self.handle.end()
        self.sink.untrack(self)
        self.sink.emit_manual(self._build(abandoned))

    def _build(self, abandoned: bool) -> dict[str, Any]:
        s, h, ctx = self.scope, self.handle, self.ctx
        failed = self.outcome is not None
        kind = "llm" if not s._explicit_kind and (h.model is not None or h.usage is not None) else s._kind
        span: dict[str, Any] = {
            "trace_id": ctx.trace_id,
            "span_id": ctx.span_id,
            "parent_span_id": self.parent_span_id,
            "name": s._name[:256] or "span",
            "kind": kind,
            "start_time": iso_micro(self.start_wall),
            "end_time": iso_micro(self.start_wall + (time.perf_counter() - self.start_perf)),
            "status": "error" if failed else ("unset" if abandoned else "ok"),
        }
        if failed:
            span["error_message"] = error_message(self.outcome, 4096)
        agent = agent_of(ctx)
        if agent:
            span["agent"] = agent
        if ctx.tags:
            span["tags"] = dict(ctx.tags)
        if ctx.user_id:
            span["user_id"] = ctx.user_id
        if ctx.session_id:
            span["session_id"] = ctx.session_id
        if s._input is not None:
            span["input"] = s._input
        output = h.output if h.output is not None else s._output
        if output is not None:
            span["output"] = output
        if s._attributes or h.attributes or abandoned:
            span["attributes"] = {**(s._attributes or {}), **(h.attributes or {}), **({"incomplete": True} if abandoned else {})}
        if h.model is not None:
            span["model"] = h.model
        if h.provider is not None:
            span["provider"] = h.provider
        if h.usage:
            span["usage"] = h.usage
        if h.streaming:
            span["stream"] = True
            span["ttft_ms"] = None if h.first_chunk is None else round((h.first_chunk - self.start_perf) * 1000, 3)
        apply_context(span, self.user)
        return span


def _agent_frame(opts: dict[str, Any]) -> AgentFrame:
    outer = current_context()
    parent = outer.agents[-1] if outer and outer.agents else None
    return AgentFrame(
        id=opts.get("id") or agent_id(opts["name"]),
        name=opts["name"],
        role=opts.get("role"),
        parent_id=parent.id if parent else None,
        span_id=new_span_id(),
        budget_per_hour=opts.get("budget_per_hour"),
        max_error_rate=opts.get("max_error_rate"),
        max_calls_per_minute=opts.get("max_calls_per_minute"),
        block_on_threshold=opts.get("block_on_threshold"),
    )
