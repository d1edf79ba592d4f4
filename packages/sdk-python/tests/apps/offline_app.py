"""Makes LLM calls while Tollgate is down, then exits on its own (no shutdown(): the exit hook must
keep what was not delivered)."""

import json
import os
import time

import openai

import tollgate

tollgate.init(
    endpoint=os.environ["ENDPOINT"], spool_path=os.environ["SPOOL"], flush_interval_s=0.1, policy_poll_interval_s=0,
    shutdown_timeout_s=1,
)  # fmt: skip
tollgate.instrument()
client = openai.OpenAI(api_key="k", base_url=os.environ["PROVIDER"], max_retries=0)
traces, latencies = [], []
for i in range(int(os.environ["CALLS"])):
    with tollgate.trace(f"offline-{i}"):
        traces.append(tollgate.current_trace_id())
        t0 = time.perf_counter()
        r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"question {i}"}])
        assert r.choices[0].message.content
        latencies.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"traces": traces, "latencies": latencies}), flush=True)
