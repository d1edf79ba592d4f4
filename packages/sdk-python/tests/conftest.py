from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tollgate  # noqa: E402
from fake_provider import FakeProvider  # noqa: E402


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeProvider]:
    f = FakeProvider()
    yield f
    f.close()


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # Never a developer's real spool or server: every test gets its own.
    for k in list(os.environ):
        if k.startswith("TOLLGATE_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for k in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(k, "test-key")
    yield
    tollgate.shutdown(0)


@pytest.fixture
def spans() -> Any:
    """init() with delivery off and a memory exporter; returns the exporter."""
    mem = tollgate.memory_exporter()
    tollgate.init(deliver=False, on_span=mem)
    tollgate.instrument()
    return mem
