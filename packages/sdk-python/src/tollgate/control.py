"""The pre-send decision (server budgets, then circuit breakers) and the post-call accounting that
feeds them; the policy poller and the fire-and-forget reports to the server, on one daemon thread."""

from __future__ import annotations

import json
import math
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from ._version import SDK_NAME, SDK_VERSION
from .breaker import Blocked, Breaker, Ticket, Violation, iso
from .config import Config
from .context import current_context, effective_context
from .delivery.sender import internal_transport
from .instrument.capture import CallRecord
from .log import Logger
from .policy import BudgetHit, CallScope, ExtraSpend, Policy, evaluate_policy, matches, parse_policy
from .pricing import load_prices, price_of, prices_loaded, when_loaded
from .tokens import count_tokens

REPORT_TIMEOUT_S = 2.0
POLICY_ALERT_COOLDOWN_S = 60.0


@dataclass
class Plan:
    ticket: Ticket
    budget_ids: list[str]


@dataclass
class Go:
    degrade_to: str | None = None
    throttle_ms: float = 0.0


def estimate_usage(record: CallRecord) -> dict[str, int]:
    """~4 characters per token, for budgets only, when a stream carried no usage."""
    x = record.extracted
    out_chars = len(x.text) + sum(len(t.arguments) + len(t.name) for t in x.tool_calls)
    i, o = math.ceil(record.request.body_bytes / 4), math.ceil(out_chars / 4)
    return {"input_tokens": i, "output_tokens": o, "total_tokens": i + o}


