"""Delivery rules against a fake ingest endpoint: retries, pauses, drops and their counters, gzip."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import tollgate
from fake_ingest import FakeIngest


@pytest.fixture
def ingest() -> Iterator[FakeIngest]:
    f = FakeIngest()
    yield f
    f.close()


def start(ingest: FakeIngest, tmp_path: Path, **opts: Any) -> tollgate.TollgateClient:
    tollgate.init(endpoint=ingest.url, spool_path=str(tmp_path / "spool.sqlite"), policy_poll_interval_s=0, **opts)
    c = tollgate.get_client()
    assert c is not None
    return c


def report(n: int, **extra: Any) -> list[str]:
    ids = []
    for i in range(n):
        with tollgate.trace(f"job-{i}") as t:
            pass
        ids.append(t.span_id)
    return ids


def test_spans_arrive_once_with_the_client_block_and_gzip_above_2kib(ingest: FakeIngest, tmp_path: Path) -> None:
    c = start(ingest, tmp_path)
    assert c.delivery is not None and c.delivery.durable
    ids = report(30)
    tollgate.flush()
    got = [s["span_id"] for s in ingest.delivered()]
    assert sorted(got) == sorted(ids)
    body = ingest.requests[0]["body"]
    assert body["client"]["name"] == "tollgate-python"
    assert ingest.requests[0]["headers"].get("content-encoding") == "gzip"
    assert tollgate.get_state()["delivery"] == {
        "status": "ok", "http_status": None, "endpoint": f"{ingest.url}/api/ingest", "since": None,
        "retry_at": None, "pending": 0,
    }  # fmt: skip


def test_503_retry_after_is_honoured_even_by_flush(ingest: FakeIngest, tmp_path: Path) -> None:
    ingest.script = [(503, {"retry-after": "1"}, {"type": "unavailable"})]
    start(ingest, tmp_path)
    report(3)
    tollgate.flush()
    assert len(ingest.requests) == 1 and ingest.delivered() == []
    state = tollgate.get_state()["delivery"]
    assert state["status"] == "retrying" and state["http_status"] == 503 and state["pending"] == 3
    tollgate.flush()
    assert len(ingest.requests) == 1, "Retry-After holds even an explicit flush"
    time.sleep(1.1)
    tollgate.flush()
    assert len(ingest.delivered()) == 3 and tollgate.get_state()["delivery"]["status"] == "ok"


def test_401_pauses_delivery_and_keeps_the_spans(ingest: FakeIngest, tmp_path: Path, capfd: Any) -> None:
    ingest.script = [(401, {}, {"type": "unauthorized"})]
    c = start(ingest, tmp_path, api_key="wrong")
    report(4)
    tollgate.flush()
    state = tollgate.get_state()["delivery"]
    assert state["status"] == "paused" and state["http_status"] == 401 and state["pending"] == 4
    assert "delivery paused" in capfd.readouterr().err
    assert ingest.requests[0]["headers"]["x-api-key"] == "wrong"
    # A new process with the same key finds them in the spool (nothing was dropped).
    c.shutdown(1)
    c2 = start(ingest, tmp_path, api_key="wrong")
    tollgate.flush()
    assert len(ingest.delivered()) == 4
    assert c2.get_state()["delivery"]["status"] == "ok"


def test_400_drops_are_counted_and_reported_once_then_acknowledged(ingest: FakeIngest, tmp_path: Path) -> None:
    ingest.script = [(400, {}, {"type": "validation"})]
    start(ingest, tmp_path, max_batch=2)
    report(2)
    tollgate.flush()
    report(1)
    tollgate.flush()
    report(1)
    tollgate.flush()
    dropped = [r["body"]["client"].get("dropped") for r in ingest.requests]
    assert dropped == [None, {"http_400": 2}, None]


def test_rejected_indexes_are_dropped_and_counted(ingest: FakeIngest, tmp_path: Path) -> None:
    ingest.script = [(202, {}, {"accepted": 2, "rejected": [{"index": 1, "error": "bad"}]})]
    start(ingest, tmp_path)
    report(3)
    tollgate.flush()
    report(1)
    tollgate.flush()
    assert ingest.requests[1]["body"]["client"]["dropped"] == {"rejected": 1}
    assert tollgate.get_state()["delivery"]["pending"] == 0


def test_413_splits_a_batch_in_halves(ingest: FakeIngest, tmp_path: Path) -> None:
    ingest.answer = lambda req: (413, {}, {}) if len(req["body"]["spans"]) > 2 else (202, {}, {"accepted": 1})
    start(ingest, tmp_path)
    ids = report(8)
    tollgate.flush()
    assert sorted(s["span_id"] for s in ingest.delivered()) == sorted(ids)
    assert max(len(r["body"]["spans"]) for r in ingest.requests if r["status"] == 202) <= 2


def test_best_effort_drops_newest_when_full_and_counts_them(ingest: FakeIngest, tmp_path: Path) -> None:
    c = start(ingest, tmp_path, durability="best_effort", max_queue_size=3)
    assert c.delivery is not None
    for _ in range(5):
        tollgate.report({"name": "x"})
        c.delivery.commit()
    assert not c.delivery.durable
    tollgate.flush()
    got = ingest.delivered()
    assert len(got) == 3
    assert ingest.requests[-1]["body"]["client"]["dropped"] == {"queue_full": 2}


def test_network_errors_are_retried_and_the_spans_stay_pending(tmp_path: Path) -> None:
    tollgate.init(endpoint="http://127.0.0.1:9", spool_path=str(tmp_path / "s.sqlite"), policy_poll_interval_s=0)
    for i in range(1000):
        tollgate.report({"name": f"r{i}"})
    tollgate.flush(2)
    state = tollgate.get_state()["delivery"]
    assert state["status"] == "retrying" and state["pending"] == 1000


def test_zero_data_retention_hash_user_ids_tags_and_sampling(tmp_path: Path) -> None:
    mem = tollgate.memory_exporter()
    tollgate.init(
        deliver=False, on_span=mem, zero_data_retention=True, hash_user_ids=True, tags={"env": "test"},
        env={"TOLLGATE_SAMPLE_RATE": "0.5"},
    )  # fmt: skip
    for i in range(200):
        tollgate.report({"name": "x", "input": "secret", "output": "secret", "user_id": "alice", "tags": {"i": str(i)}})
    kept = mem.spans
    assert 50 < len(kept) < 150
    s = kept[0]
    assert "input" not in s and "output" not in s and s["tags"]["env"] == "test"
    import hashlib

    assert s["user_id"] == hashlib.sha256(b"alice").hexdigest()


def test_env_vars_configure_the_sdk(tmp_path: Path) -> None:
    from tollgate.config import default_spool_path, resolve_config

    c = resolve_config(
        {},
        {
            "TOLLGATE_ENDPOINT": "http://t:1/",
            "TOLLGATE_API_KEY": "k",
            "TOLLGATE_DURABILITY": "best_effort",
            "TOLLGATE_TAGS": "a=b, c=d",
            "TOLLGATE_ENABLED": "false",
            "TOLLGATE_DELIVER": "0",
        },
    )
    assert (c.endpoint, c.api_key, c.durability, c.tags, c.enabled, c.deliver) == (
        "http://t:1", "k", "best_effort", {"a": "b", "c": "d"}, False, False,
    )  # fmt: skip
    assert c.spool_path == default_spool_path("http://t:1", "k")
    assert c.spool_path.endswith("spool-" + __import__("hashlib").sha256(b"http://t:1\nk").hexdigest()[:12] + ".sqlite")
