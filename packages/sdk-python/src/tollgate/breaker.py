"""Circuit breakers: one monitor for the process plus one per agent (the state machine of @tollgate/sdk).

CLOSED → OPEN on a violation when blocking; OPEN → PAUSED by pause(); PAUSED → HALF_OPEN when the pause
ends; one probe call then closes it (success) or reopens it (error). increase_budget() and reset()
close it at once.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from .context import AgentFrame
from .errors import CircuitBreakerError

ERROR_WINDOW_S = 300.0
# A probe whose outcome never arrives (a body nobody reads) must not hold the circuit forever.
PROBE_TIMEOUT_S = 600.0
MIN_CALLS_FOR_ERROR_RATE = 10
# Dynamic agent ids (one per user, say) must not grow memory without bound.
MAX_AGENT_MONITORS = 1000


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SlidingWindow:
    """Sums and counts in fixed buckets; a value leaves up to one bucket (1/60th) late, never early."""

    def __init__(self, window_s: float, buckets: int = 60) -> None:
        self.window_s = window_s
        self.bucket_s = max(0.001, window_s / buckets)
        slots = buckets + 1
        self.starts = [-math.inf] * slots
        self.sums = [0.0] * slots
        self.counts = [0] * slots

    def add(self, now: float, value: float = 1.0) -> None:
        index = math.floor(now / self.bucket_s)
        start = index * self.bucket_s
        slot = index % len(self.starts)
        if self.starts[slot] != start:
            self.starts[slot] = start
            self.sums[slot] = 0.0
            self.counts[slot] = 0
        self.sums[slot] += value
        self.counts[slot] += 1

    def read(self, now: float) -> tuple[float, int]:
        oldest = now - self.window_s
        total, count = 0.0, 0
        for i, start in enumerate(self.starts):
            if start + self.bucket_s > oldest and start <= now:
                total += self.sums[i]
                count += self.counts[i]
        return total, count

    def clear(self) -> None:
        self.starts = [-math.inf] * len(self.starts)
        self.sums = [0.0] * len(self.sums)
        self.counts = [0] * len(self.counts)


@dataclass
class Limits:
    budget_per_hour: float | None = None
    max_error_rate: float | None = None
    max_calls_per_minute: float | None = None
    block_on_threshold: bool = False
    on_alert: Callable[..., Any] | None = None
    on_block: Callable[..., Any] | None = None


@dataclass
class Violation:
    reason: str
    message: str
    threshold: float
    current: float


@dataclass
class Verdict:
    kind: str  # allow | block
    probe: bool = False
    violation: Violation | None = None
    alerts: list[Violation] = field(default_factory=list)


class Monitor:
    def __init__(
        self,
        scope: str,
        id: str,
        name: str,
        limits: Limits,
        now: Callable[[], float],
        on_transition: Callable[[dict[str, Any]], None],
    ) -> None:
        self.scope, self.id, self.name, self.limits = scope, id, name, limits
        self.state = "CLOSED"
        self._now = now
        self._on_transition = on_transition
        self._paused_until = 0.0
        self._probe_in_flight = False
        self._probe_started = 0.0
        self._boost = 0.0
        self._spend = SlidingWindow(3600.0)
        self._calls = SlidingWindow(60.0)
        self._outcomes = SlidingWindow(ERROR_WINDOW_S)
        self._last_alert: dict[str, float] = {}
        self._lock = threading.RLock()

    @property
    def handle(self) -> Monitor:
        return self

    @property
    def budget(self) -> float | None:
        b = self.limits.budget_per_hour
        return None if b is None else b + self._boost

    def violations(self, now: float, projected_usd: float = 0.0) -> list[Violation]:
        out: list[Violation] = []
        budget = self.budget
        if budget is not None:
            spent = self._spend.read(now)[0]
            if spent >= budget:
                out.append(
                    Violation("budget_exceeded", f"hourly budget exceeded: ${spent:.4f} of ${budget}", budget, spent)
                )
            elif projected_usd > 0 and spent + projected_usd > budget:
                msg = (
                    f"this call's prompt (~${projected_usd:.4f}) would cross the hourly budget: "
                    f"${spent:.4f} of ${budget} spent"
                )
                out.append(Violation("budget_exceeded", msg, budget, spent + projected_usd))
        max_rate = self.limits.max_error_rate
        if max_rate is not None:
            errors, count = self._outcomes.read(now)
            rate = errors / count if count else 0.0
            if count >= MIN_CALLS_FOR_ERROR_RATE and rate >= max_rate:
                msg = f"error rate {rate * 100:.1f}% over 5 min ({int(errors)}/{count})"
                out.append(Violation("error_rate", msg, max_rate, rate))
        max_calls = self.limits.max_calls_per_minute
        if max_calls is not None:
            calls = self._calls.read(now)[1]
            if calls >= max_calls:
                msg = f"{calls} calls in the last minute (limit {max_calls:g}): loop suspected"
                out.append(Violation("calls_per_minute", msg, max_calls, calls))
        return out

    def evaluate(self, projected_usd: float = 0.0) -> Verdict:
        with self._lock:
            now = self._now()
            if self.state == "PAUSED" and now >= self._paused_until:
                self._move("HALF_OPEN", "half_open")
            if self.state == "OPEN":
                return Verdict("block", violation=Violation("circuit_open", "circuit open", 0, 0))
            if self.state == "PAUSED":
                msg = f"circuit paused until {iso(self._paused_until)}"
                return Verdict("block", violation=Violation("circuit_paused", msg, 0, 0))
            if self.state == "HALF_OPEN":
                if self._probe_in_flight and now - self._probe_started < PROBE_TIMEOUT_S:
                    msg = "circuit half-open: probe call in flight"
                    return Verdict("block", violation=Violation("circuit_half_open", msg, 0, 0))
                return Verdict("allow", probe=True)
            found = self.violations(now, projected_usd)
            if found and self.limits.block_on_threshold:
                return Verdict("block", violation=found[0], alerts=found)
            return Verdict("allow", alerts=found)

    def admit(self, probe: bool) -> None:
        """The call goes ahead: counted (loop detection counts attempts, not completions)."""
        with self._lock:
            now = self._now()
            self._calls.add(now)
            if probe:
                self._probe_in_flight = True
                self._probe_started = now

    def trip(self, reason: str) -> None:
        with self._lock:
            if self.state == "CLOSED":
                self._move("OPEN", "triggered", reason)

    def record(self, cost_usd: float, error: bool, probe: bool) -> None:
        with self._lock:
            now = self._now()
            if cost_usd > 0:
                self._spend.add(now, cost_usd)
            self._outcomes.add(now, 1.0 if error else 0.0)
            if probe and self.state == "HALF_OPEN":
                self._probe_in_flight = False
                if error:
                    self._move("OPEN", "retrip")
                else:
                    self._move("CLOSED", "recovered")

    def record_spend(self, cost_usd: float) -> None:
        if cost_usd > 0:
            with self._lock:
                self._spend.add(self._now(), cost_usd)

    def alert_due(self, reason: str, cooldown_s: float = 60.0) -> bool:
        with self._lock:
            now = self._now()
            last = self._last_alert.get(reason)
            if last is not None and now - last < cooldown_s:
                return False
            self._last_alert[reason] = now
            return True

    def pause(self, seconds: float) -> None:
        """Stop every call for `seconds`, then let one probe call through (PAUSED → HALF_OPEN)."""
        with self._lock:
            s = float(seconds) if isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0 else 0.0
            self._paused_until = self._now() + s
            self._probe_in_flight = False
            self._move("PAUSED", "paused")

    def increase_budget(self, usd: float) -> None:
        """Raise the hourly budget by `usd` and close the circuit at once."""
        with self._lock:
            if isinstance(usd, (int, float)) and math.isfinite(usd) and usd > 0:
                self._boost += usd
            self._probe_in_flight = False
            self._move("CLOSED", "budget_increased", always=True)

    def reset(self) -> None:
        """Clear the windows and close the circuit."""
        with self._lock:
            self._spend.clear()
            self._calls.clear()
            self._outcomes.clear()
            self._last_alert.clear()
            self._boost = 0.0
            self._probe_in_flight = False
            self._move("CLOSED", "reset", always=True)

    def snapshot(self) -> dict[str, Any]:
        now = self._now()
        errors, count = self._outcomes.read(now)
        return {
            "scope": self.scope,
            "scope_id": self.id,
            "name": self.name,
            "state": self.state,
            "spend_last_hour_usd": self._spend.read(now)[0],
            "budget_per_hour_usd": self.budget,
            "calls_last_minute": self._calls.read(now)[1],
            "max_calls_per_minute": self.limits.max_calls_per_minute,
            "calls_last_5min": count,
            "errors_last_5min": int(errors),
            "error_rate": errors / count if count else 0.0,
            "max_error_rate": self.limits.max_error_rate,
            "block_on_threshold": self.limits.block_on_threshold,
            "paused_until": iso(self._paused_until) if self.state == "PAUSED" else None,
        }

    def _move(self, to: str, event: str, reason: str | None = None, always: bool = False) -> None:
        frm = self.state
        if frm == to and not always:
            return
        self.state = to
        t: dict[str, Any] = {
            "scope": self.scope,
            "scope_id": self.id,
            "name": self.name,
            "event": event,
            "from": frm,
            "to": to,
            "timestamp": iso(self._now()),
            "snapshot": self.snapshot(),
        }
        if reason:
            t["reason"] = reason
        self._on_transition(t)


@dataclass
class Ticket:
    monitors: list[Monitor]
    probes: list[Monitor]


@dataclass
class Blocked:
    error: CircuitBreakerError
    event: dict[str, Any]
    on_block: Callable[..., Any] | None


def call_safely(fn: Callable[..., Any] | None, arg: Any) -> None:
    """Runs a user callback; a coroutine result is scheduled or run, failures are ignored."""
    if fn is None:
        return
    try:
        r = fn(arg)
        if hasattr(r, "__await__"):
            _run_awaitable(r)
    except Exception:  # noqa: BLE001 - a failing callback never breaks the call it is about
        pass


def _run_awaitable(r: Any) -> None:
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        task = loop.create_task(r)
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
    else:
        try:
            asyncio.run(r)
        except Exception:  # noqa: BLE001
            pass


class Breaker:
    """The global monitor plus one per agent; a call is checked against the whole agent stack."""

    def __init__(
        self,
        limits: Limits,
        on_transition: Callable[[dict[str, Any]], None] | None = None,
        on_alert: Callable[[dict[str, Any]], None] | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._limits = limits
        self._now = now
        self._on_transition = on_transition
        self._on_alert = on_alert
        self.global_monitor = Monitor("global", "default", "global", limits, now, self._transition)
        self._agents: dict[str, Monitor] = {}
        self._lock = threading.Lock()

    def _transition(self, t: dict[str, Any]) -> None:
        try:
            if self._on_transition:
                self._on_transition(t)
        except Exception:  # noqa: BLE001
            pass

    def monitor_for(self, frame: AgentFrame) -> Monitor | None:
        limits = Limits(
            budget_per_hour=frame.budget_per_hour,
            max_error_rate=frame.max_error_rate,
            max_calls_per_minute=frame.max_calls_per_minute,
            block_on_threshold=self._limits.block_on_threshold
            if frame.block_on_threshold is None
            else frame.block_on_threshold,
            on_alert=self._limits.on_alert,
            on_block=self._limits.on_block,
        )
        with self._lock:
            m = self._agents.get(frame.id)
            if m is not None:
                m.limits = limits  # re-entering with new limits updates them; spend and state carry over
                return m
            if len(self._agents) >= MAX_AGENT_MONITORS:
                return None
            m = Monitor("agent", frame.id, frame.name, limits, self._now, self._transition)
            self._agents[frame.id] = m
            return m

    def budgeted(self, agents: tuple[AgentFrame, ...]) -> bool:
        if self.global_monitor.budget is not None:
            return True
        for a in agents:
            m = self._agents.get(a.id)
            if a.budget_per_hour is not None or (m is not None and m.budget is not None):
                return True
        return False

    def chain(self, agents: tuple[AgentFrame, ...]) -> list[Monitor]:
        out = [self.global_monitor]
        for frame in agents:
            m = self.monitor_for(frame)
            if m is not None and m not in out:
                out.append(m)
        return out

    def check(self, agents: tuple[AgentFrame, ...], projected_usd: float = 0.0) -> Ticket | Blocked:
        """Alerts for every violation; the innermost blocking monitor decides the error."""
        monitors = self.chain(agents)
        verdicts = [(m, m.evaluate(projected_usd)) for m in monitors]
        for m, v in verdicts:
            for violation in v.alerts:
                self._alert(m, violation)
        blocking = [(m, v) for m, v in verdicts if v.kind == "block"]
        if blocking:
            for m, v in blocking:
                if v.violation:
                    m.trip(v.violation.reason)
            m, v = blocking[-1]
            assert v.violation is not None
            return self._blocked(m, v.violation)
        probes: list[Monitor] = []
        for m, v in verdicts:
            m.admit(v.probe)
            if v.probe:
                probes.append(m)
        return Ticket(monitors, probes)

    def record(self, ticket: Ticket, cost_usd: float, error: bool) -> None:
        for m in ticket.monitors:
            m.record(cost_usd, error, m in ticket.probes)

    def add_spend(self, ticket: Ticket, cost_usd: float) -> None:
        for m in ticket.monitors:
            m.record_spend(cost_usd)

    def record_spend(self, agents: tuple[AgentFrame, ...], cost_usd: float) -> None:
        for m in self.chain(agents):
            m.record_spend(cost_usd)

    def external_alert(self, alert: dict[str, Any]) -> None:
        call_safely(self._limits.on_alert, alert)
        if self._on_alert:
            self._on_alert(alert)

    def external_block(self, violation: Violation, scope_id: str) -> Blocked:
        alert = self._alert_event(self.global_monitor, violation, True)
        alert["scope"] = "budget"
        alert["scope_id"] = scope_id
        event = {**alert, "state": self.global_monitor.snapshot(), "monitor": self.global_monitor}
        error = CircuitBreakerError(
            f"Blocked by Tollgate: {violation.message}", violation.reason, event["state"], self.global_monitor
        )
        return Blocked(error, event, self._limits.on_block)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            agents = list(self._agents.values())
        return {"global": self.global_monitor.snapshot(), "agents": [m.snapshot() for m in agents]}

    def _alert_event(self, m: Monitor, v: Violation, blocked: bool) -> dict[str, Any]:
        return {
            "scope": m.scope,
            "scope_id": m.id,
            "reason": v.reason,
            "message": v.message,
            "threshold": v.threshold,
            "current": v.current,
            "blocked": blocked,
            "timestamp": iso(self._now()),
        }

    def _alert(self, m: Monitor, v: Violation) -> None:
        if not m.alert_due(v.reason):
            return
        alert = self._alert_event(m, v, m.limits.block_on_threshold)
        call_safely(m.limits.on_alert, alert)
        try:
            if self._on_alert:
                self._on_alert(alert)
        except Exception:  # noqa: BLE001
            pass

    def _blocked(self, m: Monitor, v: Violation) -> Blocked:
        event = {**self._alert_event(m, v, True), "state": m.snapshot(), "monitor": m}
        where = "global" if m.scope == "global" else f'agent "{m.name}"'
        error = CircuitBreakerError(
            f"Blocked by Tollgate circuit breaker ({where}): {v.message}", v.reason, event["state"], m
        )
        return Blocked(error, event, m.limits.on_block)
