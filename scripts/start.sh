#!/usr/bin/env bash
# One command: install, build the database from the bundled sample (first start only), start the app.
#   bash scripts/start.sh                 → http://localhost:8501
#   PORT=8600 LEDGER_DB=/path/x.duckdb bash scripts/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m ledger load-sample
exec .venv/bin/streamlit run app.py --server.headless true --server.port "${PORT:-8501}" \
  --server.address "${ADDRESS:-0.0.0.0}" --browser.gatherUsageStats false
