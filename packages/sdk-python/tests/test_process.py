"""The spool across real processes: SIGKILL at random moments, offline then online, leases, fork."""

from __future__ import annotations

import json
import random
import re
import threading
from pathlib import Path
from typing import Any

import tollgate
from fake_ingest import FakeIngest
from procs import integrity, run_app, spool_count


def test_sigkill_never_corrupts_the_spool_nor_loses_a_committed_span(tmp_path: Path) -> None:
    ingest = FakeIngest()
    # Some sends fail, so leases are released and retried while processes die.
    ingest.answer = lambda req: (
        (503, {}, {}) if random.random() < 0.25 else (202, {}, {"accepted": len(req["body"]["spans"]), "rejected": []})
    )
    spool = tmp_path / "kill.sqlite"
    committed: dict[int, int] = {}
    after_start = 0
    try:
        for run in range(1, 21):
            # Most kills land while spans are reported, committed and sent; every fifth one at any
            # moment from spawn on, opening the spool included.
            from_started = run % 5 != 0
            delay = random.uniform(0.02, 0.3) if from_started else random.uniform(0, 0.6)
            after_start += from_started

            def on_line(line: str, run: int = run) -> None:
                m = re.match(r"^C (\d+)$", line)
                if m:
                    committed[run] = int(m.group(1))

            r = run_app(
                "kill_app.py",
                {"ENDPOINT": ingest.url, "SPOOL": str(spool), "RUN": str(run)},
                kill_after_s=delay,
                kill_from_started=from_started,
                on_line=on_line,
            )
            assert r.signal == 9, r.stderr
            if spool.exists():
                assert integrity(spool) == "ok"
        assert len(committed) >= after_start
        assert sum(committed.values()) > 100

        ingest.answer = None  # every request accepted from now on
        last = tollgate.TollgateClient(
            {"endpoint": ingest.url, "spool_path": str(spool), "policy_poll_interval_s": 0, "max_batch": 1000,
             "max_batch_bytes": 4 * 1024 * 1024},
            env={},
        ).start()  # fmt: skip
        last.flush()
        last.shutdown()
        assert spool_count(spool) == 0
        delivered = {s["span_id"] for s in ingest.delivered()}
        lost = [
            f"{run:04x}{i:012x}" for run, n in committed.items() for i in range(n) if f"{run:04x}{i:012x}" not in delivered
        ]
        assert lost == []
    finally:
        ingest.close()


def test_offline_then_online_each_span_is_delivered_exactly_once(tmp_path: Path, fake: Any) -> None:
    from procs import free_port

    port = free_port()
    spool = tmp_path / "offline.sqlite"
    calls = 12
    app = run_app(
        "offline_app.py",
        {"ENDPOINT": f"http://127.0.0.1:{port}", "SPOOL": str(spool), "PROVIDER": fake.openai_base, "CALLS": str(calls)},
    )
    assert app.code == 0, app.stderr
    out = json.loads(app.stdout)
    assert len(out["traces"]) == calls and len(out["latencies"]) == calls  # every call answered
    assert spool_count(spool) == calls * 2

    ingest = FakeIngest(port)
    try:
        # Two later processes at once over the same spool: leases keep them from sending a span twice.
        env = {"ENDPOINT": ingest.url, "SPOOL": str(spool)}
        results: list[Any] = []
        threads = [threading.Thread(target=lambda: results.append(run_app("deliver_app.py", env))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
        assert spool_count(spool) == 0
        got = [s["span_id"] for s in ingest.delivered()]
        assert len(got) == calls * 2 and len(set(got)) == calls * 2
        assert {s["trace_id"] for s in ingest.delivered()} == set(out["traces"])
    finally:
        ingest.close()


def test_forked_workers_deliver_their_own_spans_and_never_the_parents_twice(tmp_path: Path) -> None:
    ingest = FakeIngest()
    try:
        r = run_app("fork_app.py", {"ENDPOINT": ingest.url, "SPOOL": str(tmp_path / "fork.sqlite")})
        assert r.code == 0 and r.stdout == "[0, 0, 0]", r.stderr
        names = [s["name"] for s in ingest.delivered()]
        assert sorted(names) == sorted(
            ["parent-before-fork", "parent-after-fork"] + [f"worker-{w}-{i}" for w in range(3) for i in range(20)]
        )
        assert integrity(tmp_path / "fork.sqlite") == "ok"
    finally:
        ingest.close()
