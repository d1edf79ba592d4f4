#!/usr/bin/env bash
# The published Python clients (tokenome, aden-py, aeneas-agentwatch, OpenTelemetry's openai-v2
# instrumentation and OTLP/HTTP exporter) against a started Tollgate and a fake provider on 127.0.0.1.
# The venv lives outside the repository (TOLLGATE_PYCLIENTS_CACHE, default ~/.cache/tollgate-pyclients)
# and is rebuilt when requirements.txt changes. Fails — never skips — when it cannot run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${TOLLGATE_PYCLIENTS_CACHE:-$HOME/.cache/tollgate-pyclients}"
venv="$cache/venv"

# Python 3.11+ with venv (tokenome needs 3.11): Debian's packages when this machine lacks them.
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
fi

stamp="$(sha256sum "$here/requirements.txt" | cut -c1-16)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  echo "$stamp" > "$venv/.requirements"
fi

[ -f "$root/apps/api/dist/server.js" ] || (cd "$root" && npm run build --silent)
PYTHON="$venv/bin/python" node "$here/run.mjs"
