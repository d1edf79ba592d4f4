"""Where delivery stands (`get_state()["delivery"]`); says so once, loudly, when only a person can fix it."""

from __future__ import annotations

import random
import re
import time
from typing import Any

from ..breaker import iso
from ..log import Logger

# A rejected key or a missing endpoint is fixed by a person, not by the next attempt.
AUTH_BACKOFF_MIN_S = 60.0
AUTH_BACKOFF_MAX_S = 3600.0


class DeliveryHealth:
    def __init__(self, url: str, log: Logger) -> None:
        self.url = url
        self._log = log
        self._auth_failures = 0
        self._trouble: tuple[str, int | None, float] | None = None  # status, http status, since

    def ok(self) -> None:
        self._auth_failures = 0
        if self._trouble and self._trouble[0] == "paused":
            self._log.warn("delivery resumed", endpoint=self.url)
        self._trouble = None

    def retrying(self, reason: str) -> None:
        """A transient failure (5xx, 429, network): a pause in force stays the headline."""
        if self._trouble and self._trouble[0] == "paused":
            return
        m = re.match(r"^http_(\d+)$", reason)
        since = self._trouble[2] if self._trouble else time.time()
        self._trouble = ("retrying", int(m.group(1)) if m else None, since)

    def paused(self, status: int) -> float:
        """401/403/404: how long to pause (1 min doubling to 1 h, jittered); warns once per status."""
        ceiling = min(AUTH_BACKOFF_MAX_S, AUTH_BACKOFF_MIN_S * 2 ** min(self._auth_failures, 10))
        delay: float = ceiling / 2 + random.random() * ceiling / 2
        self._auth_failures += 1
        if not self._trouble or self._trouble[0] != "paused" or self._trouble[1] != status:
            self._log.warn(
                f"delivery paused: POST {self.url} answered {status}; spans stay in the spool and are retried "
                "later. Check the API key and the endpoint.",
                status=status,
                retry_in_s=round(delay),
            )
            self._trouble = ("paused", status, time.time())
        return delay

    def state(self, paused_until: float, pending: int) -> dict[str, Any]:
        t = self._trouble
        return {
            "status": t[0] if t else "ok",
            "http_status": t[1] if t else None,
            "endpoint": self.url,
            "since": iso(t[2]) if t else None,
            "retry_at": iso(paused_until) if t and paused_until > time.time() else None,
            "pending": pending,
        }
