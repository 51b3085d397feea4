"""Blank templates (issue #9 point 5): official header, drop-downs, formats; filled, they import with zero
problems."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from ledger import cli, db, importer
from ledger import glossary as g
from ledger import reader as R
from ledger import templates as T


def _headers(ws) -> dict[str, int]:
    """Leaf header → column number (the fund sources sit under the merged 资金来源 group in row 5)."""
    last = 5 if ws["A5"].value is None and any(c.value for c in ws[5]) else 4
    out = {}
    for c in range(1, ws.max_column + 1):
        v = ws.cell(last, c).value or ws.cell(4, c).value
        if v and v != T.FUND_GROUP:
            out[v] = c
    return out


def _validations(ws) -> dict[str, tuple]:
    """Header → (type, formula1, prompt) of the data validation on its data cells."""
    heads = {c: h for h, c in _headers(ws).items()}
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if rng.min_row > 3 and rng.min_col in heads:
                out[heads[rng.min_col]] = (dv.type, dv.formula1, dv.prompt)
    return out


@pytest.mark.parametrize("kind,forms", [("progress", ["progress"]), ("risk", ["risk"]), ("tasks", ["tasks"]),
                                        ("interactions", ["interactions"]), ("combined", ["progress", "risk"])])
def test_every_template_reads_as_its_form_with_every_column_known(tmp_path, kind, forms):
    p = T.write_template(kind, tmp_path / f"{kind}.xlsx")
    sheets, notes = R.parse_workbook(p)
    assert notes == [] and [ps.form for ps in sheets] == forms
    assert all(ps.notes == [] for ps in sheets)                 # no unknown column, no blank row
    mapped = {c.field for ps in sheets for c in ps.columns}
    assert mapped == {f.name for f in T.columns(kind)}          # every template column maps to its field


def test_combined_template_drop_downs_messages_and_formats(tmp_path):
    ws = openpyxl.load_workbook(T.write_template("combined", tmp_path / "c.xlsx")).active
    assert ws["A1"].value == "八步区扶贫资金帮扶资金产业项目推进梳理及风险排查表"
    assert [ws["A2"].value, ws["D2"].value, ws["G2"].value] == ["填报单位：", "填报日期：", "单位：万元"]
    v = _validations(ws)
    lists = {h: v[h][1] for h in ("乡镇(街道)", "风险等级", "问题类型", "四个一批", "建设状态", "运营状态")}
    assert lists == {
        "乡镇(街道)": '"' + ",".join(g.TOWNS) + '"',
        "风险等级": '"红,黄,绿"',
        "问题类型": '"' + ",".join(g.PROBLEMS.values()) + '"',
        "四个一批": '"' + ",".join(g.DISPOSAL.values()) + '"',
        "建设状态": '"' + ",".join(g.BUILD_STATUS.values()) + '"',
        "运营状态": '"' + ",".join(g.OP_STATUS.values()) + '"'}
    assert all(v[h][0] == "list" for h in lists)
    assert "多项时用“、”分隔" in v["问题类型"][2]
    assert v["带动农户数"][0] == "whole" and v["认定日期"][0] == "date" and v["总投资"][0] == "decimal"
    h = _headers(ws)
    L = openpyxl.utils.get_column_letter
    assert ws.column_dimensions[L(h["总投资"])].number_format == T.MONEY_FORMAT
    assert ws.column_dimensions[L(h["认定日期"])].number_format == T.DATE_FORMAT
    assert ws.column_dimensions[L(h["项目编号"])].number_format == "@"


def _fill(path, rows: list[dict], unit="贺街镇", on=dt.date(2024, 1, 13)):
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["B2"], ws["E2"] = unit, on
    h = _headers(ws)
    first = 6 if ws["A5"].value is None and ws.cell(5, 14).value else 5
    for i, row in enumerate(rows):
        for k, val in row.items():
            ws.cell(first + i, h[k], val)
    wb.save(path)
    return path


def test_filled_templates_import_with_zero_problems(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    arch = tmp_path / "archive"
    comb = _fill(T.write_template("combined", tmp_path / "c.xlsx"), [
        {"序号": 1, "乡镇(街道)": "贺街镇", "项目编号": "T-1", "项目名称": "模板测试茶园", "建设年度": 2021,
         "项目主管部门": "区农业农村局", "总投资": 100, "各级财政衔接推进乡村振兴补助资金": 80, "社会捐赠资金": 2.5,
         "建设状态": "已完工", "运营状态": "闲置", "是否结算": "是", "风险等级": "红", "问题类型": "成而不用",
         "认定日期": dt.date(2023, 10, 15), "四个一批": "盘活一批", "带动农户数": 0},
        {"序号": 2, "乡镇(街道)": "贺街镇", "项目编号": "T-2", "项目名称": "模板测试冷库", "建设年度": 2022,
         "项目主管部门": "区商务局", "总投资": 50, "广东帮扶广西财政协作资金": 30, "建设状态": "已验收",
         "运营状态": "正常运营", "风险等级": "绿", "四个一批": "巩固一批", "带动农户数": 25}])
    res = importer.import_file(con, comb, archive_root=arch)
    assert (res.status, res.unit, str(res.round_date), res.forms, res.problems) == \
        ("accepted", "贺街镇", "2024-01-14", ["progress", "risk"], [])
    s = importer.summary(con)
    # 衔接 80; 粤桂 30; 捐赠 2.5 → 112.5 万元; grades 红 T-1, 绿 T-2
    assert (s["projects"], s["grades"], Decimal(str(s["total_funds_wan"]))) == \
        (2, {"red": 1, "yellow": 0, "green": 1}, Decimal("112.5"))
    tasks = _fill(T.write_template("tasks", tmp_path / "t5.xlsx"), [
        {"项目编号": "T-1", "项目名称": "模板测试茶园", "任务序号": 1, "存在问题": "成而不用",
         "工作任务/具体措施": "引进运营主体", "时间节点": dt.date(2024, 2, 15), "完成情况": "推进中"}])
    res = importer.import_file(con, tasks, archive_root=arch)
    assert (res.status, res.forms, res.problems) == ("accepted", ["tasks"], [])
    inter = _fill(T.write_template("interactions", tmp_path / "zq.xlsx"), [
        {"序号": 1, "项目编号": "T-1", "经营主体": "某合作社", "反映日期": dt.date(2024, 1, 10), "方式": "面谈",
         "类型": "诉求", "内容": "希望协调冷链运输", "办理状态": "待办理"}])
    res = importer.import_file(con, inter, archive_root=arch)
    assert (res.status, res.forms, res.problems) == ("accepted", ["interactions"], [])
    risk = _fill(T.write_template("risk", tmp_path / "r.xlsx"), [
        {"项目编号": "T-3", "项目名称": "模板测试鱼塘", "乡镇(街道)": "贺街镇", "建设年度": 2020,
         "扶贫资金帮扶资金": 40, "风险等级": "黄", "问题类型": "未设立共管账户、资产确权登记不规范"}],
        on=dt.date(2024, 1, 28))
    # T-3 alone replaces 贺街镇's 附件2 of T-1, T-2: a shrink the user confirms (issue #12)
    res = importer.import_file(con, risk, archive_root=arch, allow_shrink=True)
    assert (res.status, str(res.round_date), res.problems) == ("accepted", "2024-01-29", [])
    con.close()


def test_cli_template_command(tmp_path, capsys):
    out = tmp_path / "附件1.xlsx"
    assert cli.main(["template", "progress", "--out", str(out)]) == 0
    assert "已生成空白模板（附件1 推进梳理表）" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).active.title == "附件1 推进梳理表"
    assert cli.main(["template", "附件9", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "未知的模板：附件9" in capsys.readouterr().err
