"""Report rounds (报送期次): due on the 14th and 29th of each month (DOMAIN §9).

February has no 29th in most years: its second due date is the last day of February [A].
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta


def due_dates_in_month(year: int, month: int) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    return [date(year, month, 14), date(year, month, min(29, last))]


def is_due_date(d: date) -> bool:
    return d in due_dates_in_month(d.year, d.month)


def due_dates(start: date, end: date) -> list[date]:
    """All due dates d with start <= d <= end, ascending."""
    out: list[date] = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        out.extend(d for d in due_dates_in_month(y, m) if start <= d <= end)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def nearest_due_date(d: date) -> date:
    """The due date a submission on ``d`` belongs to: the nearest one (ties go to the earlier)."""
    cands = due_dates(d - timedelta(days=20), d + timedelta(days=20))
    return min(cands, key=lambda c: (abs((c - d).days), c))

