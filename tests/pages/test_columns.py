"""The column registry (ledger/columns.py) is complete and honest: every column any page shows has a
registered Chinese label and format, no table cell says None/nan/NaT/<NA>, and formats come from the
registry (变化率 is in percent points: 8.27 shows as 8.27 %, not 827 %)."""
from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from ledger import columns as C
from ledger import glossary
from tests.pages.conftest import ROOT, app_at, assert_ok

PAGES = sorted(p.name for p in (ROOT / "views").glob("*.py"))
BAD_TEXT = {"None", "nan", "NaN", "NaT", "<NA>", "null"}


def test_every_entry_has_a_chinese_label_and_a_known_format():
    for table, cols in C.TABLES.items():
        for code, col in cols.items():
            assert code.isascii(), (table, code)
            assert col.label and not col.label.isascii(), (table, code, col.label)
            assert col.fmt in C.FORMATS, (table, code, col.fmt)
            if col.fmt in ("code", "codes"):
                assert col.kinds and set(col.kinds) <= set(glossary.kinds()), (table, code, col.kinds)
            else:
                assert not col.kinds, (table, code)


def _tables(at) -> list[tuple[pd.DataFrame, dict, str | None]]:
    out = []
    for d in at.dataframe:
        cfg = json.loads(d.proto.columns) if d.proto.columns else {}
        out.append((d.value, cfg, d.proto.placeholder if d.proto.HasField("placeholder") else None))
    return out


def _check_tables(at, where: str) -> int:
    """Headers in Chinese (no code leaked), no None/nan/NaT/<NA> text in a cell, and a table with a
    missing value draws it with a placeholder (Streamlit's default placeholder is the word None)."""
    n = 0
    for df, _cfg, placeholder in _tables(at):
        n += 1
        for h in df.columns:
            assert not str(h).isascii(), f"{where}: header {h!r} is not a registered Chinese label"
        for h in df.columns:
            s = df[h]
            texts = {str(v) for v in s if isinstance(v, str)}
            assert not texts & BAD_TEXT, f"{where}: column {h} shows {texts & BAD_TEXT}"
            if s.isna().any():
                assert placeholder is not None and placeholder not in BAD_TEXT, \
                    f"{where}: column {h} has missing values drawn as 'None'"
    return n


# Widget variations so that every table a page can show is rendered at least once.
VARIANTS = [
    *[("2_风险分级.py", "risk_dim", d) for d in ("town", "department", "tier", "category", "build_year", "source")],
    *[("3_资金投向.py", "fund_by", b) for b in ("town", "department", "tier", "category")],
    ("10_附件3汇总.py", "annex3_by", "department"),
    ("5_单位排名与奖惩.py", "alloc_kind", "township"),
]


@pytest.mark.parametrize("page", PAGES)
def test_every_column_on_every_page_is_registered(ledger_db, page):
    # ledger_db sets LEDGER_STRICT_COLUMNS=1: an unregistered column raises in ui.tables
    at = app_at(page)
    assert_ok(at)
    _check_tables(at, page)
    for p, key, value in VARIANTS:
        if p != page:
            continue
        w = at.radio(key=key) if key in ("annex3_by", "alloc_kind") else at.selectbox(key=key)
        w.set_value(value).run()
        assert_ok(at)
        _check_tables(at, f"{page} {key}={value}")


def test_every_project_detail_is_registered(ledger_db):
    """项目详情 shows eight tables per project: render each fixture project once."""
    at = app_at("7_项目详情.py")
    codes = at.selectbox(key="detail_pick").options
    assert len(codes) >= 8
    for c in at.selectbox(key="detail_pick").options:
        at.selectbox(key="detail_pick").set_value(c.split()[0]).run()
        assert_ok(at)
        _check_tables(at, f"项目详情 {c}")


def test_change_pct_is_percent_points_on_screen_and_in_download(ledger_db, con):
    """单位排名与奖惩 allocation: change_pct is already ×100 (analytics), so the screen format must not
    multiply again. Uploaded base 500:300:200:0 of 1000 万元 → 区农业农村局's base is 5,000,000 元."""
    from analytics import ranking
    from analytics.settings import get_settings

    at = app_at("5_单位排名与奖惩.py")
    csv = "单位,基数\n区农业农村局,500\n区林业局,300\n区水利局,200\n区商务局,0\n".encode("utf-8")
    at.get("file_uploader")[0].set_value(("base.csv", csv, "text/csv"))
    at.run()
    assert_ok(at)
    alloc, cfg, _ = next(t for t in _tables(at) if "分配额(元)" in t[0].columns)
    assert cfg["变化率"]["type_config"]["format"] == "%.2f%%"   # 8.27 → "8.27%", not "percent" (827%)
    scores = ranking.unit_scores(con, as_of=at.session_state["sb_round"], settings=get_settings(con))
    exp = ranking.simulate_allocation(scores[scores["kind"] == "department"], budget_yuan=10_000_000,
                                      base_shares={"区农业农村局": 500, "区林业局": 300, "区水利局": 200,
                                                   "区商务局": 0}, beta=0.5, cap=0.2)
    shown = alloc.set_index("单位")["变化率"]
    for u, pct in zip(exp["unit"], exp["change_pct"]):
        if pct is None:
            assert pd.isna(shown[u])                     # base 0: no rate (drawn as —)
        else:
            assert shown[u] == pytest.approx(pct) and abs(pct) < 100
    assert cfg["基数份额"]["type_config"]["format"] == "percent"   # a 0..1 share


def test_download_has_number_formats_and_blank_missing_cells():
    from ui.tables import display_frame, formats
    from ui.xlsx import to_xlsx_bytes

    df = pd.DataFrame({"unit": ["甲", "乙"], "change_pct": [8.27, None], "on_time_rate": [0.5, None],
                       "funds_wan": [1234.5, 2.0], "days_left": pd.array([3, None], dtype="Int64"),
                       "met_on": [pd.Timestamp("2023-11-29").date(), None]})
    view = display_frame(df)
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(view, formats=formats(df))))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["单位", "变化率", "按期完成率", "扶贫帮扶资金(万元)", "剩余天数", "完成日"]
    row2 = ws[2]
    assert [c.number_format for c in row2[1:]] == ['0.00"%"', "0.0%", "#,##0.00", "0", "yyyy-mm-dd"]
    assert (row2[1].value, row2[2].value, row2[3].value, row2[4].value) == (8.27, 0.5, 1234.5, 3)
    assert [c.value for c in ws[3]][1:] == [None, None, 2.0, None, None]   # missing → empty cell
    assert ws.freeze_panes == "A2"
