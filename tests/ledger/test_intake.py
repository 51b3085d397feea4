"""Ledgers as units really send them (issue #9): one sheet carrying 附件1 and 附件2 columns, no 填报单位
line, an old .xls, merged headers with group and 小计 rows, the 区工作专班's consolidated ledger, odd
headers mapped per unit, a whole round from a folder or a .zip. Every expected number is worked out by
hand from the rows below (arithmetic in the comments)."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import xlwt

from ledger.audit import cli_user
from ledger import batch as B
from ledger import cli, db, importer, intake
from ledger import normalize as N
from tests.ledger.conftest import dump


def D(x) -> Decimal:
    return Decimal(str(x))


def funds(con, d):
    return {k: D(v) for k, v in importer.summary(con, d)["funds_wan"].items() if v}


# --- fixtures that mimic real ledgers -----------------------------------------------------------------
FLAT_HEADER = ["序号", "乡镇", "项目名称", "项目编号", "建设年度", "主管部门", "总投资（元）", "衔接资金(万元)",
               "粤桂协作(万元)", "社会捐赠(万元)", "建设状态", "运营状态", "风险等级", "问题类型", "处置方式", "带动户数",
               "备注说明"]


def flat_book(path, *, title="贺街镇帮扶产业项目推进梳理表（2024年1月14日）", hj02_grade="红色",
              households3=12, extra_header=None):
    """The 一张表 a township keeps: no 填报单位 line, 总投资 in 元, short source names in 万元, the grade,
    problems, disposal and households on the same row as the progress, a 合计 row, a column nobody knows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "推进梳理表"
    ws.append([title])
    ws.append(FLAT_HEADER if extra_header is None else FLAT_HEADER[:-1] + [extra_header])
    ws.append([1, "贺街镇", "贺街镇百香果种植", "HJ-01", "2019年", "区农业农村局", "1,200,000", "80", "20万元", None,
               "已完工", "正常运营", "绿", None, "巩固一批", "56户", "无"])
    ws.append([2, "贺街", "贺街镇肉牛养殖", "HJ-02", 2021, "农业农村局", 3500000, 200, "—", "50000元",
               "已完工", "闲置", hj02_grade, "成而不用", "盘活一批", 0, None])
    ws.append([3, "贺街镇人民政府", "贺街镇冷库", "HJ-03", 2022, "区商务局", 800000, "60.5", "/", None,
               "在建", "未运营", "黄", "完工项目未及时验收及结算、资产确权登记不规范", "提升一批", households3, None])
    ws.append(["合计", None, None, None, None, None, 5500000, 340.5, 20, 5])
    wb.save(path)
    return path


def old_xls(path):
    """An old WPS .xls: Sheet1, a title row, a plain header (short source names, 风险等级/问题类型/四个一批),
    no 项目编号, no 填报单位; every row under 区林业局 in three townships."""
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    rows = [["八步区林业局扶贫产业项目台账"],
            ["序号", "所属乡镇", "项目名称", "建设年度", "项目主管单位", "总投资(万元)", "专项扶贫", "整合资金", "建设情况",
             "运营情况", "风险等级", "问题类型", "四个一批", "带动农户数"],
            [1, "里松镇", "里松油茶基地", 2018, "八步区林业局", 300, 200, 50, "已验收", "正常运营", "绿色", "无", "巩固一批", 40],
            [2, "大宁", "大宁镇林下养鸡", "2020年", "林业局", 150.5, "120.25", "", "已完工", "停产", "红级", "成而不用",
             "盘活一批", 0],
            [3, "开山镇", "开山镇苗圃", 2022, "区林业局", 80, "", 60, "在建", "未运营", "黄", "未设立共管账户", "提升一批", 8]]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))
    return path


