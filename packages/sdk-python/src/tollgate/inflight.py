"""Captures that started and are not yet spans: flush() and shutdown() wait for them."""

from __future__ import annotations

import threading
import time
from typing import Protocol

# A response nobody reads never ends: past this many, new captures are not tracked.
MAX_TRACKED = 10_000


class Pending(Protocol):
    def abandon(self) -> None: ...


class Inflight:
    def __init__(self) -> None:
        self._items: dict[int, Pending] = {}
        self._cond = threading.Condition()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: Pending) -> None:
        with self._cond:
            if len(self._items) < MAX_TRACKED:
                self._items[id(item)] = item

    def discard(self, item: Pending) -> None:
        with self._cond:
            if self._items.pop(id(item), None) is not None and not self._items:
                self._cond.notify_all()

    def idle(self, deadline: float) -> bool:
        """True once nothing is in flight, False when `deadline` (epoch s) comes first."""
        with self._cond:
            while self._items:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def abandon_all(self) -> None:
        with self._cond:
            items = list(self._items.values())
        for item in items:
            try:
                item.abandon()
            except Exception:  # noqa: BLE001 - one capture failing to finalise must not stop the others
                pass
            self.discard(item)

    def reset(self) -> None:
        """After fork: the parent's captures are not this process's."""
        self._items = {}
        self._cond = threading.Condition()
