"""A real Tollgate (apps/api/dist/main.js, embedded mode) in a child process, as `npm start` runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[3]
MAIN = REPO / "apps/api/dist/main.js"


class Tollgate:
    def __init__(self, data_dir: Path, port: int, api_key: str | None = None, env: dict[str, str] | None = None) -> None:
        node = shutil.which("node")
        if node is None or not MAIN.exists():
            raise RuntimeError(f"{MAIN} is missing (or node is): run `npm run build` at the repository root first")
        extra = env
        env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATA_DIR": str(data_dir), "LOG_LEVEL": "warn"}
        env.pop("API_KEY", None)
        if api_key:
            env["API_KEY"] = api_key
        env.update(extra or {})
        self.url = f"http://127.0.0.1:{port}"
        self.api_key = api_key
        self._log = open(data_dir.parent / f"tollgate-{port}.log", "wb")
        self.child = subprocess.Popen([node, str(MAIN)], env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while True:
            if self.child.poll() is not None:
                raise RuntimeError(f"Tollgate exited ({self.child.returncode}): {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                self.child.kill()
                raise RuntimeError(f"Tollgate did not become healthy: {self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self) -> str:
        self._log.flush()
        return (self._log.name and Path(self._log.name).read_text(errors="replace"))[-3000:]

    def get(self, path: str) -> Any:
        headers = {"x-api-key": self.api_key} if self.api_key else {}
        res = httpx.get(f"{self.url}{path}", headers=headers, timeout=10)
        res.raise_for_status()
        return res.json()

    def spans(self, trace_id: str, n: int, timeout: float = 30) -> list[dict[str, Any]]:
        """Polls a trace until `n` spans are there (a 202 is durable, not yet queryable)."""
        headers = {"x-api-key": self.api_key} if self.api_key else {}
        end = time.time() + timeout
        spans: list[dict[str, Any]] = []
        while time.time() < end:
            res = httpx.get(f"{self.url}/api/traces/{trace_id}/spans", headers=headers, timeout=10)
            spans = res.json().get("spans", []) if res.status_code == 200 else []
            if len(spans) >= n:
                return spans
            time.sleep(0.2)
        return spans

    def stop(self) -> None:
        if self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(15)
            except subprocess.TimeoutExpired:
                self.child.kill()
                self.child.wait()
        self._log.close()
