"""Exports in the official layout: the 附件3 汇总表 the task force sends to the city.

Takes an already computed frame (analytics.annex3.annex3) and its Chinese headers; knows only Excel.
"""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def annex3_xlsx(df, labels: dict[str, str], *, as_of: date, round_no: int, by_label: str,
                unit_name: str = "八步区产业帮扶工作专班") -> bytes:
    """附件3 帮扶产业项目帮扶提升汇总表 as .xlsx bytes: title row, 填报单位/截至/单位 line, header,
    one row per unit and the 合计 row (bold). Money cells are written as exact numbers with 4
    decimals shown (the frame's Decimal values, not floats rounded by pandas)."""
    cols = list(labels)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件3 汇总表"
    ws.append(["附件3"])
    ws.append([f"帮扶产业项目帮扶提升汇总表（截至第{round_no}期 {as_of.isoformat()}，按{by_label}）"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(cols))
    ws["A2"].font = Font(size=14, bold=True)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位：{unit_name}", *[None] * (len(cols) - 2), "单位：个、万元、户"])
    ws.append([labels[c] for c in cols])
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
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
        ws.append(row)
        r = ws.max_row
        for j, c in enumerate(cols, 1):
            cell = ws.cell(row=r, column=j)
            cell.border = _BOX
            if c.endswith("_wan"):
                cell.number_format = "0.0000"
        if rec[0] == "合计":
            for cell in ws[r]:
                cell.font = Font(bold=True)
    for j, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(j)].width = 16 if j == 1 else max(9, min(16, len(labels[c]) * 2))
    ws.append([])
    ws.append(["填表人：", None, None, "审核人：", None, None, "联系电话："])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
