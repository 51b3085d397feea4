"""Safe to open: no text becomes a formula, no file name trips Windows. Text cells go through the
one shared writer, ``ledger.export.put`` (issue #12)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from ledger import export as X

# A cell starting with one of these is a formula (or DDE payload) to Excel/WPS/LibreOffice when
# typed, pasted or re-saved as CSV (OWASP "CSV injection").
FORMULA_START = X.FORMULA_LEAD


def is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def risky(s: str) -> bool:
    """Would ``s`` be read as a formula? (leading = + - @ tab CR)"""
    return s.startswith(FORMULA_START)


def safe_text(s) -> str:
    """Text for plain-text outputs that may be pasted into a spreadsheet (the 催报 copy text): a risky
    value gets a leading apostrophe, which spreadsheets take as "this is text" and do not show.

    >>> safe_text('=HYPERLINK("http://x","y")'), safe_text("@备注"), safe_text("贺街镇")
    ('\\'=HYPERLINK("http://x","y")', "'@备注", '贺街镇')
    """
    s = "" if is_missing(s) else str(s)
    return "'" + s if risky(s) else s


def put(ws, row: int, col: int, value, *, number_format: str | None = None):
    """Write one cell. Strings are always stored as strings (never a formula: openpyxl would make
    any string starting with '=' a formula), and a risky one also gets Excel's quotePrefix so that
    editing the cell keeps it text. Decimal money stays exact; dates are dates; NA → empty."""
    cell = ws.cell(row=row, column=col)
    if is_missing(value):
        cell.value = None
    elif isinstance(value, bool):
        cell.value = "是" if value else "否"
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (date, datetime)):
        cell.value = value
        cell.number_format = "yyyy-mm-dd" if not isinstance(value, datetime) else "yyyy-mm-dd hh:mm"
    elif hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        cell.value = value.item()
    else:
        X.put(cell, str(value))   # text, never a formula; control characters dropped
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


_WIN_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WIN_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, *, max_len: int = 120) -> str:
    """A file name valid on Windows (and everywhere): <>:"/\\|?* and control characters → '_',
    no trailing dot/space, no reserved device name (CON, NUL, COM1 …), at most ``max_len`` characters
    (the extension kept).

    >>> safe_filename('督办单_贺街镇/区:1?.xlsx'), safe_filename('CON.txt'), safe_filename('a. ')
    ('督办单_贺街镇_区_1_.xlsx', '_CON.txt', 'a')
    """
    name = unicodedata.normalize("NFC", str(name))
    name = _WIN_BAD.sub("_", name).strip().rstrip(". ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.split(".")[0].upper() in _WIN_RESERVED:
        stem = "_" + stem
    ext = f".{ext}" if dot else ""
    stem = stem[: max(1, max_len - len(ext))].rstrip(". ")
    return (stem or "_") + ext
