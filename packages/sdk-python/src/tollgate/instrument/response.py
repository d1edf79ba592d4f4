"""Reads one response of one flavour: json() for a complete body, event() per stream event.

Tolerant of anything: an unexpected shape yields less data, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .json_util import arr, at, num, string
from .usage import anthropic_usage, cohere_usage, gemini_usage, ollama_usage, openai_usage, usage_of

# Captured content is bounded; the server truncates at 256 KiB anyway.
MAX_CAPTURE_CHARS = 64 * 1024


@dataclass
class ToolCall:
    name: str
    arguments: str
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "arguments": self.arguments}
        if self.id:
            out["id"] = self.id
        return out


@dataclass
class Extracted:
    response_model: str | None = None
    response_id: str | None = None
    usage: dict[str, int] | None = None
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    error: str | None = None


def _dumps(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"))


class ResponseReader:
    def __init__(self, flavor: str, operation: str) -> None:
        self.flavor = flavor
        self.operation = operation
        self.out = Extracted()
        self._tools: dict[Any, ToolCall] = {}

    def _add_text(self, t: Any) -> bool:
        if not isinstance(t, str) or not t:
            return False
        o = self.out
        if len(o.text) < MAX_CAPTURE_CHARS:
            o.text += t[: MAX_CAPTURE_CHARS - len(o.text)]
        return True

    def _tool(self, key: Any, name: str | None, args: str | None, id: str | None = None) -> bool:
        call = self._tools.get(key)
        if call is None:
            call = ToolCall(name or "", "", id or None)
            self._tools[key] = call
            self.out.tool_calls.append(call)
        if name and not call.name:
            call.name = name
        if args and len(call.arguments) < MAX_CAPTURE_CHARS:
            call.arguments += args
        return True

    def _set_usage(self, u: dict[str, int] | None) -> None:
        if u:
            self.out.usage = {**(self.out.usage or {}), **u}

    def json(self, body: Any) -> None:
        o = self.out
        self._set_usage(usage_of(self.flavor, body))
        f = self.flavor
        if f == "openai":
            o.response_model = string(at(body, "model"))
            o.response_id = string(at(body, "id"))
            if self.operation == "responses":
                for item in arr(at(body, "output")):
                    if at(item, "type") == "function_call":
                        self._tool(
                            string(at(item, "id")) or len(o.tool_calls),
                            string(at(item, "name")),
                            string(at(item, "arguments")),
                        )
                    for part in arr(at(item, "content")):
                        if at(part, "type") == "output_text":
                            self._add_text(at(part, "text"))
                o.finish_reason = string(at(body, "status"))
                return
            choice = at(body, "choices", 0)
            content = at(choice, "message", "content")
            self._add_text(content if content is not None else at(choice, "text"))
            for i, tc in enumerate(arr(at(choice, "message", "tool_calls"))):
                self._tool(
                    i, string(at(tc, "function", "name")), string(at(tc, "function", "arguments")), string(at(tc, "id"))
                )
            o.finish_reason = string(at(choice, "finish_reason"))
        elif f == "anthropic":
            o.response_model = string(at(body, "model"))
            o.response_id = string(at(body, "id"))
            o.finish_reason = string(at(body, "stop_reason"))
            for i, block in enumerate(arr(at(body, "content"))):
                if at(block, "type") == "text":
                    self._add_text(at(block, "text"))
                if at(block, "type") == "tool_use":
                    self._tool(i, string(at(block, "name")), _dumps(at(block, "input") or {}), string(at(block, "id")))
        elif f == "gemini":
            self._gemini_chunk(body)
        elif f == "cohere":
            o.response_id = string(at(body, "id"))
            o.finish_reason = string(at(body, "finish_reason"))
            for part in arr(at(body, "message", "content")):
                self._add_text(at(part, "text"))
            for i, tc in enumerate(arr(at(body, "message", "tool_calls"))):
                self._tool(i, string(at(tc, "function", "name")), string(at(tc, "function", "arguments")))
        elif f == "ollama":
            self._ollama_chunk(body)

    def _gemini_chunk(self, body: Any) -> bool:
        o = self.out
        o.response_model = string(at(body, "modelVersion")) or o.response_model
        o.response_id = string(at(body, "responseId")) or o.response_id
        self._set_usage(gemini_usage(at(body, "usageMetadata")))
        cand = at(body, "candidates", 0)
        o.finish_reason = string(at(cand, "finishReason")) or o.finish_reason
        token = False
        for part in arr(at(cand, "content", "parts")):
            if at(part, "thought") is not True and self._add_text(at(part, "text")):
                token = True
            if isinstance(at(part, "functionCall"), dict):
                token = self._tool(
                    len(o.tool_calls),
                    string(at(part, "functionCall", "name")),
                    _dumps(at(part, "functionCall", "args") or {}),
                )
        return token

    def _ollama_chunk(self, body: Any) -> bool:
        self.out.response_model = string(at(body, "model")) or self.out.response_model
        if at(body, "done") is True:
            self._set_usage(ollama_usage(body))
        content = at(body, "message", "content")
        return self._add_text(content if content is not None else at(body, "response"))

    def event(self, data: Any, name: str | None = None) -> bool:
        """One stream event. True when it carried a token (text or tool call)."""
        f = self.flavor
        if f == "openai":
            return self._responses_event(data) if self.operation == "responses" else self._chat_chunk(data)
        if f == "anthropic":
            return self._anthropic_event(data, name)
        if f == "gemini":
            return self._gemini_chunk(data)
        if f == "cohere":
            return self._cohere_event(data)
        if f == "ollama":
            return self._ollama_chunk(data)
        return False

    def _chat_chunk(self, c: Any) -> bool:
        o = self.out
        o.response_model = string(at(c, "model")) or o.response_model
        o.response_id = string(at(c, "id")) or o.response_id
        self._set_usage(openai_usage(at(c, "usage")) or openai_usage(at(c, "x_groq", "usage")))
        choice = at(c, "choices", 0)
        o.finish_reason = string(at(choice, "finish_reason")) or o.finish_reason
        content = at(choice, "delta", "content")
        token = self._add_text(content if content is not None else at(choice, "text"))
        if isinstance(at(choice, "delta", "reasoning_content"), str) or isinstance(
            at(choice, "delta", "reasoning"), str
        ):
            token = True
        for tc in arr(at(choice, "delta", "tool_calls")):
            idx = num(at(tc, "index"))
            token = self._tool(
                int(idx) if idx is not None else 0,
                string(at(tc, "function", "name")),
                string(at(tc, "function", "arguments")),
                string(at(tc, "id")),
            )
        return token

    def _responses_event(self, e: Any) -> bool:
        o = self.out
        t = string(at(e, "type")) or ""
        if t == "response.output_text.delta":
            return self._add_text(at(e, "delta"))
        if t == "response.output_item.added" and at(e, "item", "type") == "function_call":
            return self._tool(string(at(e, "item", "id")) or len(o.tool_calls), string(at(e, "item", "name")), None)
        if t == "response.function_call_arguments.delta":
            return self._tool(string(at(e, "item_id")) or 0, None, string(at(e, "delta")))
        if t == "response.reasoning_summary_text.delta":
            return True
        response = at(e, "response")
        if isinstance(response, dict):
            o.response_model = string(response.get("model")) or o.response_model
            o.response_id = string(response.get("id")) or o.response_id
            self._set_usage(openai_usage(response.get("usage")))
            o.finish_reason = string(response.get("status")) or o.finish_reason
            if t == "response.failed":
                o.error = string(at(response, "error", "message")) or "response failed"
        if t == "error":
            o.error = string(at(e, "message")) or "stream error"
        return False

    def _anthropic_event(self, e: Any, name: str | None) -> bool:
        o = self.out
        t = string(at(e, "type")) or name
        if t == "message_start":
            o.response_model = string(at(e, "message", "model"))
            o.response_id = string(at(e, "message", "id"))
            self._set_usage(anthropic_usage(at(e, "message", "usage")))
            return False
        if t == "content_block_start":
            if at(e, "content_block", "type") == "tool_use":
                idx = num(at(e, "index"))
                return self._tool(
                    int(idx) if idx is not None else 0,
                    string(at(e, "content_block", "name")),
                    None,
                    string(at(e, "content_block", "id")),
                )
            return False
        if t == "content_block_delta":
            d = at(e, "delta")
            if at(d, "type") == "input_json_delta":
                idx = num(at(e, "index"))
                return self._tool(int(idx) if idx is not None else 0, None, string(at(d, "partial_json")))
            if at(d, "type") == "thinking_delta":
                return True
            return self._add_text(at(d, "text"))
        if t == "message_delta":
            o.finish_reason = string(at(e, "delta", "stop_reason")) or o.finish_reason
            out = num(at(e, "usage", "output_tokens"))
            if out is not None:
                self._set_usage({"output_tokens": int(out)})
                u = self.out.usage
                if u is not None:
                    u["total_tokens"] = u.get("input_tokens", 0) + int(out)
            return False
        if t == "error":
            o.error = string(at(e, "error", "message")) or "stream error"
        return False

    def _cohere_event(self, e: Any) -> bool:
        t = string(at(e, "type"))
        if t == "content-delta":
            return self._add_text(at(e, "delta", "message", "content", "text"))
        if t in ("tool-call-start", "tool-call-delta"):
            idx = num(at(e, "index"))
            return self._tool(
                int(idx) if idx is not None else 0,
                string(at(e, "delta", "message", "tool_calls", "function", "name")),
                string(at(e, "delta", "message", "tool_calls", "function", "arguments")),
            )
        if t == "message-end":
            self.out.finish_reason = string(at(e, "delta", "finish_reason"))
            self._set_usage(cohere_usage(at(e, "delta", "usage")))
        return False


def error_from_body(body: Any) -> str | None:
    msg = (
        string(at(body, "error", "message"))
        or string(at(body, "message"))
        or string(at(body, "error"))
        or string(at(body, "detail"))
    )
    return msg[:2048] if msg else None
