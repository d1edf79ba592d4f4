"""The capture of one call at the byte level: NDJSON, gzip'd SSE, events cut anywhere, detection."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from tollgate.instrument.capture import CallRecord, read_request
from tollgate.instrument.providers import detect


def run(url: str, body: dict[str, Any], headers: dict[str, str], chunks: list[bytes]) -> CallRecord:
    d = detect(url, "POST")
    assert d is not None
    done: list[CallRecord] = []
    r = CallRecord(d, url, done.append)
    r.request = read_request(d, json.dumps(body).encode())
    r.response_start(200, lambda n: headers.get(n))
    for c in chunks:
        r.data(c)
    r.end()
    r.settle()
    assert done == [r]
    return r


def cut(data: bytes, every: int) -> list[bytes]:
    return [data[i : i + every] for i in range(0, len(data), every)]


def test_ollama_ndjson_stream() -> None:
    lines = [
        {"model": "llama3", "message": {"role": "assistant", "content": "Hel"}, "done": False},
        {"model": "llama3", "message": {"role": "assistant", "content": "lo"}, "done": False},
        {"model": "llama3", "message": {"content": ""}, "done": True, "prompt_eval_count": 7, "eval_count": 2},
    ]
    raw = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
    r = run(
        "http://127.0.0.1:11434/api/chat",
        {"model": "llama3", "messages": [{"role": "user", "content": "Hi"}], "stream": True},
        {"content-type": "application/x-ndjson"},
        cut(raw, 7),
    )
    x = r.extracted
    assert (r.detected.provider, r.mode, x.text) == ("ollama", "ndjson", "Hello")
    assert x.usage == {"input_tokens": 7, "output_tokens": 2, "total_tokens": 9}
    assert r.ttft_ms is not None


@pytest.mark.parametrize("every", [1, 5, 64, 10_000])
def test_gzipped_sse_with_crlf_cut_anywhere(every: int) -> None:
    events = [
        {"type": "message_start", "message": {"model": "claude-x", "id": "m1", "usage": {"input_tokens": 4, "output_tokens": 1}}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "é€"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}},
    ]
    text = "".join(f"event: {e['type']}\r\ndata: {json.dumps(e)}\r\n\r\n" for e in events)
    raw = gzip.compress(text.encode())
    r = run(
        "https://api.anthropic.com/v1/messages",
        {"model": "claude-x", "messages": [], "stream": True},
        {"content-type": "text/event-stream", "content-encoding": "gzip"},
        cut(raw, every),
    )
    x = r.extracted
    assert x.text == "é€" and x.finish_reason == "end_turn" and x.response_model == "claude-x"
    assert x.usage == {"input_tokens": 4, "output_tokens": 3, "total_tokens": 7}


def test_an_error_event_inside_a_200_stream_is_an_error() -> None:
    raw = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    r = run("https://api.anthropic.com/v1/messages", {"stream": True}, {"content-type": "text/event-stream"}, [raw])
    assert r.error == "Overloaded"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.openai.com/v1/chat/completions", ("openai", "chat")),
        ("https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=1", ("azure", "chat")),
        ("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", ("google", "chat")),
        ("http://localhost:8000/v1/embeddings", ("openai", "embeddings")),
        ("https://api.groq.com/openai/v1/chat/completions", ("groq", "chat")),
        ("http://127.0.0.1:3001/api/ingest", None),
        ("https://api.openai.com/v1/files", None),
    ],
)
def test_detection(url: str, expected: tuple[str, str] | None) -> None:
    d = detect(url, "POST")
    assert (None if d is None else (d.provider, d.operation)) == expected
    assert detect(url, "GET") is None
