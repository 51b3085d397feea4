#!/usr/bin/env python
"""What the sign-in warm-up (ui/warm.py) saves the first visitor of each page after an import.

    .venv/bin/python bench/bench_warm.py --db PATH     # a copy of PATH is used (it writes a setting)

In one process, with AppTest runs signed in as a 工作专班 user:
  1. every page is visited once (what the server's page runs asked for before the import: ui.cache
     remembers those calls);
  2. a new data version, made by a settings change, with every cache emptied as after a real import
     (the analytics memo too, since a settings change alone would leave it); then every page's first
     run, without a warm-up: the baseline;
  3. another new version, emptied the same way; then the warm-up thread a signing-in visitor starts
     (``ui.warm.warm_server``), timed until it ends; then every page's first run.
  4. a server restart (every cache, the remembered calls and what was warmed are dropped) with the list
     of remembered calls that the page runs saved beside the database (``ui.cache.recent_path``)
     deleted: the warm-up then computes 总览 only, as before session 31; then every page's first run;
  5. the same restart with that saved list back in place: the warm-up reads it (``ui.cache.load_recent``)
     and computes the pages visited before; then every page's first run.
Prints the first runs of every page, their ratios, and the threads' times (background work done while the
visitor types and clicks: a visitor faster than it waits, on the compute lock, for the rest of it). A
trivial AppTest run is printed as the usual baseline. No limits asserted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import PAGES, ensure_bench_user, page_run  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    a = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench_warm_"))
    db = tmp / "ledger.duckdb"
    shutil.copyfile(a.db, db)
    os.environ["LEDGER_DB"] = str(db)
    os.environ["LEDGER_BOOTSTRAP"] = "0"
    os.environ["LEDGER_WARM"] = "1"
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from analytics import _memo as memo
    from ledger import db as dbm
    from ledger.settings import set_setting
    from ui import cache as ui_cache, warm

    ensure_bench_user(db)

    def run(page: str) -> float:
        return page_run(page, timeout=300)

    minutes = [31]

    def new_version() -> None:
        c = dbm.connect(db)
        try:
            minutes[0] += 1
            set_setting(c, "session_idle_minutes", minutes[0], by="bench")
        finally:
            c.close()
        st.cache_data.clear()
        ui_cache.clear()
        memo.clear_all()

    trivial = tmp / "trivial.py"
    trivial.write_text("import streamlit as st\nst.title('x')\n", encoding="utf-8")
    t = time.perf_counter()
    AppTest.from_file(str(trivial)).run()
    base = time.perf_counter() - t
    for p in PAGES:                      # 1. the visits before the import
        run(p)
    remembered = len(ui_cache.recent_calls())
    new_version()                        # 2. after an import, no warm-up
    cold = {p: run(p) for p in PAGES}
    new_version()                        # 3. after an import, the warm-up first
    t = time.perf_counter()
    th = warm.warm_server()
    th.join()
    thread = time.perf_counter() - t
    warmed = {p: run(p) for p in PAGES}

    saved = ui_cache.recent_path(db)
    kept = saved.read_bytes()

    def restart() -> float:
        """What a new server process has (the saved list aside); then the warm-up, timed until it ends."""
        st.cache_data.clear()
        st.cache_resource.clear()          # the cached results and the app's connection
        memo.clear_all()
        ui_cache._recent.clear()
        ui_cache._loaded.clear()
        warm._warmed.clear()
        t = time.perf_counter()
        warm.warm_server().join()
        return time.perf_counter() - t

    saved.unlink()                       # 4. a restart without the saved list: 总览 only
    thread_bare = restart()
    bare = {p: run(p) for p in PAGES}
    saved.write_bytes(kept)              # 5. a restart with it
    thread_saved = restart()
    loaded = len(ui_cache.recent_calls())
    restored = {p: run(p) for p in PAGES}

    print(f"baseline (trivial AppTest run): {base * 1000:.0f} ms; calls remembered: {remembered}; "
          f"warm-up thread: {thread:.2f} s")
    print("after an import:")
    print(f"{'page':<16}{'first run, no warm-up':>22}{'after the warm-up':>19}{'ratio':>8}")
    for p in PAGES:
        print(f"{p:<16}{cold[p]:>20.2f} s{warmed[p]:>17.2f} s{cold[p] / warmed[p]:>7.1f}x")
    print(f"sum             {sum(cold.values()):>20.2f} s{sum(warmed.values()):>17.2f} s")
    print(f"after a restart: warm-up thread {thread_bare:.2f} s without the saved list, {thread_saved:.2f} s "
          f"with it ({loaded} calls read back, {saved.stat().st_size:,} bytes)")
    print(f"{'page':<16}{'without (总览 only)':>22}{'with the saved list':>21}{'ratio':>8}")
    for p in PAGES:
        print(f"{p:<16}{bare[p]:>20.2f} s{restored[p]:>19.2f} s{bare[p] / restored[p]:>7.1f}x")
    print(f"sum             {sum(bare.values()):>20.2f} s{sum(restored.values()):>19.2f} s")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
