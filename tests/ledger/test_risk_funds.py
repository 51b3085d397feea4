"""A 风险排查表 laid out like one seen in the wild (/tmp/unseen/mk.py): fund sources under a merged
"资金来源" header, amounts in 元, merged 乡镇 cells, a group row, a 合计 row and a footer. Its fund
columns must reach funding_rows and the summary; no headed column may be dropped without a warning."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl

from ledger import importer
from conftest import write_xlsx

D = Decimal
LINKAGE, GUANGDONG, LOTTERY = "各级财政衔接推进乡村振兴补助资金", "广东帮扶广西财政协作资金", "彩票公益金"


def lt_book(path, *, total_linkage=1288889.38, extra_headers=(), extra_cells=(), code2="LT-002"):
    """The unseen ledger, cell for cell; ``extra_headers``/``extra_cells`` add columns after L."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "风险排查表"
    pad = [None] * len(extra_headers)
    ws.append(["八步区扶贫资金帮扶资金产业项目风险排查台账"])
    ws.merge_cells("A1:L1")
    ws.append(["填报单位：八步区莲塘镇人民政府", None, None, None, "填报时间：2024年3月13日", None, None, None,
               "单位：元"])
    ws.append(["序号", "所属乡镇", "项目编码", "项目名称", "建设年度", "主管单位", "资金来源", None, None, "风险等级",
               "问题类型", "认定时间", *extra_headers])
    ws.append([None, None, None, None, None, None, "衔接资金", "粤桂协作资金", "彩票公益金", None, None, None, *pad])
    ws.merge_cells("G3:I3")
    for c in "ABCDEFJKL":
        ws.merge_cells(f"{c}3:{c}4")
    ws.append(["一、莲塘镇"])
    ws.append([1, "莲塘", "LT-001", "莲塘镇测试茶园", "2019年", "区农业农村局", "1,200,000.50", "300000", "—", "红色",
               "建而不成、用而不好", "2023年9月15日", *extra_cells])
    ws.append([2, None, code2, "莲塘镇测试鸡场", 2021, "莲塘镇人民政府", "88888.88", "/", 1000, "🟢", "无",
               "2023.9.20", *extra_cells])
    ws.merge_cells("B6:B7")
    ws.append(["合计", None, None, None, None, None, total_linkage, 300000, 1000])
    ws.append(["填表人：张三", None, "审核人：李四", None, "联系电话：0774-1234567"])
    wb.save(path)
    return path


def _not_info(res):
    return [(p["row"], p["column"], p["value"], p["message"], p["severity"]) for p in res.problems
            if p["severity"] != "info"]


def test_risk_sheet_fund_sources_reach_funding_rows_and_summary(con, tmp_path):
    res = importer.import_file(con, lt_book(tmp_path / "lt.xlsx"))
    assert (res.status, res.accepted, res.skipped, res.rejected) == ("accepted", 2, 3, 0)
    assert (res.forms, res.unit, res.round_date) == (["risk"], "莲塘镇", date(2024, 3, 14))
    assert _not_info(res) == []                       # every column mapped, the 合计 row adds up
    # 单位：元 → 万元 exactly; fund_year = 建设年度 (no 资金年度 column); "—" and "/" are empty
    assert con.execute("SELECT project_code, source, fund_year, amount_wan FROM funding_rows ORDER BY ALL"
                       ).fetchall() == [
        ("LT-001", "guangdong", 2019, D("30")), ("LT-001", "linkage", 2019, D("120.000050")),
        ("LT-002", "linkage", 2021, D("8.888888")), ("LT-002", "lottery", 2021, D("0.1"))]
    s = importer.summary(con)
    # 衔接资金 1,200,000.50 元 = 120.000050 万元 + 88,888.88 元 = 8.888888 万元 → 128.888938 万元
    # 粤桂协作资金 300,000 元 = 30 万元; 彩票公益金 1,000 元 = 0.1 万元
    # total 128.888938 + 30 + 0.1 = 158.988938 万元
    assert s["funds_wan"][LINKAGE] == 128.888938
    assert s["funds_wan"][GUANGDONG] == 30.0
    assert s["funds_wan"][LOTTERY] == 0.1
    assert sum(v for k, v in s["funds_wan"].items() if k not in (LINKAGE, GUANGDONG, LOTTERY)) == 0
    assert s["total_funds_wan"] == 158.988938
    assert (s["projects"], s["grades"]) == (2, {"red": 1, "yellow": 0, "green": 1})


