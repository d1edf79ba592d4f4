"""W3C trace and span ids, and the `traceparent` header."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$")


def new_trace_id() -> str:
    """32 lowercase hex chars, never all zeros."""
    while True:
        h = os.urandom(16).hex()
        if h != _ZERO_TRACE:
            return h


def new_span_id() -> str:
    """16 lowercase hex chars, never all zeros."""
    while True:
        h = os.urandom(8).hex()
        if h != _ZERO_SPAN:
            return h


@dataclass(frozen=True)
class TraceParent:
    trace_id: str
    parent_span_id: str
    sampled: bool


def parse_traceparent(header: str | None) -> TraceParent | None:
    """None for anything malformed, version `ff` and all-zero ids, as the spec requires."""
    if not isinstance(header, str):
        return None
    text = header.strip().lower()
    m = _TRACEPARENT.match(text)
    if not m:
        return None
    version, trace_id, span_id, flags = m.groups()
    if version == "ff" or trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    if version == "00" and len(text) != 55:
        return None
    return TraceParent(trace_id, span_id, (int(flags, 16) & 1) == 1)


def format_traceparent(trace_id: str, span_id: str, sampled: bool = True) -> str:
    return f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"
