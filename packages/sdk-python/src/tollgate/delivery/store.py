"""Where spans wait between report() and a 2xx. A span leaves only by ack (delivered) or drop (counted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence


@dataclass
class Leased:
    id: int
    body: str
    bytes: int
    attempts: int


class SpanStore(Protocol):
    durable: bool

    def add(self, bodies: Sequence[str], now_ms: int) -> None: ...
    def lease(self, limit: int, now_ms: int) -> list[Leased]: ...
    def ack(self, ids: Sequence[int]) -> None: ...
    def release(self, ids: Sequence[int], retry_at_ms: int) -> None: ...
    def drop(self, ids: Sequence[int], reason: str) -> None: ...
    def count(self, reason: str, n: int) -> None: ...
    def counters(self) -> dict[str, int]: ...
    def ack_counters(self, reported: dict[str, int]) -> None: ...
    def size(self) -> tuple[int, int]: ...
    def next_ready_at(self) -> int | None: ...
    def release_leases(self) -> None: ...
    def maintain(self, now_ms: int) -> None: ...
    def close(self) -> None: ...


@dataclass
class _Item:
    id: int
    body: str
    bytes: int
    attempts: int
    created_at: int
    ready_at: int = 0
    leased: bool = False


class MemoryStore:
    """best_effort: a bounded queue in memory; when full the newest spans are dropped (and counted)."""

    durable = False

    def __init__(self, max_items: int, max_bytes: int, max_age_ms: int) -> None:
        self._max_items, self._max_bytes, self._max_age_ms = max_items, max_bytes, max_age_ms
        self._items: list[_Item] = []
        self._next_id = 1
        self._bytes = 0
        self._dropped: dict[str, int] = {}

    def add(self, bodies: Sequence[str], now_ms: int) -> None:
        for body in bodies:
            size = len(body.encode())
            if len(self._items) >= self._max_items or self._bytes + size > self._max_bytes:
                self.count("queue_full", 1)
                continue
            self._items.append(_Item(self._next_id, body, size, 0, now_ms))
            self._next_id += 1
            self._bytes += size

    def lease(self, limit: int, now_ms: int) -> list[Leased]:
        out: list[Leased] = []
        for item in self._items:
            if len(out) >= limit:
                break
            if item.leased or item.ready_at > now_ms:
                continue
            item.leased = True
            out.append(Leased(item.id, item.body, item.bytes, item.attempts))
        return out

    def _remove(self, ids: Sequence[int]) -> int:
        wanted = set(ids)
        keep: list[_Item] = []
        removed = 0
        for i in self._items:
            if i.id in wanted:
                self._bytes -= i.bytes
                removed += 1
            else:
                keep.append(i)
        self._items = keep
        return removed

    def ack(self, ids: Sequence[int]) -> None:
        self._remove(ids)

    def release(self, ids: Sequence[int], retry_at_ms: int) -> None:
        wanted = set(ids)
        for i in self._items:
            if i.id in wanted:
                i.leased = False
                i.attempts += 1
                i.ready_at = retry_at_ms

    def drop(self, ids: Sequence[int], reason: str) -> None:
        n = self._remove(ids)
        if n:
            self.count(reason, n)

    def count(self, reason: str, n: int) -> None:
        if n > 0:
            self._dropped[reason] = self._dropped.get(reason, 0) + n

    def counters(self) -> dict[str, int]:
        return dict(self._dropped)

    def ack_counters(self, reported: dict[str, int]) -> None:
        for reason, n in reported.items():
            left = self._dropped.get(reason, 0) - n
            if left > 0:
                self._dropped[reason] = left
            else:
                self._dropped.pop(reason, None)

    def size(self) -> tuple[int, int]:
        return len(self._items), self._bytes

    def next_ready_at(self) -> int | None:
        ready = [i.ready_at for i in self._items if not i.leased]
        return min(ready) if ready else None

    def release_leases(self) -> None:
        for i in self._items:
            i.leased = False

    def maintain(self, now_ms: int) -> None:
        expired = [i.id for i in self._items if not i.leased and now_ms - i.created_at > self._max_age_ms]
        if expired:
            self.drop(expired, "expired")

    def close(self) -> None:
        self._items = []
        self._bytes = 0
