#!/usr/bin/env python
"""How long a table download takes to build, against baselines measured in the same run.

    .venv/bin/python bench/bench_downloads.py                       # the sample's tier table × 150 rows
    .venv/bin/python bench/bench_downloads.py --db /tmp/x150.duckdb # a store's own tier table (load-sample --scale K)
    .venv/bin/python bench/bench_downloads.py --rows 20000          # only the first N rows

The table is 风险分级's 分级负责明细 (``analytics.tiers.tier_table`` at the store's latest round: one row per
project in force, the longest table a page offers). Without ``--db`` the bundled sample is imported into a
temp store and its table repeated 150 times (the province's length, 97,500 rows). Timed, fastest of
``--repeat`` runs, interleaved:
  1. ``display_frame`` (codes → labels, Chinese headers: what every download does first);
  2. ``to_xlsx_bytes`` (ledger.export.frames_xlsx, XlsxWriter, constant memory);
  3. ``to_csv_bytes`` (what a table longer than ``ui.tables.XLSX_MAX_ROWS`` downloads);
  4. baseline: ``DataFrame.to_excel(engine="openpyxl")`` of the same display frame (no titles, no formats:
     less than 2 writes), and ``DataFrame.to_csv`` (2's and 3's floors).
and prints seconds, rows/s and the ratios. Peak RSS is not separated per step (one process); run with
``/usr/bin/time -v`` for it.

``--through-page`` (with ``--db``) measures the download as a user gets it instead: an AppTest run of 风险分级
as a 工作专班 user, then the page's own 分级负责明细 download (the button's deferred callable: the whole
query on its own connection, labels, the .xlsx or the CSV above ``XLSX_MAX_ROWS``), with the process's peak
RSS after the page and after the download. No limits asserted: a measurement.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _table(db: Path | None, rows: int | None):
    import pandas as pd

    from analytics import tiers
    from ledger import db as ledger_db
    if db is None:
        from ledger.bootstrap import ensure_database
        db = ensure_database(Path(tempfile.mkdtemp()) / "s.duckdb")   # the bundled sample, imported
        rep = 150
    else:
        rep = 1
    con = ledger_db.open_file(str(db))
    as_of = con.execute("SELECT max(round_date) FROM rounds").fetchone()[0]
    df = tiers.tier_table(con, as_of=as_of)
    con.close()
    if rep > 1:
        df = pd.concat([df] * rep, ignore_index=True)
    return df.iloc[:rows] if rows else df


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="table download build time vs openpyxl and to_csv")
    ap.add_argument("--db", type=Path, help="a store (default: the sample, its tier table ×150)")
    ap.add_argument("--rows", type=int, help="only the first N rows of the table")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--through-page", action="store_true", help="the 风险分级 page's own download, after the page")
    args = ap.parse_args(argv)
    if args.through_page:
        if args.db is None:
            raise SystemExit("--through-page needs --db")
        return _through_page(args.db)

    from ui.tables import display_frame, formats
    from ui.xlsx import to_csv_bytes, to_xlsx_bytes
    df = _table(args.db, args.rows)
    n = len(df)
    best: dict[str, float] = {}

    def clock(name, fn):
        t = time.perf_counter()
        out = fn()
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - t)
        return out

    for _ in range(args.repeat):
        shown = clock("display_frame", lambda: display_frame(df))
        specs = formats(df)
        clock("to_xlsx_bytes", lambda: to_xlsx_bytes(shown, formats=specs, title=["分级负责明细", "数据截至"]))
        clock("to_csv_bytes", lambda: to_csv_bytes(shown))
        clock("pandas to_excel (openpyxl)", lambda: shown.to_excel(io.BytesIO(), index=False, engine="openpyxl"))
        clock("pandas to_csv", lambda: shown.to_csv(index=False))
    from bench_scales import versions
    print(f"machine: {versions()}")
    print(f"tier table: {n:,} rows × {len(df.columns)} columns")
    for k, v in best.items():
        print(f"  {k:28} {v:7.2f} s  {n / v:>10,.0f} rows/s")
    print(f"  to_xlsx_bytes / pandas to_excel(openpyxl): {best['to_xlsx_bytes'] / best['pandas to_excel (openpyxl)']:.2f}x "
          f"(lower is faster; the baseline writes no titles and no formats)")
    print(f"  to_csv_bytes / pandas to_csv: {best['to_csv_bytes'] / best['pandas to_csv']:.2f}x; "
          f"to_xlsx_bytes / to_csv_bytes: {best['to_xlsx_bytes'] / best['to_csv_bytes']:.1f}x")


def _through_page(db: Path) -> None:
    import os
    import resource

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["LEDGER_DB"] = str(db.resolve())
    from bench_pages import ensure_bench_user
    from ui.guard import SESSION_KEY, session_record
    ensure_bench_user(db)
    got, real = {}, st.download_button

    def capture(label, data=None, file_name=None, **kw):
        got[kw.get("key")] = (label, file_name, data)
        return real(label, data=data, file_name=file_name, **kw)

    st.download_button = capture
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state[SESSION_KEY] = session_record("bench_tf")
    at.switch_page("views/2_风险分级.py")
    t = time.perf_counter()
    at.run()
    page_s, page_peak = time.perf_counter() - t, peak()
    assert not at.exception, at.exception
    label, name, data = got["dl_risk_tier_table"]
    t = time.perf_counter()
    out = data()
    dl_s = time.perf_counter() - t
    from bench_scales import versions
    print(f"machine: {versions()}")
    print(f"风险分级 cold run {page_s:.2f} s, peak RSS {page_peak:.0f} MiB")
    print(f"its download ({label}, {name}): {dl_s:.2f} s, {len(out) / 1e6:.1f} MB, peak RSS after it {peak():.0f} MiB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    main()
