"""Writes the sample: every unit's workbook for every round it filed, and expected.json.

    .venv/bin/python data/sample/generate.py            # rewrites data/sample/ledgers/ and expected.json
    .venv/bin/python -m data.sample.gen --out /tmp/s    # the same files into another folder
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

from .base import ROUNDS, SEED, UNITS
from .district import District
from .expected import expected, self_check
from .filings import submissions, unit_projects
from .interactions import interaction_filings, interaction_sheet, make_interactions
from .render import progress_rows, progress_sheet, risk_row, risk_sheet, signoff_sheet, tasks_sheet
from .state import state
from .style import Fmt, Style, make_styles
from .xlwriter import Sheet, write_workbook

SAMPLE = Path(__file__).resolve().parent.parent    # data/sample


def render_unit_round(d: District, st: Style, i: int, filed: date, rng: random.Random,
                      interactions: list[dict[str, Any]] | None = None) -> list[Sheet]:
    fmt = Fmt(st)
    rd = ROUNDS[i]
    prog, risk, task_items, recs = [], [], [], []
    for p in unit_projects(d, st.unit, i):
        s = state(p, i)
        prog.extend(progress_rows(p, i, s, filed))
        risk.append(risk_row(p, i, s, filed))
        if s.get("tasks"):
            e = p.episode_at(i)
            task_items.append((p, s["grade"] if s["grade"] != "green" else e.grade_at(i - 1), s["tasks"]))
        for e in p.episodes:
            for x in e.signoffs:
                if x.round == i:
                    recs.append((p, x))
    sheets = [progress_sheet(st.unit, fmt, rd, filed, prog, rng), risk_sheet(st.unit, fmt, rd, filed, risk, rng)]
    if any(s_ != "green" for _, s_, _ in task_items) or task_items:
        sheets.append(tasks_sheet(st.unit, fmt, rd, i, filed, task_items, rng))
    if recs:
        sheets.append(signoff_sheet(st.unit, fmt, rd, filed, recs, rng))
    if interactions:
        sheets.append(interaction_sheet(fmt, rd, filed, interactions, random.Random(SEED + 5 + i)))
    return sheets



def generate(out: Path = SAMPLE) -> dict[str, Any]:
    """Writes ``out/ledgers/<round>/<unit>_<round>.xlsx|.xls`` (the folder is replaced) and
    ``out/expected.json``; returns the self-check counts and the number of files."""
    d = District().build()
    counts = self_check(d)
    styles = make_styles()
    subs = submissions(styles)
    ledgers = out / "ledgers"
    if ledgers.exists():
        shutil.rmtree(ledgers)
    rng = random.Random(SEED + 3)
    filings = interaction_filings(make_interactions(d, subs), subs)
    nfiles = 0
    for i, rd in enumerate(ROUNDS):
        for u in UNITS:
            if (u, i) not in subs:
                continue
            st = styles[u]
            sheets = render_unit_round(d, st, i, subs[(u, i)], rng, filings.get((u, i)))
            write_workbook(ledgers / rd.isoformat() / f"{u}_{rd.isoformat()}{st.ext}", sheets)
            nfiles += 1
    exp = expected(d, subs, filings)
    (out / "expected.json").write_text(json.dumps(exp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {**counts, "projects": len(d.projects), "files": nfiles}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Writes the synthetic sample ledgers and expected.json.")
    ap.add_argument("--out", type=Path, default=SAMPLE, help="folder for ledgers/ and expected.json "
                    "(default: data/sample)")
    args = ap.parse_args(argv)
    t0 = time.time()
    res = generate(args.out)
    size = sum(f.stat().st_size for f in (args.out / "ledgers").rglob("*") if f.is_file())
    print(res)
    print(f"{res['projects']} projects, {res['files']} files, {size / 1e6:.1f} MB, {time.time() - t0:.1f} s")
