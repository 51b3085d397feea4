"""Table downloads as .xlsx bytes (no Streamlit here). Number formats come from the column
registry (ledger/columns.py) through ``formats``; a missing value is an empty cell.

Both go through ledger.export.frames_xlsx, the one safe cell writer (stored text such as "=cmd|…"
is written as text, never as a formula; control characters are dropped).
"""
from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import pandas as pd

from ledger.columns import Column, is_missing
from ledger.export import FORMULA_LEAD, clean_text, frames_xlsx

# registry format → Excel number format (values as the display frame holds them)
XLSX_FORMATS = {"int": "0", "yuan": "#,##0", "wan": "#,##0.00", "num": "0.00", "share": "0.0%",
                "pct": '0.00"%"', "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "数据", *, formats: dict[str, Column] | None = None,
                  title: list[str] | None = None) -> bytes:
    """The frame as an .xlsx workbook (headers as given; Decimal money written as numbers; the
    header → Column ``formats`` give each column its Excel number format). ``title``: lines above
    the header (``ledger.export.title_lines``: the table's name, 数据截至 and the filters)."""
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.ArrowDtype):
            out[col] = out[col].map(lambda v: None if is_missing(v) else float(v))
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: float(v) if isinstance(v, Decimal) else (None if is_missing(v) else v))
    fmts = {}
    for col in out.columns:
        spec = (formats or {}).get(col)
        fmt = XLSX_FORMATS.get(spec.fmt) if spec is not None else None
        if fmt:
            fmts[col] = fmt
    return frames_xlsx({sheet_name: out}, number_formats=fmts, freeze_header=True,
                       titles={sheet_name: title} if title else None)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with a byte-order mark, which Excel and WPS need to read Chinese; header row
    first, one line a row), for a table too long for an .xlsx download (``ui.tables.XLSX_MAX_ROWS``). Text
    is written as the .xlsx writer writes it: control characters removed, and text Excel would read as a
    formula (= + - @ tab CR first) prefixed with an apostrophe, as OWASP advises for CSV (a CSV cell has no
    quote-prefix flag). Decimal money as its exact digits; a missing value is an empty field."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = _csv_safe(out[col])
    # written CSV_CHUNK rows at a time: the text of a million rows at once held ~0.6 GB more at its peak
    buf = io.BytesIO()
    buf.write("\ufeff".encode())
    for i in range(0, max(len(out), 1), CSV_CHUNK):
        buf.write(out.iloc[i:i + CSV_CHUNK].to_csv(index=False, header=i == 0, lineterminator="\r\n").encode())
    return buf.getvalue()


CSV_CHUNK = 50_000


def _csv_safe(s: pd.Series) -> pd.Series:
    def safe(v):
        if isinstance(v, str):
            v = clean_text(v)
            return "'" + v if v.startswith(FORMULA_LEAD) else v
        return None if is_missing(v) else v
    return per_value(s, safe)


def per_value(s: pd.Series, fn) -> pd.Series:
    """``s.map(fn)``, with ``fn`` run once per distinct value (a download of a province's tier table has
    97,500 rows and a few thousand distinct values a column: 1.2 s value by value). Values that cannot be
    hashed (lists), or a column mixing bools and numbers (True and 1 would count as one value), go value by
    value."""
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True).startswith("mixed"):
        return s.map(fn)
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
    except TypeError:   # unhashable values
        return s.map(fn)
    out = np.empty(len(uniques), dtype=object)
    out[:] = [fn(v) for v in uniques]
    return pd.Series(out[codes], index=s.index, dtype=object)


def scenario_xlsx(params: pd.DataFrame, allocation: pd.DataFrame, *, title: list[str] | None = None,
                  formats: dict[str, Column] | None = None) -> bytes:
    """The allocation scenario as a workbook: sheet 参数 (weights, β, cap, budget...) and sheet 分配结果
    (``formats``: header → Column, as for ``to_xlsx_bytes``); ``title`` lines above both."""
    fmts = {c: XLSX_FORMATS[spec.fmt] for c, spec in (formats or {}).items() if spec.fmt in XLSX_FORMATS}
    return frames_xlsx({"参数": params, "分配结果": allocation}, number_formats=fmts, freeze_header=True,
                       titles={"参数": title, "分配结果": title} if title else None)
