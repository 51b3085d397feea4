"""资金投向 page against funding.* computed on the same fixture database."""
from __future__ import annotations

from analytics import funding
from analytics.filters import Filters
from ledger import glossary
from tests.fixture_db import R5
from tests.pages.conftest import app_at, assert_ok, fig, metric

PAGE = "3_资金投向.py"


def test_metrics_and_source_year_bars(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    risk = funding.funds_at_risk(con, as_of=R5)
    assert metric(at, "扶贫帮扶资金（万元）").value == f"{float(risk['total_wan']):,.2f}" == "14,689.98"
    assert metric(at, "红色项目资金（万元）").value == "3,350.00"  # P01 3000 + P05 200 + P08 150
    assert metric(at, "黄色项目资金（万元）").value == "1,000.00"  # P02
    assert metric(at, "风险资金占比").value == f"{risk['at_risk_share'] * 100:.1f}%" == "29.6%"
    exp = funding.funding_by_source_year(con, as_of=R5)
    f = fig(at, 0)
    names = [t["name"] for t in f["data"]]
    assert names == [glossary.FUND_SOURCE_SHORT[s] for s in exp["source"].drop_duplicates()]
    linkage = dict(zip(*(lambda t: (t["x"], t["y"]))(f["data"][names.index("衔接资金")])))
    assert linkage[2021] == 3200.0  # P01 2000 + P10 300 + P11 300 + P13 600
    assert sum(sum(t["y"]) for t in f["data"]) == float(exp["amount_wan"].sum())
    assert f["layout"]["xaxis"]["title"]["text"] == "资金年度"
    assert f["layout"]["yaxis"]["title"]["text"] == "金额（万元）"
    # no grade colours on a non-grade chart
    assert not {t["marker"]["color"] for t in f["data"]} & set(glossary.GRADE_COLORS.values())


def test_department_filter_and_by_unit(ledger_db, con):
    at = app_at(PAGE)
    at.multiselect(key="sb_depts").set_value(["区农业农村局"]).run()
    at.selectbox(key="fund_by").set_value("town").run()
    assert_ok(at)
    f = Filters(departments=("区农业农村局",))
    risk = funding.funds_at_risk(con, as_of=R5, filters=f)
    # 区农业农村局: P01 3000 + P02 1000 + P05 200 + P08 150 + P10 300 = 4650
    assert metric(at, "扶贫帮扶资金（万元）").value == f"{float(risk['total_wan']):,.2f}" == "4,650.00"
    units = funding.funding_by_unit(con, as_of=R5, filters=f, by="town")
    bars = fig(at, 1)
    shown = {(y, t["name"]): x for t in bars["data"] for y, x in zip(t["y"], t["x"])}
    expected = {(r["town"], glossary.FUND_SOURCE_SHORT[r["source"]]): float(r["amount_wan"]) for _, r in units.iterrows()}
    assert shown == expected
    assert bars["layout"]["yaxis"]["title"]["text"] == "乡镇"
    table = at.dataframe[1].value
    assert table["乡镇"].tolist() == units["town"].tolist()
    assert table["资金来源"].tolist() == [glossary.FUND_SOURCES[s] for s in units["source"]]
    # risk donut: red / yellow / the rest
    donut = fig(at, 2)["data"][0]
    assert donut["values"] == [float(risk["red_wan"]), float(risk["yellow_wan"]),
                               float(risk["total_wan"] - risk["at_risk_wan"])]
    # outcome by build year
    out = funding.outcome_by_year(con, as_of=R5, filters=f)
    ob = fig(at, 3)
    assert [t["name"] for t in ob["data"]] == ["红", "黄", "绿"]
    assert ob["data"][2]["y"] == [float(v) for v in out["green"]]
    assert at.dataframe[2].value["建设年度"].tolist() == out["build_year"].tolist()
