"""The snapshot dict and the ``python -m analytics snapshot`` CLI on the fixture ledger."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analytics.snapshot import snapshot
from ledger import db
from tests.fixture_db import AS_OF, build_fixture, fixture_connection

ROOT = Path(__file__).resolve().parents[2]
KEYS = ["as_of", "round", "projects", "grades", "grades_by_town", "tiers", "clocks", "ranking"]


@pytest.fixture(scope="module")
def snap():
    con = fixture_connection()
    yield snapshot(con, as_of=AS_OF)
    con.close()


def test_keys_exactly(snap):
    assert list(snap) == KEYS
    assert list(snap["grades"]) == ["red", "yellow", "green"]
    assert list(snap["tiers"]) == ["region", "city", "district", "monitor"]
    assert list(snap["clocks"]) == ["on_time", "late", "overdue", "pending"]
    assert all(list(r) == ["unit", "kind", "score", "rank", "factor"] for r in snap["ranking"])


def test_values_by_hand(snap):
    assert snap["as_of"] == "2023-11-30"
    assert snap["round"] == "2023-11-29"  # R5
    assert snap["projects"] == 13
    # red P01 P05 P08 (莲塘镇's R4 report stays in force); yellow P02; the other nine green
    assert snap["grades"] == {"red": 3, "yellow": 1, "green": 9}
    assert snap["grades_by_town"] == {
        "贺街镇": {"red": 1, "yellow": 1, "green": 2},   # P01 红, P02 黄, P03 P04 绿
        "步头镇": {"red": 1, "yellow": 0, "green": 2},   # P05 红, P06 P07
        "莲塘镇": {"red": 1, "yellow": 0, "green": 1},   # P08 红, P09
        "大宁镇": {"red": 0, "yellow": 0, "green": 3},   # P10 P11 P12
        "南乡镇": {"red": 0, "yellow": 0, "green": 1},   # P13
    }
    # region P01 (3000 红); city P02 (1000 黄) P03 (2999.99 红); district P04 P05 P08; monitor the other 7
    assert snap["tiers"] == {"region": 1, "city": 2, "district": 3, "monitor": 7}
    # on time: P03 red_3m, P04 yellow_1m, P05 yellow_1m/red_1m/red_3m, P08 red_1m = 6; late P03 red_1m
    # (met 10-29 > due 10-25); overdue P01 red_1m (due 10-20); pending P01 red_3m, P02 yellow_1m (due
    # 11-30 = as_of), P08 red_3m
    assert snap["clocks"] == {"on_time": 6, "late": 1, "overdue": 1, "pending": 3}
    # scores and factors: see test_ranking.py for the arithmetic
    assert [(r["kind"], r["unit"], r["rank"]) for r in snap["ranking"]] == [
        ("department", "区水利局", 1), ("department", "区商务局", 2), ("department", "区林业局", 3),
        ("department", "区农业农村局", 4),
        ("township", "南乡镇", 1), ("township", "大宁镇", 1), ("township", "莲塘镇", 3),
        ("township", "步头镇", 4), ("township", "贺街镇", 5),
    ]
    by = {r["unit"]: r for r in snap["ranking"]}
    assert (by["区水利局"]["score"], by["区农业农村局"]["score"], by["区农业农村局"]["factor"]) == (96.0, 35.0, 0.8)
    assert (by["莲塘镇"]["score"], by["贺街镇"]["score"]) == (60.5, 53.0)
    assert by["大宁镇"]["score"] == by["南乡镇"]["score"] == 98.9318
    assert all(isinstance(r["score"], float) and isinstance(r["factor"], float) for r in snap["ranking"])
    assert all(isinstance(v, int) for v in snap["tiers"].values())


def test_before_the_first_round_is_empty():
    con = fixture_connection()
    s = snapshot(con, as_of=date(2023, 9, 1))
    con.close()
    assert s["round"] is None and s["projects"] == 0 and s["ranking"] == [] and s["grades_by_town"] == {}
    assert s["grades"] == {"red": 0, "yellow": 0, "green": 0}


def test_cli_prints_exactly_the_snapshot(tmp_path, snap):
    path = tmp_path / "ledger.duckdb"
    con = db.connect(path)
    build_fixture(con)
    con.close()
    res = subprocess.run(
        [sys.executable, "-m", "analytics", "snapshot", "--db", str(path), "--as-of", "2023-11-30", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert json.loads(res.stdout) == snap
    assert res.stdout.count("\n") == 1  # one JSON document, one line


def test_cli_missing_database_gives_empty_snapshot(tmp_path):
    path = tmp_path / "none.duckdb"
    res = subprocess.run(
        [sys.executable, "-m", "analytics", "snapshot", "--db", str(path), "--as-of", "2023-11-30", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    out = json.loads(res.stdout)
    assert (out["projects"], out["round"], out["ranking"]) == (0, None, [])
    assert not path.exists()  # a read does not create the database
