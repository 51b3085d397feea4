"""validate's table rows and their columns (validate.Rows, read by importer._arrow), the fund lines of a
project on two 资金年度 rows, and the checks across sheets: small ledgers worked out by hand."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger import importer
from ledger import reader as R
from ledger import validate as V
from conftest import write_xlsx

D = Decimal
RD = date(2023, 10, 29)
P_HEAD = ["序号", "乡镇", "项目编号", "项目名称", "建设年度", "资金年度", "总投资", "衔接资金", "粤桂协作", "建设状态"]
R_HEAD = ["序号", "乡镇", "项目编号", "项目名称", "建设年度", "风险等级", "带动农户数"]


def _book(path, sheets):
    return write_xlsx(path, {name: [[title], head] + rows for name, (title, head, rows) in sheets.items()})


def test_two_fund_years_make_one_progress_row_and_three_fund_lines(con, tmp_path):
    p = _book(tmp_path / "贺街镇_2023-10-29.xlsx", {
        "附件1": ("附件1 推进梳理表", P_HEAD, [
            [1, "贺街镇", "P001", "百香果基地", 2019, 2019, 120, 100, 20, None],   # Excel row 3
            [2, "贺街镇", "P001", "百香果基地", 2019, 2020, None, 30, None, "在建"],  # row 4: 建设状态 fills in
            [3, "贺街镇", "P002", "养牛场", 2020, 2020, 50, 50, None, "已完工"],     # row 5
        ]),
        "附件2": ("附件2 风险排查表", R_HEAD, [
            [1, "贺街镇", "P002", "养牛场", 2020, "黄", 12],      # row 3
            [2, "贺街镇", "P001", "百香果基地", 2019, "绿", 30],  # row 4
        ]),
    })
    res = importer.import_file(con, p)
    assert res.status == "accepted", res.problems
    # P001: the first row's values, 建设状态 from the second (the first left it empty); 总投资 120 from row 3
    assert con.execute("SELECT project_code, sheet, excel_row, total_investment_wan, build_status, code_derived "
                       "FROM progress_rows ORDER BY project_code").fetchall() == [
        ("P001", "附件1", 3, D("120"), "under_construction", False), ("P002", "附件1", 5, D("50"), "completed", False)]
    # 100 + 20 (2019, row 3) and 30 (2020, row 4) for P001; 50 (2020) for P002
    assert con.execute("SELECT project_code, source, fund_year, amount_wan FROM funding_rows ORDER BY ALL").fetchall() == [
        ("P001", "guangdong", 2019, D("20")), ("P001", "linkage", 2019, D("100")), ("P001", "linkage", 2020, D("30")),
        ("P002", "linkage", 2020, D("50"))]
    assert con.execute("SELECT project_code, sheet, excel_row, grade, households FROM risk_rows "
                       "ORDER BY excel_row").fetchall() == [("P002", "附件2", 3, "yellow", 12),
                                                            ("P001", "附件2", 4, "green", 30)]


def test_table_columns_match_the_rows_when_a_row_is_left_out(tmp_path):
    """A 风险排查表 row without 项目名称 makes no table row: the columns validate gives _arrow skip it too."""
    p = _book(tmp_path / "贺街镇_2023-10-29.xlsx", {
        "附件2": ("附件2 风险排查表", R_HEAD, [
            [1, "贺街镇", "R1", "茶园", 2019, "红", 5],     # Excel row 3
            [2, "贺街镇", "R2", None, 2019, "黄", 6],       # row 4: no name → error, no row
            [3, "贺街镇", "R3", "鱼塘", 2020, "绿", 7],     # row 5
        ]),
    })
    sheets, _notes = R.parse_workbook(p)
    problems, rows = V.validate(sheets, round_date=RD)
    assert [(p["row"], p["message"]) for p in problems if p["severity"] == "error"] == [(4, "缺少必填项：项目名称")]
    cols = importer.TABLES["risk"][1]
    table = importer._arrow(rows["risk"], cols)
    assert isinstance(rows["risk"], V.Rows) and rows["risk"].columns is not None   # the columns were used
    assert table.equals(importer._arrow(list(rows["risk"]), cols))                # same as from the dicts
    got = table.select(["project_code", "excel_row", "grade", "households", "code_derived", "sheet"]).to_pylist()
    assert got == [
        {"project_code": "R1", "excel_row": 3, "grade": "red", "households": 5, "code_derived": False, "sheet": "附件2"},
        {"project_code": "R3", "excel_row": 5, "grade": "green", "households": 7, "code_derived": False, "sheet": "附件2"}]


def test_same_project_and_fund_line_on_two_progress_sheets(con, tmp_path):
    row = [1, "贺街镇", "P001", "百香果基地", 2019, 2019, 10, 10, None, "在建"]
    p = _book(tmp_path / "贺街镇_2023-10-29.xlsx", {
        "附件1": ("附件1 推进梳理表", P_HEAD, [row]),                                         # Excel row 3
        "附件1（续）": ("附件1 推进梳理表", P_HEAD, [[2, "贺街镇", "P002", "养牛场", 2020, 2020, 5, 5, None, "在建"],
                                                     row]),                                  # rows 3 and 4
    })
    res = importer.import_file(con, p)
    assert res.status == "rejected"
    errs = [(p["sheet"], p["row"], p["message"]) for p in res.problems if p["severity"] == "error"]
    assert errs == [
        ("附件1（续）", 4, "项目编号 P001 在推进梳理表中出现两次：与工作表“附件1”第3行重复"),
        (None, None, "项目 P001 的资金（linkage，2019年度）在多个工作表中重复出现")]
    assert con.execute("SELECT COUNT(*) FROM progress_rows").fetchone() == (0,)


def test_a_usual_ledger_is_validated_from_its_columns_alike(tmp_path):
    """The sandbox sends each sheet's records as columns; validate checks and shapes a usual sheet from them
    and makes no row dicts (issue #7). The same sheets with their dicts made first give the same problems,
    rows and Arrow tables."""
    import copy
    p = _book(tmp_path / "贺街镇_2023-10-29.xlsx", {
        "附件1": ("附件1 推进梳理表", P_HEAD, [
            [1, "贺街镇", "P001", "百香果基地", 2019, 2019, 120, 100, 20, None],   # Excel row 3
            [2, "贺街镇", "P002", "养牛场", 2020, None, 50, 60, None, "已完工"],     # row 4: 60 > 总投资 50
            [3, "贺街镇", "P003", "茶园", 2031, 2021, 10, None, None, "在建"],       # row 5: 建设年度 2031 > 2023
        ]),
        "附件2": ("附件2 风险排查表", R_HEAD, [
            [1, "贺街镇", "P002", "养牛场", 2020, "黄", 12],      # row 3
            [2, "贺街镇", "P001", "百香果基地", 2019, None, 30],  # row 4: no grade → error
        ]),
    })
    sheets, _notes = R.parse_workbook(p)
    assert all(ps.record_columns is not None for ps in sheets)        # as the sandbox sent them
    dicts = copy.deepcopy(sheets)
    for ps in dicts:
        ps.rows_from_columns()
    got, rows = V.validate(sheets, round_date=RD)
    want, rows_d = V.validate(dicts, round_date=RD)
    assert got == want
    assert [(p["row"], p["message"]) for p in got if p["severity"] == "error"] == [
        (4, "九类资金合计 60 万元大于总投资 50 万元"), (5, "年度 2031 超出范围（2013—2023年）"),
        (4, "缺少必填项：风险等级")]
    assert all(ps.record_columns is not None for ps in sheets)        # no record dicts were made
    assert rows["progress"]._rows is None and rows["risk"]._rows is None   # nor table row dicts
    for k in importer.TABLES:
        cols = importer.TABLES[k][1]
        assert importer._arrow(rows[k], cols).equals(importer._arrow(rows_d[k], cols)), k
    # 3 progress rows; fund lines: P001 100 + 20, P002 60 → 3 lines; P003 none; P002's year: 建设年度 2020
    assert len(rows["progress"]) == 3 and rows["progress"]._rows is None
    assert sorted((f["project_code"], f["source"], f["fund_year"], f["amount_wan"]) for f in rows["funding"]) == [
        ("P001", "guangdong", 2019, D("20")), ("P001", "linkage", 2019, D("100")), ("P002", "linkage", 2020, D("60"))]
    assert rows["progress"] == rows_d["progress"] and rows["risk"] == rows_d["risk"]   # the dicts, made now
    assert V.column(rows["risk"], "project_code") == ["P002", "P001"]


def test_rows_made_of_columns_behave_as_a_list_of_dicts():
    r = V.Rows(columns={"project_code": ["A", "B"], "amount": [D("1"), None]})
    assert len(r) == 2 and r and r._rows is None and r.column("amount") == [D("1"), None]
    assert r[1] == {"project_code": "B", "amount": None} and r._rows is not None   # made on first row access
    r.append({"project_code": "C", "amount": D("3")})
    # the columns no longer match the rows (3 vs 2): column() and _arrow read the rows
    assert r.column("project_code") == ["A", "B", "C"] and len(r) == 3
    both = r + [{"project_code": "D"}]
    assert isinstance(both, V.Rows) and both.column("project_code") == ["A", "B", "C", "D"] and both.columns is None
    assert V.Rows() == [] and not V.Rows(columns={"project_code": []})
