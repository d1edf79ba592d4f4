"""The server budget policy (`GET /api/policy`), ported from packages/policy (schema and evaluate).

Parsed leniently, as an SDK must: an invalid budget or threshold is skipped, never fatal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence, TypeGuard

SCOPES = ("global", "agent", "tenant", "customer", "feature", "tag")
WINDOWS = ("hour", "day", "month", "rolling", "rolling_1h", "rolling_24h")
ACTIONS = ("allow", "alert", "degrade", "throttle", "block")
MAX_THROTTLE_MS = 60_000
# Most restrictive last: when budgets disagree, the highest rank wins.
ACTION_RANK = {"allow": 0, "alert": 1, "degrade": 2, "throttle": 3, "block": 4}

_INVALID = object()


@dataclass
class Threshold:
    percent: float
    action: str
    degrade_to_model: str | None = None
    throttle_ms: float | None = None


@dataclass
class Budget:
    id: str
    thresholds: list[Threshold]
    name: str | None = None
    scope: str = "global"
    scope_value: str | None = None
    tag_key: str | None = None
    limit_usd: float | None = None
    limit_tokens: float | None = None
    window: str = "month"
    spent_usd: float = 0.0
    spent_tokens: float = 0.0
    window_ends_at: str | None = None


@dataclass
class Policy:
    budgets: list[Budget]
    version: str | None = None
    generated_at: str | None = None
    poll_interval_s: float | None = None


def _is_num(v: Any) -> TypeGuard[float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _nonneg(v: Any) -> TypeGuard[float]:
    return _is_num(v) and v >= 0


def _positive_or_none(v: Any) -> float | None:
    return float(v) if _is_num(v) and v > 0 else None  # .catch(undefined)


def _opt_str(raw: Mapping[str, Any], key: str) -> Any:
    """z.string().min(1).optional(): absent is None, a non-empty string passes, anything else is invalid."""
    if key not in raw:
        return None
    v = raw[key]
    return v if isinstance(v, str) and v else _INVALID


def _caught_str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def parse_threshold(raw: Any) -> Threshold | None:
    if not isinstance(raw, dict):
        return None
    percent, action = raw.get("percent"), raw.get("action")
    if not _nonneg(percent) or action not in ACTIONS:
        return None
    degrade = _opt_str(raw, "degrade_to_model")
    if degrade is _INVALID:
        return None
    throttle = raw.get("throttle_ms") if "throttle_ms" in raw else None
    if "throttle_ms" in raw and not _nonneg(throttle):
        return None
    if action == "degrade" and degrade is None:
        return None
    return Threshold(
        float(percent), action, degrade, None if throttle is None else float(min(throttle, MAX_THROTTLE_MS))
    )


def parse_budget(raw: Mapping[str, Any], thresholds: list[Threshold]) -> Budget | None:
    bid = raw.get("id")
    if not isinstance(bid, str) or not bid:
        return None
    scope = raw.get("scope", "global") if "scope" in raw else "global"
    if scope not in SCOPES:
        return None
    scope_value, tag_key = _opt_str(raw, "scope_value"), _opt_str(raw, "tag_key")
    if scope_value is _INVALID or tag_key is _INVALID:
        return None
    limit_usd, limit_tokens = _positive_or_none(raw.get("limit_usd")), _positive_or_none(raw.get("limit_tokens"))
    if limit_usd is None and limit_tokens is None:
        return None
    if scope != "global" and scope_value is None:
        return None
    if scope == "tag" and tag_key is None:
        return None
    window = raw.get("window")
    spent_usd, spent_tokens = raw.get("spent_usd"), raw.get("spent_tokens")
    return Budget(
        id=bid,
        thresholds=thresholds,
        name=_caught_str(raw.get("name")),
        scope=scope,
        scope_value=scope_value,
        tag_key=tag_key,
        limit_usd=limit_usd,
        limit_tokens=limit_tokens,
        window=window if window in WINDOWS else "month",
        spent_usd=float(spent_usd) if _nonneg(spent_usd) else 0.0,
        spent_tokens=float(spent_tokens) if _nonneg(spent_tokens) else 0.0,
        window_ends_at=_caught_str(raw.get("window_ends_at")),
    )


def parse_policy(data: Any) -> Policy | None:
    """None only when the document itself is not a policy."""
    if not isinstance(data, dict) or not isinstance(data.get("budgets"), list):
        return None
    budgets: list[Budget] = []
    for raw in data["budgets"]:
        if not isinstance(raw, dict):
            continue
        given = raw.get("thresholds")
        parsed = [t for t in (parse_threshold(x) for x in (given if isinstance(given, list) else [])) if t]
        parsed.sort(key=lambda t: t.percent)
        b = parse_budget(raw, parsed or [Threshold(100.0, "block")])
        if b is not None:
            budgets.append(b)
    poll = data.get("poll_interval_s")
    return Policy(
        budgets=budgets,
        version=_caught_str(data.get("version")),
        generated_at=_caught_str(data.get("generated_at")),
        poll_interval_s=min(3600.0, max(5.0, float(poll))) if _nonneg(poll) else None,
    )


@dataclass
class CallScope:
    """Who a call is for, as budgets match it: its agent stack and its tags."""

    agents: Sequence[Any]  # objects with .id and .name
    tags: Mapping[str, str]


@dataclass
class ExtraSpend:
    usd: float = 0.0
    tokens: float = 0.0


@dataclass
class BudgetHit:
    budget: Budget
    percent: float
    threshold: Threshold


@dataclass
class PolicyDecision:
    action: str = "allow"
    decisive: BudgetHit | None = None
    hits: list[BudgetHit] = field(default_factory=list)


def matches(budget: Budget, call: CallScope) -> bool:
    value = budget.scope_value
    s = budget.scope
    if s == "global":
        return True
    if s == "agent":
        return any(a.id == value or a.name == value for a in call.agents)
    if s == "tenant":
        return (call.tags.get("tenant") if "tenant" in call.tags else call.tags.get("tenant_id")) == value
    if s == "customer":
        return (call.tags.get("customer") if "customer" in call.tags else call.tags.get("customer_id")) == value
    if s == "feature":
        return call.tags.get("feature") == value
    if s == "tag":
        return budget.tag_key is not None and call.tags.get(budget.tag_key) == value
    return False


def _parse_time(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def usage_percent(budget: Budget, extra: ExtraSpend | None, now: float) -> float:
    ends = _parse_time(budget.window_ends_at) if budget.window_ends_at else None
    ended = ends is not None and ends <= now
    usd = (0.0 if ended else budget.spent_usd) + (extra.usd if extra else 0.0)
    tokens = (0.0 if ended else budget.spent_tokens) + (extra.tokens if extra else 0.0)
    by_usd = usd / budget.limit_usd * 100 if budget.limit_usd else 0.0
    by_tokens = tokens / budget.limit_tokens * 100 if budget.limit_tokens else 0.0
    return max(by_usd, by_tokens)


def active_threshold(budget: Budget, percent: float) -> Threshold | None:
    """The highest threshold the usage has reached."""
    active = None
    for t in budget.thresholds:
        if percent >= t.percent:
            active = t
    return active


def _stronger(a: BudgetHit, b: BudgetHit) -> BudgetHit:
    if a.threshold.action == "throttle":
        return b if (b.threshold.throttle_ms or 0) > (a.threshold.throttle_ms or 0) else a
    return b if b.percent > a.percent else a


def evaluate_policy(
    policy: Policy | None,
    call: CallScope,
    extra: Callable[[str], ExtraSpend | None] | None = None,
    now: float | None = None,
) -> PolicyDecision:
    """Every matching budget is checked; the most restrictive action wins (block > throttle > degrade > alert)."""
    import time

    when = time.time() if now is None else now
    decision = PolicyDecision()
    if policy is None:
        return decision
    for budget in policy.budgets:
        if not matches(budget, call):
            continue
        percent = usage_percent(budget, extra(budget.id) if extra else None, when)
        threshold = active_threshold(budget, percent)
        if threshold is None or threshold.action == "allow":
            continue
        hit = BudgetHit(budget, percent, threshold)
        decision.hits.append(hit)
        rank = ACTION_RANK[threshold.action]
        if decision.decisive is None or rank > ACTION_RANK[decision.action]:
            decision.decisive = hit
            decision.action = threshold.action
        elif rank == ACTION_RANK[decision.action]:
            decision.decisive = _stronger(decision.decisive, hit)
    return decision
