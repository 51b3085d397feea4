#!/usr/bin/env python
"""Time of each public analytics function, as a ratio to ``base.projects()`` measured in the same run.

    .venv/bin/python bench/bench_analytics.py --db /tmp/sample.duckdb   # an existing ledger (read only)
    .venv/bin/python bench/bench_analytics.py                          # builds the sample into a temp dir
    .venv/bin/python bench/bench_analytics.py --as-of 2024-01-14 --repeat 5

Every function is called as a page calls it on first view (no filters, default settings read from the
database) at ``--as-of`` (default: the latest round). Each is timed best-of-``--repeat`` (default 3;
in rounds, every function once per round, so a load swing hits all of them alike) and printed in
seconds and as a multiple of ``base.projects()`` — the frame every other function
starts from, so "clocks 3.0x" means clocks costs three projects() calls. The machine is shared:
compare the ratios, not the seconds. No limits are asserted; this is a measurement.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _best_round_robin(funcs: list[tuple[str, object]], repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds of each function, timed in rounds (each round calls every function
    once, in order) so that a load swing on the shared machine hits all of them, baseline included."""
    best = {name: float("inf") for name, _ in funcs}
    for _ in range(repeat):
        for name, fn in funcs:
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def _build_sample(tmp: Path) -> Path:
    path = tmp / "sample.duckdb"  # archive goes to <tmp>/sample.archive, beside it
    print(f"building the sample ledger into {path} (about a minute) ...", flush=True)
    subprocess.run([sys.executable, "-m", "ledger", "load-sample", "--db", str(path)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return path


def run(db: Path, *, as_of: date | None, repeat: int) -> None:
    import duckdb

    from analytics import annex3, base, clocks, compliance, consistency, grades, ranking

    con = duckdb.connect(str(db), read_only=True)
    d = as_of or base.round_in_force(con, as_of=date.max)
    if d is None:
        raise SystemExit("the database has no rounds")
    n = len(base.projects(con, as_of=d))
    from analytics import _memo as memo
    from analytics import funding, signoff, tiers

    def cold(fn):  # every call as on a fresh process: no projects() frame memoised (analytics.base._MEMO)
        def run_cold():
            memo.clear_all()  # cold = a fresh process: no memoised frames
            return fn()
        return run_cold

    funcs = [(name, cold(fn)) for name, fn in [
        ("projects", lambda: base.projects(con, as_of=d)),
        ("funds_at_risk", lambda: funding.funds_at_risk(con, as_of=d)),
        ("funding_by_source_year", lambda: funding.funding_by_source_year(con, as_of=d)),
        ("tier_counts", lambda: tiers.tier_counts(con, as_of=d)),
        ("grade_delta", lambda: grades.grade_delta(con, as_of=d)),
        ("reopened", lambda: signoff.reopened(con, as_of=d)),
        ("grade_counts", lambda: grades.grade_counts(con, as_of=d)),
        ("grade_trend", lambda: grades.grade_trend(con, as_of=d)),
        ("clocks", lambda: clocks.clocks(con, as_of=d)),
        ("clock_rollup", lambda: clocks.clock_rollup(con, as_of=d)),
        ("round_diff", lambda: compliance.round_diff(con, as_of=d)),
        ("false_greens", lambda: consistency.false_greens(con, as_of=d)),
        ("unit_scores", lambda: ranking.unit_scores(con, as_of=d)),
        ("annex3", lambda: annex3.annex3(con, as_of=d)),
    ]]
    funcs[0][1]()  # warm up (first query plans, imports)
    print(f"db {db}  as_of {d}  projects in force {n}  best of {repeat}")
    times = _best_round_robin(funcs, repeat)
    con.close()
    base_t = times["projects"]
    print(f"{'function':<24} {'seconds':>9} {'x projects()':>13}")
    for name, _ in funcs:
        print(f"{name:<24} {times[name]:>9.3f} {times[name] / base_t:>12.1f}x")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="analytics timings relative to base.projects()")
    ap.add_argument("--db", type=Path, help="ledger database (default: build the sample into a temp dir)")
    ap.add_argument("--as-of", type=date.fromisoformat, help="default: the latest round in the database")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if args.db is not None:
        run(args.db, as_of=args.as_of, repeat=args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(_build_sample(Path(tmp)), as_of=args.as_of, repeat=args.repeat)


if __name__ == "__main__":
    main()
