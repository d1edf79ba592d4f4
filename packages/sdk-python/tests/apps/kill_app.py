"""Reports spans in a loop, sending as it goes, until it is killed. After each commit it prints how
many spans are committed to the spool: the ground truth the parent checks."""

import os
import sys
import time

import tollgate

tollgate.init(
    endpoint=os.environ["ENDPOINT"], spool_path=os.environ["SPOOL"], flush_interval_s=0.03, max_batch=20,
    policy_poll_interval_s=0,
)  # fmt: skip
client = tollgate.get_client()
assert client is not None and client.delivery is not None
run = f"{int(os.environ['RUN']):04x}"
trace_id = run + "0" * 28
i = 0
sys.stdout.write("S\n")
sys.stdout.flush()
while True:
    for _ in range(7):
        tollgate.report({"trace_id": trace_id, "span_id": f"{run}{i:012x}", "name": "kill-loop", "input": "x" * 200})
        i += 1
    try:
        client.delivery.commit()
    except Exception:
        continue
    sys.stdout.write(f"C {i}\n")
    sys.stdout.flush()
    time.sleep(0.001)
