"""Every .xlsx export writes stored text as text (issue #12 point 5): the shared table download
(ui.xlsx.to_xlsx_bytes), the allocation scenario (ui.xlsx.scenario_xlsx) and 附件3
(ledger.export.annex3_xlsx) all go through ledger.export.put. Checked on the saved file itself: no
formula element anywhere, hostile text kept verbatim (control characters removed), quote prefix set."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pandas as pd

from ledger.export import annex3_xlsx, frames_xlsx, put

HOSTILE = ['=HYPERLINK("http://evil","点我")', "=cmd|'/c calc'!A1", "+cmd|'/c calc'!A1", "-2+3", "@SUM(1+1)",
           "\t=1+1", "\r=1+1", "茶园\x01\x1b二期", "普通项目"]
# read back: control characters gone; a raw CR comes back as LF (XML end-of-line normalisation)
STORED = ['=HYPERLINK("http://evil","点我")', "=cmd|'/c calc'!A1", "+cmd|'/c calc'!A1", "-2+3", "@SUM(1+1)",
          "\t=1+1", "\n=1+1", "茶园二期", "普通项目"]


def _check(data: bytes) -> list[str]:
    """All string cell values of the workbook; asserts no formula and quote prefixes on risky text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert not re.search(rb"<(?:\w+:)?f[\s>]", z.read(n)), n
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type != "f"
                    if c.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
                        assert c.quotePrefix, c.value
                    out.append(c.value)
    return out


def test_put_writes_text_not_formula():
    wb = openpyxl.Workbook()
    for i, v in enumerate(HOSTILE, 1):
        put(wb.active.cell(row=i, column=1), v)
    assert [wb.active.cell(row=i, column=1).data_type for i in range(1, len(HOSTILE) + 1)] == ["s"] * len(HOSTILE)


def test_shared_table_download():
    from ui.xlsx import to_xlsx_bytes
    df = pd.DataFrame({"项目名称": HOSTILE, "金额": [Decimal("1.5")] * len(HOSTILE)})
    vals = _check(to_xlsx_bytes(df, sheet_name="数据"))
    assert vals == ["项目名称", "金额", *STORED]


def test_scenario_download():
    from ui.xlsx import scenario_xlsx
    params = pd.DataFrame({"参数": HOSTILE[:3], "值": [1, 2, 3]})
    alloc = pd.DataFrame({"单位": HOSTILE, "分配": range(len(HOSTILE))})
    vals = _check(scenario_xlsx(params, alloc))
    assert vals == ["参数", "值", *STORED[:3], "单位", "分配", *STORED]


def test_annex3_export():
    df = pd.DataFrame({"unit": HOSTILE + ["合计"], "projects": list(range(len(HOSTILE) + 1)),
                       "funds_wan": [Decimal("1.2345")] * (len(HOSTILE) + 1)})
    labels = {"unit": "=单位", "projects": "项目数", "funds_wan": "资金"}
    vals = _check(annex3_xlsx(df, labels, as_of=date(2023, 10, 29), round_no=3, by_label="乡镇",
                              unit_name="=cmd|'/c calc'!A1"))
    assert "=单位" in vals and "填报单位：=cmd|'/c calc'!A1" in vals
    assert [v for v in vals if v in STORED] == STORED


def test_frames_xlsx_sheet_names_and_missing_values():
    df = pd.DataFrame({"a": [None, float("nan"), pd.NA, "=1"]}, dtype=object)
    data = frames_xlsx({"坏/名字[1]:*?": df})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["坏_名字_1____"]
    assert [c.value for c in wb.active["A"]] == ["a", None, None, None, "=1"]


def test_report_documents():
    """督办单 / 通报 / 专题会材料 (ledger.reports.doc.to_xlsx) write their text through the same writer."""
    from ledger.reports.doc import Col, Doc, Table, to_xlsx
    doc = Doc(title="=督办单", addressee="@贺街镇：", paras=[HOSTILE[0]],
              tables=[Table("情况", [Col("项目名称"), Col("金额", "money")],
                            [[v, Decimal("1.5")] for v in HOSTILE])])
    vals = _check(to_xlsx(doc))
    assert "=督办单" in vals and "@贺街镇：" in vals
    assert [v for v in vals if v in STORED][-len(STORED):] == STORED


def test_csv_download():
    """The CSV of a table too long for .xlsx: formula-like text gets an apostrophe (a CSV cell has no quote
    prefix), control characters go, numbers stay numbers, a missing value is an empty field."""
    import csv

    from ui.xlsx import to_csv_bytes
    df = pd.DataFrame({"项目名称": HOSTILE, "金额": [1.5] * (len(HOSTILE) - 1) + [None]})
    text = to_csv_bytes(df).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["项目名称", "金额"]
    assert [r[0] for r in rows[1:]] == [
        "'" + HOSTILE[0], "'" + HOSTILE[1], "'" + HOSTILE[2], "'-2+3", "'@SUM(1+1)", "'\t=1+1", "'\r=1+1",
        "茶园二期", "普通项目"]
    assert [r[1] for r in rows[1:]] == ["1.5"] * (len(HOSTILE) - 1) + [""]


def test_csv_download_in_chunks_is_the_same_file(monkeypatch):
    """Written a few rows at a time (``CSV_CHUNK``): 9 rows in chunks of 4 (4 + 4 + 1) give the same bytes as
    one chunk, the header once at the top, and an empty table gives the BOM and the header."""
    from ui import xlsx
    df = pd.DataFrame({"项目名称": HOSTILE, "金额": range(len(HOSTILE))})
    whole = xlsx.to_csv_bytes(df)
    monkeypatch.setattr(xlsx, "CSV_CHUNK", 4)
    assert xlsx.to_csv_bytes(df) == whole and whole.decode("utf-8-sig").count("项目名称") == 1
    assert xlsx.to_csv_bytes(df.iloc[:0]) == "\ufeff项目名称,金额\r\n".encode()


def test_frames_xlsx_headers_are_text_too():
    """A column header is written like a cell: formula-like text as quoted text, with or without titles."""
    df = pd.DataFrame({HOSTILE[0]: [1], "@SUM(1+1)": [2]})
    for titles in (None, {"数据": ["表名"]}):
        vals = _check(frames_xlsx({"数据": df}, titles=titles))
        assert vals[-2:] == [HOSTILE[0], "@SUM(1+1)"]


def test_per_value_keeps_values_that_compare_equal_apart():
    """``per_value`` runs fn once per distinct value, but True, 1 and 1.0 (equal as dict keys) each get their
    own result, as do lists (unhashable), and a missing value is passed as missing."""
    from ui.xlsx import per_value
    calls = []

    def kind(v):   # a missing value may come as None or NaN (factorize's NA): either is missing
        from ledger.columns import is_missing
        calls.append(v)
        return "missing" if is_missing(v) else type(v).__name__
    s = pd.Series([True, 1, 1.0, None, 1], dtype=object)
    assert per_value(s, kind).tolist() == ["bool", "int", "float", "missing", "int"]
    assert per_value(pd.Series([["a"], ["a", "b"]]), len).tolist() == [1, 2]
    calls.clear()
    # three distinct strings and a missing value over 6 cells: fn runs 4 times
    out = per_value(pd.Series(["甲", "乙", "甲", None, "丙", "乙"], dtype=object), kind)
    assert out.tolist() == ["str", "str", "str", "missing", "str", "str"] and len(calls) == 4
