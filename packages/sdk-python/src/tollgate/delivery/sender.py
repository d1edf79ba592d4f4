"""One ingest request: body, gzip, and how its answer is classified (the rules of @tollgate/sdk)."""

from __future__ import annotations

import gzip
import json
import re
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Sequence

import httpx

from .._version import SDK_NAME, SDK_VERSION

# Below this a gzip header costs more than it saves.
GZIP_MIN_BYTES = 2048


@dataclass
class Outcome:
    kind: str  # ok | retry | drop | split | pause
    rejected: list[int] = field(default_factory=list)
    retry_after_s: float | None = None
    reason: str = ""
    status: int = 0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds or an HTTP date, capped at an hour so a bad header cannot park delivery forever."""
    if not value:
        return None
    text = value.strip()
    if re.match(r"^\d+(\.\d+)?$", text):
        seconds = float(text)
    else:
        try:
            at = parsedate_to_datetime(text).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        seconds = at - (time.time() if now is None else now)
    return min(max(0.0, seconds), 3600.0)


def _rejected(text: str) -> list[int]:
    try:
        body = json.loads(text)
    except ValueError:
        return []
    out: list[int] = []
    if isinstance(body, dict) and isinstance(body.get("rejected"), list):
        for r in body["rejected"]:
            if isinstance(r, dict) and isinstance(r.get("index"), int) and not isinstance(r.get("index"), bool):
                out.append(r["index"])
    return out


def classify(status: int, spans: int, retry_after: str | None) -> Outcome:
    """401/403/404 say nothing about the spans: a rotated key or a proxy answering 404 must pause
    delivery, never empty the spool. Only 400 and a single span's 413 judge the spans themselves."""
    if status in (401, 403, 404):
        return Outcome("pause", status=status)
    if status in (429, 503):
        return Outcome("retry", retry_after_s=parse_retry_after(retry_after), reason=f"http_{status}")
    if status >= 500 or status in (408, 425):
        return Outcome("retry", reason=f"http_{status}")
    if status == 413 and spans > 1:
        return Outcome("split")
    return Outcome("drop", reason=f"http_{status}")


def build_body(bodies: Sequence[str], dropped: dict[str, int] | None) -> str:
    """From already-serialized spans: no parse/serialize round trip."""
    client: dict[str, Any] = {"name": SDK_NAME, "version": SDK_VERSION}
    if dropped:
        client["dropped"] = dropped
    return '{"spans":[' + ",".join(bodies) + '],"client":' + json.dumps(client, separators=(",", ":")) + "}"


def internal_transport() -> httpx.HTTPTransport:
    """A transport the SDK's own instrumentation never observes."""
    t = httpx.HTTPTransport()
    t._tollgate_internal = True  # type: ignore[attr-defined]
    return t


class Sender:
    def __init__(self, endpoint: str, api_key: str | None, timeout_s: float) -> None:
        self.url = f"{endpoint}/api/ingest"
        self._api_key = api_key
        self._timeout = timeout_s
        self._client = httpx.Client(transport=internal_transport())

    def send(self, bodies: Sequence[str], dropped: dict[str, int] | None, deadline: float) -> Outcome:
        text = build_body(bodies, dropped)
        headers = {"content-type": "application/json", "user-agent": f"{SDK_NAME}/{SDK_VERSION}"}
        if self._api_key:
            headers["x-api-key"] = self._api_key
        payload = text.encode()
        if len(payload) >= GZIP_MIN_BYTES:
            payload = gzip.compress(payload, compresslevel=6)
            headers["content-encoding"] = "gzip"
        timeout = max(0.001, min(self._timeout, deadline - time.time()))
        try:
            res = self._client.post(self.url, content=payload, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return Outcome("retry", reason="timeout")
        except Exception:  # noqa: BLE001 - any transport failure is a retry
            return Outcome("retry", reason="network")
        if 200 <= res.status_code < 300:
            return Outcome("ok", rejected=_rejected(res.text))
        return classify(res.status_code, len(bodies), res.headers.get("retry-after"))

    def close(self) -> None:
        try:
            self._client.close()
        except Exception:  # noqa: BLE001
            pass