def test_risk_sheet_wrong_total_row_is_named(con, tmp_path):
    res = importer.import_file(con, lt_book(tmp_path / "lt.xlsx", total_linkage=1288890.38))
    assert res.status == "accepted"
    # rows 6+7 = 1,288,889.38 元 = 128.888938 万元; written 1,288,890.38 元 = 128.889038 万元
    assert _not_info(res) == [
        (8, "G 资金来源|衔接资金", "1288890.38",
         "合计行与第6至7行的数据之和不符：填报 128.889038，各行合计 128.888938（万元）", "warning")]


def test_unrecognised_columns_are_reported_not_dropped_silently(con, tmp_path):
    headers = ("备注说明", None, "（万元）", "1", "序号", "单位：元")
    cells = ("已约谈企业", "x", None, None, None, None)
    res = importer.import_file(con, lt_book(tmp_path / "lt.xlsx", extra_headers=headers, extra_cells=cells))
    assert res.status == "accepted"
    # M carries data the risk form has no field for; N (no header), O (units note), P (栏次 number),
    # Q (序号-like, already mapped from A) and R (units note) are decorative
    assert _not_info(res) == [(3, "M 备注说明", "备注说明", "未识别的列“备注说明”，该列数据未导入", "warning")]


def test_unrecognised_sub_header_names_its_group_and_header_row(tmp_path):
    from ledger import reader as R
    rows = [["附件2 风险排查表（2023年10月29日）"], ["填报单位：贺街镇"],
            ["序号", "项目编号", "项目名称", "风险等级", "资金来源（万元）", None],
            [None, None, None, None, "衔接资金", "其他资金"],
            [1, "P1", "茶园", "红", 10, 5]]
    p = write_xlsx(tmp_path / "r.xlsx", {"附件2": rows}, {"附件2": ["A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3"]})
    sheets, _ = R.parse_workbook(p)
    assert [(n["row"], n["column"], n["message"], n["severity"]) for n in sheets[0].notes
            if n["severity"] == "warning"] == [
        (4, "F 资金来源(万元)|其他资金", "未识别的列“资金来源(万元)|其他资金”，该列数据未导入", "warning")]


def _both_forms(path, risk_linkage):
    prog = [["附件1 推进梳理表（2023年10月29日）"], ["填报单位：贺街镇    单位：万元"],
            ["序号", "项目编号", "项目名称", "建设年度", "资金年度", "总投资", "衔接资金", "粤桂协作"],
            [1, "P1", "茶园", 2019, 2019, 100, 40, 10],
            [2, "P1", "茶园", 2019, 2020, 100, 20, None]]
    risk = [["附件2 风险排查表（2023年10月29日）"], ["填报单位：贺街镇    单位：万元"],
            ["序号", "项目编号", "项目名称", "建设年度", "总投资", "衔接资金", "粤桂协作", "风险等级"],
            [1, "P1", "茶园", 2019, 100, risk_linkage, 10, "黄"],
            [2, "P2", "鸡场", 2020, 50, 30, None, "绿"]]
    return write_xlsx(path, {"附件1": prog, "附件2": risk})


