"""One intercepted LLM call, from request to last byte.

It observes a copy of what flows by; nothing here can change or delay what the application reads.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable

from ..context import TraceContext, current_context, runtime_context
from ..ids import new_span_id
from .json_util import at, string, try_parse
from .providers import Detected
from .response import Extracted, ResponseReader, error_from_body
from .sse import NdjsonParser, SseParser

_FINISHED = re.compile(
    rb'data: \[DONE\]|"(?:message_stop|response\.completed|response\.failed|response\.incomplete)"'
    rb'|"(?:finish_reason|finishReason|stop_reason)":\s*"'
)
_TERMINAL_EVENTS = ("message_stop", "response.completed", "response.failed", "response.incomplete")
# A JSON body larger than this is passed through unread (no usage) rather than buffered.
MAX_JSON_BYTES = 8 * 1024 * 1024
# Stream bytes kept for reading after the stream ended; beyond this they are parsed as they come.
MAX_DEFERRED_BYTES = 4 * 1024 * 1024


@dataclass
class RequestInfo:
    model: str | None = None
    stream: bool = False
    input: Any = None
    body_bytes: int = 0


def read_request(detected: Detected, body: bytes | None) -> RequestInfo:
    parsed = try_parse(body) if body else None
    stream = at(parsed, "stream") is True or detected.path_stream
    model = string(at(parsed, "model")) or detected.path_model
    if detected.flavor == "anthropic":
        system = at(parsed, "system")
        inp = at(parsed, "messages") if system is None else {"system": system, "messages": at(parsed, "messages")}
    elif detected.flavor == "gemini":
        system = at(parsed, "systemInstruction")
        contents = at(parsed, "contents")
        inp = (
            (contents if contents is not None else at(parsed, "content"))
            if system is None
            else {"system": system, "contents": contents}
        )
    else:
        instructions = at(parsed, "instructions")
        main = at(parsed, "messages")
        if main is None:
            main = at(parsed, "input")
        if main is None:
            main = at(parsed, "prompt")
        inp = main if instructions is None else {"instructions": instructions, "input": main}
    return RequestInfo(model, stream, inp, len(body) if body else 0)


def _decompressor(encoding: str) -> Any:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


class CallRecord:
    def __init__(self, detected: Detected, url: str, on_finish: Callable[[CallRecord], None]) -> None:
        self.detected = detected
        self.url = url
        self._on_finish = on_finish
        self.span_id = new_span_id()
        self.ctx: TraceContext | None = current_context()
        self.user = runtime_context()
        self.start_wall = time.time()
        self.start_perf = time.perf_counter()
        self._request: RequestInfo | None = RequestInfo()
        self._request_body: bytes | None = None
        self.plan: Any = None
        self.attributes: dict[str, Any] = {}
        self.status: int | None = None
        self.request_id: str | None = None
        self.retry_count: int | None = None
        self.mode = "json"
        self.first_token_perf: float | None = None
        self.first_event_perf: float | None = None
        self.end_perf: float | None = None
        self.error: str | None = None
        self.aborted = False
        self.finished = False
        self.abandoned = False
        self._reader = ResponseReader(detected.flavor, detected.operation)
        self._parser: SseParser | NdjsonParser | None = None
        self._decoder: Any = None
        self._encoding = ""
        self._json: list[bytes] = []
        self._json_bytes = 0
        self._deferred: list[bytes] = []
        self._deferred_bytes = 0
        self._saw_terminal = False
        self._settled = False
        self._lock = threading.Lock()

    @property
    def request(self) -> RequestInfo:
        """What the request said; its body is parsed on first use (often off the caller's path)."""
        info = self._request
        if info is None:
            try:
                info = read_request(self.detected, self._request_body)
            except Exception:  # noqa: BLE001
                info = RequestInfo(body_bytes=len(self._request_body or b""))
            self._request = info
            self._request_body = None
        return info

    @request.setter
    def request(self, info: RequestInfo) -> None:
        self._request = info

    def set_request_body(self, body: bytes | None) -> None:
        self._request = None
        self._request_body = body

    @property
    def extracted(self) -> Extracted:
        return self._reader.out

    @property
    def usage(self) -> dict[str, int] | None:
        return self._reader.out.usage

    @property
    def duration_s(self) -> float:
        return (self.end_perf if self.end_perf is not None else time.perf_counter()) - self.start_perf

    @property
    def ttft_ms(self) -> float | None:
        if not (self.request.stream or self.mode != "json"):
            return None
        t = self.first_token_perf if self.first_token_perf is not None else self.first_event_perf
        return None if t is None else (t - self.start_perf) * 1000

    def response_start(self, status: int, header: Callable[[str], str | None]) -> None:
        self.status = status
        self.request_id = (
            header("x-request-id") or header("request-id") or header("apim-request-id") or header("x-goog-request-id")
        )
        ctype = (header("content-type") or "").lower()
        self.mode = "sse" if "text/event-stream" in ctype else "ndjson" if "ndjson" in ctype else "json"
        self._encoding = (header("content-encoding") or "").lower().strip()
        if self._encoding and self._encoding != "identity":
            self._decoder = _decompressor(self._encoding)
            if self._decoder is None:  # br and others: latency and status only
                self.mode = "opaque"
                return
        if self.mode == "sse":
            self._parser = SseParser(self._on_event)
        elif self.mode == "ndjson":
            self._parser = NdjsonParser(self._on_event)

    def data(self, chunk: bytes) -> None:
        """A chunk of the raw response body (the same object the application gets; never modified)."""
        if self.finished or not chunk:
            return
        try:
            if self._decoder is not None:
                chunk = self._decoder.decompress(chunk)
            if self._parser is not None:
                # Events are parsed until the first token (time to first token), then only kept:
                # parsing every chunk on the application's read path would cost the stream.
                if self.first_token_perf is None or self._deferred_bytes + len(chunk) > MAX_DEFERRED_BYTES:
                    self._parser.push(chunk)
                else:
                    self._deferred.append(chunk)
                    self._deferred_bytes += len(chunk)
            elif self.mode == "json":
                if self._json_bytes + len(chunk) <= MAX_JSON_BYTES:
                    self._json.append(chunk)
                    self._json_bytes += len(chunk)
                else:
                    self._json = []
                    self.mode = "opaque"
        except Exception:  # noqa: BLE001 - telemetry parsing never reaches the application
            self._parser = None
            self._deferred = []

    def _on_event(self, data: str, name: str | None) -> None:
        if self.first_event_perf is None:
            self.first_event_perf = time.perf_counter()
        if data == "[DONE]" or name in _TERMINAL_EVENTS:
            self._saw_terminal = True
            if data == "[DONE]":
                return
        parsed = try_parse(data)
        if parsed is not None and self._reader.event(parsed, name) and self.first_token_perf is None:
            self.first_token_perf = time.perf_counter()

    def end(self) -> None:
        """The body was read to its end. What it says is read by settle(), now or later."""
        if self.finished:
            return
        if self.end_perf is None:
            self.end_perf = time.perf_counter()
        self._finish()

    @property
    def failed_by_status(self) -> bool:
        return (self.status or 0) >= 400 or (self.error is not None and not self.aborted)

    def settle(self) -> None:
        """Reads what was kept (stream events, the JSON body): usage, content, errors. Idempotent;
        the client calls it on the caller's path only when a budget needs the figures at once."""
        with self._lock:
            if self._settled:
                return
            self._settled = True
        self._read_stream()
        try:
            if self.mode == "json" and self._json:
                body = try_parse(b"".join(self._json))
                if (self.status or 0) >= 400:
                    if self.error is None:
                        self.error = error_from_body(body) or f"HTTP {self.status}"
                elif body is not None:
                    self._reader.json(body)
        except Exception:  # noqa: BLE001 - a body we cannot read still yields a span
            pass
        self._json = []
        if (self.status or 0) >= 400 and self.error is None:
            self.error = f"HTTP {self.status}"
        if self.error is None:
            self.error = self._reader.out.error

    def _read_stream(self) -> None:
        """Reads the kept stream bytes, in order."""
        try:
            if self._decoder is not None:
                tail = self._decoder.flush()
                self._decoder = None
                if tail and self.mode == "json":
                    self._json.append(tail)
                elif tail:
                    self._deferred.append(tail)
            parser = self._parser
            if parser is not None:
                deferred, self._deferred, self._deferred_bytes = self._deferred, [], 0
                for chunk in deferred:
                    parser.push(chunk)
                parser.end()
                self._parser = None
        except Exception:  # noqa: BLE001 - partial content is still a span
            self._parser = None

    def close_early(self) -> None:
        """The client closed the body before its last byte: a normal end when the stream had
        already said it was over ([DONE], message_stop, a finish reason), an abort otherwise."""
        if self.finished:
            return
        if self._looks_finished():
            self.end()
        else:
            self.fail("closed before the end", aborted=True)

    def _looks_finished(self) -> bool:
        """Without parsing what was kept (that happens later, off the caller's path): did the stream
        already carry its terminal event or a finish reason?"""
        if self._saw_terminal or self._reader.out.finish_reason is not None:
            return True
        if self._decoder is not None:
            self._read_stream()  # compressed: the kept bytes are not searchable as such
            return self._saw_terminal or self._reader.out.finish_reason is not None
        return any(_FINISHED.search(chunk) for chunk in reversed(self._deferred))

    def fail(self, err: BaseException | str, aborted: bool = False) -> None:
        if self.finished:
            return
        if self.end_perf is None:
            self.end_perf = time.perf_counter()
        self.aborted = aborted
        self.error = "aborted by the client" if aborted else _err_text(err)
        self._finish()

    def abandon(self) -> None:
        """Becomes a span now with what was seen so far (shutdown deadline, process exit)."""
        if self.finished:
            return
        self.abandoned = True
        if self.end_perf is None:
            self.end_perf = time.perf_counter()
        self._finish()

    def _finish(self) -> None:
        with self._lock:
            if self.finished:
                return
            self.finished = True
        self._on_finish(self)


def _err_text(err: BaseException | str) -> str:
    if isinstance(err, BaseException):
        msg = str(err) or type(err).__name__
        cause = err.__cause__
        if cause is not None and str(cause):
            msg = f"{msg}: {cause}"
        return msg[:2048]
    return str(err)[:2048]
