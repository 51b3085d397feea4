"""base.filter_choices: the sidebar's choices from one DuckDB aggregate (issue #7: the sidebar used to
pull the whole projects() frame)."""
from __future__ import annotations

from datetime import date

from analytics import base
from tests.fixture_db import AS_OF, fixture_connection


def test_choices_on_the_fixture_by_hand():
    con = fixture_connection()
    c = base.filter_choices(con, as_of=AS_OF)
    # tests/fixture_db.py's table: five towns (贺街 P01–P04, 步头 P05–P07, 莲塘 P08–P09, 大宁 P10–P12,
    # 南乡 P13) and four 主管部门; build years 2015 (P07) … 2023 (P09)
    assert c["towns"] == sorted(["贺街镇", "步头镇", "莲塘镇", "大宁镇", "南乡镇"])
    assert c["departments"] == sorted(["区农业农村局", "区林业局", "区水利局", "区商务局"])
    assert (c["year_min"], c["year_max"]) == (2015, 2023)
    # categories: the distinct non-empty 项目类别 of the thirteen projects in force
    pf = base.projects(con, as_of=AS_OF)
    assert len(pf) == 13
    assert c["categories"] == sorted(set(pf["category"].dropna()))


def test_choices_before_the_first_round_are_empty():
    con = fixture_connection()
    c = base.filter_choices(con, as_of=date(2023, 1, 1))
    assert c == {"towns": [], "departments": [], "categories": [], "year_min": None, "year_max": None}