def test_progress_amounts_win_over_differing_risk_amounts(con, tmp_path):
    res = importer.import_file(con, _both_forms(tmp_path / "贺街.xlsx", risk_linkage=70))
    assert res.status == "accepted"
    # P1: 附件1 衔接 40 (2019) + 20 (2020) = 60 ≠ 附件2's 70 → 附件1 kept, warning at 附件2 F4; 粤桂 10 = 10
    assert _not_info(res) == [
        (4, "F 衔接资金", "70", "项目 P1 的各级财政衔接推进乡村振兴补助资金与附件1（附件1第4行）不一致：本表 70 万元，"
                               "附件1 60 万元，以附件1为准", "warning")]
    # P2 has no 附件1 row: its 附件2 amounts are its funding (fund year = 建设年度 2020)
    assert con.execute("SELECT project_code, source, fund_year, amount_wan FROM funding_rows ORDER BY ALL"
                       ).fetchall() == [
        ("P1", "guangdong", 2019, D("10")), ("P1", "linkage", 2019, D("40")), ("P1", "linkage", 2020, D("20")),
        ("P2", "linkage", 2020, D("30"))]
    assert importer.summary(con)["total_funds_wan"] == 100.0      # 40 + 20 + 10 + 30
    res = importer.import_file(con, _both_forms(tmp_path / "贺街v2.xlsx", risk_linkage=60))
    assert _not_info(res) == []                                    # same amounts: nothing to report


def test_risk_only_file_keeps_the_imported_progress_funding(con, tmp_path):
    prog = [["附件1 推进梳理表（2023年10月29日）"], ["填报单位：贺街镇    单位：万元"],
            ["序号", "项目编号", "项目名称", "建设年度", "总投资", "衔接资金"],
            [1, "P1", "茶园", 2019, 100, 60]]
    risk = [["附件2 风险排查表（2023年10月29日）"], ["填报单位：贺街镇    单位：万元"],
            ["序号", "项目编号", "项目名称", "建设年度", "衔接资金", "风险等级"],
            [1, "P1", "茶园", 2019, 70, "黄"],
            [2, "P2", "鸡场", 2020, 30, "绿"]]
    assert importer.import_file(con, write_xlsx(tmp_path / "p.xlsx", {"附件1": prog})).status == "accepted"
    res = importer.import_file(con, write_xlsx(tmp_path / "r.xlsx", {"附件2": risk}))
    assert res.status == "accepted"
    assert _not_info(res) == [
        (4, "E 衔接资金", "70", "项目 P1 的各级财政衔接推进乡村振兴补助资金与本期已导入的附件1不一致："
                               "本表 70 万元，附件1 60 万元，以附件1为准", "warning")]
    lines = "SELECT project_code, source, fund_year, amount_wan FROM funding_rows ORDER BY ALL"
    want = [("P1", "linkage", 2019, D("60")), ("P2", "linkage", 2020, D("30"))]
    assert con.execute(lines).fetchall() == want
    # the same 附件2 again (edited) replaces only its own lines; a new 附件1 only 附件1's
    risk[4][4] = 35
    assert importer.import_file(con, write_xlsx(tmp_path / "r2.xlsx", {"附件2": risk})).status == "accepted"
    prog[3][5] = 65
    assert importer.import_file(con, write_xlsx(tmp_path / "p2.xlsx", {"附件1": prog})).status == "accepted"
    assert con.execute(lines).fetchall() == [("P1", "linkage", 2019, D("65")), ("P2", "linkage", 2020, D("35"))]


def test_risk_fund_sources_are_validated_like_progress(con, tmp_path):
    risk = [["附件2 风险排查表（2023年10月29日）"], ["填报单位：贺街镇    单位：万元"],
            ["序号", "项目编号", "项目名称", "建设年度", "总投资", "衔接资金", "粤桂协作", "风险等级"],
            [1, "P1", "茶园", 2019, 50, 40, 20, "黄"],
            [2, "P2", "鸡场", 2020, None, -3, None, "绿"]]
    res = importer.import_file(con, write_xlsx(tmp_path / "r.xlsx", {"附件2": risk}))
    assert res.status == "rejected"
    assert [(p["row"], p["column"], p["message"]) for p in res.problems if p["severity"] == "error"] == [
        (4, "E 总投资", "九类资金合计 60 万元大于总投资 50 万元"),
        (5, "F 衔接资金", "金额/数量不能为负数")]