def consolidated_book(path):
    """The 区工作专班's consolidated ledger: 填报单位 line, two-row merged header with groups
    (项目基本情况 / 资金来源 / 风险排查情况), "一、贺街镇" group rows, merged 乡镇 cells, 小计 and 合计, a footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "综合台账"
    ws.append(["八步区帮扶产业项目推进梳理及风险排查汇总表（2024年1月29日）"])
    ws.append(["填报单位：八步区工作专班    填报日期：2024年1月28日    单位：万元"])
    ws.append(["序号", "项目基本情况", None, None, None, "资金来源", None, None, "建设状态", "运营状态", "风险排查情况"])
    ws.append([None, "乡镇（街道）", "项目编号", "项目名称", "建设年度", "衔接资金", "粤桂协作", "彩票公益金", None, None,
               "风险等级", "问题类型", "处置方式", "带动户数"])
    ws.append(["一、贺街镇"])
    ws.append([1, "贺街镇", "HJ-01", "贺街镇百香果种植", 2019, 85, 20, None, "已完工", "正常运营", "绿", None, "巩固一批", 60])
    ws.append([2, None, "HJ-02", "贺街镇肉牛养殖", 2021, 200, None, 10, "已完工", "试运营", "黄", "未设立共管账户", "提升一批", 15])
    ws.append(["小计", None, None, None, None, 285, 20, 10])
    ws.append(["二、步头镇"])
    ws.append([3, "步头镇", "BT-01", "步头镇砂糖橘", 2020, 150.5, None, None, "已完工", "闲置", "红", "成而不用", "盘活一批", 0])
    ws.append(["小计", None, None, None, None, 150.5])
    ws.append(["合计", None, None, None, None, 435.5, 20, 10])
    ws.append(["填表人：李四    审核人：张三"])
    for m in ["A3:A4", "B3:E3", "F3:H3", "I3:I4", "J3:J4", "K3:N3", "B6:B7"]:
        ws.merge_cells(m)
    wb.save(path)
    return path


def mixed_book(path):
    """No 填报单位, two townships and two departments: nobody can tell who sent it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "推进梳理表"
    ws.append(["产业项目推进梳理表（2024年1月14日）"])
    ws.append(["序号", "乡镇", "项目编号", "项目名称", "建设年度", "主管部门", "衔接资金", "风险等级"])
    ws.append([1, "贺街镇", "MX-01", "混合甲", 2020, "区农业农村局", 10, "绿"])
    ws.append([2, "步头镇", "MX-02", "混合乙", 2021, "区水利局", 20, "黄"])
    wb.save(path)
    return path




@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "i.duckdb")
    yield c
    c.close()


def _imp(con, path, tmp_path, **kw):
    return importer.import_file(con, path, archive_root=tmp_path / "archive", **kw)


# --- 1. one sheet fills every form its columns carry ----------------------------------------------------
def test_flat_one_sheet_ledger_fills_progress_risk_and_funding(con, tmp_path):
    res = _imp(con, flat_book(tmp_path / "flat.xlsx"), tmp_path)
    assert (res.status, res.unit, res.unit_source, str(res.round_date)) == \
        ("accepted", "贺街镇", "各行乡镇均为贺街镇", "2024-01-14")
    assert res.forms == ["progress", "risk"] and res.accepted == 3   # three rows, counted once
    assert res.problems == [
        {"sheet": None, "row": None, "column": "", "value": "贺街镇",
         "message": "未填填报单位：各行乡镇均为贺街镇，按贺街镇导入", "severity": "warning"},
        {"sheet": "推进梳理表", "row": 2, "column": "Q 备注说明", "value": "备注说明",
         "message": "未识别的列“备注说明”，该列数据未导入", "severity": "warning"},
        {"sheet": "推进梳理表", "row": 6, "column": "", "value": "合计", "message": "合计行，已跳过", "severity": "info"},
    ]
    s = importer.summary(con)
    assert (s["projects"], s["grades"]) == (3, {"red": 1, "yellow": 1, "green": 1})
    # 衔接 80 + 200 + 60.5 = 340.5; 粤桂 "20万元" = 20; 捐赠 "50000元" = 5 (the 合计 row agrees: 5)
    assert funds(con, None) == {"各级财政衔接推进乡村振兴补助资金": D("340.5"), "广东帮扶广西财政协作资金": D(20),
                                "社会捐赠资金": D(5)}
    assert D(s["total_funds_wan"]) == D("365.5")
    assert con.execute("SELECT project_code, grade, disposal, households, problems FROM risk_rows ORDER BY 1").fetchall() == [
        ("HJ-01", "green", "consolidate", 56, None),
        ("HJ-02", "red", "revitalise", 0, ["finished_not_used"]),
        ("HJ-03", "yellow", "upgrade", 12, ["not_accepted", "rights_irregular"])]
    # 总投资 in 元: 1,200,000 / 3,500,000 / 800,000 元 = 120 / 350 / 80 万元; statuses from the same rows
    assert con.execute("SELECT project_code, total_investment_wan, build_status, op_status, department "
                       "FROM progress_rows ORDER BY 1").fetchall() == [
        ("HJ-01", D(120), "completed", "normal", "区农业农村局"),
        ("HJ-02", D(350), "completed", "idle", "区农业农村局"),
        ("HJ-03", D(80), "under_construction", "not_operating", "区商务局")]


