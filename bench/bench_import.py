#!/usr/bin/env python
"""Import throughput (rows/s) against two baselines measured in the same run.

    .venv/bin/python bench/bench_import.py                 # 3,000 and 100,000 rows
    .venv/bin/python bench/bench_import.py --rows 3000     # quick

For each ledger size N (a 附件1 + 附件2 workbook with N projects in each sheet, written by
bench/make_big_ledger.py in the messy official layout), it times, in this order and in one process:
  1. raw parse: fastexcel reading every sheet to Arrow (header_row=None, schema_sample_rows=None,
     i.e. no type guessing; the floor for "read the cells");
  2. pandas.read_excel(engine="openpyxl") of every sheet (what a typical script would do);
  3. the full import: python -m ledger's import_file into a fresh DuckDB file (parse, header
     detection, normalisation, validation, archive, one transaction).
and prints rows/s for each and the ratios import/raw and import/openpyxl. Data rows counted = 2N
(both sheets). The machine is shared (2 cores): compare the ratios, not the seconds. No limits are
asserted; this is a measurement.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="ledger import throughput vs fastexcel and openpyxl")
    ap.add_argument("--rows", type=int, nargs="+", default=[3000, 100_000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args(argv)

    import fastexcel
    import pandas as pd

    import make_big_ledger
    from ledger import db, importer

    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>8} {'raw fastexcel':>14} {'openpyxl':>12} {'import':>12} {'import/raw':>11} {'import/openpyxl':>16}")
    for n in args.rows:
        found = sorted(args.out.glob(f"*_{n}行.xlsx"))  # written by an earlier run of make_big_ledger
        path = found[0] if found else make_big_ledger.make(n, args.out)
        data_rows = 2 * n
        repeat = 3 if n <= 10_000 else 1

        def raw():
            r = fastexcel.read_excel(str(path))
            for name in r.sheet_names:
                r.load_sheet(name, header_row=None, schema_sample_rows=None).to_arrow()

        def opx():
            pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")

        def imp():
            with tempfile.TemporaryDirectory() as tmp:
                con = db.connect(Path(tmp) / "b.duckdb")
                res = importer.import_file(con, path, archive_root=Path(tmp) / "archive", imported_by="bench")
                con.close()
                if res.status != "accepted":
                    raise SystemExit(f"import rejected: {res.problems[:3]}")

        t_raw = _best(raw, repeat)
        t_opx = _best(opx, repeat)
        t_imp = _best(imp, repeat)
        rps = lambda t: data_rows / t  # noqa: E731
        print(f"{n:>8} {rps(t_raw):>12,.0f}/s {rps(t_opx):>10,.0f}/s {rps(t_imp):>10,.0f}/s "
              f"{t_imp / t_raw:>10.1f}x {t_opx / t_imp:>15.2f}x faster")
    print("import/raw: how many times slower the full import is than reading the cells;"
          " import/openpyxl: how many times faster the full import is than pandas+openpyxl alone.")


if __name__ == "__main__":
    main()
