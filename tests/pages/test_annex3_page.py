"""附件3 汇总表 page on the fixture: the table is analytics.annex3 with Chinese headers; the sidebar
filter and the 口径 switch reach it; the official workbook is offered for download."""
from __future__ import annotations

from analytics import annex3
from analytics.filters import Filters
from tests.pages.conftest import app_at, assert_ok

PAGE = "10_附件3汇总.py"


def test_table_matches_analytics_and_follows_filters(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    as_of = at.session_state["sb_round"]
    want = annex3.annex3(con, as_of=as_of)
    shown = at.dataframe[0].value
    assert shown["单位"].tolist() == want["unit"].tolist()
    assert shown["项目个数"].tolist() == want["projects"].tolist()
    assert at.download_button(key="dl_annex3_official") is not None
    # by department, only 贺街镇's projects: P01 P02 农业, P03 林业, P04 水利 → 3 rows + 合计 (4 projects)
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    at.radio(key="annex3_by").set_value("department").run()
    assert_ok(at)
    shown = at.dataframe[0].value
    want = annex3.annex3(con, as_of=as_of, by="department", filters=Filters(towns=("贺街镇",)))
    assert shown["单位"].tolist() == want["unit"].tolist() == ["区农业农村局", "区林业局", "区水利局", "合计"]
    assert shown["项目个数"].tolist() == [2, 1, 1, 4]
