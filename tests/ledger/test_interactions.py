"""政企互动台账 (DOMAIN §9): parsing, the project lookup, the date rule, all-or-nothing, replacement."""
from __future__ import annotations

import datetime as dt
from datetime import date

from ledger import importer
from conftest import dump, progress_book, write_xlsx

TITLE = "八步区帮扶产业项目政企互动台账（2024年1月29日）"
UNIT_LINE = "填报单位：贺街镇人民政府    填报日期：2024年1月28日"
HEADER = ["序号", "项目编号", "项目名称", "经营主体", "反映日期", "方式", "类型", "内容", "答复情况", "答复日期",
          "办理状态", "承办单位"]
SELECT = ("SELECT unit, round_date, project_code, seq, operator, raised_on, channel, kind, content, answer, "
          "answered_on, status, handler, sheet, excel_row FROM interactions ORDER BY ALL")


def interactions_book(path, data, *, unit_line=UNIT_LINE):
    return write_xlsx(path, {"政企互动台账": [[TITLE], [unit_line], HEADER] + data}, {"政企互动台账": ["A1:L1"]})


def _projects(con, tmp_path):
    """贺街镇's 附件1 of the same round: P001 百香果基地 and P002 养牛场 (the interactions file names them)."""
    res = importer.import_file(con, progress_book(tmp_path / "贺街镇_附件1.xlsx", [
        [1, "贺街镇", "P001", "百香果基地", 2019, 120, 100, 20, None, 0, "已完工", "正常运营", None],
        [2, "贺街镇", "P002", "养牛场", 2020, 50, 50, None, None, 0, "在建", "未运营", None]],
        title="附件1 八步区帮扶产业项目推进梳理表（2024年1月29日）", unit_line=UNIT_LINE))
    assert res.status == "accepted"


ROWS = [
    # a 中文 date as text, an Excel date (datetime cell) for the answer
    [1, "P001", "百香果基地", "贺街百香果种植专业合作社（样例）", "2024年1月5日", "面谈", "诉求", "申请冷库用电增容",
     "已协调供电所增容", dt.datetime(2024, 1, 12), "已答复", "区农业农村局"],
    # no 项目编号: 养牛场 is found among 贺街镇's projects already in the database; an Excel date raised
    [2, None, "养牛场", "贺街某牧业有限公司（样例）", dt.datetime(2024, 1, 20), "电话", "建议", "建议统一防疫采购",
     None, None, "办理中", "贺街镇"],
    # 已办结 without an answer: a warning, the row is kept; "意见建议" → suggestion
    [3, "P001", "百香果基地", "贺街百香果种植专业合作社（样例）", "2024.1.25", "座谈会", "意见建议", "建议办培训班",
     None, None, "已办结", None],
]


def test_parsed_records_are_exact(con, tmp_path):
    _projects(con, tmp_path)
    res = importer.import_file(con, interactions_book(tmp_path / "贺街镇_政企互动.xlsx", ROWS))
    assert (res.status, res.accepted, res.forms, res.unit, res.round_date) == (
        "accepted", 3, ["interactions"], "贺街镇", date(2024, 1, 29))
    assert [(p["row"], p["column"], p["value"], p["message"], p["severity"]) for p in res.problems
            if p["severity"] != "info"] == [
        (6, "K 办理状态", "已办结", "办理状态为“已办结”，但未填答复情况", "warning")]
    rd = date(2024, 1, 29)
    assert con.execute(SELECT).fetchall() == [
        ("贺街镇", rd, "P001", 1, "贺街百香果种植专业合作社（样例）", date(2024, 1, 5), "面谈", "request", "申请冷库用电增容",
         "已协调供电所增容", date(2024, 1, 12), "answered", "区农业农村局", "政企互动台账", 4),
        ("贺街镇", rd, "P001", 3, "贺街百香果种植专业合作社（样例）", date(2024, 1, 25), "座谈会", "suggestion", "建议办培训班",
         None, None, "closed", None, "政企互动台账", 6),
        ("贺街镇", rd, "P002", 2, "贺街某牧业有限公司（样例）", date(2024, 1, 20), "电话", "suggestion", "建议统一防疫采购",
         None, None, "in_progress", "贺街镇", "政企互动台账", 5),
    ]
    # the 附件1 rows of this unit and round stay: the file carried only the 政企互动 form
    assert con.execute("SELECT count(*) FROM progress_rows").fetchone()[0] == 2


