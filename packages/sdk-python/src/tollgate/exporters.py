"""on_span exporters: console, JSONL files, filters, transforms, memory (local development, tests)."""

from __future__ import annotations

import copy
import json
import os
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from .pricing import price_of, prices_loaded

SpanExporter = Callable[[Mapping[str, Any]], Any]


def _ms(span: Mapping[str, Any]) -> int:
    def parse(v: Any) -> float | None:
        if isinstance(v, (int, float)):
            return float(v) / 1000
        try:
            return datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None

    start, end = parse(span.get("start_time")), parse(span.get("end_time"))
    return max(0, round((end - start) * 1000)) if start is not None and end is not None else 0


def _cost(span: Mapping[str, Any]) -> float | None:
    cost = span.get("cost")
    if isinstance(cost, dict) and isinstance(cost.get("total_usd"), (int, float)):
        return float(cost["total_usd"])
    if not span.get("usage") or not prices_loaded():
        return None
    c = price_of(span.get("provider"), span.get("response_model") or span.get("model"), span.get("usage"))
    return c["total_usd"] if c else None


def format_span_line(span: Mapping[str, Any]) -> str:
    """`[tollgate] provider model latency tokens cost ttft trace`."""
    parts = ["[tollgate]"]
    if span.get("kind") in ("llm", "embedding"):
        parts += [str(span.get("provider") or "?"), str(span.get("model") or "?")]
    else:
        parts += [str(span.get("kind")), str(span.get("name"))]
    parts.append(f"{_ms(span)}ms")
    usage = span.get("usage")
    if isinstance(usage, dict):
        parts.append(f"tokens {usage.get('input_tokens', 0)} in / {usage.get('output_tokens', 0)} out")
    cost = _cost(span)
    if cost is not None:
        parts.append(f"${cost:.6f}")
    if span.get("stream") and span.get("ttft_ms") is not None:
        parts.append(f"ttft {round(span['ttft_ms'])}ms")
    if span.get("status") == "error":
        parts.append(f"ERROR {str(span.get('error_message') or '')[:120]}")
    parts.append(f"trace {str(span.get('trace_id'))[:8]}")
    return " ".join(parts)


def console_exporter(write: Callable[[str], Any] | None = None) -> SpanExporter:
    """One line per span.

    Example::

        tollgate.init(deliver=False, on_span=tollgate.console_exporter())
        # [tollgate] openai gpt-4o-mini 412ms tokens 11 in / 6 out $0.000005 trace 3f2a9c1e
    """
    out = write or (lambda line: sys.stdout.write(line + "\n"))
    return lambda span: out(format_span_line(span))


def file_exporter(dir: str | os.PathLike[str], prefix: str = "spans") -> SpanExporter:
    """Appends each span as one JSON line to `<dir>/<prefix>-YYYY-MM-DD.jsonl` (UTC day of its end).

    Example::

        tollgate.init(deliver=False, on_span=tollgate.file_exporter("./logs"))
    """
    base = Path(dir)
    lock = threading.Lock()

    def export(span: Mapping[str, Any]) -> None:
        end = span.get("end_time")
        try:
            day = datetime.fromisoformat(str(end).replace("Z", "+00:00")).strftime("%Y-%m-%d")
        except ValueError:
            day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        line = json.dumps(span, default=str, ensure_ascii=False) + "\n"
        with lock:
            base.mkdir(parents=True, exist_ok=True)
            with open(base / f"{prefix}-{day}.jsonl", "a", encoding="utf-8") as f:
                f.write(line)

    return export


def filter_exporter(keep: Callable[[Mapping[str, Any]], bool], next: SpanExporter) -> SpanExporter:
    """Passes on only the spans `keep` accepts."""
    return lambda span: next(span) if keep(span) else None


def transform_exporter(fn: Callable[[dict[str, Any]], dict[str, Any] | None], next: SpanExporter) -> SpanExporter:
    """Passes on what `fn` returns (a copy to change freely); None drops the span."""

    def export(span: Mapping[str, Any]) -> Any:
        out = fn(copy.deepcopy(dict(span)))
        return next(out) if out is not None else None

    return export


class MemoryExporter:
    """Keeps spans in a list (tests, notebooks)."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []

    def __call__(self, span: Mapping[str, Any]) -> None:
        self.spans.append(copy.deepcopy(dict(span)))


def memory_exporter() -> MemoryExporter:
    return MemoryExporter()


class Exports:
    """Runs the configured exporters; a failing one is ignored; coroutines run on the caller's loop."""

    def __init__(self, exporters: list[SpanExporter], on_error: Callable[[BaseException], None]) -> None:
        self._list = exporters
        self._on_error = on_error
        self._pending: set[Any] = set()

    def __len__(self) -> int:
        return len(self._list)

    def run(self, span: Mapping[str, Any]) -> None:
        for exporter in self._list:
            try:
                r = exporter(span)
                if hasattr(r, "__await__"):
                    self._schedule(r)
            except Exception as err:  # noqa: BLE001
                self._on_error(err)

    def _schedule(self, r: Any) -> None:
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            try:
                asyncio.run(r)
            except Exception as err:  # noqa: BLE001
                self._on_error(err)
            return
        task = loop.create_task(r)
        self._pending.add(task)

        def done(t: Any) -> None:
            self._pending.discard(t)
            if not t.cancelled() and t.exception() is not None:
                self._on_error(t.exception())

        task.add_done_callback(done)