def test_old_xls_department_ledger_keeps_its_grades(con, tmp_path):
    res = _imp(con, old_xls(tmp_path / "第二期台账2024-01-29.xls"), tmp_path)
    assert (res.status, res.unit, str(res.round_date)) == ("accepted", "区林业局", "2024-01-29")
    codes = [N.derived_code(2018, "里松镇", "里松油茶基地"), N.derived_code(2020, "大宁镇", "大宁镇林下养鸡"),
             N.derived_code(2022, "开山镇", "开山镇苗圃")]
    # no 项目编号 column: one derived-key warning per project (from the 附件1 part only, not twice)
    assert [(p["row"], p["message"]) for p in res.problems if p["severity"] != "info"] == [
        (None, "未填填报单位：各行主管部门均为区林业局，按区林业局导入"),
        *[(r, f"未填项目编号，已按(建设年度,乡镇,项目名称)生成编号 {c}") for r, c in zip((3, 4, 5), codes)]]
    s = importer.summary(con)
    assert (s["projects"], s["grades"]) == (3, {"red": 1, "yellow": 1, "green": 1})
    # 专项扶贫 200 + 120.25 = 320.25; 整合资金 50 + 60 = 110; total 430.25
    assert funds(con, None) == {"财政专项扶贫资金": D("320.25"), "统筹整合财政涉农资金": D(110)}
    assert D(s["total_funds_wan"]) == D("430.25")
    assert con.execute("SELECT grade, disposal, households FROM risk_rows ORDER BY households").fetchall() == [
        ("red", "revitalise", 0), ("yellow", "upgrade", 8), ("green", "consolidate", 40)]


