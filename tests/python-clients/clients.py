"""Drives one published Python client against Tollgate, as its users set it up (one setting changed:
where it sends). Run by run.mjs: `python clients.py <client>` with TOLLGATE_URL, TOLLGATE_KEY (an
ingest key of a project of its own) and OPENAI_BASE (the fake provider). Prints one JSON line with
what it sent, for run.mjs to look for in Tollgate; exits non-zero if the client itself failed.
"""

import json
import os
import sys
import time

TOLLGATE = os.environ["TOLLGATE_URL"]
KEY = os.environ["TOLLGATE_KEY"]
OPENAI_BASE = os.environ["OPENAI_BASE"]
MESSAGES = [{"role": "user", "content": "Say hello"}]


def openai_client(**kwargs):
    from openai import OpenAI

    return OpenAI(api_key="sk-test", base_url=OPENAI_BASE, max_retries=0, **kwargs)


def otel():
    """OpenTelemetry: opentelemetry-instrumentation-openai-v2 + the OTLP/HTTP protobuf exporter."""
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "pyclients-otel"}))
    exporter = OTLPSpanExporter(endpoint=f"{TOLLGATE}/v1/traces", headers={"x-api-key": KEY})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    res = openai_client().chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    provider.force_flush()
    provider.shutdown()
    return {"content": res.choices[0].message.content}


def tokenome():
    """tokenome: TokenLens(endpoint=<tollgate>/v1/events/batch) wrapping the openai client."""
    from tokenome import TokenLens
    from tokenome.context import set_context

    lens = TokenLens(
        api_key=KEY,
        endpoint=f"{TOLLGATE}/v1/events/batch",
        project_id="tk-project",
        environment="ci",
        spool_path=os.path.join(os.environ.get("SPOOL_DIR", "/tmp"), "tokenome-spool.db"),
    )
    client = lens.wrap_openai(openai_client())
    set_context(route="/chat", feature="greeter", user_id="user-42", session_id="sess-tk", tags={"team": "py"})
    res = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    if not lens.flush():
        raise SystemExit("tokenome: flush did not deliver")
    lens.close()
    return {"content": res.choices[0].message.content}


def aden():
    """aden: instrument(MeterOptions(server_url=<tollgate>)); metrics go to /v1/control/events."""
    from aden import agent, create_noop_emitter, instrument, uninstrument
    from aden.types import MeterOptions

    instrument(MeterOptions(api_key=KEY, server_url=TOLLGATE, emit_metric=create_noop_emitter()))
    with agent("PyResearcher"):
        res = openai_client().chat.completions.create(
            model="gpt-4o-mini",
            messages=MESSAGES,
            extra_body={"metadata": {"tenant_id": "acme-py", "feature": "search"}},
        )
    # Events are flushed by a background thread every second.
    time.sleep(3)
    uninstrument()
    return {"content": res.choices[0].message.content}


def agentwatch():
    """agentwatch: init(proxy_url=<tollgate>/api/ingest); a loop-detection alert on the second call.

    Its breaker only watches known provider hosts, so the client talks to http://api.openai.com/v1
    through the fake provider as an HTTP proxy (glue in the test, not a change to what it sends).
    """
    import httpx

    import agentwatch as aw

    aw.init(api_key=KEY, proxy_url=f"{TOLLGATE}/api/ingest", max_calls_per_minute=1)
    proxy = OPENAI_BASE.rsplit("/v1", 1)[0]
    client = openai_client(http_client=httpx.Client(proxy=proxy))
    client.base_url = "http://api.openai.com/v1"
    contents = []
    for _ in range(2):
        res = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        contents.append(res.choices[0].message.content)
    # Spans and alerts are posted from daemon threads.
    time.sleep(2)
    return {"content": contents[0]}


CLIENTS = {"otel": otel, "tokenome": tokenome, "aden": aden, "agentwatch": agentwatch}

if __name__ == "__main__":
    print(json.dumps(CLIENTS[sys.argv[1]]()), flush=True)