class ControlPlane:
    def __init__(self, config: Config, breaker: Breaker, log: Logger) -> None:
        self._config = config
        self._breaker = breaker
        self._log = log
        self._last_policy_alert: dict[str, float] = {}
        self._init_process_state()

    def _init_process_state(self) -> None:
        self._policy: Policy | None = None
        self._fetched_at = 0.0
        self.local_spend: dict[str, ExtraSpend] = {}
        self._spend_lock = threading.Lock()
        self._posts: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue(maxsize=1000)
        self._poll_now = threading.Event()
        self._polled = threading.Condition()
        self._poll_count = 0
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    def start(self) -> None:
        if self._thread is not None or self._stopped:
            return
        if self._config.policy_poll_interval_s <= 0 and not self._config.deliver:
            return
        self._client = httpx.Client(transport=internal_transport())
        self._thread = threading.Thread(target=self._loop, name="tollgate-control", daemon=True)
        self._thread.start()

    def after_fork_in_child(self) -> None:
        self._init_process_state()

    def stop(self) -> None:
        self._stopped = True
        self._poll_now.set()
        try:
            self._posts.put_nowait(None)
        except queue.Full:
            pass

    def _headers(self) -> dict[str, str]:
        h = {"content-type": "application/json", "user-agent": f"{SDK_NAME}/{SDK_VERSION}"}
        if self._config.api_key:
            h["x-api-key"] = self._config.api_key
        return h

    def _loop(self) -> None:
        interval = self._config.policy_poll_interval_s
        next_poll = time.time() if interval > 0 else math.inf
        while not self._stopped:
            timeout = max(0.0, min(next_poll - time.time(), 3600.0))
            try:
                item = self._posts.get(timeout=0.05 if self._poll_now.is_set() else timeout)
            except queue.Empty:
                item = None
            if self._stopped:
                break
            if item is not None:
                self._post_now(*item)
                continue
            if self._poll_now.is_set() or time.time() >= next_poll:
                self._poll_now.clear()
                next_poll = time.time() + self.poll()

    # --- policy --------------------------------------------------------------------------------

    def refresh_policy(self, timeout: float = 5.0) -> None:
        """Polls now and waits for it (tests, and callers who want budgets before the first call)."""
        if self._thread is None:
            self.start()
        if self._thread is None:
            return
        with self._polled:
            seen = self._poll_count
            self._poll_now.set()
            try:
                self._posts.put_nowait(None)  # wakes the loop
            except queue.Full:
                pass
            self._polled.wait_for(lambda: self._poll_count > seen, timeout)

    def poll(self) -> float:
        """One poll; returns the seconds until the next."""
        nxt = self._config.policy_poll_interval_s or 30.0
        try:
            assert self._client is not None
            res = self._client.get(
                f"{self._config.endpoint}/api/policy",
                headers={k: v for k, v in self._headers().items() if k != "content-type"},
                timeout=5.0,
            )
            if res.status_code == 404:
                self._policy = None
                nxt = max(nxt, 300.0)
            elif 200 <= res.status_code < 300:
                parsed = parse_policy(res.json())
                if parsed is not None:
                    with self._spend_lock:
                        self._policy = parsed
                        self._fetched_at = time.time()
                        self.local_spend.clear()
                    if parsed.poll_interval_s:
                        nxt = parsed.poll_interval_s
                else:
                    self._log.debug("policy ignored: unexpected shape")
            else:
                self._log.debug("policy poll failed", status=res.status_code)
        except Exception as err:  # noqa: BLE001 - fail-open
            self._log.debug("policy poll failed", error=type(err).__name__)
        with self._polled:
            self._poll_count += 1
            self._polled.notify_all()
        return nxt

    def current(self, now: float | None = None) -> Policy | None:
        """The policy in force; None when there is none or it went stale (5 polls, at least 5 min)."""
        p = self._policy
        if p is None:
            return None
        interval = p.poll_interval_s or self._config.policy_poll_interval_s
        if (time.time() if now is None else now) - self._fetched_at > max(5 * interval, 300.0):
            return None
        return p

    def policy_info(self) -> dict[str, Any] | None:
        p = self._policy
        if p is None:
            return None
        return {"version": p.version, "fetched_at": iso(self._fetched_at), "budgets": len(p.budgets)}

    def _add_spend(self, budget_ids: list[str], usd: float, tokens: float) -> None:
        with self._spend_lock:
            for bid in budget_ids:
                cur = self.local_spend.setdefault(bid, ExtraSpend())
                cur.usd += usd
                cur.tokens += tokens

    # --- decisions -----------------------------------------------------------------------------

    def decide(self, record: CallRecord) -> Go | Blocked:
        agents = record.ctx.agents if record.ctx else ()
        policy = self.current()
        budget_ids: list[str] = []
        degrade_to: str | None = None
        throttle_ms = 0.0
        projected: ExtraSpend | None = None
        if policy is not None:
            user = effective_context(record.user)
            tags = {**self._config.tags, **(user.tags if user else {}), **(record.ctx.tags if record.ctx else {})}
            call = CallScope(agents, tags)
            budget_ids = [b.id for b in policy.budgets if matches(b, call)]
            if budget_ids:
                projected = self._project(record)
            extra = projected

            def spend(bid: str) -> ExtraSpend | None:
                local = self.local_spend.get(bid)
                if extra is None:
                    return local
                return ExtraSpend((local.usd if local else 0) + extra.usd, (local.tokens if local else 0) + extra.tokens)

            d = evaluate_policy(policy, call, spend)
            for each in d.hits:
                self._policy_alert(each)
            hit = d.decisive
            if hit is not None and d.action == "block":
                limit = hit.budget.limit_usd or hit.budget.limit_tokens or 0
                name = hit.budget.name or hit.budget.id
                message = f'budget "{name}" at {hit.percent:.1f}% of its {hit.budget.window} limit'
                violation = Violation("server_budget", message, limit, hit.percent / 100 * limit)
                return self._breaker.external_block(violation, hit.budget.id)
            if hit is not None and d.action == "throttle":
                throttle_ms = hit.threshold.throttle_ms if hit.threshold.throttle_ms is not None else 1000
                record.attributes["policy_budget_id"] = hit.budget.id
            if hit is not None and d.action == "degrade":
                degrade_to = hit.threshold.degrade_to_model
                record.attributes["policy_budget_id"] = hit.budget.id
        if projected is None and self._breaker.budgeted(agents):
            projected = self._project(record)
        check = self._breaker.check(agents, projected.usd if projected else 0.0)
        if isinstance(check, Blocked):
            return check
        record.plan = Plan(check, budget_ids)
        return Go(degrade_to, throttle_ms)

    def _project(self, record: CallRecord) -> ExtraSpend | None:
        """The prompt's tokens and price before the call is sent (output is unknown, not guessed)."""
        if record.request.input is None:
            return None
        model = record.request.model
        tokens = count_tokens(record.request.input, model).tokens
        record.attributes["projected_input_tokens"] = tokens
        cost = price_of(record.detected.provider, model, {"input_tokens": tokens}) if prices_loaded() else None
        return ExtraSpend(cost["total_usd"] if cost else 0.0, tokens)

    def record_call(self, record: CallRecord) -> None:
        plan: Plan | None = record.plan
        if plan is None:
            return
        x = record.extracted
        usage = record.usage or estimate_usage(record)
        provider = record.detected.provider

        def price() -> float:
            c = price_of(provider, x.response_model or record.request.model, usage) or price_of(
                provider, record.request.model, usage
            )
            return c["total_usd"] if c else 0.0

        failed = record.error is not None and not record.aborted
        budgeted = bool(plan.budget_ids) or any(m.budget is not None for m in plan.ticket.monitors)
        if budgeted and prices_loaded():
            cost = price()
            self._breaker.record(plan.ticket, cost, failed)
            if plan.budget_ids:
                self._add_spend(plan.budget_ids, cost, usage.get("total_tokens", 0))
            return
        self._breaker.record(plan.ticket, 0.0, failed)
        if not budgeted and not plan.budget_ids:
            return  # nobody reads this spend: pricing it (~250 µs) is skipped

        def add_spend() -> None:
            cost = price()
            self._breaker.add_spend(plan.ticket, cost)
            if plan.budget_ids:
                self._add_spend(plan.budget_ids, cost, usage.get("total_tokens", 0))

        # Ends before the price table loaded: priced once it has, a moment late, instead of never.
        when_loaded(add_spend)

    def record_reported(self, span: dict[str, Any]) -> None:
        """Spend of an LLM span given to report() counts against the breakers of its context."""
        if span.get("kind") not in ("llm", "embedding"):
            return
        ctx = current_context()
        agents = ctx.agents if ctx else ()

        def add() -> None:
            cost_obj = span.get("cost")
            cost = cost_obj.get("total_usd") if isinstance(cost_obj, dict) else None
            if cost is None:
                c = price_of(span.get("provider"), span.get("response_model") or span.get("model"), span.get("usage"))
                cost = c["total_usd"] if c else None
            if isinstance(cost, (int, float)) and cost > 0:
                self._breaker.record_spend(agents, float(cost))

        if span.get("cost"):
            add()
        else:
            when_loaded(add)

    # --- reports -------------------------------------------------------------------------------

    def report_transition(self, t: dict[str, Any]) -> None:
        self._post("/api/circuit-breaker/state", t)

    def report_alert(self, a: dict[str, Any]) -> None:
        self._post("/api/alerts/sdk-alert", a)

    def _policy_alert(self, hit: BudgetHit) -> None:
        key = f"{hit.budget.id}:{hit.threshold.action}"
        now = time.time()
        last = self._last_policy_alert.get(key)
        if last is not None and now - last < POLICY_ALERT_COOLDOWN_S:
            return
        self._last_policy_alert[key] = now
        limit = hit.budget.limit_usd or hit.budget.limit_tokens or 0
        self._breaker.external_alert(
            {
                "scope": "budget",
                "scope_id": hit.budget.id,
                "reason": "server_budget",
                "message": f'budget "{hit.budget.name or hit.budget.id}" at {hit.percent:.1f}%: {hit.threshold.action}',
                "threshold": limit,
                "current": hit.percent / 100 * limit,
                "blocked": hit.threshold.action == "block",
                "timestamp": iso(now),
            }
        )

    def _post(self, path: str, body: dict[str, Any]) -> None:
        """Fire-and-forget: never awaited, never raises, bounded by a short timeout."""
        if not self._config.enabled or not self._config.deliver:
            return
        self.start()
        payload = {k: v for k, v in body.items() if k != "monitor"}
        payload["sdk"] = {"name": SDK_NAME, "version": SDK_VERSION}
        try:
            self._posts.put_nowait((path, payload))
        except queue.Full:
            pass

    def _post_now(self, path: str, payload: dict[str, Any]) -> None:
        try:
            assert self._client is not None
            self._client.post(
                f"{self._config.endpoint}{path}",
                content=json.dumps(payload, default=str),
                headers=self._headers(),
                timeout=REPORT_TIMEOUT_S,
            )
        except Exception as err:  # noqa: BLE001
            self._log.debug("report to server failed", path=path, error=type(err).__name__)


__all__ = ["ControlPlane", "Go", "Plan", "load_prices"]
