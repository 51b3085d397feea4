"""analytics.project (search, detail) and analytics.sensitive on the fixture."""
from __future__ import annotations

from decimal import Decimal

import pytest

from analytics import project, sensitive
from analytics.filters import Filters
from tests.fixture_db import AS_OF, R5, fixture_connection
from ledger.state import refresh_all


@pytest.fixture(scope="module")
def con():
    c = fixture_connection()
    # P04 (贺街镇, green) along a national road, 摘牌 not done; P13 (南乡镇) on farmland, 复耕复种 done
    c.execute("UPDATE risk_rows SET sensitive = ['roadside'], pretreatment = ['delisting'], "
              "pretreatment_done = FALSE WHERE project_code = 'P04' AND round_date = ?", [R5])
    c.execute("UPDATE risk_rows SET sensitive = ['farmland'], pretreatment = ['recultivation'], "
              "pretreatment_done = TRUE WHERE project_code = 'P13' AND round_date = ?", [R5])
    refresh_all(c)  # the rows were changed behind the importer's back: re-derive the state as an import does
    return c


def test_search_by_name_code_and_wildcards(con):
    assert project.search_projects(con, as_of=AS_OF, q="冷链")["project_code"].tolist() == ["P01"]
    assert project.search_projects(con, as_of=AS_OF, q="p1")["project_code"].tolist() == ["P10", "P11", "P12", "P13"]
    assert project.search_projects(con, as_of=AS_OF, q="%").empty  # user input is a literal, not a pattern
    assert project.search_projects(con, as_of=AS_OF, q="'; DROP TABLE rounds; --").empty
    assert len(project.search_projects(con, as_of=AS_OF, q="")) == 13


def test_detail_p01(con):
    d = project.project_detail(con, as_of=AS_OF, project_code="P01")
    assert d["found"] and d["in_force"]
    assert d["project"]["tier"] == "region"  # exactly 3000 万元, first graded 红
    assert sum(d["funding"]["amount_wan"]) == Decimal("3000")  # linkage 2000 + guangdong 1000
    assert d["grades"]["grade"].tolist() == ["red"] * 5
    assert set(d["clocks"]["project_code"]) == {"P01"}
    assert d["tasks"]["task_seq"].tolist() == [1, 2]
    assert dict(zip(d["units"]["role"], d["units"]["unit"]))["整治落实"] == "区本级落实"


def test_detail_unknown_and_not_yet_reported(con):
    assert project.project_detail(con, as_of=AS_OF, project_code="NOPE")["found"] is False
    d = project.project_detail(con, as_of=R5.replace(month=10, day=14), project_code="P02")  # P02 new in R4
    assert d["found"] is False


def test_sensitive_projects_not_done_first_and_filters(con):
    s = sensitive.sensitive_projects(con, as_of=AS_OF)
    assert s["project_code"].tolist() == ["P04", "P13"]  # P04 摘牌 not done comes first
    assert [list(v) for v in s["sensitive"]] == [["roadside"], ["farmland"]]
    only = sensitive.sensitive_projects(con, as_of=AS_OF, filters=Filters(towns=("南乡镇",)))
    assert only["project_code"].tolist() == ["P13"]


def test_search_honours_filters(con):
    got = project.search_projects(con, as_of=AS_OF, q="加工", filters=Filters(towns=("大宁镇",)))
    assert got["project_code"].tolist() == ["P10", "P11"]  # not P03 (贺街镇) nor P13 (南乡镇)


def test_count_projects_is_the_match_count_without_the_limit(con):
    from analytics import project

    # 13 fixture projects; the first 5 in code order are P01 … P05; 'p0' matches P01 … P09 → 9
    assert project.count_projects(con, as_of=AS_OF, q="") == 13
    assert list(project.search_projects(con, as_of=AS_OF, q="", limit=5)["project_code"]) == ["P01", "P02", "P03", "P04", "P05"]
    assert project.count_projects(con, as_of=AS_OF, q="p0") == 9


def test_search_honours_tier_and_grade_filters(con):
    # tiers at AS_OF: P02 city (1000.00 万元, 黄), P03 city (2999.99, first 红); P04 P05 P08 district
    city = Filters(tiers=("city",))
    assert project.search_projects(con, as_of=AS_OF, q="", filters=city)["project_code"].tolist() == ["P02", "P03"]
    assert project.count_projects(con, as_of=AS_OF, q="", filters=city) == 2
    both = Filters(tiers=("district",), towns=("贺街镇",))  # P04 is the only district project of 贺街镇
    assert project.search_projects(con, as_of=AS_OF, q="贺街", filters=both)["project_code"].tolist() == ["P04"]
    # a page's 当前风险等级 (Filters.grades) narrows the search as any other filter: 红 = P01 P05 P08
    red = Filters(grades=("red",))
    assert project.search_projects(con, as_of=AS_OF, q="", filters=red)["project_code"].tolist() == ["P01", "P05", "P08"]


def test_filters_grades_in_sql_and_on_frames():
    import pandas as pd

    where, params = Filters(grades=("red", "yellow")).sql()
    assert where == "grade IN (SELECT unnest($f_grades))" and params == {"f_grades": ["red", "yellow"]}
    df = pd.DataFrame({"project_code": ["A", "B"], "town": ["t", "t"], "department": ["d", "d"],
                       "category": ["c", "c"], "build_year": [2020, 2020], "grade": ["red", "green"]})
    assert Filters(grades=("red",)).apply(df)["project_code"].tolist() == ["A"]
    assert not Filters(grades=("red",)).is_empty()
    from ledger.export import describe_filters

    assert describe_filters(Filters(towns=("贺街镇",), grades=("red",))) == "乡镇：贺街镇；当前风险等级：红"
