"""整改进度 page on the fixture (as of R5 2023-11-29 in the sidebar)."""
from __future__ import annotations

from datetime import date

from analytics import clocks, signoff
from ledger import glossary
from tests.pages.conftest import app_at, assert_ok, fig, metric

PAGE = "4_整改进度.py"


def test_overdue_and_due_soon_tables_match_clocks(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    as_of = at.session_state["sb_round"]
    clk = clocks.clocks(con, as_of=as_of)
    overdue = clk[clk["status"] == "overdue"]
    soon = clk[clk["due_within_warn"].astype(bool)]
    # fixture: P01 red_1m started 09-20, due 10-20, no evidence → overdue 40 days at 11-29
    assert list(overdue["project_code"]) == ["P01"]
    assert metric(at, "逾期未完成").value == f"{len(overdue)} 项"
    shown = at.dataframe[0].value
    assert shown["项目编号"].tolist() == overdue["project_code"].tolist()
    assert shown["逾期天数"].tolist() == overdue["days_overdue"].tolist()
    assert shown["类型"].tolist() == ["红级1个月实质性进展"]
    # P02 yellow_1m due 11-30: pending, 1 day left at 11-29 → within 7 days
    assert metric(at, "7日内到期").value == f"{len(soon)} 项"
    assert at.dataframe[1].value["项目编号"].tolist() == soon["project_code"].tolist() == ["P02"]


def test_status_filter_and_timeline(ledger_db, con):
    at = app_at(PAGE)
    clk = clocks.clocks(con, as_of=at.session_state["sb_round"])
    timeline = fig(at, 0)
    assert sum(len(t["y"]) for t in timeline["data"]) == len(clk)
    assert any(s.get("type") == "line" for s in timeline["layout"]["shapes"])  # the as-of line
    at.selectbox(key="clock_status").set_value("on_time").run()
    assert_ok(at)
    timeline = fig(at, 0)
    assert [t["name"] for t in timeline["data"]] == ["按期完成"]
    assert len(timeline["data"][0]["y"]) == int((clk["status"] == "on_time").sum())
    table = at.dataframe[3].value  # [2] is the 未巡查 list (no fixture row says 已巡查)
    assert set(table["状态"]) == {"按期完成"} and len(table) == int((clk["status"] == "on_time").sum())


def test_rollups_tasks_signoff(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    as_of = at.session_state["sb_round"]
    by_tier = clocks.clock_rollup(con, as_of=as_of, by="tier")
    tier_fig = fig(at, 2)
    judged = by_tier[by_tier["total"] > 0]
    # tiers with a clock: city (P02, P03), district (P04, P05, P08), region (P01); 常态化监测 has none
    assert sorted(tier_fig["data"][0]["x"]) == sorted(["市级督办", "区专班督办", "自治区督办"])
    assert len(judged) == 3
    tasks = clocks.task_progress(con, as_of=as_of)
    frames = [d.value for d in at.dataframe]
    task_table = next(f for f in frames if "任务数" in f.columns)
    assert task_table["项目编号"].tolist() == tasks["project_code"].tolist()
    so = signoff.signoff_records(con, as_of=as_of)
    so_table = next(f for f in frames if "申请等级" in f.columns)
    assert sorted(so_table["项目编号"]) == sorted(so["project_code"]) == ["P03", "P05"]
    reopened_table = next(f for f in frames if "反弹期次" in f.columns)
    assert reopened_table["项目编号"].tolist() == ["P05"]  # green R2–R3 after 销号, red again at R4


def test_overdue_red_projects_of_one_township(ledger_db, con):
    # the new-user task: 乡镇 = 贺街镇 in the sidebar, 当前风险等级 = 红 → P01's red_1m clock
    # (due 10-20, no evidence, 40 days overdue at R5 11-29) is the only row
    at = app_at(PAGE)
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    at.multiselect(key="clock_grade").set_value(["red"]).run()
    assert_ok(at)
    shown = at.dataframe[0].value
    assert shown[["项目编号", "乡镇(街道)", "风险等级", "逾期天数"]].values.tolist() == [["P01", "贺街镇", "红", 40]]
    # 黄 only: P02's yellow clock is pending (due 11-30), P04's was met → nothing overdue
    at.multiselect(key="clock_grade").set_value(["yellow"]).run()
    assert metric(at, "逾期未完成").value == "0 项"


def test_patrol_coverage_metric(ledger_db, con):
    # at R5 (11-29): 红 P01 P05 P08 + 黄 P02 in force, no fixture row says 已巡查 → 0 / 4
    at = app_at(PAGE)
    assert metric(at, "巡回排查覆盖率（红/黄项目）").value == "0%"
    missing = next(d.value for d in at.dataframe if len(d.value) == 4 and "督办层级" in d.value.columns)
    assert missing["项目编号"].tolist() == ["P01", "P05", "P08", "P02"]  # red first, then yellow


def test_overdue_table_leads_with_kind_due_and_days(ledger_db):
    # #8.9: the overdue and due-soon tables are full width and start with 类型, 到期日, 逾期天数 / 剩余天数
    at = app_at(PAGE)
    assert at.dataframe[0].value.columns[:3].tolist() == ["类型", "到期日", "逾期天数"]
    assert at.dataframe[1].value.columns[:3].tolist() == ["类型", "到期日", "剩余天数"]
    # P01 red_1m due 2023-10-20, 40 days overdue at R5 (11-29)
    assert at.dataframe[0].value.iloc[0, 1:4].tolist() == [date(2023, 10, 20), 40, "P01"]


def test_timeline_shows_the_most_urgent_n_with_chinese_dates(ledger_db, con):
    at = app_at(PAGE)
    clk = clocks.by_urgency(clocks.clocks(con, as_of=at.session_state["sb_round"]))
    top = at.number_input(key="clock_topn")
    assert top.value == min(20, len(clk))
    at.number_input(key="clock_topn").set_value(2).run()
    timeline = fig(at, 0)
    # the two most urgent: P01's overdue red_1m first (40 days), then the pending clock with fewest days left
    # (P02 yellow_1m, 1 day) — by_urgency's order, drawn top-down
    ys = [y for t in timeline["data"] for y in t["y"]]
    assert clk["project_code"].head(2).tolist() == ["P01", "P02"]
    assert sorted(ys) == sorted(["贺街镇冷链物流中心｜" + glossary.label("clock_kind", "red_1m"),
                                 "贺街镇百香果基地｜" + glossary.label("clock_kind", "yellow_1m")])
    lay = timeline["layout"]
    assert lay["xaxis"]["tickformat"] == "%Y年%m月" and lay["xaxis"]["automargin"] is True
    assert lay["yaxis"]["automargin"] is True and lay["showlegend"] is True
