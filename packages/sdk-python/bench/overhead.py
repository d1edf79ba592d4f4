"""Overhead per instrumented LLM call against the uninstrumented client, measured in the same run.

The real `openai` client calls a fake provider on 127.0.0.1 (tests/fake_provider.py), alternating
rounds with and without instrument() so drift affects both alike. Delivery is on (a durable SQLite
spool and a fake ingest endpoint), as in production. The fake servers run in another process: in
this one they would compete for the GIL with the application and distort both figures. Prints
median and p99 per call for each, the difference, and the cost of report().

    ~/.cache/tollgate-pysdk-venv/bin/python packages/sdk-python/bench/overhead.py [calls-per-round] [rounds]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import openai  # noqa: E402

import tollgate  # noqa: E402

SERVERS = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from fake_ingest import FakeIngest
from fake_provider import FakeProvider
fake, ingest = FakeProvider(), FakeIngest()
print(json.dumps({"provider": fake.openai_base, "ingest": ingest.url}), flush=True)
sys.stdin.read()
print(len(ingest.delivered()), flush=True)
"""

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


def interleaved(call, n: int) -> tuple[list[float], list[float], list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Alternates uninstrumented and instrumented calls one by one, so a loaded machine weighs on both
    alike. Wall time and the calling thread's CPU time (the SDK's own cost on the caller's path)."""
    base, inst, base_cpu, inst_cpu = [], [], [], []
    for i in range(2 * n):
        on = i % 2 == 1
        if on:
            tollgate.instrument()
        else:
            tollgate.uninstrument()
        c0, t0 = time.thread_time(), time.perf_counter()
        call()
        t1, c1 = time.perf_counter(), time.thread_time()
        (inst if on else base).append((t1 - t0) * 1e6)
        (inst_cpu if on else base_cpu).append((c1 - c0) * 1e6)
    return base, inst, base_cpu, inst_cpu


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
    tests = str(Path(__file__).resolve().parents[1] / "tests")
    servers = subprocess.Popen(
        [sys.executable, "-c", SERVERS, tests], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert servers.stdout is not None and servers.stdin is not None
    urls = json.loads(servers.stdout.readline())
    spool = Path(tempfile.mkdtemp()) / "bench.sqlite"
    tollgate.init(endpoint=urls["ingest"], spool_path=str(spool), policy_poll_interval_s=0)
    client = openai.OpenAI(base_url=urls["provider"], api_key="k", max_retries=0)

    def chat() -> None:
        client.chat.completions.create(model="gpt-4o-mini", messages=MSG)

    def stream() -> None:
        for _ in client.chat.completions.create(
            model="gpt-4o-mini", messages=MSG, stream=True, stream_options={"include_usage": True}
        ):
            pass

    for fn in (chat, stream):  # warm up both paths
        interleaved(fn, 50)
    print(f"python {sys.version.split()[0]}, openai {openai.__version__}, {rounds * per_round} calls each way, interleaved")
    for name, fn in (("chat", chat), ("stream (8 events)", stream)):
        base, inst, base_cpu, inst_cpu = interleaved(fn, rounds * per_round)
        line(f"{name} wall", base, inst)
        line(f"{name} caller CPU", base_cpu, inst_cpu)
    # Everything the SDK costs the process, its threads included (commit, span building, sending):
    # process CPU per call over blocks of calls, each block ended by a flush.
    for name, fn in (("chat", chat), ("stream (8 events)", stream)):
        per_mode: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(rounds):
            for on in (False, True):
                (tollgate.instrument if on else tollgate.uninstrument)()
                c0 = time.process_time()
                for _ in range(per_round):
                    fn()
                tollgate.flush()
                per_mode[on].append((time.process_time() - c0) / per_round * 1e6)
        b, i = statistics.median(per_mode[False]), statistics.median(per_mode[True])
        print(f"{name + ' process CPU':<22} median {b:8.1f} µs → {i:8.1f} µs  (+{i - b:6.1f} µs, x{i / b:.3f}) per call")
    tollgate.uninstrument()

    report_us = measure(lambda: tollgate.report({"name": "bench", "kind": "tool"}), 20_000)
    print(f"{'report()':<22} median {statistics.median(report_us):8.2f} µs, p99 {pct(report_us, 99):8.2f} µs")
    tollgate.shutdown(30)
    servers.stdin.close()
    delivered = int(servers.stdout.readline())
    servers.wait(10)
    expected = rounds * per_round * 4 + 100 + 20_000  # calls of both kinds (twice), warm-up, report()
    print(f"delivered {delivered} spans of {expected} (instrumented calls + report())")


if __name__ == "__main__":
    main()
