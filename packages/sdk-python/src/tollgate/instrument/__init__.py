"""Capture of LLM calls at the HTTP transport (httpx, httpx2, requests)."""
