"""Every analytics result at every round of the fixture and the sample equals what the code gave before
#7 (materialised per-round state): tests/golden/*_digests.json were written by
tests/golden/make_golden.py with that code. A mismatch names the function and the date."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ledger import db as dbm
from tests.fixture_db import build_fixture
from tests.golden.digest import digests

HERE = Path(__file__).resolve().parent / "golden"


def _compare(con, golden: dict) -> list[str]:
    bad = []
    for d, want in golden.items():
        got = digests(con, date.fromisoformat(d))
        bad += [f"{d} {k}" for k in want if got.get(k) != want[k]]
    return bad


def test_fixture_results_unchanged_at_every_round():
    con = dbm.connect(":memory:")
    build_fixture(con)
    assert _compare(con, json.loads((HERE / "fixture_digests.json").read_text())) == []


def test_sample_results_unchanged_at_every_round(sample_con):
    assert _compare(sample_con, json.loads((HERE / "sample_digests.json").read_text())) == []
