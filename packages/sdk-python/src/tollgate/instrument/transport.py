"""Capture at the transport: httpx and httpx2 clients, sync and async, including clients created
before instrument() (the patch is on the client classes, below retries and redirects).

The response is observed from the byte stream the client reads: the application gets the very same
chunk objects, unchanged and undelayed; a copy of the reference is handed to the CallRecord.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Protocol

from ..errors import CircuitBreakerError
from ..ids import format_traceparent
from .capture import CallRecord
from .providers import Detected, detect


class Hooks(Protocol):
    def active(self) -> bool: ...
    def begin(self, detected: Detected, url: str) -> CallRecord: ...
    def plan_sync(self, record: CallRecord) -> str | None: ...
    async def plan_async(self, record: CallRecord) -> str | None: ...
    def blocked(self, record: CallRecord, err: BaseException) -> None: ...
    def propagate_traceparent(self) -> bool: ...


# The hooks in force; None when nothing is instrumented. One process-wide slot: patches are global.
_hooks: list[Hooks | None] = [None]


@dataclass
class _Patched:
    module: ModuleType
    sync_orig: Callable[..., Any]
    async_orig: Callable[..., Any]


_patched: dict[str, _Patched] = {}
_WANTED = frozenset(
    ("x-request-id", "request-id", "apim-request-id", "x-goog-request-id", "content-type", "content-encoding")
)
MODULES = ("httpx", "httpx2")
LIBRARIES = (*MODULES, "requests", "aiohttp")


def _request_body(request: Any) -> bytes | None:
    try:
        return bytes(request.content)
    except Exception:  # noqa: BLE001 - a streamed request body is not read (nor altered)
        return None


def _prepare(request: Any, detected: Detected, hooks: Hooks) -> tuple[CallRecord, bytes | None]:
    record = hooks.begin(detected, str(request.url))
    body = _request_body(request)
    record.set_request_body(body)
    try:
        retry = request.headers.get("x-stainless-retry-count")
        if retry is not None:
            record.retry_count = int(retry) if retry.isdigit() else 0
    except Exception:  # noqa: BLE001
        pass
    return record, body


def _rewrite(mod: ModuleType, request: Any, record: CallRecord, degrade_to: str | None, body: bytes | None) -> Any:
    """Degrade (the model of the body) and traceparent. Never raises: on any doubt, the request stays."""
    try:
        frm = record.request.model
        if degrade_to and body is not None and frm != degrade_to:
            parsed = json.loads(body)
            if isinstance(parsed, dict) and "model" in parsed:
                parsed["model"] = degrade_to
                headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
                request = mod.Request(
                    request.method,
                    request.url,
                    headers=headers,
                    content=json.dumps(parsed).encode(),
                    extensions=request.extensions,
                )
                record.attributes["degraded_from"] = frm or ""
                record.request.model = degrade_to
        hooks = _hooks[0]
        if hooks is not None and hooks.propagate_traceparent() and record.ctx is not None:
            request.headers["traceparent"] = format_traceparent(record.ctx.trace_id, record.span_id)
    except Exception:  # noqa: BLE001
        pass
    return request


def _block_stainless() -> None:
    """Stainless clients (openai, anthropic) retry some transport errors with backoff; a block cannot
    succeed on retry, so their retry sleep re-raises it at once (nothing is sent either way)."""
    for name in ("anthropic._base_client", "openai._base_client"):
        mod = sys.modules.get(name)
        if mod is None:
            continue
        for cls_name in ("SyncAPIClient", "AsyncAPIClient"):
            cls = getattr(mod, cls_name, None)
            orig = getattr(cls, "_sleep_for_retry", None) if cls else None
            if cls is None or orig is None or getattr(orig, "_tollgate", False):
                continue
            if cls_name == "SyncAPIClient":

                def sleep(self: Any, *a: Any, _orig: Any = orig, **k: Any) -> Any:
                    from ..errors import find_circuit_breaker_error

                    cb = find_circuit_breaker_error(sys.exc_info()[1])
                    if cb is not None:
                        raise cb
                    return _orig(self, *a, **k)

            else:

                async def sleep(self: Any, *a: Any, _orig: Any = orig, **k: Any) -> Any:  # type: ignore[misc]
                    from ..errors import find_circuit_breaker_error

                    cb = find_circuit_breaker_error(sys.exc_info()[1])
                    if cb is not None:
                        raise cb
                    return await _orig(self, *a, **k)

            sleep._tollgate = True  # type: ignore[attr-defined]
            sleep._tollgate_orig = orig  # type: ignore[attr-defined]
            setattr(cls, "_sleep_for_retry", sleep)


def _unblock_stainless() -> None:
    for name in ("anthropic._base_client", "openai._base_client"):
        mod = sys.modules.get(name)
        for cls_name in ("SyncAPIClient", "AsyncAPIClient"):
            cls = getattr(mod, cls_name, None) if mod else None
            fn = getattr(cls, "_sleep_for_retry", None) if cls else None
            if fn is not None and getattr(fn, "_tollgate", False):
                setattr(cls, "_sleep_for_retry", fn._tollgate_orig)


def _stream_classes(mod: ModuleType) -> tuple[type, type]:
    """Stream wrappers subclassing the module's own stream types (clients assert on them)."""

    class ObservedSyncStream(mod.SyncByteStream):  # type: ignore[name-defined,misc]
        def __init__(self, inner: Any, record: CallRecord) -> None:
            self._inner = inner
            self._record = record

        def __iter__(self) -> Any:
            record = self._record
            try:
                for chunk in self._inner:
                    record.data(chunk)
                    yield chunk
            except GeneratorExit:
                raise
            except BaseException as err:
                record.fail(err)
                raise
            record.end()

        def close(self) -> None:
            try:
                self._inner.close()
            finally:
                if not self._record.finished:
                    self._record.close_early()

        def __del__(self) -> None:
            try:
                if not self._record.finished:
                    self._record.abandon()
            except Exception:  # noqa: BLE001
                pass

    class ObservedAsyncStream(mod.AsyncByteStream):  # type: ignore[name-defined,misc]
        def __init__(self, inner: Any, record: CallRecord) -> None:
            self._inner = inner
            self._record = record

        async def __aiter__(self) -> Any:
            record = self._record
            try:
                async for chunk in self._inner:
                    record.data(chunk)
                    yield chunk
            except GeneratorExit:
                raise
            except BaseException as err:
                record.fail(err, aborted=_is_cancel(err))
                raise
            record.end()

        async def aclose(self) -> None:
            try:
                await self._inner.aclose()
            finally:
                if not self._record.finished:
                    self._record.close_early()

        def __del__(self) -> None:
            try:
                if not self._record.finished:
                    self._record.abandon()
            except Exception:  # noqa: BLE001
                pass

    return ObservedSyncStream, ObservedAsyncStream


