"""End to end against a real Tollgate started by the test: captured calls arrive with model, tokens
and cost; a refused key keeps spans; offline then online delivers every span exactly once."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterator

import anthropic
import openai
import pytest
from google import genai
from google.genai import types

import tollgate
from procs import free_port, run_app, spool_count
from tollgate_server import Tollgate

KEY = "tg-e2e-key-0123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tollgate]:
    base = tmp_path_factory.mktemp("tollgate")
    s = Tollgate(base / "data", free_port(), api_key=KEY)
    yield s
    s.stop()


def test_captured_calls_arrive_with_model_tokens_and_cost(server: Tollgate, fake: Any, tmp_path: Path) -> None:
    tollgate.init(endpoint=server.url, api_key=KEY, spool_path=str(tmp_path / "s.sqlite"))
    tollgate.instrument()
    oa = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    an = anthropic.Anthropic(base_url=fake.url, api_key="k")
    gm = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=fake.url))
    with tollgate.trace("e2e", tags={"tenant": "acme"}, user_id="u1") as t:
        with tollgate.agent("Researcher", role="research"):
            oa.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
            for _ in oa.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True,
                stream_options={"include_usage": True},
            ):  # fmt: skip
                pass
        an.messages.create(model="claude-3-5-haiku-latest", max_tokens=5, messages=[{"role": "user", "content": "Hi"}])
        gm.models.generate_content(model="gemini-2.0-flash", contents="Hi")
    tollgate.shutdown(10)
    spans = server.spans(t.trace_id, 6)
    by = {s["span_id"]: s for s in spans}
    assert len(spans) == 6, [s["name"] for s in spans]
    llm = [s for s in spans if s["kind"] == "llm"]
    assert sorted((s["provider"], s["model"]) for s in llm) == [
        ("anthropic", "claude-3-5-haiku-latest"),
        ("google", "gemini-2.0-flash"),
        ("openai", "gpt-4o-mini"),
        ("openai", "gpt-4o-mini"),
    ]
    for s in llm:
        assert s["usage"]["input_tokens"] > 0 and s["usage"]["output_tokens"] > 0
        assert s["cost"]["total_usd"] > 0 and s["cost_status"] == "computed", s
        assert s["tags"]["tenant"] == "acme" and s["user_id"] == "u1"
    oa_spans = [s for s in llm if s["provider"] == "openai"]
    assert all(s["agent"]["name"] == "Researcher" for s in oa_spans)
    assert {s["stream"] for s in oa_spans} == {True, False}
    assert [s for s in oa_spans if s["stream"]][0]["ttft_ms"] is not None
    agent_span = [s for s in spans if s["kind"] == "agent"][0]
    assert all(by[s["parent_span_id"]]["kind"] == "agent" for s in oa_spans)
    assert by[agent_span["parent_span_id"]]["name"] == "e2e"
    # openai: 11 in / 6 out of gpt-4o-mini, priced by the server.
    plain = [s for s in oa_spans if not s["stream"]][0]
    assert plain["usage"]["input_tokens"] == 11 and plain["usage"]["cache_read_tokens"] == 3


def test_a_refused_key_pauses_delivery_and_the_right_key_delivers_later(server: Tollgate, tmp_path: Path) -> None:
    spool = str(tmp_path / "auth.sqlite")
    tollgate.init(endpoint=server.url, api_key="wrong-key", spool_path=spool, policy_poll_interval_s=0)
    with tollgate.trace("refused") as t:
        tollgate.report({"name": "inner", "kind": "tool"})
    tollgate.flush(5)
    state = tollgate.get_state()["delivery"]
    assert state["status"] == "paused" and state["http_status"] == 401 and state["pending"] == 2
    tollgate.shutdown(1)
    # Rows are scoped to the key they were recorded under: another key does not send them ...
    tollgate.init(endpoint=server.url, api_key=KEY, spool_path=spool, policy_poll_interval_s=0)
    tollgate.flush(5)
    assert tollgate.get_state()["delivery"]["pending"] == 2
    tollgate.shutdown(1)
    assert server.spans(t.trace_id, 1, timeout=1) == []


def test_offline_then_online_against_a_real_tollgate_exactly_once(fake: Any, tmp_path: Path) -> None:
    port = free_port()
    spool = tmp_path / "offline.sqlite"
    calls = 8
    app = run_app(
        "offline_app.py",
        {"ENDPOINT": f"http://127.0.0.1:{port}", "SPOOL": str(spool), "PROVIDER": fake.openai_base, "CALLS": str(calls)},
    )
    assert app.code == 0, app.stderr
    traces = json.loads(app.stdout)["traces"]
    assert spool_count(spool) == calls * 2
    server = Tollgate(tmp_path / "data", port)  # local mode: no key
    try:
        env = {"ENDPOINT": server.url, "SPOOL": str(spool)}
        results: list[Any] = []
        threads = [threading.Thread(target=lambda: results.append(run_app("deliver_app.py", env))) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert [r.code for r in results] == [0, 0]
        assert spool_count(spool) == 0
        for trace_id in traces:
            spans = server.spans(trace_id, 2)
            assert len(spans) == 2 and len({s["span_id"] for s in spans}) == 2
        listed = server.get("/api/traces?limit=100&total=exact")
        ours = [t for t in listed["traces"] if t["trace_id"] in traces]
        assert sorted(t["trace_id"] for t in ours) == sorted(traces)
        assert all(t["span_count"] == 2 and t["input_tokens"] == 11 for t in ours)
    finally:
        server.stop()


def test_a_budget_another_process_exhausted_blocks_this_one(fake: Any, tmp_path: Path) -> None:
    """A server budget holds across processes: spend delivered by another process exhausts a tenant
    budget; this SDK, which only polls GET /api/policy, blocks the call before it is sent, while a
    tenant the budget does not cover goes through."""
    import time

    import httpx

    from tollgate.spans import iso_micro

    server = Tollgate(tmp_path / "data", free_port(), env={"POLICY_CACHE_TTL_MS": "0"})
    try:
        created = httpx.post(
            f"{server.url}/api/budgets",
            json={"name": "tenant acme daily", "scope": "tenant", "scope_value": "acme", "limit_usd": 1, "window": "day"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        now = time.time()
        spans = [
            {
                "trace_id": "ab" * 12 + f"{int(now * 1000) % 10**8:08d}",
                "span_id": "cd" * 7 + f"0{i}",
                "name": "openai.chat",
                "kind": "llm",
                "start_time": iso_micro(now - 2 + i / 1000),
                "end_time": iso_micro(now - 1),
                "status": "ok",
                "provider": "openai",
                "model": "gpt-4o",
                "tags": {"tenant": "acme"},
                "usage": {"input_tokens": 100, "output_tokens": 10},
                "cost": {"input_usd": 0.6, "output_usd": 0},
            }
            for i in range(2)
        ]
        res = httpx.post(f"{server.url}/api/ingest?consistency=strong", json={"spans": spans}, timeout=30)
        assert res.status_code == 202, res.text

        tollgate.init(endpoint=server.url, spool_path=str(tmp_path / "b.sqlite"), policy_poll_interval_s=1)
        tollgate.instrument()
        client = tollgate.get_client()
        assert client is not None
        client.control.refresh_policy(15)
        assert tollgate.get_state()["policy"] is not None, "the SDK read the server policy"
        oa = openai.OpenAI(base_url=fake.openai_base, api_key="k", max_retries=0)
        before = len(fake.received)
        with pytest.raises(tollgate.CircuitBreakerError) as err:
            with tollgate.trace("acme", tags={"tenant": "acme"}):
                oa.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert err.value.reason == "server_budget"
        assert len(fake.received) == before, "the blocked call was never sent"
        with tollgate.trace("globex", tags={"tenant": "globex"}):
            oa.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        tollgate.shutdown(5)
        policy = server.get("/api/policy")
        assert policy["budgets"][0]["spent_usd"] >= 1.2
    finally:
        server.stop()
