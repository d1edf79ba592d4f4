"""The breaker state machine (CLOSED → OPEN → PAUSED → HALF_OPEN → CLOSED) with a controlled clock."""

from __future__ import annotations

from typing import Any

from tollgate.breaker import Breaker, Limits, SlidingWindow
from tollgate.context import AgentFrame


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def make(**limits: Any) -> tuple[Breaker, Clock, list[dict[str, Any]], list[dict[str, Any]]]:
    clock = Clock()
    transitions: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    b = Breaker(Limits(**limits), on_transition=transitions.append, on_alert=alerts.append, now=clock)
    return b, clock, transitions, alerts


def test_budget_blocks_then_pause_half_open_probe_closes() -> None:
    b, clock, transitions, alerts = make(budget_per_hour=1.0, block_on_threshold=True)
    t = b.check(())
    b.record(t, 1.5, False)  # type: ignore[arg-type]
    blocked = b.check(())
    assert hasattr(blocked, "error") and blocked.error.reason == "budget_exceeded"
    assert b.global_monitor.state == "OPEN"
    assert b.check(()).error.reason == "circuit_open"  # type: ignore[union-attr]
    blocked.error.monitor.pause(30)
    assert b.check(()).error.reason == "circuit_paused"  # type: ignore[union-attr]
    clock.t += 31
    probe = b.check(())
    assert not hasattr(probe, "error") and b.global_monitor.state == "HALF_OPEN"
    assert b.check(()).error.reason == "circuit_half_open"  # type: ignore[union-attr]
    b.record(probe, 0.0, False)  # type: ignore[arg-type]
    assert b.global_monitor.state == "CLOSED"
    assert [x["event"] for x in transitions] == ["triggered", "paused", "half_open", "recovered"]
    assert alerts and alerts[0]["reason"] == "budget_exceeded" and alerts[0]["blocked"] is True


def test_failed_probe_retrips_and_increase_budget_or_reset_close_at_once() -> None:
    b, clock, transitions, _ = make(budget_per_hour=1.0, block_on_threshold=True)
    b.record(b.check(()), 2.0, False)  # type: ignore[arg-type]
    b.check(())
    b.global_monitor.pause(0)
    probe = b.check(())
    b.record(probe, 0.0, True)  # type: ignore[arg-type]
    assert b.global_monitor.state == "OPEN" and transitions[-1]["event"] == "retrip"
    b.global_monitor.increase_budget(5)
    assert b.global_monitor.state == "CLOSED" and b.global_monitor.budget == 6
    assert not hasattr(b.check(()), "error")
    b.global_monitor.reset()
    assert b.global_monitor.snapshot()["spend_last_hour_usd"] == 0 and transitions[-1]["event"] == "reset"


def test_error_rate_needs_ten_calls_and_aborts_are_not_errors() -> None:
    b, _, _, _ = make(max_error_rate=0.5, block_on_threshold=True)
    for _ in range(9):
        b.record(b.check(()), 0, True)  # type: ignore[arg-type]
    assert not hasattr(b.check(()), "error")  # the 10th call is admitted (9 outcomes seen)
    b.record(b.global_monitor and b.check(()), 0, True)  # type: ignore[arg-type]
    assert b.check(()).error.reason == "error_rate"  # type: ignore[union-attr]


def test_calls_per_minute_counts_attempts_and_the_window_slides() -> None:
    b, clock, _, alerts = make(max_calls_per_minute=3)
    for _ in range(3):
        b.check(())
    assert not hasattr(b.check(()), "error")  # alert only (not blocking)
    assert alerts[-1]["reason"] == "calls_per_minute" and alerts[-1]["blocked"] is False
    clock.t += 62
    assert b.global_monitor.snapshot()["calls_last_minute"] == 0


def test_agent_limits_apply_on_top_and_the_innermost_blocking_monitor_decides() -> None:
    b, _, _, _ = make(block_on_threshold=True)
    outer = AgentFrame("planner", "Planner", None, None, "1" * 16)
    inner = AgentFrame("researcher", "Researcher", None, "planner", "2" * 16, budget_per_hour=0.5)
    t = b.check((outer, inner))
    b.record(t, 0.6, False)  # type: ignore[arg-type]
    res = b.check((outer, inner))
    assert res.error.reason == "budget_exceeded" and res.error.state["scope_id"] == "researcher"  # type: ignore[union-attr]
    assert not hasattr(b.check((outer,)), "error")  # the planner alone is within limits
    assert b.snapshot()["global"]["spend_last_hour_usd"] == 0.6


def test_projected_prompt_price_blocks_a_call_that_would_cross_the_budget() -> None:
    b, _, _, _ = make(budget_per_hour=1.0, block_on_threshold=True)
    b.record(b.check(()), 0.9, False)  # type: ignore[arg-type]
    assert not hasattr(b.check((), 0.05), "error")
    assert b.check((), 0.2).error.reason == "budget_exceeded"  # type: ignore[union-attr]


def test_sliding_window_leaves_late_never_early() -> None:
    w = SlidingWindow(60.0)
    w.add(1000.0, 5)
    assert w.read(1059.0)[0] == 5
    assert w.read(1061.5)[0] == 0
