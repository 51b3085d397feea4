"""consistency.false_greens (DOMAIN §4) on the fixture, plus small edits of it for the other reasons."""
from __future__ import annotations

import pytest

from analytics import consistency
from analytics.filters import Filters
from ledger.settings import set_setting
from tests.fixture_db import AS_OF, R3, R5, fixture_connection
from ledger.state import refresh_all


@pytest.fixture(scope="module")
def con():
    return fixture_connection()


def flags(df):
    return [(r["project_code"], r["reason_code"]) for r in df.to_dict("records")]


def test_false_greens_fixture(con):
    got = consistency.false_greens(con, as_of=AS_OF)
    assert got.to_dict("records") == [
        # P07: green, 已验收 but 闲置 → 成而不用 by its status fields
        {"project_code": "P07", "name": "步头镇渔业养殖场", "unit": "步头镇", "town": "步头镇", "department": "区水利局",
         "grade": "green", "reason_code": "status_finished_not_used",
         "reason": "已建成但未运营/停产/闲置（成而不用）但未标红"},
        # P08: red with only 未设立共管账户 listed
        {"project_code": "P08", "name": "莲塘镇食用菌基地", "unit": "莲塘镇", "town": "莲塘镇", "department": "区农业农村局",
         "grade": "red", "reason_code": "red_without_three_failures", "reason": "标红但未列“三不”问题"},
    ]


def test_every_reason_has_chinese_text():
    assert set(consistency.REASONS) == {
        "three_failures_not_red", "red_without_three_failures", "problems_but_green",
        "status_built_not_finished", "status_finished_not_used", "status_used_not_well"}
    assert all(consistency.REASONS.values())


def test_filters(con):
    assert flags(consistency.false_greens(con, as_of=AS_OF, filters=Filters(towns=("莲塘镇",)))) == [
        ("P08", "red_without_three_failures")]
    assert consistency.false_greens(con, as_of=AS_OF, filters=Filters(towns=("贺街镇",))).empty


def test_earlier_round(con):
    # R3: P03 green again with revenue (no flag); P05 green, no problems; P07 still idle; P08 red
    assert flags(consistency.false_greens(con, as_of=R3)) == [
        ("P07", "status_finished_not_used"), ("P08", "red_without_three_failures")]


def test_grade_versus_problems_and_status():
    con = fixture_connection()
    # P01 (建而不成, under construction, planned 2023-06-30) reported yellow in R5 →
    # 三不 listed but not red, and its status says 建而不成 too
    con.execute("UPDATE risk_rows SET grade = 'yellow' WHERE project_code = 'P01' AND round_date = ?", [R5])
    # P02 (yellow, 未及时验收) reported green in R5 with its problem still listed → other problems but green
    con.execute("UPDATE risk_rows SET grade = 'green' WHERE project_code = 'P02' AND round_date = ?", [R5])
    # P10 green, operating, but no household benefiting → 用而不好 by status
    con.execute("UPDATE risk_rows SET households = 0 WHERE project_code = 'P10' AND round_date = ?", [R5])
    refresh_all(con)  # the rows were changed behind the importer's back: re-derive the state as an import does
    got = consistency.false_greens(con, as_of=AS_OF)
    assert flags(got) == [
        ("P01", "three_failures_not_red"), ("P01", "status_built_not_finished"),
        ("P02", "problems_but_green"),
        ("P07", "status_finished_not_used"),
        ("P08", "red_without_three_failures"),
        ("P10", "status_used_not_well"),
    ]
    assert got["reason"].iloc[0] == "存在“三不”问题但未标红"


def test_planned_completion_on_as_of_is_not_late():
    con = fixture_connection()
    # P09 (planned 2023-12-31) back under construction: not late at as_of 2023-11-30 …
    con.execute("UPDATE progress_rows SET build_status = 'under_construction', op_status = 'not_operating', "
                "planned_completion = ? WHERE project_code = 'P09'", [AS_OF])
    refresh_all(con)  # the rows were changed behind the importer's back: re-derive the state as an import does
    assert ("P09", "status_built_not_finished") not in flags(consistency.false_greens(con, as_of=AS_OF))
    # … but one day later it is (planned_completion < as_of). 莲塘镇's R4 row is still in force.
    from datetime import timedelta
    assert ("P09", "status_built_not_finished") in flags(consistency.false_greens(con, as_of=AS_OF + timedelta(days=1)))


def test_revenue_threshold_setting():
    con = fixture_connection()
    # revenue ≤ 5 万元 counts as no revenue: P09 (5) is flagged, P12 (6) is not; P05 (8) is red anyway
    set_setting(con, "revenue_threshold_wan", 5)
    assert flags(consistency.false_greens(con, as_of=AS_OF)) == [
        ("P07", "status_finished_not_used"), ("P08", "red_without_three_failures"), ("P09", "status_used_not_well")]