def _is_cancel(err: BaseException) -> bool:
    import asyncio

    return isinstance(err, asyncio.CancelledError)


def _observe(response: Any, record: CallRecord, stream_cls: type) -> None:
    try:
        # One pass over the raw headers instead of a case-insensitive lookup per name.
        wanted = _WANTED
        found: dict[str, str] = {}
        for k, v in response.headers.raw:
            name = k.decode("latin-1").lower()
            if name in wanted and name not in found:
                found[name] = v.decode("latin-1")
        record.response_start(response.status_code, found.get)
        response.stream = stream_cls(response.stream, record)
    except Exception:  # noqa: BLE001 - unobserved: the span has status and latency only
        record.end()


# The same few URLs repeat: detection (a URL parse and a few regexes) is done once per URL.
_detected: dict[str, Detected | None] = {}


def detect_cached(url: str) -> Detected | None:
    try:
        return _detected[url]
    except KeyError:
        pass
    d = detect(url, "POST")
    if len(_detected) >= 1024:
        _detected.clear()
    _detected[url] = d
    return d


def _detect(client: Any, request: Any) -> tuple[Detected | None, Hooks | None]:
    hooks = _hooks[0]
    if hooks is None or request.method != "POST" or getattr(client, "_tollgate_internal", False):
        return None, None
    if not hooks.active():
        return None, None
    return detect_cached(str(request.url)), hooks


def _patch(name: str) -> bool:
    if name in _patched:
        return True
    try:
        mod = importlib.import_module(name)
    except Exception:  # noqa: BLE001 - not installed
        return False
    if any(p.module is mod for p in _patched.values()):
        return True  # httpx aliased to httpx2: one patch
    sync_orig = mod.Client._send_single_request
    async_orig = mod.AsyncClient._send_single_request
    sync_stream, async_stream = _stream_classes(mod)

    def send_single(self: Any, request: Any) -> Any:
        detected, hooks = _detect(self, request)
        if detected is None or hooks is None:
            return sync_orig(self, request)
        record, body = _prepare(request, detected, hooks)
        try:
            degrade_to = hooks.plan_sync(record)
        except CircuitBreakerError as err:
            hooks.blocked(record, err)
            _block_stainless()
            raise
        request = _rewrite(mod, request, record, degrade_to, body)
        record.start_perf = time.perf_counter()
        try:
            response = sync_orig(self, request)
        except BaseException as err:
            record.fail(err)
            raise
        _observe(response, record, sync_stream)
        return response

    async def async_send_single(self: Any, request: Any) -> Any:
        detected, hooks = _detect(self, request)
        if detected is None or hooks is None:
            return await async_orig(self, request)
        record, body = _prepare(request, detected, hooks)
        try:
            degrade_to = await hooks.plan_async(record)
        except CircuitBreakerError as err:
            hooks.blocked(record, err)
            _block_stainless()
            raise
        request = _rewrite(mod, request, record, degrade_to, body)
        record.start_perf = time.perf_counter()
        try:
            response = await async_orig(self, request)
        except BaseException as err:
            record.fail(err, aborted=_is_cancel(err))
            raise
        _observe(response, record, async_stream)
        return response

    mod.Client._send_single_request = send_single
    mod.AsyncClient._send_single_request = async_send_single
    _patched[name] = _Patched(mod, sync_orig, async_orig)
    return True


def install(hooks: Hooks) -> dict[str, bool]:
    from . import aiohttp_patch, requests_patch

    _hooks[0] = hooks
    hooked = {name: _patch(name) for name in MODULES}
    hooked["requests"] = requests_patch.install(_hooks)
    hooked["aiohttp"] = aiohttp_patch.install(_hooks)
    _block_stainless()
    return hooked


def uninstall() -> None:
    from . import aiohttp_patch, requests_patch

    _hooks[0] = None
    requests_patch.uninstall()
    aiohttp_patch.uninstall()
    for name, p in list(_patched.items()):
        p.module.Client._send_single_request = p.sync_orig
        p.module.AsyncClient._send_single_request = p.async_orig
        del _patched[name]
    _unblock_stainless()
