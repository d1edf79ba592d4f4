"""Usage in OpenAI's convention: input includes cache reads/writes, output includes reasoning."""

from __future__ import annotations

from typing import Any

from .json_util import at, num


def _clean(u: dict[str, float | None]) -> dict[str, int] | None:
    out = {k: int(round(v)) for k, v in u.items() if v is not None}
    if not out:
        return None
    if "total_tokens" not in out and ("input_tokens" in out or "output_tokens" in out):
        out["total_tokens"] = out.get("input_tokens", 0) + out.get("output_tokens", 0)
    return out


def _first(*vals: float | None) -> float | None:
    for v in vals:
        if v is not None:
            return v
    return None


def openai_usage(u: Any) -> dict[str, int] | None:
    if not isinstance(u, dict):
        return None
    return _clean(
        {
            "input_tokens": _first(num(u.get("prompt_tokens")), num(u.get("input_tokens"))),
            "output_tokens": _first(num(u.get("completion_tokens")), num(u.get("output_tokens"))),
            "total_tokens": num(u.get("total_tokens")),
            "cache_read_tokens": _first(
                num(at(u, "prompt_tokens_details", "cached_tokens")),
                num(at(u, "input_tokens_details", "cached_tokens")),
                num(u.get("prompt_cache_hit_tokens")),
            ),
            "reasoning_tokens": _first(
                num(at(u, "completion_tokens_details", "reasoning_tokens")),
                num(at(u, "output_tokens_details", "reasoning_tokens")),
            ),
        }
    )


def anthropic_usage(u: Any) -> dict[str, int] | None:
    """Anthropic counts cache reads and writes outside input_tokens; on the wire they are included."""
    if not isinstance(u, dict):
        return None
    base, read, write = num(u.get("input_tokens")), num(u.get("cache_read_input_tokens")), num(
        u.get("cache_creation_input_tokens")
    )
    total_in = None if base is None and read is None and write is None else (base or 0) + (read or 0) + (write or 0)
    return _clean(
        {
            "input_tokens": total_in,
            "output_tokens": num(u.get("output_tokens")),
            "cache_read_tokens": read,
            "cache_write_tokens": write,
        }
    )


def gemini_usage(u: Any) -> dict[str, int] | None:
    """Gemini's candidates exclude thoughts; output_tokens includes them."""
    if not isinstance(u, dict):
        return None
    prompt, tool_prompt = num(u.get("promptTokenCount")), num(u.get("toolUsePromptTokenCount"))
    cand, thoughts = num(u.get("candidatesTokenCount")), num(u.get("thoughtsTokenCount"))
    return _clean(
        {
            "input_tokens": None if prompt is None and tool_prompt is None else (prompt or 0) + (tool_prompt or 0),
            "output_tokens": None if cand is None and thoughts is None else (cand or 0) + (thoughts or 0),
            "total_tokens": num(u.get("totalTokenCount")),
            "cache_read_tokens": num(u.get("cachedContentTokenCount")),
            "reasoning_tokens": thoughts,
        }
    )


def cohere_usage(u: Any) -> dict[str, int] | None:
    if not isinstance(u, dict):
        return None
    tokens = u.get("tokens") if isinstance(u.get("tokens"), dict) else u.get("billed_units")
    if not isinstance(tokens, dict):
        return None
    return _clean({"input_tokens": num(tokens.get("input_tokens")), "output_tokens": num(tokens.get("output_tokens"))})


def ollama_usage(body: Any) -> dict[str, int] | None:
    if not isinstance(body, dict):
        return None
    return _clean({"input_tokens": num(body.get("prompt_eval_count")), "output_tokens": num(body.get("eval_count"))})


def usage_of(flavor: str, body: Any) -> dict[str, int] | None:
    if flavor == "openai":
        return openai_usage(at(body, "usage"))
    if flavor == "anthropic":
        return anthropic_usage(at(body, "usage"))
    if flavor == "gemini":
        return gemini_usage(at(body, "usageMetadata"))
    if flavor == "cohere":
        return cohere_usage(at(body, "usage")) or cohere_usage(at(body, "meta"))
    if flavor == "ollama":
        return ollama_usage(body)
    return None
