"""One configured SDK: delivery, breaker, budgets and instrumentation. The module-level API drives one
instance; tests and embedders may create their own."""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import math
import time
import uuid
import weakref
from typing import Any, Mapping

from .breaker import Blocked, Breaker, Limits, _run_awaitable
from .config import Config, resolve_config
from .control import ControlPlane, Go
from .delivery.delivery import Delivery, DeliveryOptions
from .delivery.sender import Sender
from .delivery.sqlite_store import SqliteStore
from .delivery.store import MemoryStore, SpanStore
from .errors import CircuitBreakerError
from .exporters import Exports
from .hooks import apply_result, run_hook_async, run_hook_sync
from .inflight import Inflight
from .instrument import transport
from .instrument.capture import CallRecord
from .instrument.providers import Detected
from .log import Logger
from .pricing import load_prices
from .spans import complete_reported, keep_trace, llm_span
from .tracing import Scope

_clients: weakref.WeakSet[TollgateClient] = weakref.WeakSet()


def hash_user_id(user_id: str) -> str:
    """Hex SHA-256: the same user always maps to the same id; the id itself never leaves the process."""
    return hashlib.sha256(user_id.encode()).hexdigest()


class TollgateClient:
    def __init__(self, options: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> None:
        self.config: Config = resolve_config(options or {}, env)
        c = self.config
        self.log = Logger(c.debug)
        self.inflight = Inflight()
        self.breaker = Breaker(
            Limits(c.budget_per_hour, c.max_error_rate, c.max_calls_per_minute, c.block_on_threshold, c.on_alert, c.on_block),
            on_transition=lambda t: self.control.report_transition(t),
            on_alert=lambda a: self.control.report_alert(a),
        )
        self.control = ControlPlane(c, self.breaker, self.log)
        self._exports = Exports(c.exporters, lambda err: self.log.debug("on_span exporter failed", error=type(err).__name__))
        self.delivery: Delivery | None = None
        self._instrumented = False
        self._propagate = False
        self.closed = False
        self._atexit_registered = False

    @property
    def enabled(self) -> bool:
        return self.config.enabled and not self.closed

    def start(self) -> TollgateClient:
        c = self.config
        if not c.enabled:
            return self
        load_prices()
        if c.policy_poll_interval_s > 0:
            self.control.start()
        if c.deliver:
            self.delivery = Delivery(
                self._open_store,
                lambda: Sender(c.endpoint, c.api_key, c.request_timeout_s),
                DeliveryOptions(c.max_batch, c.max_batch_bytes, c.flush_interval_s, c.max_queue_size),
                self.log,
            )
            self.delivery.start()
        _clients.add(self)
        atexit.register(self._at_exit)
        self._atexit_registered = True
        return self

    def _open_store(self) -> SpanStore:
        """The SQLite spool for durable_local, falling back to memory (fail-open)."""
        c = self.config
        if c.durability == "durable_local":
            try:
                key_id = hashlib.sha256((c.api_key or "").encode()).hexdigest()[:16]
                return SqliteStore(c.spool_path, key_id, str(uuid.uuid4()), c.max_spool_bytes, int(c.max_spool_age_s * 1000))
            except Exception as err:  # noqa: BLE001 - no spool (read-only disk) means best_effort, not a crash
                self.log.debug("spool unavailable, using memory", error=str(err))
        return MemoryStore(c.max_queue_size, c.max_spool_bytes, int(c.max_spool_age_s * 1000))

    # --- spans ---------------------------------------------------------------------------------

    def report(self, partial: Mapping[str, Any]) -> None:
        if not self.enabled:
            return
        try:
            if not isinstance(partial, Mapping):
                if self.delivery:
                    self.delivery.count_drop("invalid")
                return
            span = complete_reported(partial)
            self.control.record_reported(span)
            self.emit(span)
        except Exception as err:  # noqa: BLE001
            if self.delivery:
                self.delivery.count_drop("invalid")
            self.log.debug("report() ignored a span", error=str(err))

    def emit(self, span: dict[str, Any]) -> None:
        """Sampling, zero data retention, user-id hashing and global tags, then the delivery queue."""
        d = self.delivery
        if not self.enabled or (d is None and not len(self._exports)):
            return
        if not keep_trace(span["trace_id"], self.config.sample_rate):
            if d:
                d.count_drop("sampled_out")
            return
        if self.config.zero_data_retention:
            span.pop("input", None)
            span.pop("output", None)
        if self.config.hash_user_ids and span.get("user_id"):
            span["user_id"] = hash_user_id(str(span["user_id"]))
        if self.config.tags:
            span["tags"] = {**self.config.tags, **(span.get("tags") or {})}
        if len(self._exports):
            self._exports.run(span)
        if d is not None:
            d.enqueue(span)

    # Sink of trace()/span()/agent()
    def emit_manual(self, span: dict[str, Any]) -> None:
        if span.get("usage"):
            self.control.record_reported(span)
        self.emit(span)

    def register_agent(self, frame: Any) -> None:
        self.breaker.monitor_for(frame)

    def track(self, pending: Any) -> None:
        self.inflight.add(pending)

    def untrack(self, pending: Any) -> None:
        self.inflight.discard(pending)

    def scope(self, name: str, kind: str | None, new_trace: bool, **attrs: Any) -> Scope:
        return Scope(lambda: self if self.enabled else None, name, kind or "chain", new_trace, explicit_kind=kind is not None, **attrs)

    # --- instrumentation hooks ------------------------------------------------------------------

    def instrument(self, propagate_traceparent: bool = False) -> dict[str, bool]:
        if not self.enabled:
            return {name: False for name in transport.LIBRARIES}
        self._propagate = propagate_traceparent
        self._instrumented = True
        return transport.install(self)

    def uninstrument(self) -> None:
        self._instrumented = False
        if transport._hooks[0] is self:
            transport.uninstall()

    def active(self) -> bool:
        return self._instrumented and not self.closed

    def propagate_traceparent(self) -> bool:
        return self._propagate

    def begin(self, detected: Detected, url: str) -> CallRecord:
        record = CallRecord(detected, url, self._complete)
        self.inflight.add(record)
        return record

    def _decide(self, record: CallRecord) -> Go | Blocked:
        try:
            return self.control.decide(record)
        except Exception as err:  # noqa: BLE001 - fail-open: an SDK fault never blocks a call
            self.log.debug("pre-send check failed; the call proceeds", error=str(err))
            return Go()

    def plan_sync(self, record: CallRecord) -> str | None:
        d = self._decide(record)
        if isinstance(d, Blocked):
            if d.on_block is not None:
                try:
                    r = d.on_block(d.event)
                    if hasattr(r, "__await__"):
                        _run_awaitable(r)
                except Exception:  # noqa: BLE001 - on_block failing does not change the outcome
                    pass
            raise d.error
        degrade, delay = d.degrade_to, d.throttle_ms
        hook = self.config.before_request
        if hook is not None:
            r = run_hook_sync(hook, record, degrade, self.log, self.config.tags)
            degrade, delay = apply_result(r, record, degrade, delay, self.breaker)
        if delay > 0:
            record.attributes["throttled_ms"] = delay
            time.sleep(min(delay, 60_000) / 1000)
        return degrade

    async def plan_async(self, record: CallRecord) -> str | None:
        d = self._decide(record)
        if isinstance(d, Blocked):
            if d.on_block is not None:
                try:
                    r = d.on_block(d.event)
                    if hasattr(r, "__await__"):
                        await r
                except Exception:  # noqa: BLE001
                    pass
            raise d.error
        degrade, delay = d.degrade_to, d.throttle_ms
        hook = self.config.before_request
        if hook is not None:
            r = await run_hook_async(hook, record, degrade, self.log, self.config.tags)
            degrade, delay = apply_result(r, record, degrade, delay, self.breaker)
        if delay > 0:
            record.attributes["throttled_ms"] = delay
            await asyncio.sleep(min(delay, 60_000) / 1000)
        return degrade

    def blocked(self, record: CallRecord, err: BaseException) -> None:
        """The call was not sent: a block gets its span."""
        self.inflight.discard(record)
        if not isinstance(err, CircuitBreakerError):
            return
        record.finished = True
        record.end_perf = record.start_perf
        record.error = str(err)
        record.attributes["blocked"] = True
        record.attributes["breaker_reason"] = err.reason
        self.emit(llm_span(record, not self.config.zero_data_retention))

    def _complete(self, record: CallRecord) -> None:
        """A call ended. When a budget, an error-rate limit or a half-open probe waits for its
        outcome, it is read and recorded at once (the next call must see it); otherwise reading the
        body and building the span happen on the commit thread, off the application's path."""
        d = self.delivery
        if d is not None and not record.abandoned and not _needs_outcome(record.plan) and d.defer(lambda: self._finalize(record)):
            return
        self._finalize(record)

    def _finalize(self, record: CallRecord) -> None:
        try:
            record.settle()
            self.control.record_call(record)
        except Exception as err:  # noqa: BLE001
            self.log.debug("could not record a call", error=str(err))
        try:
            self.emit(llm_span(record, not self.config.zero_data_retention))
        except Exception as err:  # noqa: BLE001
            self.log.debug("could not record a call", error=str(err))
        # Only once the span is in the buffer: a flush waiting on this record then commits it.
        self.inflight.discard(record)

    # --- state, flush, shutdown -----------------------------------------------------------------

    def get_state(self) -> dict[str, Any]:
        s = self.breaker.snapshot()
        return {
            "state": s["global"]["state"],
            "global": s["global"],
            "agents": s["agents"],
            "policy": self.control.policy_info(),
            "delivery": self.delivery.state() if self.delivery else None,
        }

    def flush(self, timeout: float | None = None) -> None:
        """Waits for captures in flight (at most shutdown_timeout_s), then delivers until `timeout`."""
        deadline = math.inf if timeout is None else time.time() + timeout
        if self.delivery is not None:
            self.delivery.run_work()
        self.inflight.idle(min(deadline, time.time() + self.config.shutdown_timeout_s))
        try:
            if self.delivery:
                self.delivery.flush(deadline)
        except Exception as err:  # noqa: BLE001
            self.log.debug("flush failed", error=str(err))

    def shutdown(self, timeout: float | None = None) -> None:
        """Flushes until the deadline, then closes; undelivered spans stay in the spool."""
        if self.closed:
            return
        t = self.config.shutdown_timeout_s if timeout is None else max(0.0, timeout)
        deadline = time.time() + t
        # Captures get the deadline less a reserve for delivery; still open then: a partial span.
        self.inflight.idle(deadline - min(1.0, t / 2))
        self.inflight.abandon_all()
        self.flush(max(0.0, deadline - time.time()))
        self.closed = True
        self.uninstrument()
        self.control.stop()
        if self._atexit_registered:
            atexit.unregister(self._at_exit)
        try:
            if self.delivery:
                self.delivery.close(deadline)
        except Exception as err:  # noqa: BLE001
            self.log.debug("close failed", error=str(err))

    def _at_exit(self) -> None:
        """Process exit: open captures become partial spans, one bounded flush, the rest is committed."""
        if self.closed:
            return
        try:
            self.inflight.abandon_all()
            if self.delivery:
                self.delivery.flush(time.time() + self.config.shutdown_timeout_s)
                self.delivery.close_sync()
        except Exception:  # noqa: BLE001
            pass

    def after_fork_in_child(self) -> None:
        self.inflight.reset()
        self.control.after_fork_in_child()
        if self.delivery is not None:
            self.delivery.after_fork_in_child()
        if self.config.policy_poll_interval_s > 0 and self.enabled:
            self.control.start()


def _needs_outcome(plan: Any) -> bool:
    if plan is None:
        return False
    if plan.budget_ids or plan.ticket.probes:
        return True
    return any(m.budget is not None or m.limits.max_error_rate is not None for m in plan.ticket.monitors)


def _after_fork_in_child() -> None:
    for c in list(_clients):
        try:
            c.after_fork_in_child()
        except Exception:  # noqa: BLE001
            pass


if hasattr(__import__("os"), "register_at_fork"):
    __import__("os").register_at_fork(after_in_child=_after_fork_in_child)
