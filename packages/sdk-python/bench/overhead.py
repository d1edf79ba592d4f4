"""Overhead per instrumented LLM call against the uninstrumented client, measured in the same run.

The real `openai` client calls a fake provider on 127.0.0.1 (tests/fake_provider.py), alternating
rounds with and without instrument() so drift affects both alike. Delivery is on (a durable SQLite
spool and a fake ingest endpoint), as in production. Prints median and p99 per call for each, the
difference, and the cost of report().

    ~/.cache/tollgate-pysdk-venv/bin/python packages/sdk-python/bench/overhead.py [calls-per-round] [rounds]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import openai  # noqa: E402

import tollgate  # noqa: E402
from fake_ingest import FakeIngest  # noqa: E402
from fake_provider import FakeProvider  # noqa: E402

MSG = [{"role": "user", "content": "Hi"}]


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def measure(call, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def line(name: str, base: list[float], inst: list[float]) -> None:
    bm, im = statistics.median(base), statistics.median(inst)
    b99, i99 = pct(base, 99), pct(inst, 99)
    print(
        f"{name:<22} median {bm:8.1f} µs → {im:8.1f} µs  (+{im - bm:6.1f} µs, x{im / bm:.3f})   "
        f"p99 {b99:8.1f} µs → {i99:8.1f} µs  (+{i99 - b99:6.1f} µs)"
    )


def main() -> None:
    per_round = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    fake, ingest = FakeProvider(), FakeIngest()
    spool = Path(tempfile.mkdtemp()) / "bench.sqlite"
    tollgate.init(endpoint=ingest.url, spool_path=str(spool), policy_poll_interval_s=0)
    client = openai.OpenAI(base_url=fake.openai_base, api_key="k", max_retries=0)

    def chat() -> None:
        client.chat.completions.create(model="gpt-4o-mini", messages=MSG)

    def stream() -> None:
        for _ in client.chat.completions.create(
            model="gpt-4o-mini", messages=MSG, stream=True, stream_options={"include_usage": True}
        ):
            pass

    results: dict[str, tuple[list[float], list[float]]] = {"chat": ([], []), "stream (8 events)": ([], [])}
    for fn in (chat, stream):  # warm up both paths
        tollgate.instrument()
        measure(fn, 50)
        tollgate.uninstrument()
        measure(fn, 50)
    for _ in range(rounds):
        for name, fn in (("chat", chat), ("stream (8 events)", stream)):
            tollgate.uninstrument()
            results[name][0].extend(measure(fn, per_round))
            tollgate.instrument()
            results[name][1].extend(measure(fn, per_round))
    tollgate.uninstrument()
    print(f"python {sys.version.split()[0]}, openai {openai.__version__}, {rounds} rounds x {per_round} calls each")
    for name, (base, inst) in results.items():
        line(name, base, inst)

    report_us = measure(lambda: tollgate.report({"name": "bench", "kind": "tool"}), 20_000)
    print(f"{'report()':<22} median {statistics.median(report_us):8.2f} µs, p99 {pct(report_us, 99):8.2f} µs")
    tollgate.flush(30)
    delivered = len(ingest.delivered())
    expected = rounds * per_round * 2 + 100 + 20_000
    print(f"delivered {delivered} spans of {expected} (calls + report()), spool left: {spool.exists()}")
    tollgate.shutdown(5)
    fake.close()
    ingest.close()


if __name__ == "__main__":
    main()
