"""A fake OpenAI/Anthropic/Gemini-compatible provider on 127.0.0.1 that records every request.

Port of packages/sdk/test/helpers/fake-provider.ts. Model names drive behaviour: `error-<status>`
answers that status, `slow-*` streams 200 events, anything else succeeds.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WORDS = ["Hello", " from", " the", " fake", " provider", "."]
FAKE_TEXT = "".join(WORDS)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client killed mid-request (the SIGKILL tests) is expected, not news


class FakeProvider:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.event_delay_s = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                import socket

                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                fake.received.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                fake.handle(self, self.path, body if isinstance(body, dict) else {})

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.openai_base = f"{self.url}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- responses ---------------------------------------------------------------------------

    def _json(self, h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("x-request-id", "req_fake_1")
        h.send_header("request-id", "req_fake_1")
        h.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _sse(self, h: BaseHTTPRequestHandler, events: list[dict[str, Any]], done: bool = False) -> None:
        h.send_response(200)
        h.send_header("content-type", "text/event-stream")
        h.send_header("x-request-id", "req_fake_1")
        h.send_header("transfer-encoding", "chunked")
        h.end_headers()

        def chunk(b: bytes) -> None:
            h.wfile.write(f"{len(b):x}\r\n".encode() + b + b"\r\n")
            h.wfile.flush()

        try:
            for e in events:
                data = e["data"] if isinstance(e["data"], str) else json.dumps(e["data"])
                text = (f"event: {e['event']}\n" if e.get("event") else "") + f"data: {data}\n\n"
                raw = text.encode()
                cut = len(raw) // 3  # events cut in two: parsers must cope
                chunk(raw[:cut])
                chunk(raw[cut:])
                if self.event_delay_s:
                    time.sleep(self.event_delay_s)
            if done:
                chunk(b"data: [DONE]\n\n")
            h.wfile.write(b"0\r\n\r\n")
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def handle(self, h: BaseHTTPRequestHandler, path: str, body: dict[str, Any]) -> None:
        path_model = re.search(r"models/([^:/]+):", path)
        model = body.get("model") or (path_model.group(1) if path_model else "")
        m = re.match(r"^error-(\d{3})$", str(model))
        if m:
            status = int(m.group(1))
            extra = {"retry-after": "0"} if status in (429, 503) else {}
            return self._json(
                h,
                status,
                {"error": {"message": f"fake {status} error", "type": "fake_error"}},
                {**extra, "x-should-retry": "false"},
            )
        if path.startswith("/v1/chat/completions"):
            return self._openai_chat(h, body)
        if path.startswith("/v1/messages"):
            return self._anthropic(h, body)
        if path.startswith("/v1/responses"):
            return self._responses(h, body)
        if path.startswith("/v1/embeddings"):
            return self._json(
                h,
                200,
                {
                    "object": "list",
                    "model": body.get("model"),
                    "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
                    "usage": {"prompt_tokens": 4, "total_tokens": 4},
                },
            )
        if "/models/" in path:
            return self._gemini(h, path.split("?")[0])
        self._json(h, 404, {"error": {"message": "not found"}})

    def _openai_chat(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        model = str(body.get("model"))
        tools = bool(body.get("tools"))
        usage = {
            "prompt_tokens": 11,
            "completion_tokens": 6,
            "total_tokens": 17,
            "prompt_tokens_details": {"cached_tokens": 3},
            "completion_tokens_details": {"reasoning_tokens": 2},
        }
        tool_call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
        if not body.get("stream"):
            message = (
                {"role": "assistant", "content": None, "tool_calls": [tool_call]}
                if tools
                else {"role": "assistant", "content": FAKE_TEXT}
            )
            return self._json(
                h,
                200,
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1,
                    "model": f"{model}-2024-07-18",
                    "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tools else "stop"}],
                    "usage": usage,
                },
            )
        base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": f"{model}-2024-07-18"}

        def ev(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {"data": {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}}

        events = [ev({"role": "assistant", "content": ""})]
        count = 200 if model.startswith("slow") else len(WORDS)
        if tools:
            events.append(
                ev({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]})
            )
            for part in ['{"city"', ':"Paris"}']:
                events.append(ev({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}))
        else:
            for i in range(count):
                events.append(ev({"content": WORDS[i % len(WORDS)]}))
        events.append(ev({}, "tool_calls" if tools else "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({"data": {**base, "choices": [], "usage": usage}})
        self._sse(h, events, done=True)

    def _responses(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        model = str(body.get("model"))
        usage = {
            "input_tokens": 12,
            "output_tokens": 7,
            "total_tokens": 19,
            "input_tokens_details": {"cached_tokens": 4},
            "output_tokens_details": {"reasoning_tokens": 3},
        }
        message = {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": FAKE_TEXT, "annotations": []}],
        }
        response = {
            "id": "resp_1",
            "object": "response",
            "created_at": 1,
            "model": f"{model}-2025-04-14",
            "status": "completed",
            "output": [message],
            "usage": usage,
        }
        if not body.get("stream"):
            return self._json(h, 200, response)
        events = [
            {
                "event": "response.created",
                "data": {
                    "type": "response.created",
                    "sequence_number": 0,
                    "response": {**response, "status": "in_progress", "output": [], "usage": None},
                },
            }
        ]
        for i, w in enumerate(WORDS):
            events.append(
                {
                    "event": "response.output_text.delta",
                    "data": {
                        "type": "response.output_text.delta",
                        "sequence_number": i + 1,
                        "item_id": "msg_1",
                        "output_index": 0,
                        "content_index": 0,
                        "delta": w,
                    },
                }
            )
        events.append({"event": "response.completed", "data": {"type": "response.completed", "sequence_number": 99, "response": response}})
        self._sse(h, events)

    def _anthropic(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        model = str(body.get("model"))
        tools = bool(body.get("tools"))
        usage = {"input_tokens": 20, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 50, "output_tokens": 8}
        if not body.get("stream"):
            content = (
                [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]
                if tools
                else [{"type": "text", "text": FAKE_TEXT}]
            )
            return self._json(
                h,
                200,
                {
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": content,
                    "stop_reason": "tool_use" if tools else "end_turn",
                    "stop_sequence": None,
                    "usage": usage,
                },
            )
        events: list[dict[str, Any]] = [
            {
                "event": "message_start",
                "data": {
                    "type": "message_start",
                    "message": {
                        "id": "msg_1",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {**usage, "output_tokens": 1},
                    },
                },
            }
        ]
        if tools:
            events.append(
                {
                    "event": "content_block_start",
                    "data": {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
                    },
                }
            )
            for part in ['{"city"', ':"Paris"}']:
                events.append(
                    {
                        "event": "content_block_delta",
                        "data": {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": part}},
                    }
                )
        else:
            events.append(
                {
                    "event": "content_block_start",
                    "data": {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                }
            )
            events.append({"event": "ping", "data": {"type": "ping"}})
            count = 200 if model.startswith("slow") else len(WORDS)
            for i in range(count):
                events.append(
                    {
                        "event": "content_block_delta",
                        "data": {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": WORDS[i % len(WORDS)]}},
                    }
                )
        events.append({"event": "content_block_stop", "data": {"type": "content_block_stop", "index": 0}})
        events.append(
            {
                "event": "message_delta",
                "data": {
                    "type": "message_delta",
                    "delta": {"stop_reason": "tool_use" if tools else "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 8},
                },
            }
        )
        events.append({"event": "message_stop", "data": {"type": "message_stop"}})
        self._sse(h, events)

    def _gemini(self, h: BaseHTTPRequestHandler, path: str) -> None:
        m = re.search(r"models/([^:]+):", path)
        model = m.group(1) if m else "gemini"
        usage = {"promptTokenCount": 9, "candidatesTokenCount": 5, "thoughtsTokenCount": 4, "totalTokenCount": 18}

        def chunk(text: str, last: bool) -> dict[str, Any]:
            cand: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
            if last:
                cand["finishReason"] = "STOP"
            out: dict[str, Any] = {"candidates": [cand], "modelVersion": model, "responseId": "resp_g1"}
            if last:
                out["usageMetadata"] = usage
            return out

        if ":streamGenerateContent" in path:
            return self._sse(h, [{"data": chunk(w, i == len(WORDS) - 1)} for i, w in enumerate(WORDS)])
        self._json(h, 200, chunk(FAKE_TEXT, True))
