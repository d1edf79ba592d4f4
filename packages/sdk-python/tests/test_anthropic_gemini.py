"""The real anthropic and google-genai clients (sync, async, streams, tools, errors)."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from google import genai
from google.genai import types

import tollgate
from fake_provider import FAKE_TEXT

MSG = [{"role": "user", "content": "Hi"}]
TOOLS = [{"name": "get_weather", "description": "w", "input_schema": {"type": "object", "properties": {}}}]
# Anthropic's input_tokens excludes cache reads/writes; on the wire they are included.
ANTHROPIC_USAGE = {"input_tokens": 170, "output_tokens": 8, "total_tokens": 178, "cache_read_tokens": 100, "cache_write_tokens": 50}


def test_anthropic_sync_stream_and_tools(fake: Any, spans: Any) -> None:
    client = anthropic.Anthropic(base_url=fake.url, api_key="k", max_retries=0)
    r = client.messages.create(model="claude-3-5-haiku-latest", max_tokens=50, messages=MSG)
    assert r.content[0].text == FAKE_TEXT
    with client.messages.stream(model="claude-3-5-haiku-latest", max_tokens=50, messages=MSG) as stream:
        assert "".join(stream.text_stream) == FAKE_TEXT
    r = client.messages.create(model="claude-3-5-haiku-latest", max_tokens=50, messages=MSG, tools=TOOLS)
    assert r.content[0].name == "get_weather"
    tollgate.flush()
    assert [s["stream"] for s in spans.spans] == [False, True, False]
    for s in spans.spans:
        assert s["provider"] == "anthropic" and s["usage"] == ANTHROPIC_USAGE and s["status"] == "ok"
    assert spans.spans[1]["ttft_ms"] is not None and spans.spans[1]["output"] == FAKE_TEXT
    assert spans.spans[2]["output"]["tool_calls"][0] == {"id": "toolu_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}


async def test_anthropic_async_stream_with_tools(fake: Any, spans: Any) -> None:
    client = anthropic.AsyncAnthropic(base_url=fake.url, api_key="k", max_retries=0)
    stream = await client.messages.create(
        model="claude-3-5-haiku-latest", max_tokens=50, messages=MSG, tools=TOOLS, stream=True
    )
    events = [e async for e in stream]
    assert events[-1].type == "message_stop"
    await tollgate.aflush()
    (s,) = spans.spans
    assert s["stream"] is True and s["usage"] == ANTHROPIC_USAGE
    assert s["output"]["tool_calls"][0]["arguments"] == '{"city":"Paris"}'


def test_anthropic_errors(fake: Any, spans: Any) -> None:
    client = anthropic.Anthropic(base_url=fake.url, api_key="k", max_retries=0)
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(model="error-429", max_tokens=5, messages=MSG)
    tollgate.flush()
    (s,) = spans.spans
    assert s["status"] == "error" and s["error_message"] == "fake 429 error" and s["attributes"]["http_status"] == 429


def gemini(fake: Any) -> genai.Client:
    return genai.Client(api_key="k", http_options=types.HttpOptions(base_url=fake.url))


GEMINI_USAGE = {"input_tokens": 9, "output_tokens": 9, "total_tokens": 18, "reasoning_tokens": 4}


def test_gemini_generate_and_stream(fake: Any, spans: Any) -> None:
    client = gemini(fake)
    r = client.models.generate_content(model="gemini-2.0-flash", contents="Hi")
    assert r.text == FAKE_TEXT
    text = "".join(c.text or "" for c in client.models.generate_content_stream(model="gemini-2.0-flash", contents="Hi"))
    assert text == FAKE_TEXT
    tollgate.flush()
    assert [(s["provider"], s["model"], s["stream"]) for s in spans.spans] == [
        ("google", "gemini-2.0-flash", False),
        ("google", "gemini-2.0-flash", True),
    ]
    for s in spans.spans:
        assert s["usage"] == GEMINI_USAGE and s["output"] == FAKE_TEXT
    assert spans.spans[1]["ttft_ms"] is not None


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_gemini_async_over_aiohttp_and_httpx(fake: Any, spans: Any, transport: str) -> None:
    import httpx2

    # With aiohttp installed google-genai's async client uses it, unless given an httpx client.
    options: dict[str, Any] = {"base_url": fake.url}
    if transport == "httpx":
        options["httpx_async_client"] = httpx2.AsyncClient()
    client = genai.Client(api_key="k", http_options=types.HttpOptions(**options))
    r = await client.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
    assert r.text == FAKE_TEXT
    chunks = [c async for c in await client.aio.models.generate_content_stream(model="gemini-2.0-flash", contents="Hi")]
    assert "".join(c.text or "" for c in chunks) == FAKE_TEXT
    await tollgate.aflush()
    assert [s["stream"] for s in spans.spans] == [False, True]
    assert all(s["usage"] == GEMINI_USAGE and s["output"] == FAKE_TEXT for s in spans.spans)
    assert spans.spans[1]["ttft_ms"] is not None


async def test_aiohttp_posts_streams_and_blocks(fake: Any) -> None:
    import aiohttp

    mem = tollgate.memory_exporter()
    tollgate.init(deliver=False, on_span=mem, before_request=lambda p, c: tollgate.BeforeRequest.cancel("no") if p.model == "nope" else None)
    tollgate.instrument()
    body = {"model": "gpt-4o-mini", "messages": MSG}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.openai_base}/chat/completions", json=body) as res:
            assert (await res.json())["choices"][0]["message"]["content"] == FAKE_TEXT
        async with session.post(f"{fake.openai_base}/chat/completions", json={**body, "stream": True}) as res:
            raw = await res.read()
        assert raw.endswith(b"data: [DONE]\n\n")
        before = len(fake.received)
        with pytest.raises(tollgate.CircuitBreakerError):
            await session.post(f"{fake.openai_base}/chat/completions", json={**body, "model": "nope"})
        assert len(fake.received) == before
    await tollgate.aflush()
    assert [(s["stream"], s["status"]) for s in mem.spans[:2]] == [(False, "ok"), (True, "ok")]
    assert mem.spans[0]["usage"]["total_tokens"] == 17 and mem.spans[1]["output"] == FAKE_TEXT
    assert mem.spans[2]["attributes"]["cancelled_by"] == "before_request"


def test_gemini_error(fake: Any, spans: Any) -> None:
    client = gemini(fake)
    with pytest.raises(Exception):
        client.models.generate_content(model="error-500", contents="Hi")
    tollgate.flush()
    assert spans.spans and all(s["status"] == "error" for s in spans.spans)
