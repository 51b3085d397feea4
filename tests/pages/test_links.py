"""#8.8 Tables that lead somewhere, and every view has a URL (AppTest on the fixture; the real click is in
tests/browser/test_links.py).

AppTest sets a table's row selection through session state (``tbl_<key>``, the key show_table gives a
linked table) exactly as a click in the browser would, then the page's rerun switches to 项目详情.
Fixture facts used (tests/fixture_db.py): rounds R1 09-29 … R5 11-29; at R5 the 红 projects are P01
(overdue red_1m), P05, P08 and the 黄 one P02, so 总览's 红色、黄色项目 lists P01 (红, overdue first),
P05, P08 (红, by code), P02 (黄).
"""
from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.fixture_db import R3, R4, R5
from tests.pages.conftest import APP, TIMEOUT, app_at, assert_ok, metric, signed_in
from ui.shell import parse_url, url_of
from analytics.filters import Filters

DETAIL = "views/7_项目详情.py"


def _select(at: AppTest, key: str, row: int) -> AppTest:
    at.session_state[f"tbl_{key}"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_red_yellow_row_opens_its_detail(ledger_db):
    at = app_at("1_总览.py")
    assert_ok(at)
    rows = at.dataframe[0].value
    assert rows["项目编号"].tolist() == ["P01", "P05", "P08", "P02"]
    _select(at, "ov_red", 2)  # the third row: P08
    assert_ok(at)
    assert _titles(at) == ["项目详情"]
    assert at.session_state["detail_pick"] == "P08"
    assert metric(at, "当前等级").value == "红"
    assert at.query_params["project"] == "P08"
    assert "round" not in at.query_params  # R5 is the newest round: a link without a round follows the data


def test_the_link_carries_round_and_filters(ledger_db):
    # 整改进度 at R4 (11-14) with 乡镇 贺街镇: the only overdue clock is P01's red_1m (due 10-20, 25 days)
    at = app_at("4_整改进度.py")
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    at.selectbox(key="sb_round").set_value(R4).run()
    assert at.dataframe[0].value[["项目编号", "逾期天数"]].values.tolist() == [["P01", 25]]
    _select(at, "clocks_overdue", 0)
    assert_ok(at)
    assert _titles(at) == ["项目详情"] and at.session_state["detail_pick"] == "P01"
    assert at.session_state["sb_towns"] == ["贺街镇"] and at.session_state["sb_round"] == R4
    assert at.query_params == {"round": R4.isoformat(), "towns": "贺街镇", "project": "P01"}
    # the detail page's own search list also links (same page: it only picks the project). AppTest does
    # not follow a switch_page made by the script into its next run (the browser does), so stay explicitly.
    at.switch_page(DETAIL)
    at.text_input(key="detail_q").set_value("贺街").run()
    assert at.selectbox(key="detail_pick").options[:2] == ["P01  贺街镇冷链物流中心", "P02  贺街镇百香果基地"]
    _select(at, "detail_matches", 1)
    assert_ok(at)
    assert at.session_state["detail_pick"] == "P02" and at.session_state["detail_q"] == "贺街"
    assert at.query_params["project"] == "P02"


def test_leaving_the_detail_page_drops_the_project_parameter(ledger_db):
    at = app_at("1_总览.py")
    _select(at, "ov_red", 0)
    assert at.query_params["project"] == "P01"
    at.switch_page("views/2_风险分级.py").run()
    assert_ok(at)
    assert _titles(at) == ["风险分级"]
    assert "project" not in at.query_params


def test_a_shared_url_restores_round_filters_and_project(ledger_db):
    # ?round=R3&towns=贺街镇&project=P03 on a fresh session: 第3期, 贺街镇 only, P03's detail
    at = signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT))
    at.switch_page(DETAIL)
    at.query_params = {"round": R3.isoformat(), "towns": ["贺街镇"], "project": "P03"}
    at.run()
    assert_ok(at)
    assert at.session_state["sb_round"] == R3 and at.session_state["sb_towns"] == ["贺街镇"]
    assert "数据截至 第3期（2023-10-29）" in [c.value for c in at.caption]
    assert at.session_state["detail_pick"] == "P03"
    # P03 at R3: 红 R1–R2, 绿 from R3 (DOMAIN fixture table) → 当前等级 绿
    assert metric(at, "当前等级").value == "绿"


