#!/usr/bin/env python
"""Write big 附件1+附件2 ledgers in the same messy layout as the sample data, for import benchmarks.

    .venv/bin/python bench/make_big_ledger.py bench/out              # 3,000 and 100,000 rows
    .venv/bin/python bench/make_big_ledger.py bench/out --rows 20000

Each file is one department ledger (区农业农村局 style: three-row merged 附件1 header, "一、XX镇"
group rows, merged 乡镇 cells, 小计/合计, footer) for the 2023-09-29 round, with N data rows in
附件1 and N in 附件2 (one funding year per project, so rows = projects). Reuses the sample
generator's model and writer (data/sample/gen/), so the quirks are the same.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.sample.gen.base import ROUNDS, SEED, TOWNS  # noqa: E402
from data.sample.gen.district import District  # noqa: E402
from data.sample.gen.render import progress_rows, progress_sheet, risk_row, risk_sheet  # noqa: E402
from data.sample.gen.state import state  # noqa: E402
from data.sample.gen.style import Fmt, make_styles  # noqa: E402
from data.sample.gen.xlwriter import write_workbook  # noqa: E402


def make(n_rows: int, out_dir: Path, seed: int = SEED) -> Path:
    d = District(seed)
    d.numbered_names = True
    d._villages()
    rng = d.rng
    unit = "区农业农村局"
    years = list(range(2013, 2024))
    weights = [2, 3, 4, 8, 10, 11, 11, 10, 7, 6, 5]
    for _ in range(n_rows):
        p = d.new_project(rng.choices(years, weights)[0], unit=unit)
        p.lines = [ln for ln in p.lines if ln[1] == p.lines[0][1]]   # one fund year: one row per project
        p.total = max(p.total, p.base_funds())
        x = rng.random()
        if x < 0.07 and p.building_until is None:
            d.add_episode(p, 0, "red", rng.choice(["straight_ontime", "straight_late", "overdue"]), "initial")
        elif x < 0.22 and p.building_until is None:
            d.add_episode(p, 0, "yellow", rng.choice(["ontime", "late", "overdue"]), "initial")
    st = make_styles()[unit]
    fmt = Fmt(st)
    i, rd = 0, ROUNDS[0]
    filed = date(2023, 9, 28)
    prog, risk = [], []
    for p in sorted(d.projects, key=lambda p: (TOWNS.index(p.town), p.village, p.code)):
        s = state(p, i)
        prog.extend(progress_rows(p, i, s, filed))
        risk.append(risk_row(p, i, s, filed))
    wr = random.Random(seed)
    sheets = [progress_sheet(unit, fmt, rd, filed, prog, wr), risk_sheet(unit, fmt, rd, filed, risk, wr)]
    path = out_dir / f"{unit}_{rd.isoformat()}_{n_rows}行.xlsx"
    write_workbook(path, sheets)
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path, nargs="?", default=ROOT / "bench" / "out")
    ap.add_argument("--rows", type=int, nargs="+", default=[3000, 100_000])
    a = ap.parse_args(argv)
    for n in a.rows:
        t0 = time.time()
        p = make(n, a.out_dir)
        print(f"{p}  {n} rows  {p.stat().st_size / 1e6:.1f} MB  {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
