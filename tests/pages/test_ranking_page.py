"""单位排名与奖惩 page on the fixture: sliders feed a settings copy to analytics; the allocation is exact."""
from __future__ import annotations

import copy
import io

import openpyxl
import pytest

from analytics import ranking
from analytics.settings import get_settings
from tests.pages.conftest import app_at, assert_ok

PAGE = "5_单位排名与奖惩.py"


def _table(at, key_col: str, kind_units: set[str]):
    for d in at.dataframe:
        v = d.value
        if key_col in v.columns and set(v["单位"]) == kind_units:
            return v
    raise AssertionError("table not found")


def test_weight_slider_changes_scores_like_analytics(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    as_of = at.session_state["sb_round"]
    s = get_settings(con)
    default = ranking.unit_scores(con, as_of=as_of, settings=s)
    towns = set(default.loc[default["kind"] == "township", "unit"])
    shown = _table(at, "得分S", towns).set_index("单位")["得分S"]
    exp = default[default["kind"] == "township"].set_index("unit")["score"]
    assert all(abs(shown[u] - exp[u]) < 1e-9 for u in towns)

    at.slider(key="w_green_share").set_value(50).run()
    assert_ok(at)
    s2 = copy.deepcopy(s)
    s2["weights"]["green_share"] = 50
    moved = ranking.unit_scores(con, as_of=as_of, settings=s2)
    shown2 = _table(at, "得分S", towns).set_index("单位")
    exp2 = moved[moved["kind"] == "township"].set_index("unit")
    assert all(abs(shown2.loc[u, "得分S"] - exp2.loc[u, "score"]) < 1e-9 for u in towns)
    assert all(shown2.loc[u, "排名"] == exp2.loc[u, "rank"] for u in towns)
    assert any(abs(shown2.loc[u, "得分S"] - shown[u]) > 1e-9 for u in towns)   # the weight mattered
    # the settings in the database are untouched (sliders do not save)
    assert get_settings(con)["weights"]["green_share"] == 25

    at.button(key="reset_weights").click().run()
    assert_ok(at)
    assert at.slider(key="w_green_share").value == 25
    shown3 = _table(at, "得分S", towns).set_index("单位")["得分S"]
    assert all(abs(shown3[u] - exp[u]) < 1e-9 for u in towns)


def test_allocation_sums_to_budget_and_names_biggest_loser(ledger_db, con):
    at = app_at(PAGE)
    at.number_input(key="budget").set_value(1234.5678).run()   # → 12,345,678 元
    at.number_input(key="bottom_k").set_value(1).run()
    at.number_input(key="cut").set_value(3.0).run()
    assert_ok(at)
    alloc = next(d.value for d in at.dataframe if "分配额(元)" in d.value.columns)
    assert int(alloc["分配额(元)"].sum()) == 12_345_678
    assert int(alloc["基数(元)"].sum()) == 12_345_678
    # cross-check with analytics for the same inputs
    scores = ranking.unit_scores(con, as_of=at.session_state["sb_round"], settings=get_settings(con))
    exp = ranking.simulate_allocation(scores[scores["kind"] == "department"], budget_yuan=12_345_678,
                                      beta=0.5, cap=0.2, bottom_k=1, cut_yuan=30_000)
    assert alloc["分配额(元)"].tolist() == exp["alloc_yuan"].tolist()
    loser = exp.loc[exp["change_yuan"].idxmin()]
    text = f"按当前权重，减少最多的部门：**{loser['unit']}**（−{-int(loser['change_yuan']) / 10000:,.2f} 万元）"
    assert text in [m.value for m in at.markdown]


def test_uploaded_base_and_scenario_download(ledger_db, con, tmp_path):
    at = app_at(PAGE)
    csv = "单位,基数\n区农业农村局,500\n区林业局,300\n区水利局,200\n区商务局,0\n".encode("utf-8")
    at.get("file_uploader")[0].set_value(("base.csv", csv, "text/csv"))
    at.run()
    assert_ok(at)
    alloc = next(d.value for d in at.dataframe if "分配额(元)" in d.value.columns).set_index("单位")
    # budget 1000 万元 = 10,000,000 元; base 500:300:200:0 → 5,000,000 / 3,000,000 / 2,000,000 / 0
    assert alloc["基数(元)"].to_dict() == {"区农业农村局": 5_000_000, "区林业局": 3_000_000,
                                          "区水利局": 2_000_000, "区商务局": 0}
    assert int(alloc["分配额(元)"].sum()) == 10_000_000
    assert at.download_button(key="dl_scenario").label.startswith("下载本方案")


def test_scenario_workbook_has_two_sheets():
    import pandas as pd

    from ui.xlsx import scenario_xlsx

    params = pd.DataFrame([("预算总额（元）", 10_000_000), ("奖惩系数 β", 0.5)], columns=["参数", "值"])
    alloc = pd.DataFrame({"单位": ["甲", "乙"], "分配额(元)": [6_000_000, 4_000_000]})
    wb = openpyxl.load_workbook(io.BytesIO(scenario_xlsx(params, alloc)))
    assert wb.sheetnames == ["参数", "分配结果"]
    assert dict(list(wb["参数"].values)[1:]) == {"预算总额（元）": 10_000_000, "奖惩系数 β": 0.5}
    assert list(wb["分配结果"].values) == [("单位", "分配额(元)"), ("甲", 6_000_000), ("乙", 4_000_000)]


def test_sensitivity_chart(ledger_db):
    at = app_at(PAGE)
    at.selectbox(key="sens_metric").set_value("linkage").run()
    assert_ok(at)
    import json
    figs = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    sens = [f for f in figs if f["layout"]["xaxis"]["title"]["text"].startswith("联农带农")]
    assert sens, "sensitivity chart"
    # default linkage weight 10, 11 steps → 0, 2, ..., 20
    assert sens[0]["data"][0]["x"] == [float(x) for x in range(0, 21, 2)]



def test_score_explainer_formulas_and_one_unit(ledger_db, con):
    # #8.10: the formulas carry the current values; a chosen unit's parts sum to its S
    at = app_at(PAGE)
    assert_ok(at)
    md = " ".join(m.value for m in at.markdown)
    assert "当前权重合计 $\\sum w = 100$" in md and "绿色项目占比 25（25.0%）" in md
    latex = " ".join(x.value for x in at.latex)
    assert r"\beta=0.5" in latex and r"\text{cap}=0.2" in latex and "1.2" in latex and "0.8" in latex
    at.slider(key="w_green_share").set_value(50).run()   # Σ w = 125: shares follow
    md = " ".join(m.value for m in at.markdown)
    assert "当前权重合计 $\\sum w = 125$" in md and "绿色项目占比 50（40.0%）" in md
    s = get_settings(con)
    s2 = copy.deepcopy(s)
    s2["weights"]["green_share"] = 50
    scores = ranking.unit_scores(con, as_of=at.session_state["sb_round"], settings=s2)
    kind, unit = at.selectbox(key="explain_unit").value
    t = next(d.value for d in at.dataframe if "指标/扣分项" in d.value.columns)
    exp = scores[(scores["kind"] == kind) & (scores["unit"] == unit)].iloc[0]
    assert t["指标/扣分项"].tolist()[:2] == ["绿色项目占比", "整改按期完成"]
    assert abs(t["得分"].sum() - exp["score"]) < 1e-9 or exp["score"] in (0, 100)
    assert abs(t["得分"].iloc[0] - exp["contrib_green_share"]) < 1e-9


def test_penalty_basis_and_points_move_scores_like_analytics(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    as_of = at.session_state["sb_round"]
    s = get_settings(con)
    base = ranking.unit_scores(con, as_of=as_of, settings=s)
    # the fixture has units with penalties, or this test could not tell the bases apart
    assert (base["penalty"] > 0).any()
    at.radio(key="p_basis").set_value("per_100_projects").run()
    at.slider(key="p_reopened").set_value(10.0).run()
    assert_ok(at)
    s2 = {**copy.deepcopy(s), "penalty_basis": "per_100_projects", "penalty_reopened": 10.0}
    exp = ranking.unit_scores(con, as_of=as_of, settings=s2)
    for kind in ("department", "township"):
        e = exp[exp["kind"] == kind].set_index("unit")
        shown = _table(at, "得分S", set(e.index)).set_index("单位")
        assert all(abs(shown.loc[u, "得分S"] - e.loc[u, "score"]) < 1e-9 for u in e.index)
        assert all(abs(shown.loc[u, "扣分"] - e.loc[u, "penalty"]) < 1e-9 for u in e.index)
    # a penalised unit's penalty is now its points × 100 / its projects
    r = exp[exp["penalty"] > 0].iloc[0]
    assert r["penalty"] == pytest.approx((2.0 * r["overdue"] + 10.0 * r["reopened"]) * 100 / r["projects"])
    # the formula under the tables says so
    assert any("再乘以 100 ÷ 本单位在库项目数" in m.value for m in at.markdown)
    # the saved settings are untouched
    assert get_settings(con)["penalty_basis"] == "per_item"
