"""项目详情 page (search + one project) against analytics.project on the same fixture database."""
from __future__ import annotations

from analytics import project
from tests.fixture_db import R5
from tests.pages.conftest import app_at, assert_ok, fig, metric

PAGE = "7_项目详情.py"


def test_search_and_detail_of_p01(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    at.text_input(key="detail_q").set_value("冷链").run()
    assert_ok(at)
    pick = at.selectbox(key="detail_pick")
    assert pick.options == ["P01  贺街镇冷链物流中心"]
    d = project.project_detail(con, as_of=R5, project_code="P01")
    assert metric(at, "当前等级").value == "红"
    assert metric(at, "督办层级").value == "自治区督办"  # exactly 3000 万元, first graded 红
    assert metric(at, "扶贫帮扶资金（万元）").value == "3,000.00"
    frames = [df.value for df in at.dataframe]
    funding = next(f for f in frames if "资金来源" in f.columns)
    assert sorted(funding["金额(万元)"].tolist()) == sorted(float(v) for v in d["funding"]["amount_wan"])
    assert sum(funding["金额(万元)"]) == 3000.0  # linkage 2000 + guangdong 1000
    units = next(f for f in frames if "职责" in f.columns)
    assert dict(zip(units["职责"], units["单位"]))["督办"] == "自治区督办、市级推进"
    grades = next(f for f in frames if "报送期次" in f.columns and "风险等级" in f.columns)
    assert grades["风险等级"].tolist() == ["红"] * 5
    clocks = next(f for f in frames if "到期日" in f.columns)
    assert clocks["状态"].tolist() == [{"overdue": "逾期未完成", "pending": "未到期", "on_time": "按期完成",
                                       "late": "逾期完成"}[s] for s in d["clocks"]["status"]]
    g = fig(at, 0)
    assert sum(len(t["y"]) for t in g["data"]) == len(d["clocks"])
    assert any(s.get("type") == "line" for s in g["layout"]["shapes"])  # the as-of line
    # #8.9: a legend (status) even for few bars, Chinese date ticks (2023年11月), labels not clipped
    assert g["layout"]["showlegend"] is True and g["layout"]["legend"]["title"]["text"] == "状态"
    assert g["layout"]["xaxis"]["tickformat"] == "%Y年%m月" and g["layout"]["yaxis"]["automargin"] is True
    tasks = next(f for f in frames if "工作任务/具体措施" in f.columns)
    assert tasks["工作任务/具体措施"].tolist() == d["tasks"]["measure"].tolist()


def test_search_by_code_picks_among_matches(ledger_db, con):
    at = app_at(PAGE)
    at.text_input(key="detail_q").set_value("p0").run()
    exp = project.search_projects(con, as_of=R5, q="p0")
    assert [o.split()[0] for o in at.selectbox(key="detail_pick").options] == exp["project_code"].tolist()
    at.selectbox(key="detail_pick").set_value("P03").run()
    assert_ok(at)
    assert metric(at, "当前等级").value == "绿"
    signoffs = next(df.value for df in at.dataframe if "申请日期" in df.value.columns)
    assert signoffs["原等级"].tolist() == ["红"] and signoffs["申请等级"].tolist() == ["绿"]


def test_no_match_is_friendly(ledger_db):
    at = app_at(PAGE)
    at.text_input(key="detail_q").set_value("不存在的项目%_").run()
    assert_ok(at)
    assert any("没有匹配" in i.value for i in at.info)


def test_search_honours_sidebar_town(ledger_db):
    at = app_at(PAGE)
    at.multiselect(key="sb_towns").set_value(["大宁镇"]).run()
    at.text_input(key="detail_q").set_value("加工").run()
    assert_ok(at)
    assert [o.split()[0] for o in at.selectbox(key="detail_pick").options] == ["P10", "P11"]
