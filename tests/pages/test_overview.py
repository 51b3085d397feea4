"""总览 page against analytics computed directly on the same fixture database (as of R5 2023-11-29)."""
from __future__ import annotations

from analytics import base, clocks, grades
from analytics.filters import Filters
from tests.fixture_db import R5
from tests.pages.conftest import app_at, assert_ok, fig, metric

PAGE = "1_总览.py"


def test_kpis_unfiltered(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    assert at.session_state["sb_round"] == R5
    p = base.projects(con, as_of=R5)
    assert metric(at, "项目数").value == str(len(p)) == "13"
    # 3000 + 1000 + 2999.99 + 999.99 + 200 + 5000 + 80 + 150 + 60 + 300 + 300 + 0 + 600 = 14689.98
    assert metric(at, "扶贫帮扶资金（万元）").value == "14,689.98"
    d = grades.grade_delta(con, as_of=R5).set_index("grade")
    for g, zh in (("red", "红"), ("yellow", "黄"), ("green", "绿")):
        m = metric(at, f"{zh}色项目")
        assert m.value == str(d.loc[g, "now"])
        assert int(m.delta) == d.loc[g, "delta"]
    # red P01 P05 P08 (R4 also 3: P01 P05 P08) → delta 0
    assert metric(at, "红色项目").value == "3" and int(metric(at, "红色项目").delta) == 0
    r = clocks.clock_rollup(con, as_of=R5, by="unit")
    # #8.5: deadlines and the projects they belong to, said apart. Fixture R5: only P01's red_1m (due 10-20,
    # 40 days overdue) → 1 项, 1 个项目
    late = clocks.clocks(con, as_of=R5).query("status == 'overdue'")
    m = metric(at, "逾期未完成时限")
    assert m.value == f"{int(r['overdue'].sum())} 项" == "1 项"
    assert m.delta == f"涉及 {late['project_code'].nunique()} 个项目" == "涉及 1 个项目"
    judged = int(r["on_time"].sum() + r["late"].sum() + r["overdue"].sum())
    assert metric(at, "按期完成率").value == f"{int(r['on_time'].sum()) / judged * 100:.1f}%"


def test_town_filter_changes_every_number(ledger_db, con):
    at = app_at(PAGE)
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    assert_ok(at)
    f = Filters(towns=("贺街镇",))
    counts = grades.grade_counts(con, as_of=R5, filters=f)
    # 贺街镇: P01 red, P02 yellow, P03 P04 green
    assert metric(at, "项目数").value == "4"
    assert metric(at, "红色项目").value == "1"
    assert metric(at, "扶贫帮扶资金（万元）").value == "7,999.98"  # 3000 + 1000 + 2999.99 + 999.99
    donut = fig(at, 0)["data"][0]
    assert donut["labels"] == ["红", "黄", "绿"]
    assert donut["values"] == [float(v) for v in counts["projects"]] == [1.0, 1.0, 2.0]
    assert donut["marker"]["colors"][0] == "#d62728"
    trend = grades.grade_trend(con, as_of=R5, filters=f)
    lines = fig(at, 1)["data"]
    assert [t["name"] for t in lines] == ["红", "黄"]
    assert lines[0]["y"] == [float(v) for v in trend[trend["grade"] == "red"]["projects"]]
    assert fig(at, 1)["layout"]["xaxis"]["title"]["text"] == "报送期次"
    # the red/yellow list: red first, then yellow, only 贺街镇
    table = at.dataframe[0].value
    assert table["项目编号"].tolist() == ["P01", "P02"]
    assert table["风险等级"].tolist() == ["红", "黄"]
    assert table["督办层级"].tolist() == ["自治区督办", "市级督办"]
    assert table["有逾期未完成时限"].tolist() == ["是", "否"]


def test_lagging_units_from_clock_rollup(ledger_db, con):
    at = app_at(PAGE)
    bars = fig(at, 2)
    r = clocks.clock_rollup(con, as_of=R5, by="unit")
    top = r.sort_values(["overdue", "on_time_rate", "unit"], ascending=[False, True, True], na_position="last").head(5)
    assert bars["data"][0]["y"] == top["unit"].tolist()
    assert bars["data"][0]["y"][0] == "贺街镇"  # the only unit with an overdue clock (P01)
    assert bars["data"][0]["x"] == [float(v) for v in top["overdue"]]
    assert bars["layout"]["xaxis"]["title"]["text"] == "逾期未完成时限数"
    assert any("逾期未完成" in c.value and "排序" in c.value for c in at.caption)


def test_earlier_round_and_filters_persist_across_pages(ledger_db, con):
    at = app_at(PAGE)
    rounds = at.selectbox(key="sb_round").options
    assert rounds[0] == "第5期 2023-11-29" and rounds[-1] == "第1期 2023-09-29"
    at.selectbox(key="sb_round").set_value(base.rounds(con)[2]).run()  # R3 2023-10-29
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    assert any("数据截至 第3期（2023-10-29）" in c.value for c in at.caption)
    # R3 贺街镇: P01 red, P03 green, P04 yellow (P02 not reported yet)
    assert metric(at, "项目数").value == "3"
    at.switch_page("views/2_风险分级.py").run()
    assert_ok(at)
    assert at.multiselect(key="sb_towns").value == ["贺街镇"]
    assert any("数据截至 第3期（2023-10-29）" in c.value for c in at.caption)
