#!/usr/bin/env python
"""The server's CPU per user action, in a real `streamlit run` and headless Chromium: the app as configured
(.streamlit/config.toml) against the same app with Streamlit's default ``runner.postScriptGC = true``
(a full ``gc.collect(2)`` after every script run), both in the same run.

    .venv/bin/python bench/bench_server_cpu.py --db PATH          # e.g. a load-sample --scale K store
    .venv/bin/python bench/bench_server_cpu.py --db PATH --idle 30 --rounds 3

For each configuration, a fresh server on ``--db`` and:
  1. idle: three browser tabs sit on the sign-in page for ``--idle`` seconds (nobody signs in; the
     sign-in warm-up's fragment ends its timer about a second after the form shows): the server's CPU seconds;
  2. page switches: one signed-in tab (``bench_tf``) clicks through seven pages in the sidebar ``--rounds``
     times, after one untimed walk (cold caches): the server's CPU per switch, and the median and 90th
     percentile seconds from the click to the page's title with the run over;
  3. the server's RSS before and after the switches, and its peak RSS over the whole run (VmHWM).
CPU is the server process's user + system time from /proc (every thread). Prints both configurations and
their ratio. The machine is shared and has 2 cores: compare the ratios. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
TITLES = ["风险分级", "整改进度", "填报情况", "项目详情", "资金投向", "单位排名与奖惩", "总览"]


def _cpu_rss(pid: int) -> tuple[float, float]:
    """(user + system CPU seconds, RSS MiB) of process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), rss


def _peak_rss(pid: int) -> float:
    """The peak RSS (VmHWM, MiB) of process ``pid`` so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(db: Path, extra: list[str], idle: float, rounds: int, warm: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    from bench_browser import start_server

    env = {"LEDGER_DB": str(db), "LEDGER_BOOTSTRAP": "0", "LEDGER_WARM": "1" if warm else "0"}
    proc, url = start_server(ROOT / "app.py", env, extra)
    out: dict = {}
    try:
        with sync_playwright() as pw:
            from bench_browser import CHROMIUM_ARGS

            b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            tabs = []
            for _ in range(3):
                pg = b.new_context().new_page()
                pg.goto(url)
                pg.locator('input[aria-label="登录名"]').wait_for(state="visible", timeout=120_000)
                tabs.append(pg)
            time.sleep(3)                       # the warm-up has been drawn: what is left is the idle cost
            c0, _ = _cpu_rss(proc.pid)
            t0 = time.monotonic()
            time.sleep(idle)
            c1, _ = _cpu_rss(proc.pid)
            out["idle"] = (c1 - c0) / (time.monotonic() - t0)
            for pg in tabs:
                pg.context.close()

            pg = b.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            pg.goto(url)
            box = pg.locator('input[aria-label="登录名"]')
            box.wait_for(state="visible", timeout=120_000)
            box.fill("bench_tf")
            pg.locator('input[aria-label="密码"]').fill("bench-pass-1")
            pg.get_by_role("button", name="登录", exact=True).click()
            pg.locator("h1", has_text="总览").wait_for(timeout=120_000)

            def walk() -> list[float]:
                took = []
                for title in TITLES:
                    t = time.perf_counter()
                    pg.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
                    pg.locator("h1", has_text=title).first.wait_for(timeout=120_000)
                    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                         timeout=120_000)
                    took.append(time.perf_counter() - t)
                return took

            walk()                              # cold caches, untimed
            c0, r0 = _cpu_rss(proc.pid)
            took = [s for _ in range(rounds) for s in walk()]
            c1, r1 = _cpu_rss(proc.pid)
            took.sort()
            out.update(switches=len(took), cpu_switch=(c1 - c0) / len(took), median=statistics.median(took),
                       p90=took[int(0.9 * (len(took) - 1))], rss=(r0, r1), peak=_peak_rss(proc.pid))
            b.close()
    finally:
        proc.kill()
        proc.wait()
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--idle", type=float, default=30.0, help="seconds the three sign-in tabs sit idle")
    ap.add_argument("--rounds", type=int, default=3, help="timed walks through the seven pages")
    ap.add_argument("--warm", action="store_true", help="with the sign-in warm-up's server thread on (ui/warm.py; "
                    "off by default so that the idle figure is the fragment's own cost)")
    a = ap.parse_args(argv)
    from bench_pages import ensure_bench_user
    from bench_scales import versions

    ensure_bench_user(a.db)
    print(f"machine: {versions()}; warm-up thread {'on' if a.warm else 'off'}")
    runs = [("Streamlit default (postScriptGC true)", measure(a.db, ["--runner.postScriptGC", "true"], a.idle, a.rounds, a.warm)),
            ("as configured (.streamlit/config.toml)", measure(a.db, [], a.idle, a.rounds, a.warm))]
    print(f"{'server':<40}{'3 idle sign-in tabs':>20}{'CPU a switch':>14}{'median':>8}{'p90':>8}{'RSS MiB':>14}{'peak MiB':>10}")
    for name, r in runs:
        print(f"{name:<40}{r['idle'] * 100:>17.1f} %{r['cpu_switch'] * 1000:>11.0f} ms{r['median']:>7.2f}s"
              f"{r['p90']:>7.2f}s{r['rss'][0]:>7.0f}→{r['rss'][1]:<6.0f}{r['peak']:>10.0f}")
    (_, d), (_, c) = runs
    print(f"configured / default: idle CPU {c['idle'] / d['idle']:.2f}x, CPU a page switch "
          f"{c['cpu_switch'] / d['cpu_switch']:.2f}x, median switch {c['median'] / d['median']:.2f}x "
          f"({c['switches']} switches each). % is of one core.")


if __name__ == "__main__":
    main()
