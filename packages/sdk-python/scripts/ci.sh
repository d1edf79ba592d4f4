#!/usr/bin/env bash
# The Python SDK's suite: a virtualenv cached outside the repository, the package installed (not
# linked) with its test extras, then pytest. pytest's "no tests ran" (exit 5) is a failure here.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$HOME/.cache/tollgate-pysdk-venv"

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
  echo "the Python SDK needs Python >= 3.10 (found $(python3 --version 2>&1))" >&2
  exit 1
}
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install -q --disable-pip-version-check --upgrade pip
# Build in a scratch copy: setuptools writes build/ and *.egg-info next to the sources.
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -r "$HERE/pyproject.toml" "$HERE/README.md" "$HERE/src" "$STAGE/"
"$PY" -m pip install -q --disable-pip-version-check "$STAGE[test]"
"$PY" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$STAGE"

cd "$HERE"
# The package ships py.typed: its types must hold (strict, on the oldest supported Python).
"$PY" -m mypy --strict --python-version 3.10 --cache-dir=/dev/null src/tollgate
set +e
"$PY" -m pytest -p no:cacheprovider -q tests
code=$?
set -e
if [ "$code" -eq 5 ]; then
  echo "pytest ran no tests: treated as a failure" >&2
  exit 1
fi
exit "$code"
