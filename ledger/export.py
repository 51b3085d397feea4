"""Excel exports: the one safe cell writer every export uses, and the 附件3 汇总表 the task force sends
to the city.

Stored text is kept verbatim, so it can hold anything a ledger held: ``=HYPERLINK(…)``, ``=cmd|…``,
``@SUM(…)``, control characters. openpyxl writes any string starting with ``=`` as a formula and
raises on control characters, so ``put``/``append_row``/``frames_xlsx`` (issue #12 point 5): text
starting with = + - @ tab or CR is written as a string cell with Excel's quote prefix (shown and kept
as text, never evaluated, also after editing the cell); control characters are removed.
"""
from __future__ import annotations

import io
import math
import re
from datetime import date, datetime
from decimal import Decimal

from . import glossary as g

# openpyxl is imported where a workbook is written, not here: importing it costs ~0.15 s, paid by every
# page (through ui.tables) although only a download builds a workbook

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def clean_text(s: str) -> str:
    """Text without the control characters an .xlsx cannot hold (tab, newline, CR are kept)."""
    return _ILLEGAL.sub("", s)


def cell_value(v):
    """A Python / numpy / pandas value as something openpyxl writes as data: missing → None,
    numpy scalars → Python, Decimal kept (written exactly as a number), lists joined with 、."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if not math.isfinite(v) else v
    if isinstance(v, (str, bool, int, Decimal, datetime, date)):
        return v
    if isinstance(v, (list, tuple, set, frozenset)):
        return "、".join(str(x) for x in v)
    try:
        import pandas as pd
        if v is pd.NaT or (not hasattr(v, "__len__") and pd.isna(v)):
            return None
        if isinstance(v, pd.Timestamp):
            return v.to_pydatetime()
    except (ImportError, TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return cell_value(v.item())
    return str(v)


def put(cell, value):
    """Write one value into an openpyxl cell safely (see the module docstring). Returns the cell."""
    v = cell_value(value)
    if isinstance(v, str):
        v = clean_text(v)
        cell.value = v
        if v.startswith(FORMULA_LEAD):
            cell.data_type = "s"      # data, not a formula
            cell.quotePrefix = True   # Excel keeps it text when the cell is edited
    else:
        cell.value = v
    return cell


def append_row(ws, values) -> int:
    """``ws.append`` through ``put``; returns the new row's number."""
    r = ws._current_row + 1   # where ws.append would write
    for j, v in enumerate(values, 1):
        if v is not None:
            put(ws.cell(row=r, column=j), v)
    ws._current_row = r
    return r


def sheet_title(name: str) -> str:
    t = _SHEET_BAD.sub("_", clean_text(str(name))).strip("'") or "数据"
    return t[:31]


def _title_font():
    from openpyxl.styles import Font

    return Font(name="黑体", size=14, bold=True)


BODY_FONT_NAME = "宋体"   # a Chinese font the office's Excel/WPS has, so the print is not a fallback face


def title_lines(name: str, *, round_no: int | None = None, round_date: date | None = None, filters=None,
                scope: str | None = None) -> list[str]:
    """The rows above a downloaded table (#8.12): its name, then 数据截至 第N期（date） and the filters.

    >>> title_lines("报送情况汇总", round_no=5, round_date=date(2023, 11, 29))
    ['报送情况汇总', '数据截至 第5期（2023-11-29）；筛选范围：全部项目（未筛选）']
    >>> title_lines("导入记录")
    ['导入记录']
    """
    if round_date is None:
        return [name]
    return [name, f"数据截至 第{round_no}期（{round_date.isoformat()}）；筛选范围：{scope or describe_filters(filters)}"]


def dated_file_name(file_name: str, day: date | None) -> str:
    """'报送情况汇总.xlsx' → '报送情况汇总_2023-11-29.xlsx' (kept when it already names that date).

    >>> dated_file_name("报送情况汇总.xlsx", date(2023, 11, 29)), dated_file_name("催报_2023-11-29.xlsx", date(2023, 11, 29))
    ('报送情况汇总_2023-11-29.xlsx', '催报_2023-11-29.xlsx')
    """
    if day is None or day.isoformat() in file_name:
        return file_name
    stem, dot, ext = file_name.rpartition(".")
    return f"{stem}_{day.isoformat()}.{ext}" if dot else f"{file_name}_{day.isoformat()}"


