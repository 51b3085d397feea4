"""One content model, two renderings: a report is a list of blocks (title, 文号, paragraphs, headed
tables, signature, images) that ``to_xlsx`` lays out as an official-looking A4 sheet and ``to_html``
as a printable page (A4 @page, borders, the table header repeated on every printed page, rows never
split). Builders (``build.py``) fill the blocks with labelled values; nothing here knows the domain.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from .safe import is_missing, put

FONT_STACK = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'


@dataclass
class Col:
    header: str
    fmt: str = "text"  # text | int | money (万元 Decimal) | float2 | date | pct
    width: int | None = None  # xlsx characters; None: from the content


@dataclass
class Table:
    heading: str | None
    cols: list[Col]
    rows: list[list]
    empty_text: str = "（无）"
    bold_last: bool = False  # a 合计 row


@dataclass
class Doc:
    title: str
    sheet: str = "报表"
    number: str | None = None        # 文号, under the title
    addressee: str | None = None     # 主送: "贺街镇："
    subtitle: str | None = None      # one centred line under the title (round, filters)
    paras: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)   # paragraphs after the tables
    sign: list[str] = field(default_factory=list)      # right-aligned lines (issuer, date)
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (caption, PNG) — HTML only
    landscape: bool = True


def fmt_money(v) -> str:
    """万元 for reading: thousands separators, 2 decimals unless the exact value needs more.

    >>> fmt_money(Decimal("2999.99")), fmt_money(Decimal("3000")), fmt_money(Decimal("0.123456"))
    ('2,999.99', '3,000.00', '0.123456')
    """
    d = Decimal(str(v))
    q = d.quantize(Decimal("0.01"))
    return f"{q:,.2f}" if q == d else f"{d.normalize():,f}"


def fmt_value(v, fmt: str) -> str:
    """The text a value shows as (HTML, and what the tests read back from HTML/PDF)."""
    if is_missing(v):
        return ""
    if fmt == "money":
        return fmt_money(v)
    if fmt == "float2":
        return f"{float(v):.2f}"
    if fmt == "pct":
        return f"{float(v) * 100:.1f}%"
    if fmt == "int":
        return str(int(v))
    if isinstance(v, (date, datetime)):
        return v.isoformat()[:10] if not isinstance(v, datetime) else v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


# --- xlsx ----------------------------------------------------------------------------------------
# openpyxl is imported when a workbook is written (_write_sheet, to_xlsx), not at import: ~0.15 s that
# every page importing the report builders would pay otherwise
_XLSX_FMT = {"money": "#,##0.00####", "float2": "0.00", "pct": "0.0%", "int": "0", "date": "yyyy-mm-dd"}


def _text_width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _write_sheet(ws, doc: Doc) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="E7E6E6")
    ncols = max([len(t.cols) for t in doc.tables] + [4])
    widths = [8] * ncols
    r = 1

    def line(text, *, size=11, bold=False, align="left", height=None, wrap=True):
        nonlocal r
        put(ws, r, 1, text)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        c = ws.cell(row=r, column=1)
        c.font = Font(size=size, bold=bold)
        c.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
        if height:
            ws.row_dimensions[r].height = height
        r += 1

    line(doc.title, size=18, bold=True, align="center", height=34)
    if doc.number:
        line(doc.number, size=12, align="center", height=22)
    if doc.subtitle:
        line(doc.subtitle, size=11, align="center")
    if doc.addressee:
        line(doc.addressee, size=12, bold=True)
    for p in doc.paras:
        line(p, height=max(18, 16 * (1 + _text_width(p) // 150)))
    for t in doc.tables:
        if t.heading:
            r += 1 if r > 1 else 0
            line(t.heading, size=12, bold=True)
        for j, col in enumerate(t.cols, 1):
            c = put(ws, r, j, col.header)
            c.font = Font(bold=True)
            c.fill = head_fill
            c.border = box
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            widths[j - 1] = max(widths[j - 1], min(_text_width(col.header) + 2, 16), col.width or 0)
        r += 1
        if not t.rows:
            put(ws, r, 1, t.empty_text)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(t.cols))
            for j in range(1, len(t.cols) + 1):
                ws.cell(row=r, column=j).border = box
            r += 1
        for i, row in enumerate(t.rows):
            for j, (col, v) in enumerate(zip(t.cols, row), 1):
                c = put(ws, r, j, v, number_format=_XLSX_FMT.get(col.fmt))
                c.border = box
                c.alignment = Alignment(vertical="top", wrap_text=True,
                                        horizontal="right" if col.fmt in _XLSX_FMT and col.fmt != "date" else None)
                if t.bold_last and i == len(t.rows) - 1:
                    c.font = Font(bold=True)
                if col.width is None:
                    widths[j - 1] = max(widths[j - 1], min(_text_width(fmt_value(v, col.fmt)) + 2, 40))
            r += 1
    if doc.closing or doc.sign:
        r += 1
    for p in doc.closing:
        line(p)
    for s in doc.sign:
        line(s, align="right")
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    # A4, fitted to one page wide, centred, page numbers in the footer
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if doc.landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:{get_column_letter(ncols)}{r - 1}"


def to_xlsx(*docs: Doc) -> bytes:
    """The documents as one workbook, one sheet each (sheet names from ``Doc.sheet``)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    used = set()
    for d in docs:
        name = "".join(ch for ch in d.sheet if ch not in '[]:*?/\\')[:31] or "报表"
        while name in used:
            name = name[:29] + str(len(used))
        used.add(name)
        _write_sheet(wb.create_sheet(name), d)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- html ----------------------------------------------------------------------------------------
