"""Span construction: report()'s spans completed from the context, and the span of a captured call."""

from __future__ import annotations

import json
import math
import re
import time
from datetime import datetime, timezone
from typing import Any, Mapping

from .context import TraceContext, apply_context, current_context, runtime_context
from .ids import new_span_id, new_trace_id
from .instrument.capture import CallRecord
from .instrument.response import MAX_CAPTURE_CHARS

KINDS = ("llm", "embedding", "tool", "retrieval", "agent", "chain", "http", "other")
STATUSES = ("ok", "error", "unset")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX16 = re.compile(r"^[0-9a-f]{16}$")
_CORE = ("trace_id", "span_id", "parent_span_id", "name", "kind", "start_time", "end_time", "status")


_iso_cache: list[Any] = [None, ""]


def iso_micro(epoch_s: float) -> str:
    """RFC 3339 with microseconds; spans of one second share the formatted prefix."""
    second = math.floor(epoch_s)
    micros = min(999_999, round((epoch_s - second) * 1_000_000))
    cache = _iso_cache
    if cache[0] != second:
        cache[1] = datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        cache[0] = second
    return f"{cache[1]}.{micros:06d}Z"


def keep_trace(trace_id: str, rate: float) -> bool:
    """Deterministic per trace: every process keeps or drops the same traces, so traces stay whole."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    try:
        n = int(trace_id[-8:], 16)
    except ValueError:
        return True
    return n / 0x1_0000_0000 < rate


def agent_of(ctx: TraceContext | None) -> dict[str, Any] | None:
    agents = ctx.agents if ctx else ()
    if not agents:
        return None
    inner = agents[-1]
    outer = agents[-2] if len(agents) > 1 else None
    return {"id": inner.id, "name": inner.name, "role": inner.role, "parent_id": outer.id if outer else None}


def cap_content(value: Any, size_hint: int | None, attributes: dict[str, Any], key: str) -> Any:
    """Small values stay JSON, big ones become a truncated string (flagged)."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) <= MAX_CAPTURE_CHARS:
            return value
        attributes[f"{key}_truncated"] = True
        return value[:MAX_CAPTURE_CHARS]
    if size_hint is not None and size_hint <= MAX_CAPTURE_CHARS:
        return value
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        return None
    if len(text) <= MAX_CAPTURE_CHARS:
        return value
    attributes[f"{key}_truncated"] = True
    return text[:MAX_CAPTURE_CHARS]


def clean_attributes(v: Any) -> dict[str, Any] | None:
    if not isinstance(v, Mapping):
        return None
    out: dict[str, Any] = {}
    for k, val in v.items():
        if isinstance(val, (str, bool)) or (isinstance(val, (int, float)) and math.isfinite(val)):
            out[str(k)] = val
        elif val is not None:
            out[str(k)] = str(val)
    return out


def _clean_tags(v: Any) -> dict[str, str] | None:
    if not isinstance(v, Mapping):
        return None
    return {str(k): str(val) for k, val in v.items() if val is not None}


