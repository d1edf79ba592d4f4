"""Small readers for untrusted JSON: no throws."""

from __future__ import annotations

import json
import math
from typing import Any


def at(v: Any, *path: str | int) -> Any:
    cur = v
    for key in path:
        if isinstance(key, int):
            if not isinstance(cur, list) or key >= len(cur):
                return None
            cur = cur[key]
        else:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(key)
    return cur


def num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v if math.isfinite(v) and v >= 0 else None


def string(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def arr(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def try_parse(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None