_CSS = """
@page { size: A4 %(orient)s; margin: 12mm 12mm 14mm 12mm; }
body { font-family: %(font)s; font-size: 10.5pt; color: #000; }
@media screen { body { max-width: 1120px; margin: 1.5em auto; padding: 0 1em; } }
h1 { text-align: center; font-size: 20pt; margin: 0.2em 0; letter-spacing: 0.1em; }
.number, .subtitle { text-align: center; margin: 0.2em 0 0.8em; }
.addressee { font-weight: bold; font-size: 12pt; margin-top: 1em; }
p { line-height: 1.6; margin: 0.4em 0; text-indent: 2em; }
h2 { font-size: 12pt; margin: 1em 0 0.3em; break-after: avoid; }
table { border-collapse: collapse; width: 100%%; margin-bottom: 0.6em; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: top; }
th { background: #e7e6e6; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; }
.sign { text-align: right; margin: 0.3em 0; text-indent: 0; }
figure { margin: 0.5em 0; break-inside: avoid; text-align: center; }
figure img { max-width: 100%%; }
figcaption { font-weight: bold; }
"""


def to_html(doc: Doc) -> str:
    """A self-contained printable page (images inlined as data: URIs). Every value is escaped."""
    e = html.escape
    out = ["<!doctype html>", '<html lang="zh-CN"><head><meta charset="utf-8">', f"<title>{e(doc.title)}</title>",
           f"<style>{_CSS % {'orient': 'landscape' if doc.landscape else 'portrait', 'font': FONT_STACK}}</style>",
           "</head><body>", f"<h1>{e(doc.title)}</h1>"]
    if doc.number:
        out.append(f'<div class="number">{e(doc.number)}</div>')
    if doc.subtitle:
        out.append(f'<div class="subtitle">{e(doc.subtitle)}</div>')
    if doc.addressee:
        out.append(f'<div class="addressee">{e(doc.addressee)}</div>')
    out += [f"<p>{e(p)}</p>" for p in doc.paras]
    for cap, png in doc.images:
        out.append(f'<figure><figcaption>{e(cap)}</figcaption><img alt="{e(cap)}" '
                   f'src="data:image/png;base64,{base64.b64encode(png).decode()}"></figure>')
    for t in doc.tables:
        if t.heading:
            out.append(f"<h2>{e(t.heading)}</h2>")
        out.append("<table><thead><tr>" + "".join(f"<th>{e(c.header)}</th>" for c in t.cols) + "</tr></thead><tbody>")
        if not t.rows:
            out.append(f'<tr><td colspan="{len(t.cols)}">{e(t.empty_text)}</td></tr>')
        for i, row in enumerate(t.rows):
            cls = ' class="total"' if t.bold_last and i == len(t.rows) - 1 else ""
            cells = "".join(
                f'<td{" class=" + chr(34) + "n" + chr(34) if c.fmt in ("int", "money", "float2", "pct") else ""}>'
                f"{e(fmt_value(v, c.fmt))}</td>" for c, v in zip(t.cols, row))
            out.append(f"<tr{cls}>{cells}</tr>")
        out.append("</tbody></table>")
    out += [f"<p>{e(p)}</p>" for p in doc.closing]
    out += [f'<p class="sign">{e(s)}</p>' for s in doc.sign]
    out.append("</body></html>")
    return "\n".join(out)
