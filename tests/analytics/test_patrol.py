"""巡回排查 coverage on the fixture (as of 2023-11-30: 红 P01 P05 P08, 黄 P02 → 4 projects due)."""
from __future__ import annotations

from analytics import patrol
from analytics.filters import Filters
from tests.fixture_db import AS_OF, R5, fixture_connection
from ledger.state import refresh_all


def test_coverage_counts_red_yellow_in_force():
    con = fixture_connection()
    # P01's and P02's rows in force (R5, 贺街镇) say 已巡查; P05 (R5) and P08 (莲塘镇's R4, in force) do not
    con.execute("UPDATE risk_rows SET patrolled = TRUE WHERE project_code IN ('P01', 'P02') AND round_date = ?", [R5])
    refresh_all(con)  # the rows were changed behind the importer's back: re-derive the state as an import does
    got = patrol.patrol_coverage(con, as_of=AS_OF)
    assert (got["due"], got["patrolled"], got["coverage"]) == (4, 2, 0.5)  # 2 / 4
    assert got["missing"][["project_code", "grade"]].values.tolist() == [["P05", "red"], ["P08", "red"]]
    # 贺街镇 only: P01, P02 both patrolled → 2 / 2
    town = patrol.patrol_coverage(con, as_of=AS_OF, filters=Filters(towns=("贺街镇",)))
    assert (town["due"], town["patrolled"], town["coverage"], len(town["missing"])) == (2, 2, 1.0, 0)


def test_no_red_yellow_means_no_coverage_figure():
    con = fixture_connection()
    got = patrol.patrol_coverage(con, as_of=AS_OF, filters=Filters(towns=("大宁镇",)))
    assert (got["due"], got["patrolled"], got["coverage"], len(got["missing"])) == (0, 0, None, 0)
