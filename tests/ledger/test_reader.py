"""Reading real-looking ledgers: title rows, meta lines, merged headers, group/小计/合计/footer rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import xlwt

from ledger import reader as R
from conftest import progress_book, write_xlsx

D = Decimal


def _book(tmp_path: Path) -> Path:
    return progress_book(tmp_path / "贺街镇_附件1.xlsx", [
        ["一、贺街镇"],                                                                      # row 6: group
        [1, "贺街镇", "P001", "百香果基地", "2019年", "120万元", 100, "20", None, "35,000", "已完工", "正常运营", "2023.9.15"],
        [2, None, "P002", "养牛场", 2020, 50.5, "50.5", None, "—", 0, "在建", "未运营", 45184],  # B7:B8 merged
        ["小计", None, None, None, None, 170.5, 150.5, 20, None],                              # row 9
        ["合计", None, None, None, None, 170.5, 150.5, 21, None],                              # row 10: H is wrong
        [],                                                                                  # row 11
        ["填表人：张三", None, "审核人：李四", None, "联系电话：123"],                              # row 12
    ], extra_merges=["B7:B8"])


def test_layout_meta_and_two_row_header(tmp_path):
    (ps,), notes = R.parse_workbook(_book(tmp_path))
    assert notes == []
    assert ps.form == "progress"
    assert ps.header_rows == (4, 5)
    assert ps.meta["unit_text"] == "贺街镇人民政府"
    assert ps.meta["submitted_on"] == dt.date(2023, 10, 28)
    assert ps.meta["money_unit"] == "wan"
    cols = {c.field: (c.letter, c.header, c.yuan) for c in ps.columns}
    assert cols["fund_linkage"] == ("G", "资金来源(万元)|衔接资金", False)
    assert cols["fund_guangdong"] == ("H", "资金来源(万元)|粤桂协作", False)
    assert cols["enterprise_funds_wan"] == ("J", "企业出资(元)", True)   # header ends in 元 → column in 元
    assert cols["total_investment_wan"][0] == "F"


def test_rows_values_and_merged_town(tmp_path):
    (ps,), _ = R.parse_workbook(_book(tmp_path))
    assert [r["_row"] for r in ps.records] == [7, 8]
    r1, r2 = ps.records
    assert r1["total_investment_wan"] == D("120")           # "120万元"
    assert r1["fund_guangdong"] == D("20")                  # "20" as text
    assert r1["enterprise_funds_wan"] == D("3.5")           # "35,000" 元 / 10000 = 3.5 万元
    assert r1["build_year"] == 2019                          # "2019年"
    assert r1["planned_completion"] == dt.date(2023, 9, 15)  # "2023.9.15"
    assert r2["town"] == "贺街镇"                             # merged B7:B8 filled down
    assert r2["fund_donation"] is None                       # "—"
    assert r2["planned_completion"] == dt.date(2023, 9, 15)  # serial 45184
    assert (r2["build_status"], r2["op_status"]) == ("under_construction", "not_operating")


def test_skipped_rows_and_total_check(tmp_path):
    (ps,), _ = R.parse_workbook(_book(tmp_path))
    info = [(n["row"], n["message"]) for n in ps.notes if n["severity"] == "info"]
    assert info == [(6, "分组标题行，已跳过"), (9, "小计行，已跳过"), (10, "合计行，已跳过"), (11, "空行，已跳过"),
                    (12, "表尾说明行，已跳过")]
    assert ps.skipped == 5
    # 合计 H = 21 but rows 7-8 give 20 + nothing = 20; 小计 (20) agrees; F and G agree (120+50.5=170.5, 100+50.5=150.5)
    warn = [n for n in ps.notes if n["severity"] == "warning"]
    assert warn == [{"sheet": "附件1", "row": 10, "column": "H 资金来源(万元)|粤桂协作", "value": "21",
                     "message": "合计行与第7至8行的数据之和不符：填报 21，各行合计 20（万元）", "severity": "warning"}]


def test_three_row_header_units_row_and_yuan_line(tmp_path):
    rows = [
        ["风险排查表（截至2023年10月29日）"],
        ["填报单位：", "区农业农村局", None, "单位：元"],
        ["序号", "项目名称", "资金情况", None, None, "风险等级"],
        [None, None, "总投资", "资金来源", None, None],
        [None, None, None, "衔接资金", "其他", None],
        [1, 2, 3, 4, 5, 6],                                        # column numbering row
        [1, "茶叶加工厂", 1000000, 500000.5, "—", "🔴"],
        [2, "油茶基地", "2,000,000", "12345", None, "黄色"],
    ]
    merges = ["A3:A5", "B3:B5", "C3:E3", "C4:C5", "D4:E4", "F3:F5"]
    p = write_xlsx(tmp_path / "x.xlsx", {"Sheet1": rows}, {"Sheet1": merges})
    (ps,), _ = R.parse_workbook(p)
    assert ps.form == "risk"                                       # "风险排查" in the title
    assert ps.header_rows == (3, 5)
    assert ps.meta["unit_text"] == "区农业农村局" and ps.meta["money_unit"] == "yuan"
    cols = {c.field: (c.letter, c.header, c.yuan) for c in ps.columns}
    assert cols["total_investment_wan"] == ("C", "资金情况|总投资", True)
    assert cols["grade"] == ("F", "风险等级", False)
    assert [r["_row"] for r in ps.records] == [7, 8]
    assert (6, "表头下的单位/栏次行，已跳过") in [(n["row"], n["message"]) for n in ps.notes]
    # 1,000,000 元 = 100 万元; "2,000,000" 元 = 200 万元
    assert [r["total_investment_wan"] for r in ps.records] == [D("100"), D("200")]
    assert [r["grade"] for r in ps.records] == ["red", "yellow"]


def test_xls_written_with_xlwt(tmp_path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("附件1")
    ws.write(0, 0, "附件1 推进梳理表")
    ws.write(1, 0, "填报单位：信都镇人民政府  填报日期：2023年11月13日")
    for c, h in enumerate(["序号", "乡镇", "项目名称", "建设年度", "总投资", "衔接资金"]):
        ws.write(2, c, h)
    ws.write_merge(3, 4, 1, 1, "信都")        # merged town over two data rows
    for r, (name, year, tot, fund) in enumerate([("砂糖橘基地", 2021, 80.25, "80.25"), ("蜜蜂养殖", "2022年", "30", 12.5)]):
        ws.write(3 + r, 0, r + 1)
        ws.write(3 + r, 2, name)
        ws.write(3 + r, 3, year)
        ws.write(3 + r, 4, tot)
        ws.write(3 + r, 5, fund)
    p = tmp_path / "信都.xls"
    wb.save(str(p))
    (ps,), _ = R.parse_workbook(p)
    assert ps.form == "progress"
    assert [(r["town"], r["name"], r["build_year"], r["total_investment_wan"], r["fund_linkage"]) for r in ps.records] == [
        ("信都镇", "砂糖橘基地", 2021, D("80.25"), D("80.25")),
        ("信都镇", "蜜蜂养殖", 2022, D("30"), D("12.5")),
    ]
    assert ps.meta["submitted_on"] == dt.date(2023, 11, 13)


def test_no_cell_lost_when_column_turns_to_text(tmp_path):
    # 2,000 rows; 总投资 is a number in rows 1..1500 and text "x,xxx.5万元" after; each row i has amount i + 0.5
    header = ["序号", "项目编号", "项目名称", "建设年度", "总投资", "衔接资金"]
    data = []
    for i in range(1, 2001):
        amt = i + 0.5
        data.append([i, f"P{i:05d}", f"项目{i}", 2020, amt if i <= 1500 else f"{amt:,}万元", amt if i <= 1500 else str(amt)])
    p = write_xlsx(tmp_path / "big.xlsx", {"附件1": [["附件1"], header] + data})
    (ps,), _ = R.parse_workbook(p)
    assert len(ps.records) == 2000
    assert ps.raw == {}
    tot = sum(r["total_investment_wan"] for r in ps.records)
    # Σ(i + 0.5) for i=1..2000 = 2000*2001/2 + 1000 = 2001000 + 1000 = 2002000
    assert tot == D("2002000")
    assert sum(r["fund_linkage"] for r in ps.records) == D("2002000")
    assert ps.records[1500]["total_investment_wan"] == D("1501.5")
