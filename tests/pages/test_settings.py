"""设置 page: every setting shown; save and reset write the settings table and every page recomputes."""
from __future__ import annotations

import pytest

from analytics import tiers
from analytics.settings import DEFAULTS, LABELS, get_settings
from tests.fixture_db import R5
from tests.pages.conftest import app_at, assert_ok


def _con(path):
    from ui.connection import _connection
    from ledger.db import cursor as _cursor

    return _cursor(_connection(str(path)))


def test_all_settings_listed(ledger_db):
    at = app_at("9_设置.py")
    assert_ok(at)
    table = at.dataframe[0].value
    # every setting once, under its Chinese label, in the order of DEFAULTS; no internal codes on screen
    assert table.columns.tolist() == ["设置项", "当前值", "默认值", "已修改"]
    assert table["设置项"].tolist() == [LABELS[k] for k in DEFAULTS]
    assert len(set(LABELS.values())) == len(DEFAULTS)
    shown = " ".join(str(v) for v in table.to_numpy().ravel())
    assert not any(c in shown for c in ("funds", "total_investment", "green_share", "construction_accepted",
                                      "per_item", "per_100_projects"))
    assert set(table["已修改"]) == {""}


def test_save_changes_tiers_on_other_pages_then_reset(own_db):
    at = app_at("9_设置.py")
    at.number_input(key="set_tier_upper_wan").set_value(2999)
    at.number_input(key="set_w_green_share").set_value(40)
    at.button(key="set_save").click().run()
    assert_ok(at)
    con = _con(own_db)
    s = get_settings(con)
    assert s["tier_upper_wan"] == 2999 and s["weights"]["green_share"] == 40
    assert any("已保存 2 项设置" in m.value for m in at.success)
    # P03 (2999.99 万元, first graded 红) is now ≥ 2999 → 自治区督办: 2 region projects
    at.switch_page("views/2_风险分级.py").run()
    assert_ok(at)
    counts = at.dataframe[2].value
    exp = tiers.tier_counts(con, as_of=R5, settings=s)
    assert counts["项目数"].tolist() == exp["projects"].tolist()
    assert counts["项目数"].tolist()[0] == 2
    at.switch_page("views/9_设置.py").run()
    at.button(key="set_reset").click().run()
    assert_ok(at)
    assert get_settings(_con(own_db)) == DEFAULTS
    assert at.number_input(key="set_tier_upper_wan").value == 3000


def test_penalty_basis_saved_shown_by_label_and_used_by_the_ranking(own_db):
    from analytics import ranking
    from ledger import glossary

    at = app_at("9_设置.py")
    at.selectbox(key="set_penalty_basis").set_value("per_100_projects")
    at.button(key="set_save").click().run()
    assert_ok(at)
    con = _con(own_db)
    s = get_settings(con)
    assert s["penalty_basis"] == "per_100_projects"
    assert any("已保存 1 项设置" in m.value for m in at.success)
    row = at.dataframe[0].value.set_index("设置项").loc[LABELS["penalty_basis"]]
    assert (row["当前值"], row["已修改"]) == (glossary.PENALTY_BASIS["per_100_projects"], "是")
    # the ranking page starts from the saved basis: its scores are those of the stored settings
    at.switch_page("views/5_单位排名与奖惩.py").run()
    assert_ok(at)
    assert at.radio(key="p_basis").value == "per_100_projects"
    exp = ranking.unit_scores(con, as_of=at.session_state["sb_round"], settings=s)
    pen = exp[exp["penalty"] > 0].iloc[0]   # the fixture has a penalised unit: its points are per 100 projects
    assert pen["penalty"] == pytest.approx((2.0 * pen["overdue"] + 5.0 * pen["reopened"]) * 100 / pen["projects"])
