"""The policy port against packages/policy's own cases, and the TypeScript SDK README's example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tollgate.context import AgentFrame
from tollgate.policy import CallScope, ExtraSpend, evaluate_policy, parse_policy

REPO = Path(__file__).resolve().parents[3]


def readme_example() -> dict:
    text = (REPO / "packages/sdk/README.md").read_text()
    m = re.search(r"## Server budgets: the policy shape[\s\S]*?```json\n([\s\S]*?)```", text)
    assert m, "no policy example in the TypeScript SDK README"
    return json.loads(m.group(1))


def test_readme_example_reads_as_the_typescript_sdk_reads_it() -> None:
    p = parse_policy(readme_example())
    assert p is not None
    assert [b.id for b in p.budgets] == ["b_org", "b_acme"]
    assert [t.action for t in p.budgets[0].thresholds] == ["alert", "degrade", "throttle", "block"]
    assert p.budgets[0].limit_tokens is None
    acme = p.budgets[1]
    assert (acme.scope, acme.scope_value) == ("tenant", "acme")
    assert [(t.percent, t.action) for t in acme.thresholds] == [(100.0, "block")]


def test_lenient_reading_keeps_valid_budgets_drops_bad_thresholds_caps_throttles_and_intervals() -> None:
    p = parse_policy(
        {
            "poll_interval_s": 99_999,
            "budgets": [
                {
                    "id": "ok",
                    "limit_usd": 10,
                    "spent_usd": 1,
                    "thresholds": [
                        {"percent": 90, "action": "throttle", "throttle_ms": 600_000},
                        {"percent": "x", "action": "block"},
                        {"percent": 50, "action": "warp"},
                    ],
                },
                {"id": "bad", "scope": "tag", "scope_value": "eu", "limit_usd": 10},
                "junk",
            ],
        }
    )
    assert p is not None and p.poll_interval_s == 3600
    assert len(p.budgets) == 1
    b = p.budgets[0]
    assert (b.id, b.window, b.spent_tokens) == ("ok", "month", 0)
    assert [(t.percent, t.action, t.throttle_ms) for t in b.thresholds] == [(90, "throttle", 60_000)]
    assert parse_policy({"budgets": {}}) is None


@pytest.mark.parametrize(
    "budget",
    [
        {"id": "x", "window": "day", "thresholds": []},  # no limit
        {"id": "x", "scope": "planet", "limit_usd": 1},
        {"id": "x", "scope": "tenant", "limit_usd": 1},  # tenant without scope_value
        {"id": "x", "limit_usd": 1, "scope_value": None},  # null is not "absent"
        {"id": "", "limit_usd": 1},
    ],
)
def test_invalid_budgets_are_skipped(budget: dict) -> None:
    p = parse_policy({"budgets": [budget]})
    assert p is not None and p.budgets == []


def test_a_degrade_without_model_is_skipped_and_no_thresholds_means_block_at_100() -> None:
    p = parse_policy({"budgets": [{"id": "b", "limit_usd": 1, "thresholds": [{"percent": 80, "action": "degrade"}]}]})
    assert p is not None
    assert [(t.percent, t.action) for t in p.budgets[0].thresholds] == [(100.0, "block")]


def test_evaluation_adds_spend_the_server_does_not_know_yet() -> None:
    p = parse_policy(
        {"budgets": [{"id": "b", "limit_tokens": 1000, "spent_tokens": 900, "thresholds": [{"percent": 95, "action": "block"}]}]}
    )
    call = CallScope([], {})
    assert evaluate_policy(p, call).action == "allow"
    assert evaluate_policy(p, call, lambda _id: ExtraSpend(0, 60)).action == "block"


def test_most_restrictive_action_wins_and_the_longer_throttle() -> None:
    p = parse_policy(
        {
            "budgets": [
                {"id": "a", "limit_usd": 10, "spent_usd": 9, "thresholds": [{"percent": 80, "action": "throttle", "throttle_ms": 100}]},
                {"id": "b", "limit_usd": 10, "spent_usd": 9, "thresholds": [{"percent": 80, "action": "throttle", "throttle_ms": 900}]},
                {"id": "c", "limit_usd": 10, "spent_usd": 9, "thresholds": [{"percent": 50, "action": "degrade", "degrade_to_model": "m"}]},
                {"id": "d", "scope": "tenant", "scope_value": "other", "limit_usd": 1, "spent_usd": 5},
            ]
        }
    )
    d = evaluate_policy(p, CallScope([], {"tenant": "acme"}))
    assert d.action == "throttle" and d.decisive is not None and d.decisive.budget.id == "b"
    assert sorted(h.budget.id for h in d.hits) == ["a", "b", "c"]


def test_scopes_match_agents_tags_and_aliases() -> None:
    p = parse_policy(
        {
            "budgets": [
                {"id": "ag", "scope": "agent", "scope_value": "Researcher", "limit_usd": 1, "spent_usd": 2},
                {"id": "tn", "scope": "tenant", "scope_value": "acme", "limit_usd": 1, "spent_usd": 2},
                {"id": "tg", "scope": "tag", "tag_key": "tier", "scope_value": "free", "limit_usd": 1, "spent_usd": 2},
            ]
        }
    )
    frame = AgentFrame(id="researcher", name="Researcher", role=None, parent_id=None, span_id="1" * 16)
    assert [h.budget.id for h in evaluate_policy(p, CallScope([frame], {})).hits] == ["ag"]
    assert [h.budget.id for h in evaluate_policy(p, CallScope([], {"tenant_id": "acme"})).hits] == ["tn"]
    assert [h.budget.id for h in evaluate_policy(p, CallScope([], {"tier": "free"})).hits] == ["tg"]
    assert evaluate_policy(p, CallScope([], {"tier": "paid"})).action == "allow"


def test_after_the_window_ends_its_spend_counts_as_zero() -> None:
    p = parse_policy({"budgets": [{"id": "b", "limit_usd": 1, "spent_usd": 5, "window_ends_at": "2020-01-01T00:00:00Z"}]})
    assert evaluate_policy(p, CallScope([], {})).action == "allow"
