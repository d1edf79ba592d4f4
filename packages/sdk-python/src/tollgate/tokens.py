"""count_tokens(): the prompt's tokens before a call is sent (exact for OpenAI models with tiktoken)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_encoders: dict[str, Any] = {}
_TEXT_KEYS = {"content", "text", "system", "instructions", "input", "prompt", "parts", "contents", "messages", "arguments"}


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    # tiktoken:o200k_base | tiktoken:cl100k_base | approximate:o200k_base | heuristic
    method: str


def _encoder(name: str) -> Any:
    if name in _encoders:
        return _encoders[name]
    enc = None
    try:
        import importlib

        enc = importlib.import_module("tiktoken").get_encoding(name)
    except Exception:  # noqa: BLE001 - not installed, or its table cannot be loaded (offline)
        enc = None
    _encoders[name] = enc
    return enc


def _encoding_of(model: str | None) -> tuple[str, bool]:
    m = re.sub(r"^openai/", "", (model or "").lower())
    if re.match(r"^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss|codex)", m):
        return "o200k_base", True
    if re.match(r"^(gpt-4|gpt-3\.5|text-embedding-(3|ada-002))", m):
        return "cl100k_base", True
    return "o200k_base", m == ""


def _collect(value: Any, out: list[str], depth: int = 0) -> None:
    if depth > 8 or value is None:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect(v, out, depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in _TEXT_KEYS:
                _collect(v, out, depth + 1)


def _is_messages(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(m, dict) and ("content" in m or "parts" in m) for m in value)
    )


def count_tokens(value: Any, model: str | None = None) -> TokenCount:
    """Tokens of a string, a chat `messages` list (OpenAI, Anthropic or Gemini shapes, with OpenAI's
    overhead of 3 tokens per message and 3 for the reply) or a request body. Never raises.

    Example::

        tollgate.count_tokens([{"role": "user", "content": "Hello!"}], "gpt-4o-mini")
        # TokenCount(tokens=9, method='tiktoken:o200k_base') with tiktoken installed
    """
    encoding, exact = _encoding_of(model)
    enc = _encoder(encoding)

    def count(text: str) -> int:
        if not text:
            return 0
        if enc is None:
            return math.ceil(len(text) / 4)
        try:
            return len(enc.encode(text, disallowed_special=()))
        except Exception:  # noqa: BLE001
            return math.ceil(len(text) / 4)

    tokens = 0
    if _is_messages(value):
        for message in value:
            parts: list[str] = []
            _collect(message, parts)
            role = message.get("role")
            tokens += 3 + (count(role) if isinstance(role, str) else 0)
            tokens += sum(count(p) for p in parts)
        tokens += 3
    else:
        parts = []
        _collect(value, parts)
        tokens += sum(count(p) for p in parts)
    if enc is None:
        method = "heuristic"
    elif exact:
        method = f"tiktoken:{encoding}"
    else:
        method = "approximate:o200k_base"
    return TokenCount(tokens, method)
