"""Shared fixtures for the ledger import tests: small workbooks built with openpyxl."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest


def write_xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for m in (merges or {}).get(name, []):
            ws.merge_cells(m)
    wb.save(path)
    return path


PROGRESS_HEADER_TOP = ["序号", "乡镇（街道）", "项目编号", "项目名称", "建设年度", "总投资\n（万元）",
                       "资金来源（万元）", None, None, "企业出资(元)", "建设状态", "运营状态", "计划完成时间"]
PROGRESS_HEADER_SUB = [None, None, None, None, None, None, "衔接资金", "粤桂协作", "社会捐赠", None, None, None, None]
# merged: A..F and J..M vertically over rows 4-5; G4:I4 horizontally
PROGRESS_MERGES = ["A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:E5", "F4:F5", "G4:I4", "J4:J5", "K4:K5", "L4:L5", "M4:M5"]


def progress_book(path: Path, data: list[list], *, title="附件1 八步区帮扶产业项目推进梳理表（2023年10月29日）",
                  unit_line="填报单位：贺街镇人民政府    填报日期：2023年10月28日    单位：万元",
                  extra_rows: list[list] | None = None, extra_merges: list[str] | None = None) -> Path:
    rows = [[title], [unit_line], [], PROGRESS_HEADER_TOP, PROGRESS_HEADER_SUB] + data + (extra_rows or [])
    return write_xlsx(path, {"附件1": rows}, {"附件1": ["A1:M1"] + PROGRESS_MERGES + (extra_merges or [])})


TABLES = ["rounds", "units", "imports", "submissions", "progress_rows", "funding_rows", "risk_rows", "tasks",
          "signoffs", "interactions", "settings", "meta",
          "project_rounds", "grade_hist", "project_state", "clock_state"]  # the materialised state too


def dump(con) -> dict:
    """Full contents of every table, sorted, for before/after comparisons."""
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def rebuilt_equal(d: dict) -> dict:
    """``dump`` without meta.state_token: a fresh random cache key after every write (ledger/state.py),
    so a rebuilt database has the same data under another token. (A rejected import must leave even
    the token unchanged: compare plain ``dump`` there.)"""
    return {**d, "meta": [r for r in d.get("meta", []) if r[0] != "state_token"]}


RISK_HEADER = ["序号", "所属乡镇", "项目编码", "项目名称", "建设年度", "扶贫资金帮扶资金（元）", "问题类型",
               "风险等级", "认定日期", "运营状态说明", "带动农户数"]


def risk_book(path: Path, data: list[list], *, title="附件2 风险排查表", unit_line="填报单位：贺街镇",
              date_line="填报日期：2023-10-27") -> Path:
    rows = [[title], [unit_line, None, None, date_line], RISK_HEADER] + data
    return write_xlsx(path, {"风险排查": rows})


@pytest.fixture
def con(tmp_path):
    from ledger import db
    c = db.connect(tmp_path / "t.duckdb")
    yield c
    c.close()
