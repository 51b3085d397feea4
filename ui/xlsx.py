"""Table downloads as .xlsx bytes (no Streamlit here). Number formats come from the column
registry (ledger/columns.py) through ``formats``; a missing value is an empty cell.

Kept out of ledger/export.py for now: the hardened workbook writer replaces both later.
"""
from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd

from ledger.columns import Column, is_missing

# registry format → Excel number format (values as the display frame holds them)
XLSX_FORMATS = {"int": "0", "yuan": "#,##0", "wan": "#,##0.00", "num": "0.00", "share": "0.0%",
                "pct": '0.00"%"', "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "数据", *, formats: dict[str, Column] | None = None) -> bytes:
    """The frame as an .xlsx workbook (headers as given; Decimal money written as numbers; the
    header → Column ``formats`` give each column its Excel number format)."""
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.ArrowDtype):
            out[col] = out[col].map(lambda v: None if is_missing(v) else float(v))
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: float(v) if isinstance(v, Decimal) else (None if is_missing(v) else v))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        out.to_excel(xw, index=False, sheet_name=sheet_name[:31])
        ws = xw.sheets[sheet_name[:31]]
        ws.freeze_panes = "A2"
        for i, col in enumerate(out.columns, start=1):
            letter = ws.cell(row=1, column=i).column_letter
            width = max([len(str(col))] + [len(str(v)) for v in out[col].head(200)]) * 1.6 + 2
            ws.column_dimensions[letter].width = min(width, 50)
            spec = (formats or {}).get(col)
            fmt = XLSX_FORMATS.get(spec.fmt) if spec is not None else None
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt
    return buf.getvalue()


def scenario_xlsx(params: pd.DataFrame, allocation: pd.DataFrame) -> bytes:
    """The allocation scenario as a workbook: sheet 参数 (weights, β, cap, budget...) and sheet 分配结果."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        params.to_excel(xw, sheet_name="参数", index=False)
        allocation.to_excel(xw, sheet_name="分配结果", index=False)
    return buf.getvalue()
