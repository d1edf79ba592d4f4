"""A fake Tollgate ingest endpoint on 127.0.0.1: records every request; answers can be scripted."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client killed mid-request (the SIGKILL tests) is expected, not news


class FakeIngest:
    def __init__(self, port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        # (status, headers, body) per request, in order; then 202.
        self.script: list[tuple[int, dict[str, str], Any]] = []
        self.answer: Callable[[dict[str, Any]], tuple[int, dict[str, str], Any]] | None = None
        self.lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                self._reply(404, {}, {"type": "not_found"})

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(n)
                if self.headers.get("content-encoding") == "gzip":
                    raw = gzip.decompress(raw)
                body = json.loads(raw) if self.path == "/api/ingest" else None
                req = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                with outer.lock:
                    if self.path != "/api/ingest":
                        return self._reply(202, {}, {})
                    outer.requests.append(req)
                    if outer.script:
                        status, headers, out = outer.script.pop(0)
                    elif outer.answer:
                        status, headers, out = outer.answer(req)
                    else:
                        status, headers, out = 202, {}, {"accepted": len(body["spans"]), "rejected": []}
                    req["status"] = status
                self._reply(status, headers, out)

            def _reply(self, status: int, headers: dict[str, str], out: Any) -> None:
                data = json.dumps(out).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = _QuietServer(("127.0.0.1", port), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict[str, Any]]:
        """Spans of requests that were answered 2xx (the script consumed in order)."""
        return [s for r in self.requests if 200 <= r.get("status", 0) < 300 for s in r["body"]["spans"]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
