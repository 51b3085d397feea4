#!/usr/bin/env python
"""A fresh browser visit of 总览 in real headless Chromium, against a trivial Streamlit app in the same run.

    .venv/bin/python bench/bench_browser.py --db PATH      # e.g. a load-sample --scale K store

Starts ``streamlit run`` on a free port (first for a trivial app with one st.metric and one plotly chart,
the baseline: Streamlit's own page load and websocket), opens it in Debian's /usr/bin/chromium via
Playwright, and times until the first KPI value and the first plotly chart are drawn; then the same for
the dashboard (a fresh server: the first visitor pays the cold page run, the second visitor — a new
browser context — gets the cached results). Prints seconds and ratios to the baseline. No limits asserted.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TRIVIAL = ("import streamlit as st\nimport plotly.graph_objects as go\n"
           "st.metric('x', 1)\nst.plotly_chart(go.Figure(go.Bar(x=[1], y=[1])))\n")


def visits(script: Path, env: dict) -> list[tuple[float, float]]:
    """(first KPI, first chart) seconds for a first and a second visitor of a fresh server."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "streamlit"), "run", str(script), "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = []
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _visitor in range(2):
                ctx = browser.new_context()
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
                page.wait_for_selector("[data-testid='stMetricValue']", timeout=180_000)
                kpi = time.perf_counter() - t
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
                out.append((kpi, time.perf_counter() - t))
                ctx.close()
            browser.close()
    finally:
        proc.kill()
        proc.wait()
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        trivial = Path(d) / "trivial.py"
        trivial.write_text(TRIVIAL, encoding="utf-8")
        base = visits(trivial, {})
    ours = visits(ROOT / "app.py", {"LEDGER_DB": str(a.db.resolve()), "LEDGER_BOOTSTRAP": "0"})
    print(f"{'visit':<16}{'trivial KPI':>12}{'trivial chart':>14}{'总览 KPI':>10}{'总览 chart':>12}{'ratio':>8}")
    for name, (bk, bc), (ok, oc) in zip(("first visitor", "second visitor"), base, ours):
        print(f"{name:<16}{bk:>12.2f}{bc:>14.2f}{ok:>10.2f}{oc:>12.2f}{oc / bc:>7.1f}x")


if __name__ == "__main__":
    main()
