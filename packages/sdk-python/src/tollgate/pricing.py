"""USD prices from the optional `genai-prices` package (the same data the server prices spans with).

It is large and slow to import (~1 s), so it loads in a background thread at start; until then (or
without the extra installed) calls are priced once it has loaded, or not at all.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Mapping

_calc: list[Callable[..., Any] | None] = [None]
_usage_cls: list[Any] = [None]
_loaded = threading.Event()
_started = threading.Lock()
_start_flag = [False]
_memo: dict[tuple[Any, ...], dict[str, float] | None] = {}
_MEMO_MAX = 512
_waiters: list[Callable[[], None]] = []
_waiters_lock = threading.Lock()


def _load() -> None:
    try:
        from genai_prices import Usage, calc_price

        _usage_cls[0] = Usage
        _calc[0] = calc_price
    except Exception:  # noqa: BLE001 - no extra installed: nothing is priced locally
        pass
    finally:
        _loaded.set()
        with _waiters_lock:
            waiters = list(_waiters)
            _waiters.clear()
        for w in waiters:
            try:
                w()
            except Exception:  # noqa: BLE001
                pass


def load_prices() -> None:
    with _started:
        if _start_flag[0]:
            return
        _start_flag[0] = True
    threading.Thread(target=_load, name="tollgate-prices", daemon=True).start()


def prices_loaded() -> bool:
    return _calc[0] is not None


def when_loaded(fn: Callable[[], None]) -> None:
    """Runs `fn` once the table has loaded (at once if it has)."""
    with _waiters_lock:
        if not _loaded.is_set():
            _waiters.append(fn)
            return
    fn()


def wait_loaded(timeout: float) -> bool:
    load_prices()
    return _loaded.wait(timeout) and prices_loaded()


def price_of(provider: str | None, model: str | None, usage: Mapping[str, Any] | None) -> dict[str, float] | None:
    """Cost of a call, or None when the model is unknown (or prices are not loaded)."""
    calc, usage_cls = _calc[0], _usage_cls[0]
    if calc is None or not model or not usage or provider == "ollama":
        return None
    vals = (
        int(usage.get("input_tokens") or 0),
        int(usage.get("output_tokens") or 0),
        int(usage.get("cache_read_tokens") or 0),
        int(usage.get("cache_write_tokens") or 0),
    )
    key = (provider, model, *vals)
    if key in _memo:
        return _memo[key]
    u = usage_cls(input_tokens=vals[0], output_tokens=vals[1], cache_read_tokens=vals[2], cache_write_tokens=vals[3])
    cost: dict[str, float] | None = None
    for pid in ([provider, None] if provider else [None]):
        try:
            r = calc(u, model, provider_id=pid)
            cost = {
                "input_usd": float(r.input_price),
                "output_usd": float(r.output_price),
                "total_usd": float(r.total_price),
            }
            break
        except Exception:  # noqa: BLE001 - unknown model or provider
            continue
    if len(_memo) >= _MEMO_MAX:
        _memo.clear()
    _memo[key] = cost
    return cost
