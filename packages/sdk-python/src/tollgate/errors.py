"""The error a blocked call raises instead of being sent."""

from __future__ import annotations

from typing import Any, Protocol


class MonitorHandle(Protocol):
    """Recovery controls of one monitor (global or one agent)."""

    def pause(self, seconds: float) -> None: ...
    def increase_budget(self, usd: float) -> None: ...
    def reset(self) -> None: ...
    def snapshot(self) -> dict[str, Any]: ...


class CircuitBreakerError(Exception):
    """Raised instead of sending a request when a circuit breaker or a server budget blocks it.

    Nothing left the process; no tokens were spent.

    Example::

        try:
            client.chat.completions.create(model="gpt-4o", messages=messages)
        except tollgate.CircuitBreakerError as err:
            log.warning("%s %s", err.reason, err.state["spend_last_hour_usd"])
            err.monitor.increase_budget(5)  # or pause(60), reset()
    """

    def __init__(self, message: str, reason: str, state: dict[str, Any], monitor: MonitorHandle) -> None:
        super().__init__(message)
        self.reason = reason
        self.state = state
        self.monitor = monitor


def find_circuit_breaker_error(err: BaseException | None) -> CircuitBreakerError | None:
    """`err` or the first CircuitBreakerError in its cause/context chain."""
    seen = 0
    e = err
    while e is not None and seen < 8:
        if isinstance(e, CircuitBreakerError):
            return e
        e = e.__cause__ or e.__context__
        seen += 1
    return None


def is_circuit_breaker_error(err: BaseException | None) -> bool:
    """True when `err` or an error in its cause chain is a CircuitBreakerError.

    Example::

        except Exception as err:
            if tollgate.is_circuit_breaker_error(err):
                return fallback_answer()
            raise
    """
    return find_circuit_breaker_error(err) is not None
