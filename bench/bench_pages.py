#!/usr/bin/env python
"""Page run times (cold cache and warm) with Streamlit's AppTest on the sample database.

    .venv/bin/python bench/bench_pages.py [--db PATH]
    .venv/bin/python bench/bench_pages.py --db PATH --pages 3_资金投向.py --cold-runs 5   # one page's A/B

Baseline measured in the same run: an AppTest run of a trivial script (AppTest's own overhead).
Prints each page's cold (median of three) and warm (best of two) run time and its ratio to that baseline. No limits asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["1_总览.py", "2_风险分级.py", "3_资金投向.py", "4_整改进度.py", "5_单位排名与奖惩.py",
         "6_填报情况.py", "7_项目详情.py", "8_数据导入.py", "9_设置.py", "10_附件3汇总.py", "11_操作日志.py"]


def ensure_bench_user(db: Path) -> None:
    """The 工作专班 user the benches sign in as (``bench_tf``), added to ``db`` if missing."""
    from ledger import auth, db as dbm

    c = dbm.connect(db)
    try:
        if auth.get_user(c, "bench_tf") is None:
            auth.add_user(c, "bench_tf", "bench-pass-1", role="taskforce", by="bench")
    finally:
        c.close()


def page_run(page: str | None, timeout: float = 120) -> float:
    """Seconds of one AppTest run of app.py on ``views/<page>`` (the default page when None), signed in
    as ``bench_tf`` the way the 登录 form does (LEDGER_DB names the database)."""
    from streamlit.testing.v1 import AppTest

    from ui.guard import SESSION_KEY, session_record

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state[SESSION_KEY] = session_record("bench_tf")
    if page:
        at.switch_page(f"views/{page}")
    t = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t
    assert not at.exception, at.exception
    return dt


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    ap.add_argument("--pages", nargs="+", choices=PAGES, help="only these pages (an A/B of one page)")
    ap.add_argument("--cold-runs", type=int, default=3, help="cold runs per page; the median counts (default 3)")
    a = ap.parse_args(argv)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    if a.db is None:
        from ledger.bootstrap import ensure_database

        a.db = Path(tempfile.mkdtemp()) / "ledger.duckdb"
        ensure_database(a.db)
    os.environ["LEDGER_DB"] = str(a.db.resolve())
    ensure_bench_user(a.db)
    run = page_run

    trivial = Path(tempfile.mkdtemp()) / "trivial.py"
    trivial.write_text("import streamlit as st\nst.title('x')\n", encoding="utf-8")
    base = min(_timed(lambda: AppTest.from_file(str(trivial)).run()) for _ in range(3))
    print(f"baseline (trivial AppTest run): {base * 1000:.0f} ms")
    print(f"{'page':<16}{'cold s':>8}{'warm s':>8}{'cold/base':>11}{'warm/base':>11}")
    from analytics import _memo as memo
    from ui import cache as ui_cache

    def cold_run(p: str) -> float:
        st.cache_data.clear()
        getattr(ui_cache, "clear", lambda: None)()  # the analytics results' cache (ui.cache; absent before 2026-12-03)
        memo.clear_all()  # cold = a fresh process: no memoised frames
        return run(p)

    for p in a.pages or PAGES:
        # cold: the median of three (one cold run swings ±30 % on this shared machine); warm: the best of two
        colds = sorted(cold_run(p) for _ in range(a.cold_runs))
        cold = statistics.median(colds)
        warm = min(run(p) for _ in range(2))
        spread = f"  (cold {colds[0]:.2f}-{colds[-1]:.2f})" if a.pages else ""
        print(f"{p:<16}{cold:>8.2f}{warm:>8.2f}{cold / base:>10.0f}x{warm / base:>10.0f}x{spread}")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
