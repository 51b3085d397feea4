"""#8.4 Filters that silently did not apply: every page honours the sidebar filters where that makes sense,
and says which it does not apply where it does not (ui.shell.filters_note). Numbers worked out by hand
from tests/fixture_db.py at R5 (2023-11-29):

  tiers: P01 region (3000 万元, 红); P02 city (1000.00, 黄); P03 city (2999.99, first 红); P04 P05 P08
  district; the rest monitor (never 红/黄).
  current grades: 红 P01 P05 P08, 黄 P02, the rest 绿.
  tasks (附件5): P01 (2), P02 (1), P05 (1), P08 (1).  销号: P03 (now 绿), P05 (now 红, reopened at R4).
  clocks: P02's yellow_1m (start 10-31, due 11-30) is pending at R5.
"""
from __future__ import annotations

from tests.pages.conftest import app_at, assert_ok, fig, metric


def _infos(at) -> list[str]:
    return [i.value for i in at.info]


def _frame_with(at, *cols):
    return next(d.value for d in at.dataframe if all(c in d.value.columns for c in cols))


def test_ranking_says_it_does_not_apply_the_filters(ledger_db):
    at = app_at("5_单位排名与奖惩.py")
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    assert_ok(at)
    note = [t for t in _infos(at) if t.startswith("侧栏筛选")]
    assert note and "乡镇、部门、督办层级、类别、建设年度筛选不适用" in note[0]
    # and indeed every unit is still ranked: 4 departments, 5 townships (not only 贺街镇)
    assert len(at.dataframe[0].value) == 4 and len(at.dataframe[1].value) == 5


def test_detail_search_honours_tier(ledger_db):
    # 督办层级 市级督办 → P02 and P03 only (was: all 13 projects)
    at = app_at("7_项目详情.py")
    at.multiselect(key="sb_tiers").set_value(["city"]).run()
    assert_ok(at)
    pick = at.selectbox(key="detail_pick")
    assert pick.options == ["P02  贺街镇百香果基地", "P03  贺街镇油茶加工厂"]
    assert pick.label == "匹配项目（2 个）"
    # 区专班督办 and 贺街镇 → P04 only (P05, P08 are district but elsewhere)
    at.multiselect(key="sb_tiers").set_value(["district"]).run()
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    assert at.selectbox(key="detail_pick").options == ["P04  贺街镇灌溉养殖项目"]


def test_remediation_grade_reaches_every_table(ledger_db):
    at = app_at("4_整改进度.py")
    at.multiselect(key="clock_grade").set_value(["yellow"]).run()
    assert_ok(at)
    # 黄 = P02 only: one pending clock, a city project → the tier chart has 市级督办 alone
    assert sorted(fig(at, 2)["data"][0]["x"]) == ["市级督办"]
    assert _frame_with(at, "任务数")["项目编号"].tolist() == ["P02"]
    assert _frame_with(at, "申请等级").empty and _frame_with(at, "反弹期次").empty
    assert metric(at, "巡回排查覆盖率（红/黄项目）").help.startswith("已巡查 0 / 应巡查 1")

    at.multiselect(key="clock_grade").set_value(["red"]).run()
    # 红 = P01 P05 P08: tasks of all three; 销号 record of P05 only (P03 is 绿 now); P05 reopened; 0 / 3 patrolled
    assert _frame_with(at, "任务数")["项目编号"].tolist() == ["P01", "P05", "P08"]
    assert _frame_with(at, "申请等级")["项目编号"].tolist() == ["P05"]
    assert _frame_with(at, "反弹期次")["项目编号"].tolist() == ["P05"]
    assert metric(at, "巡回排查覆盖率（红/黄项目）").help.startswith("已巡查 0 / 应巡查 3")
    # tiers of the red projects' clocks: region (P01), district (P05, P08)
    assert sorted(fig(at, 2)["data"][0]["x"]) == sorted(["自治区督办", "区专班督办"])


def test_submissions_page_names_what_it_does_not_filter(ledger_db):
    at = app_at("6_填报情况.py")
    at.multiselect(key="sb_tiers").set_value(["city"]).run()
    assert_ok(at)
    note = [t for t in _infos(at) if t.startswith("侧栏筛选")]
    assert note and "督办层级、类别、建设年度不适用于报送情况" in note[0]


def test_pages_that_apply_every_filter_follow_one_township(ledger_db):
    # 莲塘镇 = P08 (150.00 万元, 红) and P09 (60.00, 绿)
    at = app_at("1_总览.py")
    at.multiselect(key="sb_towns").set_value(["莲塘镇"]).run()
    assert metric(at, "项目数").value == "2"
    assert at.dataframe[0].value["项目编号"].tolist() == ["P08"]         # 红色、黄色项目
    assert not [t for t in _infos(at) if t.startswith("侧栏筛选")]      # nothing to excuse here
    at.switch_page("views/3_资金投向.py").run()
    assert metric(at, "扶贫帮扶资金（万元）").value == "210.00"          # 150 + 60
    assert metric(at, "红色项目资金（万元）").value == "150.00"
    at.switch_page("views/2_风险分级.py").run()
    assert _frame_with(at, "项目编号", "督办层级")["项目编号"].tolist() == ["P08", "P09"]
