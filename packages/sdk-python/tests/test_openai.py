"""The real openai client (sync, async, streams, tools, errors) against the fake provider."""

from __future__ import annotations

from typing import Any

import openai
import pytest

import tollgate
from fake_provider import FAKE_TEXT

MSG = [{"role": "user", "content": "Hi"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}]


def only(mem: Any) -> dict[str, Any]:
    tollgate.flush()
    assert len(mem.spans) == 1, mem.spans
    return mem.spans[0]


def test_a_client_created_before_instrument_is_captured(fake: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k", max_retries=0)
    mem = tollgate.memory_exporter()
    tollgate.init(deliver=False, on_span=mem)
    tollgate.instrument()
    with tollgate.trace("answer", user_id="u1", tags={"feature": "chat"}) as t:
        r = client.chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert r.choices[0].message.content == FAKE_TEXT
    spans = {s["name"]: s for s in (tollgate.flush() or mem.spans)}
    s = spans["openai.chat"]
    assert s["trace_id"] == t.trace_id and s["parent_span_id"] == t.span_id
    assert (s["provider"], s["model"], s["response_model"]) == ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18")
    assert s["usage"] == {
        "input_tokens": 11,
        "output_tokens": 6,
        "total_tokens": 17,
        "cache_read_tokens": 3,
        "reasoning_tokens": 2,
    }
    assert s["status"] == "ok" and s["stream"] is False and s["ttft_ms"] is None
    assert s["input"] == MSG and s["output"] == FAKE_TEXT
    assert s["user_id"] == "u1" and s["tags"] == {"feature": "chat"}
    assert s["attributes"]["request_id"] == "req_fake_1" and s["attributes"]["finish_reason"] == "stop"
    assert spans["answer"]["kind"] == "chain"


def test_stream_with_usage_gets_ttft_and_final_usage_and_the_app_reads_every_chunk(fake: Any, spans: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=MSG, stream=True, stream_options={"include_usage": True}
    )
    text = "".join((c.choices[0].delta.content or "") for c in stream if c.choices)
    assert text == FAKE_TEXT
    s = only(spans)
    assert s["stream"] is True and s["ttft_ms"] is not None and s["ttft_ms"] >= 0
    assert s["usage"]["input_tokens"] == 11 and s["usage"]["output_tokens"] == 6
    assert s["output"] == FAKE_TEXT and s["status"] == "ok"


def test_stream_without_usage_is_flagged_not_invented(fake: Any, spans: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    for _ in client.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True):
        pass
    s = only(spans)
    assert "usage" not in s and s["attributes"]["usage_missing"] is True


def test_tool_calls_sync_and_streamed(fake: Any, spans: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    r = client.chat.completions.create(model="gpt-4o-mini", messages=MSG, tools=TOOLS)
    assert r.choices[0].message.tool_calls[0].function.name == "get_weather"
    for _ in client.chat.completions.create(model="gpt-4o-mini", messages=MSG, tools=TOOLS, stream=True):
        pass
    tollgate.flush()
    assert len(spans.spans) == 2
    for s in spans.spans:
        assert s["attributes"]["tool_call_count"] == 1 and s["attributes"]["tool_names"] == "get_weather"
        assert s["output"]["tool_calls"][0]["arguments"] == '{"city":"Paris"}'


async def test_async_client_chat_and_stream(fake: Any, spans: Any) -> None:
    client = openai.AsyncOpenAI(base_url=fake.openai_base, api_key="k")
    async with tollgate.trace("async-job") as t:
        r = await client.chat.completions.create(model="gpt-4o-mini", messages=MSG)
        stream = await client.chat.completions.create(
            model="gpt-4o-mini", messages=MSG, stream=True, stream_options={"include_usage": True}
        )
        chunks = [c async for c in stream]
    assert r.choices[0].message.content == FAKE_TEXT and len(chunks) > 3
    await tollgate.aflush()
    llm = [s for s in spans.spans if s["kind"] == "llm"]
    assert len(llm) == 2 and all(s["trace_id"] == t.trace_id for s in llm)
    assert {s["stream"] for s in llm} == {True, False}
    assert all(s["usage"]["total_tokens"] == 17 for s in llm)


def test_responses_api_and_embeddings(fake: Any, spans: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    r = client.responses.create(model="gpt-4.1", input="Hi")
    assert r.output_text == FAKE_TEXT
    for _ in client.responses.create(model="gpt-4.1", input="Hi", stream=True):
        pass
    client.embeddings.create(model="text-embedding-3-small", input="hello")
    tollgate.flush()
    by = [(s["operation"], s["stream"], s.get("usage", {}).get("input_tokens")) for s in spans.spans]
    assert by == [("responses", False, 12), ("responses", True, 12), ("embeddings", False, 4)]
    assert spans.spans[2]["kind"] == "embedding"


def test_errors_are_spans_and_reach_the_app_unchanged(fake: Any, spans: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k", max_retries=0)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="error-400", messages=MSG)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="error-500", messages=MSG)
    dead = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="k", max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        dead.chat.completions.create(model="gpt-4o-mini", messages=MSG)
    tollgate.flush()
    assert [(s["status"], s["attributes"].get("http_status")) for s in spans.spans] == [
        ("error", 400),
        ("error", 500),
        ("error", None),
    ]
    assert spans.spans[0]["error_message"] == "fake 400 error"


def test_a_stream_left_early_is_finalised_as_aborted(fake: Any, spans: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    stream = client.chat.completions.create(model="slow-model", messages=MSG, stream=True)
    for i, _ in enumerate(stream):
        if i == 3:
            break
    stream.close()
    s = only(spans)
    assert s["attributes"]["aborted"] is True and s["ttft_ms"] is not None


def test_shutdown_finalises_a_stream_nobody_reads(fake: Any) -> None:
    mem = tollgate.memory_exporter()
    tollgate.init(deliver=False, on_span=mem, shutdown_timeout_s=1)
    tollgate.instrument()
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    stream = client.chat.completions.create(model="slow-model", messages=MSG, stream=True)
    next(iter(stream))
    tollgate.shutdown(1)
    assert len(mem.spans) == 1
    s = mem.spans[0]
    assert s["status"] == "unset" and s["attributes"]["incomplete"] is True
    stream.close()


def test_uninstrument_stops_capture_and_own_traffic_is_never_captured(fake: Any, spans: Any) -> None:
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    tollgate.uninstrument()
    client.chat.completions.create(model="gpt-4o-mini", messages=MSG)
    tollgate.flush()
    assert spans.spans == []


def test_requests_posts_are_captured_sync_and_streamed(fake: Any, spans: Any) -> None:
    import requests

    body = {"model": "gpt-4o-mini", "messages": MSG}
    r = requests.post(f"{fake.openai_base}/chat/completions", json=body, timeout=10)
    assert r.json()["choices"][0]["message"]["content"] == FAKE_TEXT
    with requests.post(
        f"{fake.openai_base}/chat/completions",
        json={**body, "stream": True, "stream_options": {"include_usage": True}},
        stream=True,
        timeout=10,
    ) as res:
        lines = [line for line in res.iter_lines() if line]
    assert lines[-1] == b"data: [DONE]"
    requests.get(f"{fake.url}/v1/models", timeout=10)  # not an LLM call
    tollgate.flush()
    assert [(s["stream"], s["usage"]["total_tokens"], s["output"]) for s in spans.spans] == [
        (False, 17, FAKE_TEXT),
        (True, 17, FAKE_TEXT),
    ]
    assert spans.spans[1]["ttft_ms"] is not None