def test_status_defaults_from_the_answer_date(con, tmp_path):
    _projects(con, tmp_path)
    res = importer.import_file(con, interactions_book(tmp_path / "贺街镇_互动.xlsx", [
        [1, "P001", None, "合作社（样例）", "2024-01-05", "来信", "诉求", "问题一", "已答复", "2024-01-08", None, None],
        [2, "P002", None, "公司（样例）", "2024-01-06", "来信", None, "问题二", None, None, None, None]]))
    assert res.status == "accepted"
    assert con.execute("SELECT seq, kind, status FROM interactions ORDER BY seq").fetchall() == [
        (1, "request", "answered"), (2, None, "pending")]


def test_answer_before_raised_is_an_error_and_nothing_changes(con, tmp_path):
    _projects(con, tmp_path)
    importer.import_file(con, interactions_book(tmp_path / "贺街镇_政企互动.xlsx", ROWS))
    before = dump(con)
    bad = interactions_book(tmp_path / "贺街镇_政企互动_v2.xlsx", [
        ROWS[0],
        [2, "P002", "养牛场", "贺街某牧业有限公司（样例）", "2024年1月20日", "电话", "建议", "建议统一防疫采购",
         "已答复", "2024年1月18日", "已答复", "贺街镇"],
    ])
    res = importer.import_file(con, bad)
    assert res.status == "rejected" and res.accepted == 0 and res.rejected == 1
    assert [(p["row"], p["column"], p["value"], p["message"]) for p in res.problems if p["severity"] == "error"] == [
        (5, "J 答复日期", "2024-01-18", "答复日期 2024-01-18 早于反映日期 2024-01-20")]
    assert dump(con) == before


def test_unknown_project_is_an_error_naming_row_and_column(con, tmp_path):
    _projects(con, tmp_path)
    before = dump(con)
    res = importer.import_file(con, interactions_book(tmp_path / "贺街镇_政企互动.xlsx", [
        [1, "P999", "百香果基地", "合作社（样例）", "2024-01-05", "面谈", "诉求", "问题一", None, None, None, None],
        [2, None, "不存在的茶园", "公司（样例）", "2024-01-06", "面谈", "诉求", "问题二", None, None, None, None]]))
    assert res.status == "rejected"
    assert [(p["row"], p["column"], p["value"], p["message"]) for p in res.problems if p["severity"] == "error"] == [
        (4, "B 项目编号", "P999", "项目编号 P999 在本文件和已导入的台账中都找不到"),
        (5, "C 项目名称", "不存在的茶园", "缺少项目编号，且项目名称在本文件和本单位已导入的台账中都找不到"),
    ]
    assert dump(con) == before


def test_name_found_among_the_files_own_projects(con, tmp_path):
    """A workbook with 附件1 and the 政企互动 sheet: the name (with a suffix) finds the file's project."""
    book = progress_book(tmp_path / "信都镇.xlsx", [
        [1, "信都镇", "X1", "信都镇砂糖橘基地", 2021, 10, 10, None, None, 0, "在建", "未运营", None]],
        title="附件1 推进梳理表（2024年1月29日）", unit_line="填报单位：信都镇    填报日期：2024-01-29")
    import openpyxl
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet("政企互动台账")
    for r in [[TITLE], ["填报单位：信都镇"], HEADER,
              [1, None, "信都镇砂糖橘基地（样例）", "砂糖橘合作社（样例）", "2024-01-20", "面谈", "诉求", "请求修路", None,
               None, "待办理", None]]:
        ws.append(r)
    wb.save(book)
    res = importer.import_file(con, book)
    assert res.status == "accepted" and res.forms == ["progress", "interactions"]
    assert con.execute("SELECT unit, project_code, seq, status FROM interactions").fetchall() == [
        ("信都镇", "X1", 1, "pending")]


def test_corrected_file_replaces_the_units_interactions(con, tmp_path):
    _projects(con, tmp_path)
    first = importer.import_file(con, interactions_book(tmp_path / "贺街镇_政企互动.xlsx", ROWS))
    fixed = importer.import_file(con, interactions_book(tmp_path / "贺街镇_政企互动_更正.xlsx", [
        ROWS[0],
        [2, None, "养牛场", "贺街某牧业有限公司（样例）", dt.datetime(2024, 1, 20), "电话", "建议", "建议统一防疫采购",
         "已纳入防疫物资统一采购", "2024年1月26日", "已答复", "贺街镇"]]))
    assert fixed.status == "accepted"
    assert con.execute("SELECT project_code, seq, answered_on, status FROM interactions ORDER BY ALL").fetchall() == [
        ("P001", 1, date(2024, 1, 12), "answered"), ("P002", 2, date(2024, 1, 26), "answered")]
    assert con.execute("SELECT replaced_import_id FROM imports WHERE import_id = ?",
                       [fixed.import_id]).fetchone() == (first.import_id,)
    assert con.execute("SELECT count(*) FROM progress_rows").fetchone()[0] == 2   # 附件1 untouched