def complete_reported(partial: Mapping[str, Any], now: float | None = None) -> dict[str, Any]:
    """Ids and times filled from the current context, enums checked; never raises for odd input."""
    t = time.time() if now is None else now
    ctx = current_context()
    tid = partial.get("trace_id")
    trace_id = tid if isinstance(tid, str) and _HEX32.match(tid) else (ctx.trace_id if ctx else new_trace_id())
    if "parent_span_id" in partial:
        parent = partial["parent_span_id"]
    else:
        parent = ctx.span_id if ctx and trace_id == ctx.trace_id else None
    sid = partial.get("span_id")
    name = partial.get("name")
    kind = partial.get("kind")
    status = partial.get("status")
    start = partial.get("start_time") or partial.get("end_time") or iso_micro(t)
    span: dict[str, Any] = {
        "trace_id": trace_id,
        "span_id": sid if isinstance(sid, str) and _HEX16.match(sid) else new_span_id(),
        "parent_span_id": parent,
        "name": name[:256] if isinstance(name, str) and name else "span",
        "kind": kind if kind in KINDS else "other",
        "start_time": start,
        "end_time": partial.get("end_time") or iso_micro(t),
        "status": status if status in STATUSES else ("error" if partial.get("error_message") else "unset"),
    }
    for k, v in partial.items():
        if k not in span:
            span[k] = v
    attributes = clean_attributes(partial.get("attributes"))
    if attributes is not None:
        span["attributes"] = attributes
    tags = _clean_tags(partial.get("tags"))
    if tags is not None or (ctx and ctx.tags):
        span["tags"] = {**(ctx.tags if ctx else {}), **(tags or {})}
    if "agent" not in partial:
        agent = agent_of(ctx)
        if agent:
            span["agent"] = agent
    if "user_id" not in partial and ctx and ctx.user_id:
        span["user_id"] = ctx.user_id
    if "session_id" not in partial and ctx and ctx.session_id:
        span["session_id"] = ctx.session_id
    apply_context(span, runtime_context())
    return span


def llm_span(record: CallRecord, capture_content: bool) -> dict[str, Any]:
    x = record.extracted
    d = record.detected
    ctx = record.ctx
    attributes: dict[str, Any] = dict(record.attributes)
    if record.status is not None:
        attributes["http_status"] = record.status
    if record.request_id:
        attributes["request_id"] = record.request_id
    if x.response_id:
        attributes["response_id"] = x.response_id
    if x.finish_reason:
        attributes["finish_reason"] = x.finish_reason
    if record.retry_count:
        attributes["retry_count"] = record.retry_count
    if record.aborted:
        attributes["aborted"] = True
    if record.abandoned:
        attributes["incomplete"] = True
    if d.host:
        attributes["server.address"] = d.host
    if x.tool_calls:
        attributes["tool_call_count"] = len(x.tool_calls)
        attributes["tool_names"] = ",".join(t.name for t in x.tool_calls)
    model = record.request.model or x.response_model
    is_error = record.error is not None
    if not x.usage and not is_error and d.operation not in ("images", "audio", "moderations"):
        attributes["usage_missing"] = True
    start = record.start_wall
    ttft = record.ttft_ms
    span: dict[str, Any] = {
        "trace_id": ctx.trace_id if ctx else new_trace_id(),
        "span_id": record.span_id,
        "parent_span_id": (ctx.span_id if ctx else None) or (ctx.remote_parent_id if ctx else None),
        "name": f"{d.provider}.{d.operation}",
        "kind": "embedding" if d.operation == "embeddings" else "llm",
        "start_time": iso_micro(start),
        "end_time": iso_micro(start + record.duration_s),
        "status": "error" if is_error else ("unset" if record.abandoned else "ok"),
        "error_message": record.error,
        "provider": d.provider,
        "operation": d.operation,
        "stream": record.request.stream or record.mode in ("sse", "ndjson"),
        "ttft_ms": None if ttft is None else round(ttft, 3),
        "attributes": attributes,
    }
    if model:
        span["model"] = model
    if x.response_model and x.response_model != model:
        span["response_model"] = x.response_model
    if x.usage:
        span["usage"] = dict(x.usage)
    agent = agent_of(ctx)
    if agent:
        span["agent"] = agent
    if ctx and ctx.user_id:
        span["user_id"] = ctx.user_id
    if ctx and ctx.session_id:
        span["session_id"] = ctx.session_id
    if ctx and ctx.tags:
        span["tags"] = dict(ctx.tags)
    if capture_content:
        inp = cap_content(record.request.input, record.request.body_bytes, attributes, "input")
        if inp is not None:
            span["input"] = inp
        output: Any = (
            {"content": x.text or None, "tool_calls": [t.to_json() for t in x.tool_calls]}
            if x.tool_calls
            else (x.text or None)
        )
        capped = cap_content(output, None, attributes, "output")
        if capped is not None:
            span["output"] = capped
    apply_context(span, record.user)
    return span