def test_risk_columns_without_a_grade_are_named_not_dropped(con, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    ws.append(["附件1 推进梳理表（2024年1月14日）"])
    ws.append(["填报单位：南乡镇"])
    ws.append(["项目编号", "项目名称", "乡镇", "建设年度", "衔接资金", "带动户数"])
    ws.append(["NX-1", "南乡镇茶园", "南乡镇", 2020, 30, 9])
    wb.save(tmp_path / "n.xlsx")
    res = _imp(con, tmp_path / "n.xlsx", tmp_path)
    assert res.status == "accepted" and res.forms == ["progress"]
    assert [p["message"] for p in res.problems if p["severity"] == "warning"] == [
        "列“带动户数”是风险排查表（附件2）的“带动农户数”，但本表没有“风险等级”列，该列数据未导入"]


# --- 6. all or nothing on a mixed sheet -------------------------------------------------------------
def test_mixed_sheet_with_a_broken_cell_is_rejected_whole(con, tmp_path):
    _imp(con, consolidated_book(tmp_path / "zb.xlsx"), tmp_path)
    before = dump(con)
    res = _imp(con, flat_book(tmp_path / "bad.xlsx", households3="十二户"), tmp_path)
    assert res.status == "rejected" and res.accepted == 0 and res.rejected == 1
    # HJ-03 is on Excel row 5 (title, header, HJ-01, HJ-02, HJ-03); 带动户数 is column P
    assert [(p["sheet"], p["row"], p["column"], p["value"], p["message"]) for p in res.problems
            if p["severity"] == "error"] == [("推进梳理表", 5, "P 带动户数", "十二户", "无法识别的数字：十二户")]
    assert dump(con) == before


# --- 2. files without a 填报单位; the 区工作专班's consolidated ledger -------------------------------------
def test_consolidated_ledger_of_the_task_force_and_latest_report_wins(con, tmp_path):
    assert _imp(con, flat_book(tmp_path / "hj.xlsx"), tmp_path).status == "accepted"       # 贺街镇, 01-14
    res = _imp(con, consolidated_book(tmp_path / "zb.xlsx"), tmp_path)
    assert (res.status, res.unit, res.unit_source, str(res.round_date)) == \
        ("accepted", "区工作专班", "填报单位", "2024-01-29")
    assert [p for p in res.problems if p["severity"] != "info"] == []
    # skipped: 2 group rows, 2 小计, 合计, footer
    assert [(p["row"], p["message"]) for p in res.problems] == [
        (5, "分组标题行，已跳过"), (8, "小计行，已跳过"), (9, "分组标题行，已跳过"), (11, "小计行，已跳过"),
        (12, "合计行，已跳过"), (13, "表尾说明行，已跳过")]
    assert res.shared == 2                                    # HJ-01 and HJ-02 are also 贺街镇's
    assert con.execute("SELECT town FROM progress_rows WHERE unit = '区工作专班' ORDER BY excel_row").fetchall() == \
        [("贺街镇",), ("贺街镇",), ("步头镇",)]              # merged 乡镇 cell filled down
    # in force at 01-29: HJ-01, HJ-02, BT-01 from the 专班 (latest round), HJ-03 from 贺街镇 (01-14)
    s = importer.summary(con, "2024-01-29")
    assert (s["projects"], s["grades"]) == (4, {"red": 1, "yellow": 2, "green": 1})
    # 衔接 85 + 200 + 150.5 (专班) + 60.5 (HJ-03) = 496; 粤桂 20; 彩票 10; HJ-02's 捐赠 5 is no longer in force
    assert funds(con, "2024-01-29") == {"各级财政衔接推进乡村振兴补助资金": D(496), "广东帮扶广西财政协作资金": D(20),
                                        "彩票公益金": D(10)}
    assert D(s["total_funds_wan"]) == D(526)
    # 贺街镇 reports again on 02-14, HJ-02 red: its report is the latest, so it is in force
    res = _imp(con, flat_book(tmp_path / "hj2.xlsx", title="贺街镇推进梳理表（2024年2月14日）"), tmp_path)
    assert res.status == "accepted" and res.shared == 2       # HJ-01, HJ-02 also in the 专班's ledger
    s = importer.summary(con, "2024-02-14")
    assert (s["projects"], s["grades"]) == (4, {"red": 2, "yellow": 1, "green": 1})   # HJ-02, BT-01 red; HJ-03
    row = con.execute("SELECT unit, grade FROM inforce('2024-02-14'::DATE) WHERE project_code = 'HJ-02'").fetchone()
    assert row == ("贺街镇", "red")


def test_unit_report_in_the_same_round_as_the_task_force_is_not_blocked(con, tmp_path):
    assert _imp(con, consolidated_book(tmp_path / "zb.xlsx"), tmp_path).status == "accepted"
    res = _imp(con, flat_book(tmp_path / "hj.xlsx", title="贺街镇推进梳理表（2024年1月29日）"), tmp_path)
    assert res.status == "accepted" and res.shared == 2
    assert [p for p in res.problems if p["severity"] == "error"] == []


def test_no_unit_lists_the_known_units_and_cli_unit_works(tmp_path, capsys):
    dbf = tmp_path / "c.duckdb"
    path = mixed_book(tmp_path / "mx.xlsx")
    assert cli.main(["import", str(path), "--db", str(dbf)]) == 1
    out = capsys.readouterr().out
    assert "无法确定填报单位：表头没有“填报单位：”，文件名中也没有单位名称（各行分属2个乡镇、2个主管部门）。请用 --unit 指定" in out
    assert "可选：八步街道、城东街道、" in out and "区水利局" in out and "区工作专班" in out
    assert cli.main(["import", str(path), "--db", str(dbf), "--unit", "八步区工作专班", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)["files"][0]
    assert (rep["status"], rep["unit"], rep["unit_source"], rep["accepted"]) == ("accepted", "区工作专班", "参数", 2)


def test_infer_unit_needs_one_township_or_one_department():
    from types import SimpleNamespace as S

    def sheets(*rows):
        return [S(form="progress", companion=False,
                  records=[dict(name=f"项目{i}", town=t, department=d) for i, (t, d) in enumerate(rows)])]
    assert intake.infer_unit(sheets(("贺街镇", "区水利局"), ("步头镇", "区水利局"))) == ("区水利局", "各行主管部门均为区水利局")
    assert intake.infer_unit(sheets(("贺街镇", "贺街镇"), ("贺街镇", None))) == ("贺街镇", "各行乡镇均为贺街镇")
    assert intake.infer_unit(sheets(("贺街镇", "区水利局"), ("贺街镇", "区水利局")))[0] is None   # which one?
    assert intake.infer_unit(sheets(("贺街镇", "区水利局"), (None, "区林业局")))[0] is None
    # a row without 乡镇 counts as that 乡镇's when the same project has it on another row
    same = [S(form="progress", companion=False, records=[dict(name="甲", town="贺街镇"), dict(name="乙", town="贺街镇")]),
            S(form="risk", companion=False, records=[dict(name="甲"), dict(name="乙")])]
    assert intake.infer_unit(same) == ("贺街镇", "各行乡镇均为贺街镇")
    same[1].records.append(dict(name="丙"))
    assert intake.infer_unit(same) == (None, "各行分属1个乡镇、0个主管部门，部分行未填乡镇")


# --- 3. column mapping --------------------------------------------------------------------------------
def test_cli_map_is_stored_audited_and_reused_for_the_unit(tmp_path, capsys):
    dbf = tmp_path / "m.duckdb"
    first = flat_book(tmp_path / "hj1.xlsx", extra_header="联农户数")      # column Q: "无", None, None
    assert cli.main(["import", str(first), "--db", str(dbf), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)["files"][0]
    assert [p["message"] for p in rep["problems"] if p["severity"] == "warning"][-1] == \
        "未识别的列“联农户数”，该列数据未导入"
    # the same file again, with a mapping: the column is now 监测户 (households_monitored); "无" → none
    assert cli.main(["import", str(first), "--db", str(dbf), "--unit", "贺街镇", "--round", "2024-01-29",
                     "--map", "联农户数=监测户", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)["files"][0]
    assert not any("联农户数" in p["message"] for p in rep["problems"])
    con = db.connect(dbf)
    try:
        assert intake.column_map(con, "贺街镇") == {"联农户数": "households_monitored"}
        log = intake.column_map_log(con)
        assert [(e["unit"], e["header"], e["before"], e["after"], e["by"]) for e in log] == \
            [("贺街镇", "联农户数", None, "households_monitored", cli_user())]   # cli:<os user> (issue #12.6)
        assert con.execute("SELECT updated_by FROM settings WHERE key = 'column_maps'").fetchone() == (cli_user(),)
    finally:
        con.close()
    # a later file of 贺街镇 without --map uses the stored mapping
    later = flat_book(tmp_path / "hj3.xlsx", title="贺街镇推进梳理表（2024年2月14日）", extra_header="联农户数")
    wb = openpyxl.load_workbook(later)
    wb.active["Q3"] = 7
    wb.save(later)
    assert cli.main(["import", str(later), "--db", str(dbf), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)["files"][0]
    assert not any("联农户数" in p["message"] for p in rep["problems"])
    con = db.connect(dbf)
    try:
        assert con.execute("SELECT households_monitored FROM risk_rows WHERE round_date = '2024-02-14' "
                           "AND project_code = 'HJ-01'").fetchone() == (7,)
    finally:
        con.close()


def test_map_ignore_and_bad_targets(con, tmp_path):
    res = _imp(con, flat_book(tmp_path / "f.xlsx"), tmp_path, column_map={"备注说明": "ignore"})
    assert [p for p in res.problems if "备注说明" in p["message"]] == [
        {"sheet": "推进梳理表", "row": 2, "column": "Q 备注说明", "value": "备注说明",
         "message": "按本单位的列映射忽略“备注说明”列", "severity": "info"}]
    assert intake.parse_map_options(["带动 户数=忽略", "X=households"]) == {"带动户数": "ignore", "X": "households"}
    with pytest.raises(ValueError, match="不是已知的字段"):
        intake.parse_map_options(["X=不存在的字段"])
    with pytest.raises(ValueError, match="应写成"):
        intake.parse_map_options(["X"])


# --- 4. a whole round at once ------------------------------------------------------------------------
def _round_dir(tmp_path):
    d = tmp_path / "2024-01-14"
    d.mkdir()
    flat_book(d / "贺街镇.xlsx")
    flat_book(d / "坏文件.xlsx", households3="十二户")
    mixed_book(d / "汇总.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件1 推进梳理表（2024年1月14日）"])
    ws.append(["填报单位：步头镇人民政府"])
    ws.append(["项目编号", "项目名称", "乡镇", "建设年度", "衔接资金"])
    ws.append(["BT-09", "步头镇香芋", "步头镇", 2021, 40])
    wb.save(d / "步头镇.xlsx")
    (d / "~$贺街镇.xlsx").write_bytes(b"lock")                    # an Office lock file: not a ledger
    (d / "说明.txt").write_text("非台账")
    return d


def test_cli_imports_a_round_folder_with_a_report_per_file(tmp_path, capsys):
    dbf = tmp_path / "r.duckdb"
    d = _round_dir(tmp_path)
    assert cli.main(["import", str(d / "贺街镇.xlsx"), "--db", str(dbf)]) == 0        # imported earlier
    capsys.readouterr()
    assert cli.main(["import", str(d), "--db", str(dbf), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    got = [(f["file"], f["status"], f["status_label"], f["unit"], f["accepted"]) for f in out["files"]]
    assert got == [("坏文件.xlsx", "rejected", "拒绝", "贺街镇", 0),
                   ("步头镇.xlsx", "accepted", "导入", "步头镇", 1),
                   ("汇总.xlsx", "unit_unknown", "单位不明", None, 0),
                   ("贺街镇.xlsx", "unchanged", "未变化", "贺街镇", 0)]
    assert out["files"][0]["first_problems"] == ["推进梳理表，第5行，P 带动户数列：无法识别的数字：十二户（十二户）"]
    # expected for 01-14: the 15 乡镇(街道); reported: 贺街镇 (earlier), 步头镇 (now) → 13 missing
    miss = out["missing_units"]["2024-01-14"]
    assert len(miss) == 13 and "贺街镇" not in miss and "步头镇" not in miss and miss[0] == "八步街道"
    con = db.connect(dbf)
    try:
        assert con.execute("SELECT unit FROM submissions ORDER BY unit").fetchall() == [("步头镇",), ("贺街镇",)]
    finally:
        con.close()


def test_cli_imports_a_zip_and_prints_the_status_table(tmp_path, capsys):
    d = _round_dir(tmp_path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(d.iterdir()):
            z.writestr(f"第一期/{f.name}", f.read_bytes())
        z.writestr("__MACOSX/第一期/._贺街镇.xlsx", b"junk")
    zp = tmp_path / "2024-01-14.zip"
    zp.write_bytes(buf.getvalue())
    assert cli.main(["import", str(zp), "--db", str(tmp_path / "z.duckdb")]) == 1
    out = capsys.readouterr().out
    table = out[out.index("本批文件："):].splitlines()
    assert [ln.split("\t")[0].strip() for ln in table[1:] if ln.startswith("  ") and "\t" in ln] == \
        ["拒绝", "导入", "单位不明", "导入"]
    assert table[-1].startswith("2024-01-14 期未报送（13 个单位）：八步街道、城东街道、江南街道、莲塘镇")


def test_zip_names_written_by_chinese_windows_are_read_as_gbk():
    info = zipfile.ZipInfo("贺街镇台账.xlsx".encode("gbk").decode("cp437"))
    assert B._zip_name(info) == "贺街镇台账.xlsx"
    with pytest.raises(ValueError, match="不是有效的 .zip"):
        B.unzip(b"not a zip", "x.zip")


def test_dry_run_changes_nothing(tmp_path, capsys):
    dbf = tmp_path / "d.duckdb"
    assert cli.main(["import", str(flat_book(tmp_path / "f.xlsx")), "--db", str(dbf), "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"][0]["status"] == "accepted"
    con = db.connect(dbf)
    try:
        assert con.execute("SELECT COUNT(*) FROM imports").fetchone() == (0,)
    finally:
        con.close()


def test_expected_units_include_departments_that_reported(con, tmp_path):
    _imp(con, old_xls(tmp_path / "2024-01-14.xls"), tmp_path)                        # 区林业局, 01-14
    assert B.missing_units(con, date(2024, 1, 29))[-1] == "区林业局"                   # owed on 01-29 too
    assert len(B.missing_units(con, date(2024, 1, 29))) == 16                         # 15 乡镇 + 区林业局
    assert "区林业局" not in B.missing_units(con, date(2024, 1, 14))


def test_a_separate_risk_sheet_wins_over_the_risk_columns_of_the_progress_sheet(con, tmp_path):
    """A workbook with its own 附件2 sheet: the grade column on the 附件1 sheet is not a second grading."""
    path = flat_book(tmp_path / "two.xlsx")
    wb = openpyxl.load_workbook(path)
    r = wb.create_sheet("附件2 风险排查表")
    r.append(["项目编号", "项目名称", "风险等级", "问题类型"])
    for code, name, grade in (("HJ-01", "贺街镇百香果种植", "绿"), ("HJ-02", "贺街镇肉牛养殖", "黄"),
                              ("HJ-03", "贺街镇冷库", "黄")):
        r.append([code, name, grade, None])
    wb.save(path)
    res = _imp(con, path, tmp_path)
    assert res.status == "accepted", res.problems
    # the 附件1 sheet's 风险等级, 问题类型, 处置方式, 带动户数 (columns M..P, header row 2) are named, not read
    assert [(p["column"], p["message"]) for p in res.problems if "另有" in p["message"]] == [
        (f"{c} {h}", f"列“{h}”属于风险排查表（附件2），本文件另有风险排查表（附件2）工作表，以该表为准，此列未导入")
        for c, h in (("M", "风险等级"), ("N", "问题类型"), ("O", "处置方式"), ("P", "带动户数"))]
    # HJ-02 yellow from the 附件2 sheet (the 附件1 sheet said 红色)
    assert con.execute("SELECT project_code, grade FROM risk_rows ORDER BY 1").fetchall() == \
        [("HJ-01", "green"), ("HJ-02", "yellow"), ("HJ-03", "yellow")]


def test_one_sheet_ledger_replacing_a_separately_sent_form_says_so(con, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件2 风险排查表"
    ws.append(["附件2 风险排查表（2024年1月14日）"])
    ws.append(["填报单位：贺街镇"])
    ws.append(["项目编号", "项目名称", "乡镇", "建设年度", "风险等级", "整改措施"])
    ws.append(["HJ-01", "贺街镇百香果种植", "贺街镇", 2019, "绿", "持续巩固"])
    wb.save(tmp_path / "附件2.xlsx")
    assert _imp(con, tmp_path / "附件2.xlsx", tmp_path).status == "accepted"
    res = _imp(con, flat_book(tmp_path / "flat.xlsx"), tmp_path, dry_run=True)
    assert [p["message"] for p in res.problems if "替换" in p["message"]] == [
        "本表同时含推进梳理和风险排查的列，导入后将替换本期已导入的附件2 风险排查表（文件 附件2.xlsx）"]


def _multi_year(path, grade2):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["信都镇产业项目台账（2024年1月14日）"])
    ws.append(["序号", "乡镇", "项目编号", "项目名称", "建设年度", "资金年度", "衔接补助", "东西部协作", "建设状态",
               "风险等次", "处置类型", "带动群众户数"])
    ws.append([1, "信都镇", "XD-1", "信都镇蔬菜大棚", 2021, 2021, 30, None, "已完工", "黄", "提升一批", 20])
    ws.append([2, "信都镇", "XD-1", "信都镇蔬菜大棚", 2021, 2022, 12.5, 7, "已完工", grade2, None, None])
    wb.save(path)
    return path


def test_one_project_on_two_fund_year_rows_is_graded_once(con, tmp_path):
    # row 4 repeats the grade (or leaves it blank): one 附件2 row; two years of funds:
    # 衔接 30 (2021) + 12.5 (2022) = 42.5, 粤桂 7 (2022) → 49.5
    res = _imp(con, _multi_year(tmp_path / "xd.xlsx", "黄"), tmp_path)
    assert res.status == "accepted" and res.unit == "信都镇"
    assert [p["message"] for p in res.problems if p["severity"] != "info"] == ["未填填报单位：各行乡镇均为信都镇，按信都镇导入"]
    assert con.execute("SELECT project_code, grade, disposal, households FROM risk_rows").fetchall() == \
        [("XD-1", "yellow", "upgrade", 20)]
    assert con.execute("SELECT source, fund_year, amount_wan FROM funding_rows ORDER BY 1, 2").fetchall() == [
        ("guangdong", 2022, D(7)), ("linkage", 2021, D(30)), ("linkage", 2022, D("12.5"))]
    assert D(importer.summary(con)["total_funds_wan"]) == D("49.5")


def test_one_project_graded_differently_on_two_rows_is_rejected(con, tmp_path):
    before = dump(con)
    res = _imp(con, _multi_year(tmp_path / "xd.xlsx", "红"), tmp_path)
    assert res.status == "rejected"
    assert [(p["row"], p["column"], p["message"]) for p in res.problems if p["severity"] == "error"] == [
        (4, "J 风险等次", "同一项目（XD-1）在第3行和本行的风险排查信息不一致，一个项目一期只能有一条风险排查记录")]
    assert dump(con) == before
