"""数据导入 page: the import flow (ledger.uploads.run_import) and the page's display of it, on an empty database."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from analytics.imports import import_history
from ledger import db
from tests.ledger_book import ledger_book
from tests.pages.conftest import app_at, assert_ok
from ledger.uploads import problems_frame, run_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def blank_db(tmp_path, monkeypatch):
    """A fresh empty database file for this test (no sample bootstrap: the page must work empty)."""
    import streamlit as st

    import ledger.bootstrap as bootstrap

    p = tmp_path / "blank.duckdb"
    db.connect(p).close()
    monkeypatch.setattr(bootstrap, "ensure_database", lambda path=None: db.db_path(path))
    monkeypatch.setenv("LEDGER_DB", str(p))
    monkeypatch.setenv("LEDGER_STRICT_COLUMNS", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield p
    st.cache_data.clear()
    st.cache_resource.clear()


def _app_con():
    """A connection of this process to the app's database file (as the app opens it per run)."""
    from ui.connection import _connection
    from ledger.db import cursor as _cursor

    return _cursor(_connection(str(db.db_path())))


def _counts(con) -> tuple:
    return tuple(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                 for t in ("imports", "rounds", "progress_rows", "risk_rows", "funding_rows", "submissions"))


def test_import_history_bound_limit(tmp_path):
    from tests.fixture_db import fixture_connection

    con = fixture_connection()
    h = import_history(con, limit=3)
    # fixture: 5 rounds × 6 reporting units − 莲塘镇 R5 = 29 imports; newest first
    assert list(h["import_id"]) == [29, 28, 27]
    assert len(import_history(con)) == 29
    assert set(h.columns) >= {"file_name", "unit", "round_date", "rows_accepted", "warnings"}


def test_run_import_dry_run_then_real(tmp_path):
    con = db.connect(tmp_path / "x.duckdb")
    good = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx").read_bytes()
    out = run_import(con, [("南乡镇_2023-12-14.xlsx", good)], dry_run=True)
    r = out[0].result
    # 2 projects in 附件1 + 2 in 附件2 = 4 records; nothing written by the dry run
    assert (r.status, r.accepted, r.rejected, r.unit, r.round_date) == ("accepted", 4, 0, "南乡镇", date(2023, 12, 14))
    assert _counts(con) == (0, 0, 0, 0, 0, 0)
    assert [k.split("（")[1] for k in out[0].preview] == ["附件1 推进梳理表）", "附件2 风险排查表）"]
    assert list(out[0].preview["附件2 风险排查表（附件2 风险排查表）"]["项目编号"]) == ["P13", "P14"]
    out = run_import(con, [("南乡镇_2023-12-14.xlsx", good)], dry_run=False, imported_by="test")
    assert out[0].result.status == "accepted"
    # 1 import, 1 round, 2 progress rows, 2 risk rows, 2 funding lines (linkage 600, 120), 1 submission
    assert _counts(con) == (1, 1, 2, 2, 2, 1)
    assert import_history(con)["file_name"].tolist() == ["南乡镇_2023-12-14.xlsx"]  # original name kept


def test_page_empty_db_shows_uploader_and_no_traceback(blank_db):
    at = app_at("8_数据导入.py")
    assert_ok(at)
    assert at.title[0].value == "数据导入"
    assert len(at.get("file_uploader")) == 1


def test_page_accepts_valid_ledger_on_empty_db(blank_db, tmp_path):
    data = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx").read_bytes()
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(("南乡镇_2023-12-14.xlsx", data, XLSX))
    at.run()
    assert_ok(at)
    prev = at.dataframe[0].value
    assert prev.loc[0, ["文件", "结果", "填报单位", "有效行", "错误"]].tolist() == \
        ["南乡镇_2023-12-14.xlsx", "可导入", "南乡镇", 4, 0]
    assert _counts(_app_con()) == (0, 0, 0, 0, 0, 0)  # the preview is a dry run
    btn = at.button(key="confirm_import")
    assert not btn.disabled
    btn.click().run()
    assert_ok(at)
    assert any("已导入 1 个文件" in s.value and "2023-12-14" in s.value for s in at.success)
    assert _counts(_app_con()) == (1, 1, 2, 2, 2, 1)
    # the new round is in force for every page: the banner names it
    assert any("2023-12-14" in c.value for c in at.caption)
    hist = [df for df in (d.value for d in at.dataframe) if "文件名" in df.columns][0]
    assert hist["文件名"].tolist() == ["南乡镇_2023-12-14.xlsx"]


