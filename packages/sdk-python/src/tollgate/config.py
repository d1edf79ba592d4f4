"""The only place the SDK reads the environment (the same variables as @tollgate/sdk)."""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, cast

Durability = Literal["durable_local", "best_effort"]

DEFAULT_ENDPOINT = "http://localhost:3001"
# Server limits (MAX_SPANS_PER_REQUEST, MAX_BODY_BYTES): the SDK never builds a request beyond them.
SERVER_MAX_SPANS = 1000
SERVER_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Config:
    endpoint: str = DEFAULT_ENDPOINT
    api_key: str | None = None
    durability: Durability = "durable_local"
    spool_path: str = ""
    flush_interval_s: float = 5.0
    max_batch: int = 100
    max_batch_bytes: int = 256 * 1024
    max_spool_bytes: int = 100 * 1024 * 1024
    max_spool_age_s: float = 7 * 86400.0
    max_queue_size: int = 10_000
    zero_data_retention: bool = False
    hash_user_ids: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    sample_rate: float = 1.0
    budget_per_hour: float | None = None
    max_error_rate: float | None = None
    max_calls_per_minute: float | None = None
    block_on_threshold: bool = False
    on_alert: Callable[..., Any] | None = None
    on_block: Callable[..., Any] | None = None
    before_request: Callable[..., Any] | None = None
    exporters: list[Callable[..., Any]] = field(default_factory=list)
    deliver: bool = True
    enabled: bool = True
    debug: bool = False
    request_timeout_s: float = 10.0
    policy_poll_interval_s: float = 30.0
    shutdown_timeout_s: float = 5.0


def _bool(v: str | None) -> bool | None:
    if v is None or v == "":
        return None
    return v.strip().lower() not in ("0", "false", "no", "off")


def _num(v: str | None) -> float | None:
    if v is None or v.strip() == "":
        return None
    try:
        n = float(v)
    except ValueError:
        return None
    return n if math.isfinite(n) else None


def parse_tags(v: str | None) -> dict[str, str]:
    """`{"a":"b"}` or `a=b,c=d`; anything unparsable yields no tags rather than an error (fail-open)."""
    if not v:
        return {}
    text = v.strip()
    out: dict[str, str] = {}
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {}
        if isinstance(parsed, dict):
            for k, val in parsed.items():
                if val is not None:
                    out[str(k)] = str(val)
        return out
    for pair in text.split(","):
        i = pair.find("=")
        if i > 0:
            out[pair[:i].strip()] = pair[i + 1 :].strip()
    return out


def _positive(v: Any, fallback: float) -> float:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) and v > 0 else fallback


def _optional_positive(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) and v > 0 else None


def default_spool_path(endpoint: str, api_key: str | None) -> str:
    """Per (endpoint, key), the same file name as @tollgate/sdk: Node and Python processes share a spool."""
    ident = hashlib.sha256(f"{endpoint}\n{api_key or ''}".encode()).hexdigest()[:12]
    try:
        base = Path.home() / ".cache" / "tollgate"
    except (RuntimeError, KeyError):
        import tempfile

        base = Path(tempfile.gettempdir()) / "tollgate"
    return str(base / f"spool-{ident}.sqlite")


def resolve_config(options: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Config:
    e = os.environ if env is None else env
    o = options
    endpoint = str(o.get("endpoint") or e.get("TOLLGATE_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    api_key = o.get("api_key") or e.get("TOLLGATE_API_KEY") or None
    env_durability = e.get("TOLLGATE_DURABILITY")
    durability = o.get("durability") or (
        env_durability if env_durability in ("best_effort", "durable_local") else "durable_local"
    )
    sample = o.get("sample_rate")
    if sample is None:
        sample = _num(e.get("TOLLGATE_SAMPLE_RATE"))
    sample_rate = 1.0 if sample is None or not math.isfinite(sample) else min(1.0, max(0.0, float(sample)))
    on_span = o.get("on_span")
    exporters = on_span if isinstance(on_span, (list, tuple)) else ([on_span] if on_span else [])
    deliver = o.get("deliver")
    if deliver is None:
        deliver = _bool(e.get("TOLLGATE_DELIVER"))
    deliver = True if deliver is None else bool(deliver)

    def flag(name: str, env_name: str) -> bool:
        v = o.get(name)
        if v is None:
            v = _bool(e.get(env_name))
        return bool(v) if v is not None else False

    enabled = o.get("enabled")
    if enabled is None:
        enabled = _bool(e.get("TOLLGATE_ENABLED"))
    poll = o.get("policy_poll_interval_s")
    hook = o.get("before_request")
    return Config(
        endpoint=endpoint,
        api_key=api_key,
        durability=cast(Durability, durability),
        spool_path=str(o.get("spool_path") or e.get("TOLLGATE_SPOOL_PATH") or default_spool_path(endpoint, api_key)),
        flush_interval_s=_positive(o.get("flush_interval_s"), 5.0),
        max_batch=int(min(_positive(o.get("max_batch"), 100), SERVER_MAX_SPANS)),
        max_batch_bytes=int(min(_positive(o.get("max_batch_bytes"), 256 * 1024), SERVER_MAX_BYTES)),
        max_spool_bytes=int(_positive(o.get("max_spool_bytes"), 100 * 1024 * 1024)),
        max_spool_age_s=_positive(o.get("max_spool_age_days"), 7) * 86400.0,
        max_queue_size=int(_positive(o.get("max_queue_size"), 10_000)),
        zero_data_retention=flag("zero_data_retention", "TOLLGATE_ZERO_DATA_RETENTION"),
        hash_user_ids=flag("hash_user_ids", "TOLLGATE_HASH_USER_IDS"),
        tags={**parse_tags(e.get("TOLLGATE_TAGS")), **dict(o.get("tags") or {})},
        sample_rate=sample_rate,
        budget_per_hour=_optional_positive(o.get("budget_per_hour")),
        max_error_rate=_optional_positive(o.get("max_error_rate")),
        max_calls_per_minute=_optional_positive(o.get("max_calls_per_minute")),
        block_on_threshold=bool(o.get("block_on_threshold", False)),
        on_alert=o.get("on_alert"),
        on_block=o.get("on_block"),
        before_request=hook if callable(hook) else None,
        exporters=[x for x in exporters if callable(x)],
        deliver=deliver,
        enabled=True if enabled is None else bool(enabled),
        debug=flag("debug", "TOLLGATE_DEBUG"),
        request_timeout_s=_positive(o.get("request_timeout_s"), 10.0),
        policy_poll_interval_s=0.0
        if deliver is False
        else (float(poll) if isinstance(poll, (int, float)) and poll >= 0 else 30.0),
        shutdown_timeout_s=_positive(o.get("shutdown_timeout_s"), 5.0),
    )
