"""Child processes of the test: the SDK as an application runs it, killed or not."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

APPS = Path(__file__).parent / "apps"


@dataclass
class Result:
    code: int | None
    signal: int | None
    stdout: str
    stderr: str


def run_app(
    name: str,
    env: dict[str, str],
    kill_after_s: float | None = None,
    kill_from_started: bool = False,
    on_line: Callable[[str], None] | None = None,
    timeout: float = 60,
) -> Result:
    full = {**os.environ, **env}
    child = subprocess.Popen(
        [sys.executable, str(APPS / name)], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out: list[str] = []
    err: list[str] = []
    timer: threading.Timer | None = None

    def kill() -> None:
        try:
            child.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass

    if kill_after_s is not None and not kill_from_started:
        timer = threading.Timer(kill_after_s, kill)
        timer.start()

    def read_err() -> None:
        assert child.stderr is not None
        err.append(child.stderr.read())

    t = threading.Thread(target=read_err, daemon=True)
    t.start()
    assert child.stdout is not None
    for line in child.stdout:
        line = line.rstrip("\n")
        out.append(line)
        if line == "S" and kill_after_s is not None and kill_from_started:
            timer = threading.Timer(kill_after_s, kill)
            timer.start()
        if on_line:
            on_line(line)
    code = child.wait(timeout)
    t.join(5)
    if timer:
        timer.cancel()
    return Result(
        code if code >= 0 else None, -code if code < 0 else None, "\n".join(out), "".join(err)
    )


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def spool_count(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT COUNT(*) FROM spans").fetchone()[0])
    finally:
        db.close()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(fn: Callable[[], bool], timeout: float = 30.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return True
        time.sleep(0.1)
    return fn()
