"""W3C `traceparent` / B3 single-header propagation across services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, MutableMapping

from .context import current_context
from .ids import TraceParent, format_traceparent, parse_traceparent

PropagationFormat = Literal["w3c", "b3", "both"]
_HEX = re.compile(r"^[0-9a-f]+$")
_ZERO = re.compile(r"^0+$")


@dataclass(frozen=True)
class RemoteContext:
    trace_id: str
    parent_span_id: str
    sampled: bool
    traceparent: str


def _read(headers: Any, name: str) -> str | None:
    try:
        for key in headers.keys():
            if str(key).lower() == name:
                v = headers[key]
                found = v[0] if isinstance(v, (list, tuple)) else v
                return found if isinstance(found, str) else None
    except Exception:  # noqa: BLE001
        return None
    return None


def parse_b3(header: str | None) -> TraceParent | None:
    if not header:
        return None
    parts = header.strip().lower().split("-")
    if len(parts) < 2:
        return None
    trace_raw, span_id = parts[0], parts[1]
    flag = parts[2] if len(parts) > 2 else None
    if len(trace_raw) not in (16, 32) or not _HEX.match(trace_raw) or _ZERO.match(trace_raw):
        return None
    if len(span_id) != 16 or not _HEX.match(span_id) or _ZERO.match(span_id):
        return None
    return TraceParent(trace_raw.rjust(32, "0"), span_id, flag != "0")


def inject(headers: MutableMapping[str, str], format: PropagationFormat = "w3c") -> MutableMapping[str, str]:
    """Writes the current span's context into outgoing headers; nothing outside a trace.

    Example::

        with tollgate.trace("checkout"):
            httpx.post(billing_url, headers=tollgate.inject({}))
    """
    ctx = current_context()
    if ctx is None:
        return headers
    if format != "b3":
        headers["traceparent"] = format_traceparent(ctx.trace_id, ctx.span_id)
    if format != "w3c":
        headers["b3"] = f"{ctx.trace_id}-{ctx.span_id}-1"
    return headers


def extract(headers: Any) -> RemoteContext | None:
    """Reads `traceparent`, then `b3`; None when neither holds a valid context.

    Example::

        remote = tollgate.extract(request.headers)
        with tollgate.trace("charge", traceparent=remote.traceparent if remote else None): ...
    """
    found = parse_traceparent(_read(headers, "traceparent")) or parse_b3(_read(headers, "b3"))
    if found is None:
        return None
    return RemoteContext(
        found.trace_id,
        found.parent_span_id,
        found.sampled,
        format_traceparent(found.trace_id, found.parent_span_id, found.sampled),
    )
