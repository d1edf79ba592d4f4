"""Is this request an LLM call, and of which kind? (the same rules as @tollgate/sdk)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Detected:
    provider: str  # a genai-prices provider id, so the server prices spans alike
    flavor: str  # openai | anthropic | gemini | cohere | ollama
    operation: str
    host: str | None = None
    path_model: str | None = None
    path_stream: bool = False


HOSTS = {
    "api.openai.com": "openai",
    "api.anthropic.com": "anthropic",
    "generativelanguage.googleapis.com": "google",
    "aiplatform.googleapis.com": "google",
    "api.mistral.ai": "mistral",
    "api.groq.com": "groq",
    "api.cohere.com": "cohere",
    "api.cohere.ai": "cohere",
    "api.together.xyz": "together",
    "api.together.ai": "together",
    "api.fireworks.ai": "fireworks",
    "api.deepseek.com": "deepseek",
    "api.x.ai": "x-ai",
    "openrouter.ai": "openrouter",
}
AZURE_SUFFIXES = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")

COMPAT = [
    (re.compile(r"/v1/chat/completions$"), "openai", "chat"),
    (re.compile(r"/v1/completions$"), "openai", "completion"),
    (re.compile(r"/v1/responses$"), "openai", "responses"),
    (re.compile(r"/v1/embeddings$"), "openai", "embeddings"),
    (re.compile(r"/v1/messages$"), "anthropic", "chat"),
]
KNOWN_ONLY = [
    (re.compile(r"/chat/completions$"), "openai", "chat"),
    (re.compile(r"/completions$"), "openai", "completion"),
    (re.compile(r"/responses$"), "openai", "responses"),
    (re.compile(r"/embeddings$"), "openai", "embeddings"),
    (re.compile(r"/images/(generations|edits|variations)$"), "openai", "images"),
    (re.compile(r"/audio/(transcriptions|translations|speech)$"), "openai", "audio"),
    (re.compile(r"/moderations$"), "openai", "moderations"),
    (re.compile(r"/v2/chat$"), "cohere", "chat"),
    (re.compile(r"/v[12]/embed$"), "cohere", "embeddings"),
    (re.compile(r"^/api/chat$"), "ollama", "chat"),
    (re.compile(r"^/api/generate$"), "ollama", "completion"),
    (re.compile(r"^/api/embed(dings)?$"), "ollama", "embeddings"),
]
GEMINI = re.compile(r"/models/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$")


def provider_for_host(host: str, port: int | None) -> str | None:
    known = HOSTS.get(host)
    if known:
        return known
    if host.endswith("-aiplatform.googleapis.com"):
        return "google"
    if host.endswith(AZURE_SUFFIXES):
        return "azure"
    if port == 11434:
        return "ollama"
    return None


def detect(url: str, method: str | None) -> Detected | None:
    if method is not None and method.upper() != "POST":
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    hostname = (parts.hostname or "").lower()
    path = parts.path.rstrip("/")
    host = parts.netloc.rsplit("@", 1)[-1] or None
    provider = provider_for_host(hostname, port)
    if provider == "google" or GEMINI.search(path):
        m = GEMINI.search(path)
        if not m:
            return None
        verb = m.group(2)
        return Detected(
            "google",
            "gemini",
            "embeddings" if "mbed" in verb else "chat",
            host,
            unquote(m.group(1)),
            verb == "streamGenerateContent",
        )
    if provider:
        if provider == "anthropic" and path.endswith("/messages"):
            return Detected(provider, "anthropic", "chat", host)
        for rx, flavor, op in KNOWN_ONLY:
            if rx.search(path):
                return Detected(provider, flavor, op, host)
        return None
    for rx, flavor, op in COMPAT:
        if rx.search(path):
            return Detected("anthropic" if flavor == "anthropic" else "openai", flavor, op, host)
    return None
