"""Blocks, hooks and server budgets on real clients: nothing is sent when a call is refused."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import anthropic
import openai
import pytest

import tollgate
from tollgate.pricing import wait_loaded

MSG = [{"role": "user", "content": "Hi"}]


@pytest.fixture(scope="module", autouse=True)
def _prices() -> None:
    assert wait_loaded(30), "genai-prices must be installed for the budget tests"


def sent(fake: Any) -> int:
    return len(fake.received)


def test_a_budget_block_raises_circuit_breaker_error_at_once_from_openai_and_anthropic(fake: Any) -> None:
    blocks: list[dict[str, Any]] = []
    mem = tollgate.memory_exporter()
    tollgate.init(deliver=False, on_span=mem, budget_per_hour=0.00005, block_on_threshold=True, on_block=blocks.append)
    tollgate.instrument()
    oa = openai.OpenAI(base_url=fake.openai_base, api_key="k")
    an = anthropic.Anthropic(base_url=fake.url, api_key="k")  # default retries: a block must not be retried
    oa.chat.completions.create(model="gpt-4o", messages=MSG)  # spends over the budget
    before = sent(fake)
    with pytest.raises(tollgate.CircuitBreakerError) as e1:
        oa.chat.completions.create(model="gpt-4o", messages=MSG)
    with pytest.raises(tollgate.CircuitBreakerError) as e2:
        an.messages.create(model="claude-3-5-haiku-latest", max_tokens=5, messages=MSG)
    assert sent(fake) == before, "a blocked call never leaves the process"
    assert e1.value.reason == "budget_exceeded" and e2.value.reason == "circuit_open"
    assert blocks and blocks[0]["reason"] == "budget_exceeded"
    e2.value.monitor.increase_budget(100)
    oa.chat.completions.create(model="gpt-4o", messages=MSG)
    tollgate.flush()
    blocked = [s for s in mem.spans if s["attributes"].get("blocked")]
    # One blocked attempt per call: anthropic's retries (2 by default) did not run.
    assert [s["attributes"]["breaker_reason"] for s in blocked] == ["budget_exceeded", "circuit_open"]
    assert tollgate.get_state()["state"] == "CLOSED"


async def test_async_block_and_agent_budget(fake: Any) -> None:
    tollgate.init(deliver=False, block_on_threshold=True)
    tollgate.instrument()
    client = openai.AsyncOpenAI(base_url=fake.openai_base, api_key="k")
    async with tollgate.agent("Researcher", budget_per_hour=0.00005):
        await client.chat.completions.create(model="gpt-4o", messages=MSG)
        with pytest.raises(tollgate.CircuitBreakerError) as err:
            await client.chat.completions.create(model="gpt-4o", messages=MSG)
    assert err.value.state["scope"] == "agent" and err.value.state["scope_id"] == "researcher"
    await client.chat.completions.create(model="gpt-4o", messages=MSG)  # outside the agent: allowed


def test_before_request_cancel_degrade_throttle_and_fail_open(fake: Any) -> None:
    answers: list[Any] = []

    def hook(params: tollgate.RequestParams, ctx: tollgate.RequestContext) -> Any:
        answers.append((params.model, ctx.tags.get("tier"), ctx.user_id))
        if params.model == "cancel-me":
            return tollgate.BeforeRequest.cancel("quota")
        if params.model == "big":
            return tollgate.BeforeRequest.degrade("small", "free tier")
        if params.model == "slow":
            return tollgate.BeforeRequest.throttle(50)
        raise RuntimeError("hook bug")

    mem = tollgate.memory_exporter()
    tollgate.init(deliver=False, on_span=mem, before_request=hook)
    tollgate.instrument()
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k", max_retries=0)
    before = sent(fake)
    with tollgate.with_context(user_id="u9", tags={"tier": "free"}):
        with pytest.raises(tollgate.CircuitBreakerError) as err:
            client.chat.completions.create(model="cancel-me", messages=MSG)
        assert err.value.reason == "request_cancelled" and sent(fake) == before
        client.chat.completions.create(model="big", messages=MSG)
        assert fake.received[-1]["body"]["model"] == "small"
        client.chat.completions.create(model="slow", messages=MSG)
        client.chat.completions.create(model="other", messages=MSG)  # the hook raises: proceeds
    assert answers[0] == ("cancel-me", "free", "u9")
    tollgate.flush()
    by = {s["model"]: s["attributes"] for s in mem.spans}
    assert by["cancel-me"]["cancelled_by"] == "before_request"
    assert by["small"]["degraded_from"] == "big" and by["small"]["degrade_reason"] == "free tier"
    assert by["slow"]["throttled_ms"] == 50


class PolicyServer:
    """A Tollgate stand-in for GET /api/policy only (the real server is exercised in test_e2e)."""

    def __init__(self, policy: dict[str, Any]) -> None:
        self.policy = policy
        self.posts: list[tuple[str, Any]] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                data = json.dumps(outer.policy).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("content-length") or 0)
                outer.posts.append((self.path, json.loads(self.rfile.read(n) or b"null")))
                self.send_response(202)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def policy_server() -> Iterator[PolicyServer]:
    s = PolicyServer({"budgets": []})
    yield s
    s.close()


def test_server_budgets_block_degrade_and_match_tenant_context(fake: Any, policy_server: PolicyServer) -> None:
    policy_server.policy = {
        "version": "v1",
        "poll_interval_s": 30,
        "budgets": [
            {"id": "acme", "name": "acme daily", "scope": "tenant", "scope_value": "acme", "limit_usd": 10, "spent_usd": 10, "window": "day"},
            {
                "id": "org",
                "limit_usd": 100,
                "spent_usd": 85,
                "thresholds": [{"percent": 80, "action": "degrade", "degrade_to_model": "gpt-4o-mini"}],
            },
        ],
    }
    alerts: list[dict[str, Any]] = []
    tollgate.init(endpoint=policy_server.url, durability="best_effort", on_alert=alerts.append)
    tollgate.instrument()
    client = tollgate.get_client()
    assert client is not None
    client.control.refresh_policy()
    assert tollgate.get_state()["policy"]["version"] == "v1"
    oa = openai.OpenAI(base_url=fake.openai_base, api_key="k", max_retries=0)
    oa.chat.completions.create(model="gpt-4o", messages=MSG)
    assert fake.received[-1]["body"]["model"] == "gpt-4o-mini"
    before = sent(fake)
    with tollgate.with_context(tenant="acme"):
        with pytest.raises(tollgate.CircuitBreakerError) as err:
            oa.chat.completions.create(model="gpt-4o", messages=MSG)
    assert err.value.reason == "server_budget" and sent(fake) == before
    assert {a["scope_id"] for a in alerts} >= {"acme", "org"}
    tollgate.shutdown(2)
    paths = [p for p, _ in policy_server.posts]
    assert "/api/alerts/sdk-alert" in paths


def test_count_tokens_is_heuristic_or_exact_never_raises() -> None:
    c = tollgate.count_tokens([{"role": "user", "content": "Hello!"}], "gpt-4o-mini")
    assert c.tokens > 6 and c.method in ("tiktoken:o200k_base", "heuristic")
    assert tollgate.count_tokens(object(), "x").tokens == 0
