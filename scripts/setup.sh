#!/usr/bin/env bash
# Install everything on a fresh Debian machine with Python 3.11:
#   bash scripts/setup.sh          runtime only (the app; + Debian chromium and a CJK font for PDF/PNG exports)
#   bash scripts/setup.sh --dev    + test tools
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=0; [ "${1:-}" = "--dev" ] && DEV=1

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] || { echo "需要 Python 3.11 或更高版本 (python3.11)" >&2; exit 1; }

need_apt=()
# Chromium and a CJK font are runtime needs too: the 督办单/通报 PDFs and the meeting pack's PNG charts
# (kaleido) are rendered by the system Chromium; the browser tests use the same one.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v fc-list >/dev/null 2>&1 || need_apt+=(fontconfig)
fc-list :lang=zh 2>/dev/null | grep -q . || need_apt+=(fonts-wqy-microhei)
"$PY" -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "安装系统软件包: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
if [ "$DEV" = 1 ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
fi
