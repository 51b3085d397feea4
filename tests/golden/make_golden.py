"""Write the golden digests (run once, with the code whose numbers are the reference):

    .venv/bin/python -m tests.golden.make_golden

Builds the fixture database in memory and the sample database in a temp folder (through the real
importer), and writes {round: {function: digest}} for every round (and a date between rounds) of each.
"""
from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

import duckdb

from ledger import db as dbm
from ledger.bootstrap import ensure_database
from tests.fixture_db import build_fixture
from tests.golden.digest import digests

HERE = Path(__file__).resolve().parent


def dates_of(con) -> list:
    rs = [r[0] for r in con.execute("SELECT round_date FROM rounds ORDER BY 1").fetchall()]
    return rs + [rs[-1] + timedelta(days=1), rs[len(rs) // 2] + timedelta(days=3)]


def run(con) -> dict:
    con.execute("SET enable_progress_bar=false")
    return {d.isoformat(): digests(con, d) for d in dates_of(con)}


def main() -> None:
    con = dbm.connect(":memory:")
    build_fixture(con)
    (HERE / "fixture_digests.json").write_text(json.dumps(run(con), indent=0, sort_keys=True))
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.duckdb"
        ensure_database(p)
        con = duckdb.connect(str(p), read_only=True)
        (HERE / "sample_digests.json").write_text(json.dumps(run(con), indent=0, sort_keys=True))


if __name__ == "__main__":
    main()
