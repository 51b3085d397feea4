"""Submission compliance and the round diff (DOMAIN §9)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from analytics import compliance as cp
from analytics.filters import Filters
from ledger import db
from ledger.state import refresh_all
from tests.fixture_db import AS_OF, R1, R3, R4, R5, ROUNDS, fixture_connection

D = date
UNITS = ["区商务局", "南乡镇", "大宁镇", "步头镇", "莲塘镇", "贺街镇"]


def _na(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def records(df, cols):
    return [tuple(_na(v) for v in row) for row in df[cols].itertuples(index=False)]


@pytest.fixture(scope="module")
def con():
    # read-only tests share one; tests that change data build their own
    return fixture_connection()


def test_submission_grid_fixture(con):
    g = cp.submission_grid(con, as_of=AS_OF)
    assert list(g.columns) == cp.GRID_COLUMNS
    # 6 units × 5 due dates (09-29, 10-14, 10-29, 11-14, 11-29)
    assert len(g) == 30 and sorted(set(g.unit)) == UNITS and sorted(set(g.due_date)) == ROUNDS
    off = records(g[g.status != "on_time"], cp.GRID_COLUMNS)
    assert off == [
        ("步头镇", "township", R4, D(2023, 11, 16), "late", 2),   # 11-16 − 11-14 = 2 days
        ("莲塘镇", "township", R5, None, "missing", None),
    ]
    assert records(g[(g.unit == "区商务局") & (g.due_date == R1)], cp.GRID_COLUMNS) == [
        ("区商务局", "department", R1, R1, "on_time", None)]


def test_late_report_is_late_whenever_you_look(con):
    # #8.1: 步头镇's R4 report (due 11-14) was filed 11-16; its rows are in force at R4 (总览 counts them), so
    # viewed as of 11-15 — or R4 itself — it is 逾期 16 − 14 = 2 days, never 未报
    for at in (D(2023, 11, 15), R4):
        g = cp.submission_grid(con, as_of=at)
        assert records(g[g.status != "on_time"], cp.GRID_COLUMNS) == [
            ("步头镇", "township", R4, D(2023, 11, 16), "late", 2)]
        assert len(g) == 6 * 4  # 6 units × due dates 09-29, 10-14, 10-29, 11-14


def test_compliance_rollup_fixture(con):
    r = cp.compliance_rollup(con, as_of=AS_OF)
    assert records(r, cp.ROLLUP_COLUMNS) == [
        ("区商务局", "department", 5, 0, 0, 5, 1.0),
        ("南乡镇", "township", 5, 0, 0, 5, 1.0),
        ("大宁镇", "township", 5, 0, 0, 5, 1.0),
        ("步头镇", "township", 4, 1, 0, 5, 0.8),   # 4 / 5
        ("莲塘镇", "township", 4, 0, 1, 5, 0.8),   # 4 / 5
        ("贺街镇", "township", 5, 0, 0, 5, 1.0),
    ]
    assert (r.on_time + r.late + r.missing == r.due).all()
    # a given unit list, including one that never reported
    r = cp.compliance_rollup(con, as_of=AS_OF, units=["桂岭镇"])
    assert records(r, cp.ROLLUP_COLUMNS) == [("桂岭镇", "township", 0, 0, 5, 5, 0.0)]


def _tiny(subs):
    con = db.connect(":memory:")
    db.apply_schema(con)
    for rd, unit, on in subs:
        con.execute("INSERT INTO rounds VALUES (?) ON CONFLICT DO NOTHING", [rd])
        con.execute("INSERT INTO submissions VALUES (?, ?, ?, 1)", [rd, unit, on])
    return con


def test_february_due_dates_and_gaps():
    # 2024 is a leap year: February's second due date is 02-29; 2023: 02-28 (last day)
    con = _tiny([(D(2024, 2, 14), "贺街镇", D(2024, 2, 14)), (D(2024, 3, 14), "贺街镇", D(2024, 3, 15))])
    g = cp.submission_grid(con, as_of=D(2024, 3, 31))
    assert records(g, cp.GRID_COLUMNS) == [
        ("贺街镇", "township", D(2024, 2, 14), D(2024, 2, 14), "on_time", None),
        # no round was held on 02-29 at all: the date is still due for everyone → missing
        ("贺街镇", "township", D(2024, 2, 29), None, "missing", None),
        ("贺街镇", "township", D(2024, 3, 14), D(2024, 3, 15), "late", 1),
    ]
    con = _tiny([(D(2023, 2, 14), "区水利局", D(2023, 2, 14)), (D(2023, 3, 14), "区水利局", D(2023, 3, 14))])
    g = cp.submission_grid(con, as_of=D(2023, 3, 20))
    assert list(g.due_date) == [D(2023, 2, 14), D(2023, 2, 28), D(2023, 3, 14)]
    assert list(g.status) == ["on_time", "missing", "on_time"]
    assert list(g.unit_kind) == ["department"] * 3
    # before the first round there is nothing due
    assert cp.submission_grid(con, as_of=D(2023, 1, 1)).empty


def test_round_diff_fixture(con):
    cols = cp.DIFF_COLUMNS
    assert records(cp.round_diff(con, as_of=R4), cols) == [
        ("P02", "贺街镇百香果基地", "贺街镇", "new", None, "yellow", None, Decimal("1000")),
        ("P04", "贺街镇灌溉养殖项目", "贺街镇", "regraded", "yellow", "green", Decimal("999.99"), Decimal("999.99")),
        ("P05", "步头镇扶贫车间", "步头镇", "regraded", "green", "red", Decimal("200"), Decimal("200")),
    ]
    # R4 → R5: no grade or amount changed (莲塘镇's R4 report stays in force both times)
    assert cp.round_diff(con, as_of=AS_OF).empty
    assert cp.round_diff(con, as_of=R1).empty   # no previous round
    assert records(cp.round_diff(con, as_of=R3), ["project_code", "change", "grade_before", "grade_after"]) == [
        ("P03", "regraded", "red", "green")]


def test_round_diff_dropped_and_amount_changed():
    con = fixture_connection()
    # R5: P13's linkage money rises 600 → 650.5, and 贺街镇 leaves P04 out of its report
    con.execute("UPDATE funding_rows SET amount_wan = 650.5 WHERE round_date = ? AND project_code = 'P13'", [R5])
    con.execute("UPDATE risk_rows SET grade = 'red' WHERE round_date = ? AND project_code = 'P13'", [R5])
    for t in ("progress_rows", "risk_rows", "funding_rows"):
        con.execute(f"DELETE FROM {t} WHERE round_date = ? AND project_code = 'P04'", [R5])
    refresh_all(con)  # the rows were changed behind the importer's back: re-derive the state as an import does
    got = records(cp.round_diff(con, as_of=AS_OF), cp.DIFF_COLUMNS)
    assert got == [
        ("P04", "贺街镇灌溉养殖项目", "贺街镇", "dropped", "green", None, Decimal("999.99"), None),
        ("P13", "南乡镇茶叶加工", "南乡镇", "regraded", "green", "red", Decimal("600"), Decimal("650.5")),
        ("P13", "南乡镇茶叶加工", "南乡镇", "amount_changed", "green", "red", Decimal("600"), Decimal("650.5")),
    ]
    assert list(cp.round_diff(con, as_of=AS_OF, filters=Filters(towns=("南乡镇",))).change) == [
        "regraded", "amount_changed"]


ROUND_STATUS_R4 = [
    # as of R4 (11-14): 步头镇 filed 11-16 → late 16 − 14 = 2 days, listed first; the other five on time, by name
    ("步头镇", "township", R4, "late", 2, D(2023, 11, 16), "李四 0774-1234567"),
    ("区商务局", "department", R4, "on_time", None, R4, None),
    ("南乡镇", "township", R4, "on_time", None, R4, None),
    ("大宁镇", "township", R4, "on_time", None, R4, None),
    ("莲塘镇", "township", R4, "on_time", None, R4, None),
    ("贺街镇", "township", R4, "on_time", None, R4, "  "),
]


def test_round_status_every_unit_with_contact(con):
    # #8.1 本期报送情况: every expected unit for the chosen round; contacts from the setting (blank → None)
    s = {"unit_contacts": {"步头镇": "李四 0774-1234567", "贺街镇": "  "}}
    r = cp.round_status(con, as_of=R4, settings=s)
    assert list(r.columns) == cp.ROUND_STATUS_COLUMNS
    exp = [t[:6] + ((None if t[6] is None or not t[6].strip() else t[6]),) for t in ROUND_STATUS_R4]
    assert records(r, cp.ROUND_STATUS_COLUMNS) == exp
    # as of R5 (11-29): 莲塘镇 has no report → missing first (no days, no 填报日期); 步头镇 is on time again
    r5 = cp.round_status(con, as_of=R5, settings={})
    assert records(r5, ["unit", "status", "days_late", "submitted_on"])[0] == ("莲塘镇", "missing", None, None)
    assert list(r5["status"]) == ["missing"] + ["on_time"] * 5
    # a viewing date between rounds takes the round in force (11-15 → R4): same list as R4
    assert records(cp.round_status(con, as_of=D(2023, 11, 15), settings={}), ["unit", "status", "days_late"]) == \
        [t[:1] + t[3:5] for t in ROUND_STATUS_R4]
    # before any round: empty with the columns
    assert cp.round_status(con, as_of=D(2020, 1, 1), settings={}).columns.tolist() == cp.ROUND_STATUS_COLUMNS
