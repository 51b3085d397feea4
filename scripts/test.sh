#!/usr/bin/env bash
# One command: install everything the tests need (Python packages, Debian chromium, a CJK font)
# and run all tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
exec .venv/bin/python -m pytest -q "$@"