def _print_setup(ws, *, title_rows: int) -> None:
    """A4 landscape, fit to one page wide (as many pages down as needed), rows 1..title_rows repeated."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    ws.print_options.horizontalCentered = True


def _width(v) -> float:
    """Display width of a value in Excel character units: a CJK character counts about two."""
    t = str(v) if v is not None else ""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in t)


def frames_xlsx(frames: dict, *, widths: bool = True, number_formats: dict | None = None,
                freeze_header: bool = False, titles: dict | None = None) -> bytes:
    """Each frame on its own sheet (header row + rows), every cell through ``put``; column widths
    from the first 200 values when ``widths``; ``number_formats`` {column header: Excel format} for
    the data cells; ``freeze_header`` keeps the header row visible. ``titles`` {sheet: [lines]}: rows
    above the header (the first bold, as the table's title; #8.12); a sheet with titles is also set
    up to print (A4 landscape, fit to width, title and header rows on every page)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    title_font = _title_font()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, df in frames.items():
        ws = wb.create_sheet(sheet_title(name))
        cols = list(df.columns)
        lines = list((titles or {}).get(name) or [])
        for i, line in enumerate(lines, 1):
            cell = put(ws.cell(row=i, column=1), line)
            cell.font = title_font if i == 1 else Font(name=BODY_FONT_NAME)
            if len(cols) > 1:
                ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=len(cols))
            cell.alignment = Alignment(horizontal="center" if i == 1 else "left", vertical="center")
        hr = len(lines) + 1   # the header row
        for j, c in enumerate(cols, 1):
            cell = put(ws.cell(row=hr, column=j), str(c))
            if lines:
                cell.font = Font(name=BODY_FONT_NAME, bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for i, rec in enumerate(df.itertuples(index=False, name=None), hr + 1):
            for j, v in enumerate(rec, 1):
                put(ws.cell(row=i, column=j), v)
        for j, c in enumerate(cols, 1):
            fmt = (number_formats or {}).get(c)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=hr + 1, min_col=j, max_col=j):
                    cell.number_format = fmt
        if freeze_header:
            ws.freeze_panes = f"A{hr + 1}"
        if widths:
            for j, c in enumerate(cols, 1):
                w = max([_width(c)] + [_width(v) for v in df.iloc[:200, j - 1]]) * 1.1 + 2
                ws.column_dimensions[get_column_letter(j)].width = min(max(w, 8), 50)
        if lines:
            _print_setup(ws, title_rows=hr)
    if not wb.worksheets:
        wb.create_sheet("数据")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def describe_filters(f) -> str:
    """The filter set (analytics.filters.Filters or None) in words, for titles: '全部项目（未筛选）' or
    '乡镇：贺街镇；督办层级：市级督办'."""
    if f is None or f.is_empty():
        return "全部项目（未筛选）"
    parts = []
    if f.towns:
        parts.append("乡镇：" + "、".join(f.towns))
    if f.departments:
        parts.append("部门：" + "、".join(f.departments))
    if f.tiers:
        parts.append("督办层级：" + "、".join(g.label("tier", t) for t in f.tiers))
    if f.categories:
        parts.append("类别：" + "、".join(f.categories))
    if getattr(f, "grades", ()):
        parts.append("当前风险等级：" + "、".join(g.label("grade", x) for x in f.grades))
    if f.year_from is not None or f.year_to is not None:
        parts.append(f"建设年度：{f.year_from or ''}—{f.year_to or ''}")
    return "；".join(parts)


def annex3_xlsx(df, labels: dict[str, str], *, as_of: date, round_no: int, by_label: str,
                unit_name: str = "八步区产业帮扶工作专班", filters=None) -> bytes:
    """附件3 帮扶产业项目帮扶提升汇总表 as .xlsx bytes: title row, 填报单位/截至/单位 line, header,
    one row per unit and the 合计 row (bold). Money cells are written as exact numbers (the frame's
    Decimal values, not floats rounded by pandas) shown with 2 decimals as on screen. Printable as sent:
    A4 landscape, fit to one page wide, rows 1–4 (title and header) repeated on every page, 宋体/黑体."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    cols = list(labels)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件3 汇总表"
    append_row(ws, ["附件3"])
    # a filtered table must not read like the whole district's (#8.7): the title states the filters
    scope = "" if filters is None or filters.is_empty() else f"；筛选范围：{describe_filters(filters)}（非全区汇总）"
    append_row(ws, [f"帮扶产业项目帮扶提升汇总表（截至第{round_no}期 {as_of.isoformat()}，按{by_label}{scope}）"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(cols))
    ws["A2"].font = _title_font()
    ws["A2"].alignment = Alignment(horizontal="center")
    append_row(ws, [f"填报单位：{unit_name}", *[None] * (len(cols) - 2), "单位：个、万元、户"])
    append_row(ws, [labels[c] for c in cols])
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    for rec in df[cols].itertuples(index=False):
        row = []
        for c, v in zip(cols, rec):
            if isinstance(v, Decimal):
                row.append(v)  # openpyxl writes Decimal as a number, exactly as given
            elif v is None or (isinstance(v, float) and v != v):
                row.append(None)
            elif hasattr(v, "item"):
                row.append(v.item())
            else:
                row.append(v)
        r = append_row(ws, row)
        for j, c in enumerate(cols, 1):
            cell = ws.cell(row=r, column=j)
            cell.border = box
            if c.endswith("_wan"):
                cell.number_format = "#,##0.00"   # 2 decimals as on screen; the cell keeps the exact value
        if rec[0] == "合计":
            for cell in ws[r]:
                cell.font = Font(bold=True)
    for j, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(j)].width = 16 if j == 1 else max(9, min(16, len(labels[c]) * 2))
    ws.append([])
    append_row(ws, ["填表人：", None, None, "审核人：", None, None, "联系电话："])
    for row in ws.iter_rows():   # a Chinese font throughout (the title keeps its 黑体)
        for cell in row:
            if cell.coordinate != "A2":
                cell.font = Font(name=BODY_FONT_NAME, size=cell.font.size, bold=cell.font.bold)
    ws.freeze_panes = "B5"
    _print_setup(ws, title_rows=4)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
