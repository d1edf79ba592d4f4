"""Debug logger. Messages never contain keys, prompts or completions: callers pass metadata only."""

from __future__ import annotations

import json
import sys
from typing import Any


class Logger:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def debug(self, msg: str, **meta: Any) -> None:
        if self.enabled:
            _write(msg, meta)

    def warn(self, msg: str, **meta: Any) -> None:
        """Always written: a condition the operator must act on (e.g. a rejected API key)."""
        _write(msg, meta)


def _write(msg: str, meta: dict[str, Any]) -> None:
    try:
        extra = " " + json.dumps(meta, default=str) if meta else ""
        sys.stderr.write(f"[tollgate] {msg}{extra}\n")
    except Exception:  # noqa: BLE001 - a closed stderr must not break the application
        pass


def error_message(err: object, limit: int = 1024) -> str:
    """Best-effort message of a raised value, bounded so it cannot bloat a span."""
    if isinstance(err, BaseException):
        msg = str(err) or type(err).__name__
    else:
        msg = str(err)
    return msg[:limit]
