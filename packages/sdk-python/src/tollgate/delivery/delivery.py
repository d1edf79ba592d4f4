"""Moves spans from report() to the backend on background threads; never raises to its callers.

memory buffer → store (commit, one transaction per burst, within 20 ms) → lease → send →
ack / release with backoff / drop with a counted reason. A commit thread owns the spool writes, a
send thread the network: a backend that hangs never delays a commit.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..config import SERVER_MAX_BYTES
from ..log import Logger
from .health import DeliveryHealth
from .sender import Outcome, Sender
from .store import Leased, SpanStore

COMMIT_DELAY_S = 0.02
COMMIT_AT = 256
MAINTAIN_EVERY_S = 60.0
MAX_BACKOFF_S = 300.0


def backoff_s(attempt: int, rnd: Callable[[], float] = random.random) -> float:
    """Exponential backoff with equal jitter: never zero, never synchronised across processes."""
    ceiling: float = min(MAX_BACKOFF_S, 1.0 * 2 ** min(attempt, 20))
    return ceiling / 2 + rnd() * ceiling / 2


def chunk_by_bytes(rows: Sequence[Leased], max_bytes: int) -> list[list[Leased]]:
    """Request-sized chunks; a single oversized row goes alone."""
    chunks: list[list[Leased]] = []
    current: list[Leased] = []
    size = 0
    for row in rows:
        if current and size + row.bytes + 1 > max_bytes:
            chunks.append(current)
            current, size = [], 0
        current.append(row)
        size += row.bytes + 1
    if current:
        chunks.append(current)
    return chunks


@dataclass
class DeliveryOptions:
    max_batch: int
    max_batch_bytes: int
    flush_interval_s: float
    max_buffer: int


def _now_ms() -> int:
    return int(time.time() * 1000)


class Delivery:
    def __init__(
        self,
        open_store: Callable[[], SpanStore],
        make_sender: Callable[[], Sender],
        opts: DeliveryOptions,
        log: Logger,
    ) -> None:
        self._open_store = open_store
        self._make_sender = make_sender
        self._opts = opts
        self._log = log
        self.url = ""
        self._closed = False
        self._init_process_state()

    def _init_process_state(self) -> None:
        """Everything a forked child must not share with its parent."""
        self._lock = threading.Lock()
        self._store_lock = threading.RLock()
        self._pump_lock = threading.Lock()
        # One commit at a time: when commit() returns, every span enqueued before it is in the store.
        self._commit_lock = threading.Lock()
        self._buffer: list[dict[str, Any]] = []
        # Span building moved off the caller's path (see TollgateClient._complete).
        self._work: list[Callable[[], None]] = []
        self._drops: dict[str, int] = {}
        self._wake = threading.Event()
        self._urgent = threading.Event()
        self._send_wake = threading.Event()
        self._started = False
        self._paused_until = 0.0
        # A server-mandated pause (Retry-After, 401/403/404): honoured even by an explicit flush.
        self._retry_after_until = 0.0
        self._failures = 0
        self._ready_count = 0
        self._ready_bytes = 0
        self.store: SpanStore | None = None
        self._sender: Sender | None = None
        self._health: DeliveryHealth | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._started or self._closed:
            return
        self._started = True
        self.store = self._open_store()
        self._sender = self._make_sender()
        self.url = self._sender.url
        self._health = DeliveryHealth(self._sender.url, self._log)
        threading.Thread(target=self._commit_loop, name="tollgate-commit", daemon=True).start()
        threading.Thread(target=self._send_loop, name="tollgate-send", daemon=True).start()
        # Spans a previous process left behind go out without waiting for new traffic.
        if self._safe(lambda: self._store_size()[0], 0):
            self._send_wake.set()

    @property
    def durable(self) -> bool:
        return bool(self.store and self.store.durable)

    def after_fork_in_child(self) -> None:
        """Threads do not survive fork and the parent's SQLite connection must not be used: a child
        starts afresh (lazily, on its first span) with its own connection and lease owner. The
        buffer copied from the parent is the parent's to commit."""
        old = self.store
        if old is not None:
            _LEAKED.append(old)  # never closed here: closing it in the child could disturb the parent
        if self._sender is not None:
            _LEAKED.append(self._sender)
        self._init_process_state()

    # --- hot path ----------------------------------------------------------------------------

    def enqueue(self, span: dict[str, Any]) -> None:
        """O(1); the store write happens shortly after on the commit thread."""
        if self._closed:
            return
        if not self._started:
            self.start()
        with self._lock:
            n = len(self._buffer)
            if n >= self._opts.max_buffer:
                self._drops["queue_full"] = self._drops.get("queue_full", 0) + 1
                n = -1
            else:
                self._buffer.append(span)
                n += 1
        if n == 1 or n == -1:
            self._wake.set()
        elif n >= COMMIT_AT:
            self._urgent.set()

    def defer(self, fn: Callable[[], None]) -> bool:
        """Runs `fn` on the commit thread, before the next commit. False when closed (run it yourself)."""
        if self._closed:
            return False
        if not self._started:
            self.start()
        with self._lock:
            self._work.append(fn)
        self._wake.set()
        return True

    def run_work(self) -> None:
        """Runs deferred work now (commit, flush, exit)."""
        while True:
            with self._lock:
                work, self._work = self._work, []
            if not work:
                return
            for fn in work:
                try:
                    fn()
                except Exception as err:  # noqa: BLE001
                    self._log.debug("deferred work failed", error=str(err))

    def count_drop(self, reason: str, n: int = 1) -> None:
        """Counts a span dropped before it reached the store; reported with the next batch."""
        with self._lock:
            self._drops[reason] = self._drops.get(reason, 0) + n
        self._wake.set()

    # --- commit ------------------------------------------------------------------------------

    def commit(self) -> int:
        """Writes buffered spans to the store in one transaction. Returns how many were committed."""
        self.run_work()
        if self.store is None:
            return 0
        with self._commit_lock:
            return self._commit_locked()

    def _commit_locked(self) -> int:
        assert self.store is not None
        with self._lock:
            spans, self._buffer = self._buffer, []
            drops, self._drops = self._drops, {}
        if not spans and not drops:
            return 0
        bodies: list[str] = []
        size = 0
        for span in spans:
            try:
                body = json.dumps(span, separators=(",", ":"), ensure_ascii=False, default=str, allow_nan=False)
            except (TypeError, ValueError, RecursionError):
                drops["unserializable"] = drops.get("unserializable", 0) + 1
                continue
            if len(body) > SERVER_MAX_BYTES and len(body.encode()) > SERVER_MAX_BYTES:
                drops["too_large"] = drops.get("too_large", 0) + 1
                continue
            bodies.append(body)
            size += len(body)
        try:
            with self._store_lock:
                if bodies:
                    self.store.add(bodies, _now_ms())
                for reason, n in drops.items():
                    self.store.count(reason, n)
        except Exception as err:  # noqa: BLE001 - the store is unavailable (disk full, locked)
            self._log.debug("spool write failed", error=str(err), spans=len(bodies))
            with self._lock:
                keep = spans[: max(0, self._opts.max_buffer - len(self._buffer))]
                self._buffer = keep + self._buffer
                for reason, n in drops.items():
                    self._drops[reason] = self._drops.get(reason, 0) + n
            raise
        self._ready_count += len(bodies)
        self._ready_bytes += size
        if self._ready_count >= self._opts.max_batch or self._ready_bytes >= self._opts.max_batch_bytes:
            self._send_wake.set()
        return len(bodies)

    def _commit_loop(self) -> None:
        next_maintain = time.time() + MAINTAIN_EVERY_S
        while not self._closed:
            fired = self._wake.wait(timeout=max(0.0, next_maintain - time.time()))
            if self._closed:
                break
            if fired:
                self._wake.clear()
                # Commit soon but not per span: one transaction per burst keeps the spool cheap.
                self._urgent.wait(COMMIT_DELAY_S)
                self._urgent.clear()
                try:
                    self.commit()
                except Exception:  # noqa: BLE001 - kept in memory; try again in a second
                    time.sleep(1.0)
                    self._wake.set()
            if time.time() >= next_maintain:
                next_maintain = time.time() + MAINTAIN_EVERY_S
                self._safe(lambda: self._with_store(lambda s: s.maintain(_now_ms())), None)

    # --- send --------------------------------------------------------------------------------

    def _send_loop(self) -> None:
        interval = self._opts.flush_interval_s * (0.8 + random.random() * 0.4)
        while not self._closed:
            self._send_wake.wait(timeout=interval)
            self._send_wake.clear()
            if self._closed:
                break
            self.pump(False)

    def pump(self, force: bool, deadline: float = math.inf) -> None:
        """Sends batches until nothing is ready, a send fails, or the deadline passes. `force`
        ignores backoff (an explicit flush), not a server-mandated pause."""
        timeout = -1.0 if deadline == math.inf else max(0.0, deadline - time.time())
        if not self._pump_lock.acquire(timeout=timeout):
            return
        try:
            self._run(force, deadline)
        except Exception as err:  # noqa: BLE001
            self._log.debug("delivery error", error=str(err))
        finally:
            self._pump_lock.release()

    def _run(self, force: bool, deadline: float) -> None:
        self._safe(self.commit, 0)
        while not self._closed and time.time() < deadline:
            now = time.time()
            if now < self._retry_after_until or (not force and now < self._paused_until):
                return
            ready_at = 2**62 if force else _now_ms()
            rows = self._with_store(lambda s: s.lease(self._opts.max_batch, ready_at))
            if not rows:
                return
            self._ready_count = self._ready_bytes = 0
            if not self._send_rows(rows, deadline):
                return

    def _send_rows(self, rows: list[Leased], deadline: float) -> bool:
        chunks = chunk_by_bytes(rows, self._opts.max_batch_bytes)
        for i, chunk in enumerate(chunks):
            if not self._send_chunk(chunk, i == 0, deadline):
                rest = [r.id for c in chunks[i + 1 :] for r in c]
                if rest:
                    until = int(self._paused_until * 1000)
                    self._with_store(lambda s: s.release(rest, until))
                return False
        return True

    def _send_chunk(self, chunk: list[Leased], with_counters: bool, deadline: float) -> bool:
        assert self._sender is not None and self._health is not None
        dropped = self._with_store(lambda s: s.counters()) if with_counters else None
        outcome: Outcome = self._sender.send([r.body for r in chunk], dropped, deadline)
        ids = [r.id for r in chunk]
        if outcome.kind == "ok":
            rejected = {i for i in outcome.rejected if 0 <= i < len(chunk)}
            keep = [x for i, x in enumerate(ids) if i not in rejected]
            gone = [x for i, x in enumerate(ids) if i in rejected]
            self._with_store(lambda s: s.ack(keep))
            if gone:
                self._with_store(lambda s: s.drop(gone, "rejected"))
            if dropped:
                self._with_store(lambda s: s.ack_counters(dropped))
            self._failures = 0
            self._paused_until = self._retry_after_until = 0.0
            self._health.ok()
            return True
        if outcome.kind == "retry":
            attempts = max([self._failures, *[r.attempts for r in chunk]])
            delay = outcome.retry_after_s if outcome.retry_after_s is not None else backoff_s(attempts)
            self._failures += 1
            self._paused_until = time.time() + delay
            if outcome.retry_after_s is not None:
                self._retry_after_until = self._paused_until
            until = int(self._paused_until * 1000)
            self._with_store(lambda s: s.release(ids, until))
            self._health.retrying(outcome.reason)
            self._log.debug("ingest unavailable, will retry", reason=outcome.reason, spans=len(ids), delay_s=delay)
            return False
        if outcome.kind == "pause":
            self._paused_until = time.time() + self._health.paused(outcome.status)
            self._retry_after_until = self._paused_until
            until = int(self._paused_until * 1000)
            self._with_store(lambda s: s.release(ids, until))
            return False
        if outcome.kind == "drop":
            self._with_store(lambda s: s.drop(ids, outcome.reason))
            self._log.debug("ingest refused batch, dropped", reason=outcome.reason, spans=len(ids))
            return True
        mid = (len(chunk) + 1) // 2  # split
        return self._send_chunk(chunk[:mid], with_counters, deadline) and self._send_chunk(chunk[mid:], False, deadline)

    # --- explicit ----------------------------------------------------------------------------

    def flush(self, deadline: float = math.inf) -> None:
        """Commit, then try to deliver everything until `deadline`; what is left stays in the store."""
        if not self._started or self._closed:
            return
        self._safe(self.commit, 0)
        self.pump(True, deadline)

    def state(self) -> dict[str, Any]:
        pending = len(self._buffer) + self._safe(lambda: self._store_size()[0], 0)
        if self._health is None:
            return {"status": "ok", "http_status": None, "endpoint": self.url, "since": None, "retry_at": None,
                    "pending": pending}  # fmt: skip
        return self._health.state(self._paused_until, pending)

    def close_sync(self) -> None:
        """Last resort at exit: commit what is buffered and give back leases."""
        if self._closed:
            return
        self._safe(self.commit, 0)
        self._closed = True
        self._wake.set()
        self._send_wake.set()
        if self.store is not None:
            self._safe(lambda: self._with_store(lambda s: s.close()), None)
        if self._sender is not None:
            self._sender.close()

    def close(self, deadline: float) -> None:
        """Waits for an in-flight send (bounded), then closes."""
        if self._pump_lock.acquire(timeout=max(0.0, deadline - time.time())):
            self._pump_lock.release()
        self.close_sync()

    # --- helpers -----------------------------------------------------------------------------

    def _store_size(self) -> tuple[int, int]:
        size: tuple[int, int] = self._with_store(lambda s: s.size())
        return size

    def _with_store(self, fn: Callable[[SpanStore], Any]) -> Any:
        store = self.store
        if store is None:
            raise RuntimeError("no store")
        with self._store_lock:
            return fn(store)

    def _safe(self, fn: Callable[[], Any], fallback: Any) -> Any:
        try:
            return fn()
        except Exception as err:  # noqa: BLE001
            self._log.debug("store error", error=str(err))
            return fallback


# Objects a forked child inherited and must neither use nor finalise.
_LEAKED: list[Any] = []
