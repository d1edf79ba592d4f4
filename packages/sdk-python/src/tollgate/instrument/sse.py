"""Incremental Server-Sent Events and NDJSON parsers over a copy of the bytes."""

from __future__ import annotations

import codecs
from typing import Callable

# A line longer than this is not an LLM event; stop buffering rather than grow without bound.
MAX_LINE = 4 * 1024 * 1024


class SseParser:
    """WHATWG rules: CR, LF or CRLF line ends, multi-line `data`, comments."""

    def __init__(self, on_event: Callable[[str, str | None], None]) -> None:
        self._on_event = on_event
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buf = ""
        self._data: list[str] = []
        self._event: str | None = None
        self._overflow = False

    def push(self, chunk: bytes) -> None:
        self._feed(self._decoder.decode(chunk))

    def end(self) -> None:
        self._feed(self._decoder.decode(b"", final=True))
        if self._buf:
            self._line(self._buf.rstrip("\r"))
        self._buf = ""
        self._dispatch()

    def _feed(self, text: str) -> None:
        if not text:
            return
        s = self._buf + text
        start = 0
        if "\r" in s:
            i, n = 0, len(s)
            while i < n:
                c = s[i]
                if c == "\n" or c == "\r":
                    # A CR at the very end may be half of a CRLF cut by the chunk boundary: wait for more.
                    if c == "\r" and i == n - 1:
                        break
                    self._line(s[start:i])
                    if c == "\r" and s[i + 1] == "\n":
                        i += 1
                    start = i + 1
                i += 1
        else:
            i = s.find("\n")
            while i != -1:
                self._line(s[start:i])
                start = i + 1
                i = s.find("\n", start)
        self._buf = s[start:]
        if len(self._buf) > MAX_LINE:
            self._buf = ""
            self._overflow = True

    def _line(self, line: str) -> None:
        if self._overflow:
            self._overflow = False
            return
        if line == "":
            self._dispatch()
            return
        if line[0] == ":":
            return
        colon = line.find(":")
        field = line if colon == -1 else line[:colon]
        value = "" if colon == -1 else line[colon + 1 :]
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value

    def _dispatch(self) -> None:
        if self._data:
            self._on_event("\n".join(self._data), self._event)
        self._data = []
        self._event = None


class NdjsonParser:
    """Newline-delimited JSON (Ollama's native streams)."""

    def __init__(self, on_line: Callable[[str, str | None], None]) -> None:
        self._on_line = on_line
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buf = ""

    def push(self, chunk: bytes) -> None:
        s = self._buf + self._decoder.decode(chunk)
        lines = s.split("\n")
        self._buf = lines.pop()
        if len(self._buf) > MAX_LINE:
            self._buf = ""
        for line in lines:
            if line.strip():
                self._on_line(line, None)

    def end(self) -> None:
        rest = self._buf + self._decoder.decode(b"", final=True)
        self._buf = ""
        if rest.strip():
            self._on_line(rest, None)
