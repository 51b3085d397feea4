"""Sheet model and the two back ends (.xlsx via openpyxl write-only, .xls via xlwt).

A ``Sheet`` is a grid of final cell values (str / int / float / date / None) plus merged ranges;
the ledger layout (title, 填报单位 line, merged headers, 小计/合计, footer) is built in
render.py and only written here. Used by the sample generator and ``bench/make_big_ledger.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (1-based)
    title_rows: int = 1          # bold, large
    header_rows: tuple[int, int] = (0, 0)  # first, last header row (1-based), bold + wrapped
    widths: dict[int, float] = field(default_factory=dict)  # col (1-based) -> width

    @property
    def nrows(self) -> int:
        return len(self.rows)

    def add(self, row: list[Any]) -> int:
        self.rows.append(row)
        return len(self.rows)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


def _col_letter(c: int) -> str:
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="14"/><name val="宋体"/></font>\
<font><b/><sz val="11"/><name val="宋体"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center" wrapText="1"/></xf>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center" wrapText="1"/></xf></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
_EPOCH = date(1899, 12, 30)


def _esc(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(ch for ch in s if ch >= " " or ch in "\n\t")


def _sheet_xml(sh: Sheet) -> str:
    h1, h2 = sh.header_rows
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}" xmlns:r="{_RNS}">']
    if sh.widths:
        out.append("<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
                                      for c, w in sorted(sh.widths.items())) + "</cols>")
    out.append("<sheetData>")
    letters = [_col_letter(c) for c in range(1, 1 + max((len(r) for r in sh.rows), default=1))]
    for r, row in enumerate(sh.rows, start=1):
        st = ' s="2"' if r <= sh.title_rows else ' s="3"' if h1 <= r <= h2 else ""
        cells = []
        for c, v in enumerate(row):
            if v is None:
                continue
            ref = f"{letters[c]}{r}"
            if isinstance(v, str):
                cells.append(f'<c r="{ref}" t="inlineStr"{st}><is><t xml:space="preserve">{_esc(v)}</t></is></c>')
            elif isinstance(v, bool):
                cells.append(f'<c r="{ref}" t="b"{st}><v>{int(v)}</v></c>')
            elif isinstance(v, (date, datetime)):
                cells.append(f'<c r="{ref}" s="1"><v>{(v - _EPOCH).days if not isinstance(v, datetime) else (v - datetime(1899, 12, 30)).total_seconds() / 86400}</v></c>')
            else:
                cells.append(f'<c r="{ref}"{st}><v>{v!r}</v></c>')
        out.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    out.append("</sheetData>")
    if sh.merges:
        out.append(f'<mergeCells count="{len(sh.merges)}">' + "".join(
            f'<mergeCell ref="{_col_letter(c1)}{r1}:{_col_letter(c2)}{r2}"/>' for r1, c1, r2, c2 in sh.merges)
            + "</mergeCells>")
    out.append("</worksheet>")
    return "".join(out)


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    """A minimal, valid .xlsx (inline strings, one date style, bold title/header), written directly:
    openpyxl without lxml needs ~40 s for the sample set, this needs a few."""
    import zipfile

    n = len(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.styles+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/'
                    f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for k in range(1, n + 1))
          + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS}" xmlns:r="{_RNS}">'
          "<sheets>" + "".join(f'<sheet name="{_esc(sh.name)}" sheetId="{k}" r:id="rId{k}"/>'
                               for k, sh in enumerate(sheets, start=1)) + "</sheets></workbook>")
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              + "".join(f'<Relationship Id="rId{k}" Type="{_RNS}/worksheet" Target="worksheets/sheet{k}.xml"/>'
                        for k in range(1, n + 1))
              + f'<Relationship Id="rId{n + 1}" Type="{_RNS}/styles" Target="styles.xml"/></Relationships>')
    parts = [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
             ("xl/_rels/workbook.xml.rels", wbrels), ("xl/styles.xml", _STYLES)]
    parts += [(f"xl/worksheets/sheet{k}.xml", _sheet_xml(sh)) for k, sh in enumerate(sheets, start=1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts:  # fixed timestamps: the same model gives byte-identical files
            z.writestr(zipfile.ZipInfo(name, date_time=(2023, 11, 3, 0, 0, 0)), xml,
                       compress_type=zipfile.ZIP_DEFLATED)


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    """Old-format workbook (as WPS users still send). Max 65,536 rows per sheet."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    title = xlwt.easyxf("font: bold on, height 280; align: horiz center, vert center, wrap on")
    head = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on")
    dstyle = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for sh in sheets:
        ws = wb.add_sheet(sh.name)
        for c, w in sh.widths.items():
            ws.col(c - 1).width = int(w * 256)
        h1, h2 = sh.header_rows
        for r, row in enumerate(sh.rows, start=1):
            st = title if r <= sh.title_rows else head if h1 <= r <= h2 else None
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, date):
                    ws.write(r - 1, c, v, dstyle)
                elif st is not None:
                    ws.write(r - 1, c, v, st)
                else:
                    ws.write(r - 1, c, v)
        for r1, c1, r2, c2 in sh.merges:
            ws.merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    if path.suffix == ".xls":
        write_xls(path, sheets)
    else:
        write_xlsx(path, sheets)
