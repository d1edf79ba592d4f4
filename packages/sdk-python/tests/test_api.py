"""The public API in Python style: scopes as context managers and decorators, context, propagation,
report(), span handles, exporters."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import tollgate


def test_trace_span_agent_nest_and_decorators_keep_results_and_errors(spans: Any) -> None:
    @tollgate.span("helper", kind="tool")
    def helper(x: int) -> int:
        return x * 2

    @tollgate.trace("job")
    def job() -> int:
        with tollgate.agent("Planner", role="plan"):
            return helper(21)

    assert job() == 42
    with pytest.raises(ValueError):
        with tollgate.trace("boom"):
            raise ValueError("nope")
    tollgate.flush()
    by = {s["name"]: s for s in spans.spans}
    assert by["helper"]["kind"] == "tool" and by["helper"]["agent"]["name"] == "Planner"
    assert by["helper"]["parent_span_id"] == by["Planner"]["span_id"]
    assert by["Planner"]["parent_span_id"] == by["job"]["span_id"] and by["Planner"]["kind"] == "agent"
    assert len({s["trace_id"] for s in (by["helper"], by["Planner"], by["job"])}) == 1
    assert by["boom"]["status"] == "error" and by["boom"]["error_message"] == "nope"
    assert by["boom"]["trace_id"] != by["job"]["trace_id"]
    assert tollgate.current_trace_id() is None


async def test_async_decorators_and_concurrent_tasks_keep_their_own_traces(spans: Any) -> None:
    @tollgate.trace("task")
    async def task(i: int) -> str:
        await asyncio.sleep(0.01)
        with tollgate.span(f"inner-{i}"):
            await asyncio.sleep(0.01)
        return tollgate.current_trace_id() or ""

    ids = await asyncio.gather(*(task(i) for i in range(5)))
    assert len(set(ids)) == 5
    tollgate.flush()
    inner = {s["name"]: s for s in spans.spans if s["name"].startswith("inner")}
    tasks = {s["span_id"]: s for s in spans.spans if s["name"] == "task"}
    for s in inner.values():
        assert tasks[s["parent_span_id"]]["trace_id"] == s["trace_id"]


def test_report_fills_ids_from_the_current_trace_and_never_raises(spans: Any) -> None:
    with tollgate.trace("outer") as t:
        tollgate.report({"name": "rerank", "kind": "retrieval", "attributes": {"documents": 20, "obj": object()}})
        tollgate.report({"kind": "warp", "status": "??"})
    tollgate.report("not a span")  # type: ignore[arg-type]
    tollgate.flush()
    r = [s for s in spans.spans if s["name"] in ("rerank", "span")]
    assert r[0]["trace_id"] == t.trace_id and r[0]["parent_span_id"] == t.span_id
    assert r[0]["attributes"]["documents"] == 20 and isinstance(r[0]["attributes"]["obj"], str)
    assert (r[1]["kind"], r[1]["status"]) == ("other", "unset")


def test_context_resolution_default_set_with_and_span_fields(spans: Any) -> None:
    tollgate.set_default_context(tenant="acme", tags={"environment": "prod"})
    try:
        with tollgate.with_context(user_id="u1", feature="summarize", tags={"tier": "free"}):
            tollgate.report({"name": "a"})
            tollgate.report({"name": "b", "user_id": "own", "tags": {"tier": "paid"}})
        tollgate.report({"name": "c"})
    finally:
        tollgate.set_default_context(clear=True)
    tollgate.flush()
    a, b, c = spans.spans
    assert a["tags"] == {"tenant": "acme", "environment": "prod", "feature": "summarize", "tier": "free"}
    assert a["user_id"] == "u1" and b["user_id"] == "own" and b["tags"]["tier"] == "paid"
    assert c["tags"] == {"tenant": "acme", "environment": "prod"} and "user_id" not in c


def test_propagation_w3c_and_b3(spans: Any) -> None:
    with tollgate.trace("caller") as t:
        headers = tollgate.inject({}, "both")
    assert headers["traceparent"] == f"00-{t.trace_id}-{t.span_id}-01"
    remote = tollgate.extract({"B3": f"{t.trace_id[16:]}-{t.span_id}-1"})
    assert remote is not None and remote.trace_id == "0" * 16 + t.trace_id[16:]
    assert tollgate.extract({"traceparent": "00-" + "0" * 32 + "-" + "1" * 16 + "-01"}) is None
    with tollgate.trace("callee", traceparent=headers["traceparent"]) as callee:
        pass
    tollgate.flush()
    s = [x for x in spans.spans if x["name"] == "callee"][0]
    assert callee.trace_id == t.trace_id and s["parent_span_id"] == t.span_id


def test_span_handle_model_usage_and_wrapped_streams(spans: Any) -> None:
    def gen() -> Any:
        for i in range(3):
            yield {"token": str(i), "usage": {"prompt_tokens": 5, "completion_tokens": i + 1}}

    with tollgate.span("local-llama") as s:
        s.set_model("llama-3.1-8b", "ollama")
        s.set_attribute("gpu", "a100")
        stream = s.wrap_stream(gen(), text=lambda c: c["token"])
    tollgate.flush()
    assert spans.spans == [], "the span ends when the stream ends, not when the block does"
    assert [c["token"] for c in stream] == ["0", "1", "2"]
    tollgate.flush()
    (x,) = spans.spans
    assert x["kind"] == "llm" and x["model"] == "llama-3.1-8b" and x["provider"] == "ollama"
    assert x["usage"] == {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}
    assert x["output"] == "012" and x["stream"] is True and x["ttft_ms"] is not None
    assert x["attributes"] == {"gpu": "a100"}


async def test_async_wrapped_stream_never_read_becomes_incomplete_at_shutdown() -> None:
    mem = tollgate.memory_exporter()
    tollgate.init(deliver=False, on_span=mem)

    async def agen() -> Any:
        yield 1

    async with tollgate.span("never-read") as s:
        s.wrap_stream(agen())
    tollgate.shutdown(0.2)
    (x,) = mem.spans
    assert x["status"] == "unset" and x["attributes"]["incomplete"] is True


def test_exporters_console_file_filter_transform(tmp_path: Path) -> None:
    lines: list[str] = []
    tollgate.init(
        deliver=False,
        on_span=[
            tollgate.console_exporter(lines.append),
            tollgate.file_exporter(tmp_path / "logs"),
            tollgate.filter_exporter(lambda s: s["name"] == "keep", tollgate.console_exporter(lines.append)),
            tollgate.transform_exporter(lambda s: None, lambda s: lines.append("never")),
            lambda s: 1 / 0,  # a failing exporter is ignored
        ],
    )
    tollgate.report({"name": "keep", "kind": "llm", "provider": "openai", "model": "gpt-4o-mini", "usage": {"input_tokens": 3}})
    tollgate.report({"name": "other"})
    assert len(lines) == 3 and lines[0].startswith("[tollgate] openai gpt-4o-mini")
    files = list((tmp_path / "logs").glob("spans-*.jsonl"))
    assert len(files) == 1 and len(files[0].read_text().splitlines()) == 2
    assert json.loads(files[0].read_text().splitlines()[0])["name"] == "keep"


def test_disabled_sdk_is_a_no_op_and_get_state_before_init() -> None:
    assert tollgate.get_state()["delivery"] is None
    tollgate.init(enabled=False)
    assert tollgate.instrument() == {"httpx": False, "httpx2": False, "requests": False, "aiohttp": False}
    tollgate.report({"name": "x"})
    with tollgate.trace("t"):
        pass
    assert tollgate.get_state()["delivery"] is None
