"""grades.py on the hand-written fixture (tests/fixture_db.py; AS_OF 2023-11-30)."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from analytics import base, grades
from analytics.filters import Filters
from tests.fixture_db import AS_OF, R1, R2, R3, R4, R5, fixture_connection

D = Decimal


@pytest.fixture(scope="module")
def con():
    return fixture_connection()


def records(df, cols=None):
    df = df if cols is None else df[cols]
    return [{k: (v if not isinstance(v, float) else round(v, 6)) for k, v in r.items()} for r in df.to_dict("records")]


def test_grade_counts_now(con):
    got = grades.grade_counts(con, as_of=AS_OF)
    assert records(got) == [
        # red now: P01 3000 + P05 200 + P08 150 → 3 projects, 3350; 3/13
        {"grade": "red", "projects": 3, "funds_wan": D("3350"), "share": round(3 / 13, 6)},
        # yellow now: P02 1000 → 1; 1/13
        {"grade": "yellow", "projects": 1, "funds_wan": D("1000"), "share": round(1 / 13, 6)},
        # green: P03 2999.99 + P04 999.99 + P06 5000 + P07 80 + P09 60 + P10 300 + P11 300 + P12 0 + P13 600
        #        = 10339.98 → 9 projects; 9/13
        {"grade": "green", "projects": 9, "funds_wan": D("10339.98"), "share": round(9 / 13, 6)},
    ]
    assert isinstance(got["funds_wan"].dtype, pd.ArrowDtype)


def test_grade_counts_sum_to_projects_and_funds(con):
    p = base.projects(con, as_of=AS_OF)
    for by in [None, "town", "department", "tier", "category", "build_year", "asset_type", "unit"]:
        got = grades.grade_counts(con, as_of=AS_OF, by=by)
        assert got["projects"].sum() == len(p) == 13, by
        assert got["funds_wan"].sum() == p["funds_wan"].sum() == D("14689.98"), by
        # every group has all three grades
        assert (got.groupby(got.columns[0] if by else "grade").size() == (3 if by else 1)).all(), by


def test_grade_counts_by_town_with_filter(con):
    got = grades.grade_counts(con, as_of=AS_OF, by="town", filters=Filters(towns=("贺街镇",)))
    assert records(got, ["town", "grade", "projects", "funds_wan"]) == [
        {"town": "贺街镇", "grade": "red", "projects": 1, "funds_wan": D("3000")},       # P01
        {"town": "贺街镇", "grade": "yellow", "projects": 1, "funds_wan": D("1000")},    # P02
        {"town": "贺街镇", "grade": "green", "projects": 2, "funds_wan": D("3999.98")},  # P03 2999.99 + P04 999.99
    ]
    assert got["share"].tolist() == [0.25, 0.25, 0.5]


def test_grade_counts_by_unit_keeps_reporting_unit(con):
    got = grades.grade_counts(con, as_of=AS_OF, by="unit")
    # P12 is reported by 区商务局 (zero funding), green
    row = got[(got["unit"] == "区商务局")]
    assert records(row, ["grade", "projects", "funds_wan"]) == [
        {"grade": "red", "projects": 0, "funds_wan": D(0)},
        {"grade": "yellow", "projects": 0, "funds_wan": D(0)},
        {"grade": "green", "projects": 1, "funds_wan": D(0)},
    ]


def test_grade_counts_by_source(con):
    got = grades.grade_counts(con, as_of=AS_OF, by="source")
    linkage = got[got["source"] == "linkage"]
    assert records(linkage, ["grade", "projects", "funds_wan"]) == [
        # red with linkage money: P01 2000 + P05 200 → 2, 2200
        {"grade": "red", "projects": 2, "funds_wan": D("2200")},
        {"grade": "yellow", "projects": 0, "funds_wan": D(0)},
        # green with linkage money: P09 60 + P10 300 + P11 300 + P13 600 → 4, 1260
        {"grade": "green", "projects": 4, "funds_wan": D("1260")},
    ]
    # 12 projects have lines (P12 none); P01 (linkage + guangdong) and P04 (lottery + industry) count
    # twice → 12 + 2 = 14 memberships
    assert got["projects"].sum() == 14
    # money by source adds up to the total funds (P12 has 0)
    assert got["funds_wan"].sum() == D("14689.98")
    assert got["source"].unique().tolist()[:2] == ["poverty_special", "integrated_agri"]  # policy order


def test_grade_counts_by_source_honours_filters(con):
    got = grades.grade_counts(con, as_of=AS_OF, by="source", filters=Filters(towns=("贺街镇",)))
    nonzero = got[got["projects"] > 0]
    assert records(nonzero, ["source", "grade", "projects", "funds_wan"]) == [
        {"source": "poverty_special", "grade": "yellow", "projects": 1, "funds_wan": D("1000")},   # P02
        {"source": "integrated_agri", "grade": "green", "projects": 1, "funds_wan": D("2999.99")},  # P03
        {"source": "lottery", "grade": "green", "projects": 1, "funds_wan": D("500")},             # P04
        {"source": "industry", "grade": "green", "projects": 1, "funds_wan": D("499.99")},         # P04
        {"source": "linkage", "grade": "red", "projects": 1, "funds_wan": D("2000")},              # P01
        {"source": "guangdong", "grade": "red", "projects": 1, "funds_wan": D("1000")},            # P01
    ]


def test_grade_counts_rejects_unknown_by(con):
    with pytest.raises(ValueError):
        grades.grade_counts(con, as_of=AS_OF, by="name; DROP TABLE rounds")


def test_grade_transitions(con):
    got = grades.grade_transitions(con, as_of=AS_OF)
    assert records(got) == [
        {"initial_grade": "red", "grade": "red", "projects": 2, "funds_wan": D("3150")},        # P01 3000 + P08 150
        {"initial_grade": "red", "grade": "yellow", "projects": 0, "funds_wan": D(0)},
        {"initial_grade": "red", "grade": "green", "projects": 1, "funds_wan": D("2999.99")},   # P03 straight 红→绿
        {"initial_grade": "yellow", "grade": "red", "projects": 1, "funds_wan": D("200")},      # P05 reopened as red
        {"initial_grade": "yellow", "grade": "yellow", "projects": 1, "funds_wan": D("1000")},  # P02
        {"initial_grade": "yellow", "grade": "green", "projects": 1, "funds_wan": D("999.99")}, # P04
        {"initial_grade": "green", "grade": "red", "projects": 0, "funds_wan": D(0)},
        {"initial_grade": "green", "grade": "yellow", "projects": 0, "funds_wan": D(0)},
        # P06 5000 + P07 80 + P09 60 + P10 300 + P11 300 + P12 0 + P13 600 = 6340
        {"initial_grade": "green", "grade": "green", "projects": 7, "funds_wan": D("6340")},
    ]


def test_grade_trend_every_round(con):
    got = grades.grade_trend(con, as_of=AS_OF)
    want = {
        R1: (3, 2, 7),  # red P01 P03 P08; yellow P04 P05; green the 7 always-green (P02 not yet reported)
        R2: (3, 1, 8),  # P05 → green
        R3: (2, 1, 9),  # P03 → green (straight from red)
        R4: (3, 1, 9),  # P05 → red; P04 → green; P02 new yellow → 13 projects
        R5: (3, 1, 9),  # 莲塘镇 missed R5: its R4 rows (P08 red, P09 green) stay in force
    }
    assert records(got) == [
        {"round_date": rd, "grade": g, "projects": n}
        for rd, counts in want.items() for g, n in zip(["red", "yellow", "green"], counts)
    ]


def test_grade_trend_stops_at_as_of_and_filters(con):
    got = grades.grade_trend(con, as_of=R3, filters=Filters(towns=("贺街镇",)))
    assert got["round_date"].unique().tolist() == [R1, R2, R3]
    # 贺街镇: R1 red P01 P03, yellow P04; R2 same; R3 red P01, yellow P04, green P03
    assert got["projects"].tolist() == [2, 1, 0, 2, 1, 0, 1, 1, 1]


def test_grade_trend_tier_filter_uses_tier_at_each_round(con):
    got = grades.grade_trend(con, as_of=AS_OF, filters=Filters(tiers=("district",)))
    # district (< 1000 万元, graded 红/黄 by then): R1 P04 Y, P05 Y, P08 R; R2 P04 Y, P05 G, P08 R;
    # R3 same as R2; R4 P04 G, P05 R, P08 R; R5 same
    assert got["projects"].tolist() == [1, 2, 0, 1, 1, 1, 1, 1, 1, 2, 0, 1, 2, 0, 1]


def test_grade_trend_last_round_matches_projects(con):
    trend = grades.grade_trend(con, as_of=AS_OF)
    last = trend[trend["round_date"] == R5].set_index("grade")["projects"]
    now = grades.grade_counts(con, as_of=AS_OF).set_index("grade")["projects"]
    pd.testing.assert_series_equal(last, now, check_names=False)


def test_grade_delta(con):
    # as_of R4 (2023-11-14) vs previous R3: red 3 vs 2 (+1: P05); yellow 1 vs 1 (P04 → green, P02 new);
    # green 9 vs 9 (P04 in, P05 out; P02 new, so total 13 vs 12)
    got = grades.grade_delta(con, as_of=R4)
    assert records(got) == [
        {"grade": "red", "now": 3, "previous": 2, "delta": 1},
        {"grade": "yellow", "now": 1, "previous": 1, "delta": 0},
        {"grade": "green", "now": 9, "previous": 9, "delta": 0},
    ]


def test_grade_delta_first_round_has_zero_previous(con):
    got = grades.grade_delta(con, as_of=R1)
    assert records(got) == [
        {"grade": "red", "now": 3, "previous": 0, "delta": 3},
        {"grade": "yellow", "now": 2, "previous": 0, "delta": 2},
        {"grade": "green", "now": 7, "previous": 0, "delta": 7},
    ]


def test_empty_selection(con):
    f = Filters(towns=("铺门镇",))  # no project there
    assert records(grades.grade_counts(con, as_of=AS_OF, filters=f)) == [
        {"grade": g, "projects": 0, "funds_wan": D(0), "share": 0.0} for g in ["red", "yellow", "green"]]
    assert grades.grade_counts(con, as_of=AS_OF, filters=f, by="source").empty
    assert grades.grade_transitions(con, as_of=AS_OF, filters=f)["projects"].sum() == 0
    assert grades.grade_trend(con, as_of=AS_OF, filters=f)["projects"].tolist() == [0] * 15
