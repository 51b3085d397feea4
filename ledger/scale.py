"""The scale knob (#7): the bundled sample replicated K times, for benchmarks at province scale.

``build_scaled(target, k)`` imports the sample ledgers once (the real importer, into a temp file) and
then writes every table an import writes K times over, each project code suffixed ``-1`` … ``-K``
(same units, rounds, submissions and money), straight in DuckDB (set-wise, no Python per row). The
materialised state is per project, so its K copies equal what a re-derivation gives (a test checks
K=2 against ``state.refresh_all``). ``ledger summary`` then gives exactly K times the sample's projects
and money, and ``analytics snapshot`` K times its counts.

The store is marked ``meta.scaled_sample = K``: its replicas have no archived originals, so
``rebuild`` refuses it (there is nothing to rebuild the replicas from).
"""
from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from . import db as dbm

# tables holding project rows (code replicated); the others are copied once
PROJECT_TABLES = ("progress_rows", "funding_rows", "risk_rows", "tasks", "signoffs", "interactions",
                  "project_rounds", "grade_hist", "project_state", "clock_state", "reopen_events")
ONCE_TABLES = ("settings", "units", "rounds", "submissions", "imports")


def build_scaled(target: Path, k: int, *, progress=None, source: Path | None = None,
                 rounds: int | None = None) -> Path:
    """Build ``target`` as the sample × ``k`` (atomically: a temp file moved into place). ``source``: an
    already built 1× sample database to replicate (default: import the sample ledgers afresh);
    ``rounds``: keep only the first N report rounds (the state of a round depends only on the rounds up
    to it, so the kept rounds are exactly as a store that stopped there)."""
    from .bootstrap import ensure_database

    if k < 1:
        raise ValueError("倍数须为正整数")
    say = progress or (lambda msg: None)
    with tempfile.TemporaryDirectory(prefix="scale-") as d:
        one = Path(source) if source else Path(d) / "sample.duckdb"
        if source is None:
            say("导入样例台账（1 倍）…")
            ensure_database(one)
        with dbm.build_then_swap(Path(target), ".scale.tmp") as con:
            con.execute("SET enable_progress_bar = false")
            con.execute("ATTACH ? AS one (READ_ONLY)", [str(one)])
            try:
                last = con.execute("SELECT max(round_date) FROM (SELECT round_date FROM one.rounds ORDER BY 1 "
                                   "LIMIT ?)", [rounds or 10**6]).fetchone()[0]
                upto = {"progress_rows": "round_date", "funding_rows": "round_date", "risk_rows": "round_date",
                        "tasks": "round_date", "signoffs": "round_date", "interactions": "round_date",
                        "project_rounds": "round_date", "grade_hist": "round_date", "project_state": "at_round",
                        "clock_state": "at_round", "reopen_events": "reopened_round", "rounds": "round_date", "submissions": "round_date",
                        "imports": "round_date", "units": None, "settings": None}
                for t in ONCE_TABLES:
                    con.execute(f"DELETE FROM {t}")  # t: from the constant tuples above
                    cond = f"WHERE {upto[t]} <= ?" if upto[t] else "WHERE ?::DATE IS NOT NULL"
                    con.execute(f"INSERT INTO {t} SELECT * FROM one.{t} {cond}", [last])
                for t in PROJECT_TABLES:
                    say(f"复制 {t} × {k}…")
                    # round order (the first column of each of these tables is the round date), so that
                    # DuckDB's per-row-group min/max skips other rounds when one round is read
                    con.execute(f"INSERT INTO {t} SELECT s.* REPLACE (CASE WHEN ? THEN project_code || '-' || r.k "
                                f"ELSE project_code END AS project_code) FROM one.{t} s, "
                                f"(SELECT range AS k FROM range(1, ?)) r WHERE s.{upto[t]} <= ? ORDER BY 1",
                                [k > 1, k + 1, last])
                con.execute("INSERT INTO meta SELECT * FROM one.meta WHERE key = 'clock_settings' "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                con.execute("INSERT INTO meta VALUES ('state_token', ?) ON CONFLICT (key) DO UPDATE "
                            "SET value = excluded.value", [uuid.uuid4().hex])
                con.execute("INSERT INTO meta VALUES ('scaled_sample', ?) ON CONFLICT (key) DO UPDATE "
                            "SET value = excluded.value", [str(k)])
            finally:
                con.execute("DETACH one")
    return Path(target)