def test_page_rejects_broken_ledger_and_db_unchanged(blank_db, tmp_path):
    # second project's 风险等级 is "紫": Excel row 5 (title, unit line, header, P13, P14), column I
    data = ledger_book(tmp_path / "bad.xlsx", grade_override={1: "紫"}).read_bytes()
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(("南乡镇_2023-12-14.xlsx", data, XLSX))
    at.run()
    assert_ok(at)
    assert at.dataframe[0].value.loc[0, ["结果", "错误行", "错误"]].tolist() == ["拒绝", 1, 1]
    # #8.14: "有错误" is its own message, naming the first problem
    assert [e.value for e in at.error] == [
        "南乡镇_2023-12-14.xlsx：有错误，不能导入（数据库未改动）。首要问题：附件2 风险排查表，第5行，I 风险等级列：无法识别的风险等级：紫（紫）"]
    assert not any("与上次导入的文件相同" in i.value for i in at.info)
    probs = [d.value for d in at.dataframe if "严重程度" in d.value.columns][0]
    assert probs.to_dict("records") == [{
        "文件": "南乡镇_2023-12-14.xlsx", "工作表": "附件2 风险排查表", "行": 5, "列": "I 风险等级", "值": "紫",
        "问题": "无法识别的风险等级：紫", "严重程度": "错误"}]
    assert at.button(key="confirm_import").disabled
    assert at.download_button(key="dl_import_problems") is not None
    assert _counts(_app_con()) == (0, 0, 0, 0, 0, 0)


def test_problems_frame_xlsx_roundtrip(tmp_path):
    from ui.tables import display_frame
    from ui.xlsx import to_xlsx_bytes

    con = db.connect(tmp_path / "y.duckdb")
    data = ledger_book(tmp_path / "bad.xlsx", grade_override={0: "紫", 1: "蓝"}).read_bytes()
    out = run_import(con, [("bad.xlsx", data)], dry_run=True, unit="南乡镇", round_date=date(2023, 12, 14))
    df = display_frame(problems_frame(out))
    assert df[["行", "值"]].values.tolist() == [[4, "紫"], [5, "蓝"]]
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df)))
    rows = list(wb.active.values)
    assert rows[0] == ("文件", "工作表", "行", "列", "值", "问题", "严重程度")
    assert len(rows) == 3


def test_import_moves_sidebar_to_new_round(own_db, tmp_path):
    from datetime import date

    data = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx").read_bytes()
    at = app_at("8_数据导入.py")
    assert at.session_state["sb_round"] == date(2023, 11, 29)      # R5 in force
    at.get("file_uploader")[0].set_value(("南乡镇_2023-12-14.xlsx", data, XLSX))
    at.run()
    at.button(key="confirm_import").click().run()
    assert_ok(at)
    assert at.session_state["sb_round"] == date(2023, 12, 14)
    assert any("第6期（2023-12-14）" in c.value for c in at.caption)
    at.switch_page("views/6_填报情况.py").run()
    assert_ok(at)
    assert any("2023-12-14" in c.value for c in at.caption)


def test_import_history_counts_warnings_not_info_notes():
    from tests.fixture_db import fixture_connection

    con = fixture_connection()
    # the newest import (29) stored one skipped-row note (info) and one real warning → 1 warning
    con.execute("""UPDATE imports SET warnings_json = '[{"severity": "info"}, {"severity": "warning"}]'
                   WHERE import_id = 29""")
    h = import_history(con, limit=1)
    assert int(h.loc[0, "warnings"]) == 1
    assert list(h.loc[0, "forms"]) == ["progress", "risk"]


def test_after_import_preview_clears_and_says_what(blank_db, tmp_path):
    # #8.14: after the import the uploader is empty (no preview, no 问题清单) and the message names the file,
    # unit, round and projects: ledger_book has P13, P14 in 附件1 and 附件2 → 2 projects, 2 + 2 = 4 rows
    data = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx").read_bytes()
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(("南乡镇_2023-12-14.xlsx", data, XLSX))
    at.run()
    assert any(s.value == "预检结果" for s in at.subheader)
    at.button(key="confirm_import").click().run()
    assert_ok(at)
    assert [s.value for s in at.success] == [
        "已导入 1 个文件（报送期次 2023-12-14），各页面已更新：\n- 南乡镇_2023-12-14.xlsx：南乡镇，第1期 2023-12-14，2 个项目（4 行）"]
    assert not any(s.value in ("预检结果",) or s.value.startswith("问题清单") for s in at.subheader)
    assert at.get("file_uploader")[0].value in (None, [])
    assert [b.key for b in at.button] == ["auth_logout"]  # no 确认导入 button without files (退出登录 is the sidebar's)
    # another rerun does not bring the message or a preview back
    at.run()
    assert not at.success and not any(s.value == "预检结果" for s in at.subheader)


