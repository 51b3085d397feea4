"""Excel exports: the one safe cell writer every export uses, and the 附件3 汇总表 the task force sends
to the city.

Stored text is kept verbatim, so it can hold anything a ledger held: ``=HYPERLINK(…)``, ``=cmd|…``,
``@SUM(…)``, control characters. openpyxl writes any string starting with ``=`` as a formula and
raises on control characters, so ``put``/``append_row``/``frames_xlsx`` (issue #12 point 5): text
starting with = + - @ tab or CR is written as a string cell with Excel's quote prefix (shown and kept
as text, never evaluated, also after editing the cell); control characters are removed.
``frames_xlsx`` (every table download) writes with XlsxWriter, whose ``write_string`` never makes a formula,
by the same rules; the rest (附件3, templates, report documents) with openpyxl through ``put``.
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
_QUOTED_LEAD = (*FORMULA_LEAD, "\n")   # a leading CR is written as LF and keeps its quote prefix
_NOT_PLAIN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")   # control characters and CR: frames_xlsx's slow path
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
    """Each frame on its own sheet (header row + rows), every cell written safely (see the module
    docstring); column widths from the first 200 values when ``widths``; ``number_formats`` {column
    header: Excel format} for the data cells; ``freeze_header`` keeps the header row visible. ``titles``
    {sheet: [lines]}: rows above the header (the first bold, as the table's title; #8.12); a sheet with
    titles is also set up to print (A4 landscape, fit to width, title and header rows on every page).

    Written by XlsxWriter in constant-memory mode, row by row (issue #7: a province's tier table of 97,500
    rows took openpyxl 17.8 s and ~490 MiB more, XlsxWriter 7.8 s and ~95 MiB; ``bench/bench_downloads.py``). Its explicit
    ``write_string`` never makes a formula; text that Excel would read as one still gets the quote prefix."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False, "nan_inf_to_errors": False})
    formats: dict[tuple, object] = {}

    def fmt(num: str | None = None, quote: bool = False):
        key = (num, quote)
        if key not in formats:
            props = {}
            if num:
                props["num_format"] = num
            if quote:
                props["quote_prefix"] = True
            formats[key] = wb.add_format(props) if props else None
        return formats[key]

    title_fmt = wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"})
    line_fmt = wb.add_format({"font_name": BODY_FONT_NAME, "align": "left", "valign": "vcenter"})
    head = {"font_name": BODY_FONT_NAME, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True}
    head_fmt, head_quoted = wb.add_format(head), wb.add_format({**head, "quote_prefix": True})
    for name, df in frames.items():
        ws = wb.add_worksheet(sheet_title(name))
        cols = list(df.columns)
        lines = [clean_text(str(x)) for x in (titles or {}).get(name) or []]
        hr = len(lines)   # 0-based row of the header
        if widths:   # set before any cell is written (constant-memory mode writes rows as they come)
            for j, c in enumerate(cols):
                w = max([_width(c)] + [_width(v) for v in df.iloc[:200, j]]) * 1.1 + 2
                ws.set_column(j, j, min(max(w, 8), 50))
        for i, line in enumerate(lines):
            f = title_fmt if i == 0 else line_fmt
            if len(cols) > 1:
                ws.merge_range(i, 0, i, len(cols) - 1, "", f)
            _write(ws, i, 0, line, f, None)
        for j, c in enumerate(cols):
            _write(ws, hr, j, str(c), head_fmt if lines else None, head_quoted if lines else fmt(None, True))
        plain = [fmt((number_formats or {}).get(c)) for c in cols]
        quoted = [fmt((number_formats or {}).get(c), True) for c in cols]
        dates = [fmt((number_formats or {}).get(c) or "yyyy-mm-dd") for c in cols]
        stamps = [fmt((number_formats or {}).get(c) or "yyyy-mm-dd hh:mm:ss") for c in cols]
        ws_string, ws_number = ws.write_string, ws.write_number
        for i, rec in enumerate(df.itertuples(index=False, name=None), hr + 1):
            for j, v in enumerate(rec):
                t = type(v)
                if t is str:   # the common cells first, without the general path
                    if v and not v.startswith(FORMULA_LEAD) and not _NOT_PLAIN.search(v):
                        ws_string(i, j, v, plain[j])
                    elif v:
                        _write(ws, i, j, v, plain[j], quoted[j])
                elif t is float:
                    if math.isfinite(v):
                        ws_number(i, j, v, plain[j])
                elif t is int:
                    ws_number(i, j, v, plain[j])
                elif v is not None:
                    _write(ws, i, j, v, plain[j], quoted[j], dates[j], stamps[j])
        if freeze_header:
            ws.freeze_panes(hr + 1, 0)
        if lines:
            ws.set_paper(9)   # A4
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(0, hr)
            ws.center_horizontally()
    if not wb.worksheets():
        wb.add_worksheet("数据")
    wb.close()
    return buf.getvalue()


def _write(ws, row: int, col: int, value, fmt, quoted, date_fmt=None, stamp_fmt=None) -> None:
    """One cell of ``frames_xlsx`` by its value's kind (``cell_value``): text (control characters removed;
    ``quoted``, the quote-prefix format, for text Excel would read as a formula), number, bool, date."""
    v = cell_value(value)
    if v is None:
        return
    if isinstance(v, str):
        # a CR as LF: XlsxWriter would write it as _x000D_; openpyxl wrote it raw, which XML reads as LF
        v = clean_text(v).replace("\r\n", "\n").replace("\r", "\n")
        if v:
            ws.write_string(row, col, v, quoted if v.startswith(_QUOTED_LEAD) and quoted is not None else fmt)
    elif isinstance(v, bool):
        ws.write_boolean(row, col, v, fmt)
    elif isinstance(v, (int, float, Decimal)):
        if not isinstance(v, float) or math.isfinite(v):
            ws.write_number(row, col, float(v) if isinstance(v, Decimal) else v, fmt)
    elif isinstance(v, datetime):
        ws.write_datetime(row, col, v.replace(tzinfo=None), stamp_fmt or fmt)
    elif isinstance(v, date):
        ws.write_datetime(row, col, datetime(v.year, v.month, v.day), date_fmt or fmt)
    else:
        ws.write_string(row, col, clean_text(str(v)), fmt)


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