def test_a_shared_url_restores_the_overview_and_follows_the_sidebar(ledger_db):
    # ?round=R3&towns=贺街镇: at R3 贺街镇 has P01, P03, P04 in force (P02 is new in R4) → 项目数 3
    at = signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT))
    at.query_params = {"round": R3.isoformat(), "towns": "贺街镇"}
    at.run()
    assert_ok(at)
    assert metric(at, "项目数").value == "3"
    # changing the sidebar updates the URL: + 步头镇 (P05 P06 P07) → 6 projects; 督办层级 市级 → P03 only
    at.multiselect(key="sb_towns").set_value(["贺街镇", "步头镇"]).run()
    assert at.query_params["towns"] == ["贺街镇", "步头镇"] and metric(at, "项目数").value == "6"
    at.multiselect(key="sb_tiers").set_value(["city"]).run()
    assert at.query_params["tiers"] == "city" and metric(at, "项目数").value == "1"
    at.selectbox(key="sb_round").set_value(R5).run()
    assert "round" not in at.query_params  # the newest round: not pinned
    # the URL written now, opened on a fresh session, gives the same view: at R5 city = P02 (1000 万元, 黄)
    # and P03 (2999.99, first 红) → 2 projects
    again = signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT))
    again.query_params = dict(at.query_params)
    again.run()
    assert again.session_state["sb_round"] == R5 and again.session_state["sb_tiers"] == ["city"]
    assert metric(again, "项目数").value == "2"


def test_invalid_url_values_are_dropped_with_a_hint(ledger_db):
    at = signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT))
    at.query_params = {"round": "2099-01-01", "towns": ["贺街镇", "火星镇"], "tiers": "bogus", "years": "abc"}
    at.run()
    assert_ok(at)
    assert at.session_state["sb_round"] == R5           # newest round instead of an unknown one
    assert at.session_state["sb_towns"] == ["贺街镇"]   # the valid town is kept
    assert at.session_state["sb_tiers"] == []
    hint = [c.value for c in at.sidebar.caption if c.value.startswith("提示")]
    assert hint == ["提示：链接中以下参数无效，已忽略：round=2099-01-01；towns=火星镇；tiers=bogus；years=abc"]
    assert at.query_params == {"towns": "贺街镇"}  # the URL is cleaned (the newest round needs no parameter)


def test_an_unknown_project_in_the_url_is_ignored_with_a_hint(ledger_db):
    at = signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT))
    at.switch_page(DETAIL)
    at.query_params = {"project": "NOPE1"}
    at.run()
    assert_ok(at)
    assert "提示：链接中的项目 NOPE1 不存在或不在当前期次与筛选范围内，已忽略。" in [c.value for c in at.caption]
    assert at.session_state["detail_pick"] == "P01"       # the first project, as without a link
    assert at.query_params["project"] == "P01"


def test_parse_url_and_url_of_are_inverse():
    rounds = [date(2023, 9, 29), date(2023, 10, 14)]
    lists = {"sb_towns": ["贺街镇", "步头镇"], "sb_depts": ["区林业局"], "sb_tiers": ["region", "city"],
             "sb_cats": ["种植"]}
    f = Filters(towns=("贺街镇", "步头镇"), tiers=("city",), year_from=2016)
    url = url_of(rounds[1], f, 2013, 2023, latest=date(2023, 10, 29))
    assert url == {"round": "2023-10-14", "towns": ["贺街镇", "步头镇"], "tiers": ["city"], "years": "2016-2023"}
    assert url_of(rounds[1], Filters(), 2013, 2023, latest=rounds[1]) == {}  # the newest round, no filter
    seeds, ignored = parse_url({k: v if isinstance(v, list) else [v] for k, v in url.items()},
                               rounds=rounds, lists=lists, lo=2013, hi=2023)
    assert seeds == {"sb_round": rounds[1], "sb_towns": ["贺街镇", "步头镇"], "sb_tiers": ["city"],
                     "sb_years": (2016, 2023)} and ignored == []
    # years outside the slider, a reversed range, a duplicate town: dropped / deduplicated
    seeds, ignored = parse_url({"years": ["2010-2020"], "towns": ["步头镇", "步头镇"], "other": ["x"]},
                               rounds=rounds, lists=lists, lo=2013, hi=2023)
    assert seeds == {"sb_towns": ["步头镇"]} and ignored == ["years=2010-2020"]
