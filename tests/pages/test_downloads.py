"""#8.12: every 下载 Excel opens with its title, 数据截至 第N期（date）and the filters; Chinese headers,
number formats from the registry, frozen header, widths, print setup; the date in the file name.

The page's download buttons are captured (st.download_button is patched for the run) and their data
opened with openpyxl."""
from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
import streamlit as st

from tests.pages.conftest import app_at, assert_ok


@pytest.fixture
def downloads(monkeypatch):
    """{key: (file_name, workbook)} of every download button rendered in the runs of the test."""
    got = {}
    real = st.download_button

    def capture(label, data=None, file_name=None, **kw):
        got[kw.get("key")] = (file_name, data)
        return real(label, data=data, file_name=file_name, **kw)

    monkeypatch.setattr(st, "download_button", capture)

    def get(key):
        name, data = got[key]
        raw = data() if callable(data) else data
        return name, openpyxl.load_workbook(io.BytesIO(raw))

    return get


def test_table_download_title_formats_freeze_print(ledger_db, downloads):
    at = app_at("6_填报情况.py")
    at.multiselect(key="sb_towns").set_value(["步头镇"]).run()
    assert_ok(at)
    name, wb = downloads("dl_compliance_rollup")
    assert name == "报送情况汇总_2023-11-29.xlsx"
    ws = wb.active
    assert ws["A1"].value == "报送情况汇总" and ws["A1"].font.bold
    assert ws["A2"].value == "数据截至 第5期（2023-11-29）；筛选范围：乡镇：步头镇"
    assert [c.value for c in ws[3]] == ["单位", "单位类型", "按时", "逾期", "未报", "应报次数", "按时率"]
    # 步头镇: 4 on time, 1 late of 5 → 0.8, a share shown as a percentage
    assert [c.value for c in ws[4]] == ["步头镇", "乡镇(街道)", 4, 1, 0, 5, 0.8]
    assert ws["G4"].number_format == "0.0%" and ws["C4"].number_format == "0"
    assert ws.freeze_panes == "A4"                      # title, subtitle and header stay visible
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    # fit to one page wide: XlsxWriter leaves out fitToWidth="1", the OOXML default (ECMA-376 §18.3.1.63)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
    assert ws.page_setup.fitToHeight == 0
    assert ws.column_dimensions["A"].width >= 8

    # dates are dates: the per-round detail's 报送期次 / 填报日期
    _, wb = downloads("dl_submission_detail")
    ws = wb.active
    head = [c.value for c in ws[3]]
    assert head[:4] == ["单位", "单位类型", "报送期次", "填报日期"]
    assert isinstance(ws["C4"].value, datetime) and ws["C4"].value.date() == date(2023, 9, 29)
    assert ws["C4"].number_format == "yyyy-mm-dd"


def test_money_download_and_unfiltered_scope(ledger_db, downloads):
    # 期次变化 at R4 (vs R3): P02 new with 1000 万元 (the fixture's note in test_submissions)
    at = app_at("6_填报情况.py")
    at.selectbox(key="sb_round").set_value(date(2023, 11, 14)).run()
    assert_ok(at)
    name, wb = downloads("dl_round_diff")
    assert name == "期次变化_2023-11-14.xlsx"
    ws = wb.active
    assert ws["A2"].value == "数据截至 第4期（2023-11-14）；筛选范围：全部项目（未筛选）"
    head = [c.value for c in ws[3]]
    col = head.index("本期资金(万元)") + 1
    cell = ws.cell(row=4, column=col)
    assert ws.cell(row=4, column=1).value == "P02" and cell.value == 1000
    assert cell.number_format == "#,##0.00"


def test_scenario_download_has_title_and_formats(ledger_db, downloads):
    at = app_at("5_单位排名与奖惩.py")
    assert_ok(at)
    name, wb = downloads("dl_scenario")
    assert name == "分配模拟方案_2023-11-29.xlsx"
    ws = wb["分配结果"]
    assert ws["A1"].value == "衔接资金分配模拟方案"
    assert ws["A2"].value.startswith("数据截至 第5期（2023-11-29）")
    head = [c.value for c in ws[3]]
    assert head[:3] == ["排名", "单位", "得分S"] and "变化率" in head
    assert ws.cell(row=4, column=head.index("基数份额") + 1).number_format == "0.0%"
    assert ws.cell(row=4, column=head.index("分配额(元)") + 1).number_format == "#,##0"
    assert ws.freeze_panes == "A4"


def test_annex3_print_setup_font_and_two_decimals(ledger_db, downloads):
    at = app_at("10_附件3汇总.py")
    assert_ok(at)
    name, wb = downloads("dl_annex3_official")
    assert name.endswith("_2023-11-29_乡镇(街道).xlsx")
    ws = wb.active
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0                  # as many pages down as needed
    assert ws.print_title_rows == "$1:$4"                    # 附件3, title, 填报单位 line, header on every page
    assert ws.freeze_panes == "B5"
    head = [c.value for c in ws[4]]
    money = ws.cell(row=5, column=head.index("扶贫帮扶资金(万元)") + 1)
    assert money.number_format == "#,##0.00"
    assert ws["A2"].font.name == "黑体" and ws["A5"].font.name == "宋体" and ws["A4"].font.bold
