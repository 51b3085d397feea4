"""填报情况 page on the fixture."""
from __future__ import annotations

from analytics import compliance
from tests.pages.conftest import app_at, assert_ok, fig, metric

PAGE = "6_填报情况.py"


def _cell(f, unit, due):
    tr = f["data"][0]
    return tr["text"][tr["y"].index(unit)][tr["x"].index(due)]


def test_grid_shows_late_and_missing(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    f = fig(at, 0)
    assert f["data"][0]["type"] == "heatmap"
    assert _cell(f, "步头镇", "2023-11-14") == "逾期（2天）"   # R4 submitted 11-16
    assert _cell(f, "莲塘镇", "2023-11-29") == "未报"          # no R5 report
    assert _cell(f, "贺街镇", "2023-11-29") == "按时"
    # blue/orange/grey, never the grade colours
    colors = {c for _, c in f["data"][0]["colorscale"]}
    assert colors == {"#4c78a8", "#f58518", "#9d9d9d"}
    # running totals (累计) — 6 reporting units × 5 due dates = 30: 28 on time, 1 late, 1 missing
    assert (metric(at, "累计按时").value, metric(at, "累计逾期").value, metric(at, "累计未报").value) == \
        ("28 次", "1 次", "1 次")
    # this round (R5 11-29): 莲塘镇 missing, five on time
    assert (metric(at, "本期按时").value, metric(at, "本期逾期").value, metric(at, "本期未报").value) == \
        ("5 个单位", "0 个单位", "1 个单位")


def _table(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_round_status_list_late_filer_and_contact(own_db):
    # #8.1: at R4 步头镇 filed 11-16 for 11-14 → 逾期2天 (never 未报), first; contacts from 设置, "—" when unknown
    from datetime import date

    from ledger.settings import set_setting
    from ui.connection import _connection
    from ledger.db import cursor as _cursor

    set_setting(_cursor(_connection(str(own_db))), "unit_contacts", {"步头镇": "李四 0774-1234567"})
    at = app_at(PAGE)
    at.selectbox(key="sb_round").set_value(date(2023, 11, 14)).run()
    assert_ok(at)
    t = _table(at, "本期报送情况")
    assert t.columns.tolist() == ["单位", "单位类型", "本期报送情况", "填报日期", "联系人/电话"]
    assert t.iloc[0].tolist()[:3] == ["步头镇", "乡镇(街道)", "逾期2天"]
    assert t.iloc[0]["联系人/电话"] == "李四 0774-1234567"
    assert t["本期报送情况"].tolist() == ["逾期2天"] + ["按时"] * 5
    assert set(t["联系人/电话"][1:]) == {"—"}
    assert metric(at, "本期逾期").value == "1 个单位"
    # the 设置 page shows the registered line
    at.switch_page("views/9_设置.py").run()
    assert_ok(at)
    assert "步头镇=李四 0774-1234567" in at.text_area(key="set_unit_contacts").value


def test_rollup_table_matches_analytics(ledger_db, con):
    at = app_at(PAGE)
    roll = compliance.compliance_rollup(con, as_of=at.session_state["sb_round"])
    shown = _table(at, "按时率")
    assert shown["单位"].tolist() == roll["unit"].tolist()
    assert shown["未报"].tolist() == roll["missing"].tolist()
    row = shown.set_index("单位").loc["步头镇"]
    assert (row["按时"], row["逾期"], row["未报"]) == (4, 1, 0)   # 4/5 = 0.8
    assert abs(row["按时率"] - 0.8) < 1e-9


def test_round_diff_counts_at_r4(ledger_db, con):
    at = app_at(PAGE)
    from datetime import date
    at.selectbox(key="sb_round").set_value(date(2023, 11, 14)).run()
    assert_ok(at)
    # R4 vs R3: P02 new; P04 regraded 黄→绿; P05 regraded 绿→红
    assert metric(at, "新增项目").value == "1 个"
    assert metric(at, "等级变化").value == "2 个"
    diff = next(d.value for d in at.dataframe if "变化" in d.value.columns)
    assert sorted(zip(diff["项目编号"], diff["变化"])) == [("P02", "新增项目"), ("P04", "等级变化"), ("P05", "等级变化")]