def test_same_file_again_is_unchanged_not_error(blank_db, tmp_path):
    # #8.14: the same bytes again (same sha256 as the import in the store) → "与上次导入的文件相同", no error message
    data = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx").read_bytes()
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(("南乡镇_2023-12-14.xlsx", data, XLSX))
    at.run()
    at.button(key="confirm_import").click().run()
    at.get("file_uploader")[0].set_value(("南乡镇_2023-12-14.xlsx", data, XLSX))
    at.run()
    assert_ok(at)
    assert at.dataframe[0].value.loc[0, "结果"] == "未变化（与上次导入相同）"
    assert [i.value for i in at.info if "与上次导入的文件相同" in i.value] == [
        "南乡镇_2023-12-14.xlsx：与上次导入的文件相同（南乡镇 2023-12-14 已导入过完全相同的文件），无需再导入。"]
    assert not at.error
    assert at.button(key="confirm_import").disabled
    assert _counts(_app_con()) == (1, 1, 2, 2, 2, 1)


def test_warnings_and_notes_collapsed_with_severity_filter(blank_db, tmp_path):
    # #8.14: errors first and open; 警告/提示 in a closed expander whose multiselect filters by severity.
    # The file of 区茶叶协会 (not a known unit: 1 warning; it also fills the 乡镇 column of the 2 + 2 rows: 4
    # warnings 未知的乡镇) with P14 graded "紫" (1 error) and a 填表人 footer under 附件1 (1 提示: 表尾说明行)
    path = ledger_book(tmp_path / "bad.xlsx", grade_override={1: "紫"}, unit="区茶叶协会")
    wb = openpyxl.load_workbook(path)
    wb["附件1 推进梳理表"].append(["填表人：张三"])
    buf = io.BytesIO()
    wb.save(buf)
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(("南乡镇_2023-12-13.xlsx", buf.getvalue(), XLSX))
    at.run()
    assert_ok(at)
    heads = [s.value for s in at.subheader]
    assert "问题清单（错误 1 条）" in heads
    errors = next(d.value for d in at.dataframe if "严重程度" in d.value.columns)   # the first problem table
    assert errors["严重程度"].tolist() == ["错误"] and errors["值"].tolist() == ["紫"]
    exp = [e for e in at.expander if e.label.startswith("警告与提示")]
    assert [e.label for e in exp] == ["警告与提示（警告 5 条，提示 1 条）"] and exp[0].proto.expanded is False

    def notes():
        return [d.value for d in at.dataframe if "严重程度" in d.value.columns][1]

    assert notes()["严重程度"].tolist() == ["警告"] * 5 + ["提示"]
    at.multiselect(key="import_note_sev").set_value(["info"]).run()
    assert notes()["问题"].tolist() == ["表尾说明行，已跳过"]
    at.multiselect(key="import_note_sev").set_value(["warning"]).run()
    assert notes()["问题"].tolist() == ["填报单位“区茶叶协会”不在乡镇(街道)和常见主管部门名单中"] + \
        ["未知的乡镇(街道)：区茶叶协会（不作为新乡镇，乡镇留空）"] * 4


def test_preview_rows_show_labels_not_codes(tmp_path):
    """#8.11: the 前几行 preview of a ledger shows the registry's Chinese labels, not stored codes."""
    from pathlib import Path

    from ledger.uploads import preview_rows

    root = Path(__file__).resolve().parents[2] / "data" / "sample" / "ledgers"
    f = sorted(root.rglob("*.xlsx"))[0]
    frames = preview_rows(f)
    risk = next(df for k, df in frames.items() if "附件2" in k)
    # the sample's first 附件2 rows are graded green: shown as 绿, and no raw code anywhere in the preview
    assert "绿" in set(risk["风险等级"])
    codes = {"green", "yellow", "red", "normal", "accepted", "consolidate", "True", "False"}
    for df in frames.values():
        cells = {str(v) for col in df.columns for v in df[col]}
        assert not cells & codes, cells & codes
