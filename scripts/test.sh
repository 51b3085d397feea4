#!/usr/bin/env bash
# One command: install everything the tests need (Python packages, Debian chromium, a CJK font),
# lint (ruff, configured in pyproject.toml) and run all tests, doctests included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/python -m ruff check .
exec .venv/bin/python -m pytest -q "$@"
