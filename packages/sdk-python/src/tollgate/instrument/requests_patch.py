"""Capture for `requests` (google-auth's AuthorizedSession, which google-genai uses on its mTLS path,
and older provider clients): HTTPAdapter.send, observed from the chunks Response.iter_content reads."""

from __future__ import annotations

import importlib
import json
import time
from typing import Any, Callable

from ..errors import CircuitBreakerError
from ..ids import format_traceparent
from .capture import CallRecord
from .providers import detect

_orig: list[Callable[..., Any] | None] = [None]


def _body(request: Any) -> bytes | None:
    b = request.body
    if isinstance(b, bytes):
        return b
    if isinstance(b, str):
        return b.encode()
    return None  # a file or generator body is neither read nor altered


def _rewrite(request: Any, record: CallRecord, degrade_to: str | None, body: bytes | None, propagate: bool) -> None:
    try:
        if degrade_to and body is not None and record.request.model != degrade_to:
            parsed = json.loads(body)
            if isinstance(parsed, dict) and "model" in parsed:
                parsed["model"] = degrade_to
                new = json.dumps(parsed).encode()
                request.body = new
                request.headers["Content-Length"] = str(len(new))
                record.attributes["degraded_from"] = record.request.model or ""
                record.request.model = degrade_to
        if propagate and record.ctx is not None:
            request.headers["traceparent"] = format_traceparent(record.ctx.trace_id, record.span_id)
    except Exception:  # noqa: BLE001
        pass


def _observe(response: Any, record: CallRecord) -> None:
    raw = response.raw
    headers = response.headers
    # urllib3 decodes content-encoding before iter_content's chunks: they are identity here.
    record.response_start(response.status_code, lambda n: None if n == "content-encoding" else headers.get(n))
    stream = getattr(raw, "stream", None)
    if stream is None:
        record.end()
        return

    def observed(*args: Any, **kwargs: Any) -> Any:
        try:
            for chunk in stream(*args, **kwargs):
                record.data(chunk)
                yield chunk
        except GeneratorExit:
            record.close_early()
            raise
        except BaseException as err:
            record.fail(err)
            raise
        record.end()

    raw.stream = observed


def install(hooks_slot: list[Any]) -> bool:
    if _orig[0] is not None:
        return True
    try:
        adapters = importlib.import_module("requests.adapters")
    except Exception:  # noqa: BLE001 - not installed
        return False
    orig = adapters.HTTPAdapter.send

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        hooks = hooks_slot[0]
        if hooks is None or request.method != "POST" or not hooks.active():
            return orig(self, request, *args, **kwargs)
        detected = detect(request.url, "POST")
        if detected is None:
            return orig(self, request, *args, **kwargs)
        record = hooks.begin(detected, request.url)
        body = _body(request)
        record.set_request_body(body)
        try:
            degrade_to = hooks.plan_sync(record)
        except CircuitBreakerError as err:
            hooks.blocked(record, err)
            raise
        _rewrite(request, record, degrade_to, body, hooks.propagate_traceparent())
        record.start_perf = time.perf_counter()
        try:
            response = orig(self, request, *args, **kwargs)
        except BaseException as err:
            record.fail(err)
            raise
        try:
            _observe(response, record)
        except Exception:  # noqa: BLE001
            record.end()
        return response

    adapters.HTTPAdapter.send = send
    _orig[0] = orig
    return True


def uninstall() -> None:
    orig = _orig[0]
    if orig is None:
        return
    adapters = importlib.import_module("requests.adapters")
    adapters.HTTPAdapter.send = orig
    _orig[0] = None
