#!/usr/bin/env python
"""A fresh browser visit of 总览 in real headless Chromium, against a trivial Streamlit app in the same run.

    .venv/bin/python bench/bench_browser.py --db PATH      # e.g. a load-sample --scale K store

Starts ``streamlit run`` on a free port (first for a trivial app with one st.metric and one plotly chart,
the baseline: Streamlit's own page load and websocket), opens it in Debian's /usr/bin/chromium via
Playwright, and times until the first KPI value and the first plotly chart are drawn; then the same for
the dashboard (a fresh server: the first visitor pays the cold page run, the second visitor — a new
browser context — gets the cached results). The dashboard asks for a sign-in first (issue #12): its
figures are timed from the click on 登录 (as a 领导 user the bench adds, ``bench_leader``), and the
sign-in page's own first paint from the visit. The dashboard is visited twice over: clicking 登录 as soon
as the form shows (a robot), and after ``--typing`` seconds (default 2: a person typing a login and a
password), which is when the sign-in page's warm-up (ui.warm: the browser loads the chart code, the
server computes 总览) has had time to work. Prints seconds and ratios to the baseline. No limits
asserted.
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


LOGIN, PASSWORD = "bench_leader", "bench-pass-1"


def start_server(script: Path, env: dict, extra: list[str] = ()) -> tuple[subprocess.Popen, str]:
    """``streamlit run script`` on a free port (cwd: the repo, so .streamlit/config.toml applies; ``extra``:
    more command-line options) once /_stcore/health answers: (process, base URL). The caller kills it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "streamlit"), "run", str(script), "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false", *extra], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("streamlit did not start")


def visits(script: Path, env: dict, sign_in: bool = False, typing: float = 0.0
           ) -> list[tuple[float, float, float | None]]:
    """(first KPI, first chart, sign-in page shown) seconds for a first and a second visitor of a fresh
    server; with ``sign_in`` the KPI and chart are timed from the click on 登录, which comes ``typing``
    seconds after the form shows."""
    from playwright.sync_api import sync_playwright

    proc, url = start_server(script, env)
    out = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _visitor in range(2):
                ctx = browser.new_context()
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(f"{url}/", wait_until="commit")
                form = None
                if sign_in:
                    box = page.locator('input[aria-label="登录名"]')
                    box.wait_for(state="visible", timeout=180_000)
                    form = time.perf_counter() - t
                    time.sleep(typing)
                    box.fill(LOGIN)
                    page.locator('input[aria-label="密码"]').fill(PASSWORD)
                    t = time.perf_counter()
                    page.get_by_role("button", name="登录", exact=True).click()
                page.wait_for_selector("[data-testid='stMetricValue']", timeout=180_000)
                kpi = time.perf_counter() - t
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
                out.append((kpi, time.perf_counter() - t, form))
                ctx.close()
            browser.close()
    finally:
        proc.kill()
        proc.wait()
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--typing", type=float, default=2.0,
                    help="seconds between the sign-in form showing and the click on 登录 (the second run)")
    a = ap.parse_args(argv)
    import sys
    sys.path.insert(0, str(ROOT))
    from ledger import auth, db as dbm
    c = dbm.connect(a.db)
    try:
        if auth.get_user(c, LOGIN) is None:
            auth.add_user(c, LOGIN, PASSWORD, role="leader", by="bench")
    finally:
        c.close()
    with tempfile.TemporaryDirectory() as d:
        trivial = Path(d) / "trivial.py"
        trivial.write_text(TRIVIAL, encoding="utf-8")
        base = visits(trivial, {})
    env = {"LEDGER_DB": str(a.db.resolve()), "LEDGER_BOOTSTRAP": "0"}
    runs = [(0.0, visits(ROOT / "app.py", env, sign_in=True)),
            (a.typing, visits(ROOT / "app.py", env, sign_in=True, typing=a.typing))]
    print("trivial: from the visit; 总览: sign-in page from the visit, KPI and chart from the click on 登录")
    print(f"{'visit':<16}{'typing':>7}{'trivial KPI':>12}{'trivial chart':>14}{'登录页':>8}{'总览 KPI':>10}"
          f"{'总览 chart':>12}{'chart ratio':>13}")
    for typing, ours in runs:
        for name, (bk, bc, _f), (ok, oc, of) in zip(("first visitor", "second visitor"), base, ours):
            print(f"{name:<16}{typing:>6.1f}s{bk:>12.2f}{bc:>14.2f}{of:>8.2f}{ok:>10.2f}{oc:>12.2f}"
                  f"{oc / bc:>12.1f}x")


if __name__ == "__main__":
    main()
