"""Capture for `aiohttp` (google-genai's async client uses it when it is installed):
ClientSession._request, observed from the bytes fed to the response's StreamReader, which the
application then reads unchanged."""

from __future__ import annotations

import importlib
import json as jsonlib
import time
from typing import Any, Callable

from ..errors import CircuitBreakerError
from ..ids import format_traceparent
from .capture import CallRecord
from .providers import detect

_orig: list[Callable[..., Any] | None] = [None]


def _body(kwargs: dict[str, Any]) -> bytes | None:
    data, js = kwargs.get("data"), kwargs.get("json")
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    if js is not None and data is None:
        try:
            return jsonlib.dumps(js).encode()
        except (TypeError, ValueError):
            return None
    return None


def _rewrite(kwargs: dict[str, Any], record: CallRecord, degrade_to: str | None, body: bytes | None, propagate: bool) -> None:
    try:
        if degrade_to and body is not None and record.request.model != degrade_to:
            parsed = jsonlib.loads(body)
            if isinstance(parsed, dict) and "model" in parsed:
                parsed["model"] = degrade_to
                if kwargs.get("json") is not None:
                    kwargs["json"] = parsed
                else:
                    kwargs["data"] = jsonlib.dumps(parsed).encode()
                record.attributes["degraded_from"] = record.request.model or ""
                record.request.model = degrade_to
        if propagate and record.ctx is not None:
            headers = dict(kwargs.get("headers") or {})
            headers["traceparent"] = format_traceparent(record.ctx.trace_id, record.span_id)
            kwargs["headers"] = headers
    except Exception:  # noqa: BLE001
        pass


# StreamReader and ClientResponse have __slots__: their methods are patched on the classes once, and
# dispatch to the record watching that object (a dict lookup for any other aiohttp traffic).
_readers: dict[int, tuple[Any, CallRecord]] = {}
_responses: dict[int, tuple[Any, CallRecord]] = {}
_class_orig: dict[str, Any] = {}


def _watched(table: dict[int, tuple[Any, CallRecord]], obj: Any, pop: bool = False) -> CallRecord | None:
    entry = table.get(id(obj))
    if entry is None or entry[0] is not obj:
        return None
    if pop:
        del table[id(obj)]
    return entry[1]


def _forget(record: CallRecord) -> None:
    for table in (_readers, _responses):
        for key, (_, r) in list(table.items()):
            if r is record:
                table.pop(key, None)


def _patch_classes(aiohttp: Any) -> None:
    reader_cls = aiohttp.streams.StreamReader
    response_cls = aiohttp.ClientResponse
    feed_data, feed_eof, set_exception = reader_cls.feed_data, reader_cls.feed_eof, reader_cls.set_exception
    release, close = response_cls.release, response_cls.close

    def on_data(self: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        r = feed_data(self, data, *args, **kwargs)
        if _readers:
            record = _watched(_readers, self)
            if record is not None:
                record.data(bytes(data))
        return r

    def on_eof(self: Any, *args: Any, **kwargs: Any) -> Any:
        r = feed_eof(self, *args, **kwargs)
        record = _watched(_readers, self, pop=True) if _readers else None
        if record is not None:
            _forget(record)
            record.end()
        return r

    def on_exception(self: Any, exc: BaseException, *args: Any, **kwargs: Any) -> Any:
        r = set_exception(self, exc, *args, **kwargs)
        record = _watched(_readers, self, pop=True) if _readers else None
        if record is not None:
            _forget(record)
            record.fail(exc)
        return r

    def closing(orig: Any) -> Any:
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            r = orig(self, *args, **kwargs)
            record = _watched(_responses, self, pop=True) if _responses else None
            if record is not None:
                _forget(record)
                if not record.finished:
                    record.close_early()
            return r

        return run

    _class_orig.update(feed_data=feed_data, feed_eof=feed_eof, set_exception=set_exception, release=release, close=close)
    reader_cls.feed_data, reader_cls.feed_eof, reader_cls.set_exception = on_data, on_eof, on_exception
    response_cls.release, response_cls.close = closing(release), closing(close)


def _unpatch_classes(aiohttp: Any) -> None:
    if not _class_orig:
        return
    reader_cls = aiohttp.streams.StreamReader
    reader_cls.feed_data = _class_orig["feed_data"]
    reader_cls.feed_eof = _class_orig["feed_eof"]
    reader_cls.set_exception = _class_orig["set_exception"]
    aiohttp.ClientResponse.release = _class_orig["release"]
    aiohttp.ClientResponse.close = _class_orig["close"]
    _class_orig.clear()
    _readers.clear()
    _responses.clear()


def _observe(resp: Any, record: CallRecord) -> None:
    headers = resp.headers
    # aiohttp decodes content-encoding before feeding the StreamReader (auto_decompress, the default).
    decoded = getattr(resp, "_auto_decompress", True) is not False
    record.response_start(
        resp.status, lambda n: None if (n == "content-encoding" and decoded) else headers.get(n)
    )
    content = resp.content
    buffered = list(getattr(content, "_buffer", ()) or ())  # what arrived with the headers
    for chunk in buffered:
        record.data(bytes(chunk))
    if content.is_eof():
        record.end()
        return
    _readers[id(content)] = (content, record)
    _responses[id(resp)] = (resp, record)


def install(hooks_slot: list[Any]) -> bool:
    if _orig[0] is not None:
        return True
    try:
        aiohttp = importlib.import_module("aiohttp")
    except Exception:  # noqa: BLE001 - not installed
        return False
    orig = aiohttp.ClientSession._request

    async def _request(self: Any, method: str, str_or_url: Any, **kwargs: Any) -> Any:
        hooks = hooks_slot[0]
        if hooks is None or method.upper() != "POST" or not hooks.active():
            return await orig(self, method, str_or_url, **kwargs)
        try:
            build = getattr(self, "_build_url", None)
            url = str(build(str_or_url) if build else str_or_url)
        except Exception:  # noqa: BLE001
            url = str(str_or_url)
        detected = detect(url, "POST")
        if detected is None:
            return await orig(self, method, str_or_url, **kwargs)
        record = hooks.begin(detected, url)
        body = _body(kwargs)
        record.set_request_body(body)
        try:
            degrade_to = await hooks.plan_async(record)
        except CircuitBreakerError as err:
            hooks.blocked(record, err)
            raise
        _rewrite(kwargs, record, degrade_to, body, hooks.propagate_traceparent())
        record.start_perf = time.perf_counter()
        try:
            resp = await orig(self, method, str_or_url, **kwargs)
        except BaseException as err:
            import asyncio

            record.fail(err, aborted=isinstance(err, asyncio.CancelledError))
            raise
        try:
            _observe(resp, record)
        except Exception:  # noqa: BLE001
            record.end()
        return resp

    _patch_classes(aiohttp)
    aiohttp.ClientSession._request = _request
    _orig[0] = orig
    return True


def uninstall() -> None:
    orig = _orig[0]
    if orig is None:
        return
    aiohttp = importlib.import_module("aiohttp")
    aiohttp.ClientSession._request = orig
    _unpatch_classes(aiohttp)
    _orig[0] = None
