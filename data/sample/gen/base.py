"""Constants of the sample (seed, rounds, units) and small helpers shared by every part of the generator.

The calendar rules here (due dates on the 14th and 29th, or the month's last day; calendar months) are the
generator's own copies of DOMAIN §3/§6, not imports from ledger/ or analytics/: the sample is the second
implementation the tests compare the app against, so it must not share the app's code.
"""
from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from decimal import Decimal as D

from . import vocab as g

SEED = 20231103   # the date of 贺八乡指办发〔2023〕25号


def due_dates(start: date, end: date) -> list[date]:
    """Every due date (the 14th and the 29th, or the last day of a shorter month) in [start, end]."""
    out: list[date] = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        last = calendar.monthrange(y, m)[1]
        out.extend(d for d in (date(y, m, 14), date(y, m, min(29, last))) if start <= d <= end)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


ROUNDS: list[date] = due_dates(date(2023, 9, 29), date(2024, 6, 29))
NR = len(ROUNDS)
LAST = NR - 1
EXPECTED_DATES = [date(2024, 6, 29), date(2023, 10, 29)]

TOWNS = list(g.TOWNS)
DEPTS = list(g.DEPARTMENTS)
UNITS = TOWNS + DEPTS
SOURCES = list(g.FUND_SOURCES)          # codes, policy order
CATEGORIES = ["种植", "养殖", "加工", "光伏", "乡村旅游", "冷链物流", "电商", "扶贫车间"]


def add_months(d: date, n: int) -> date:
    """Calendar months: 2023-10-31 + 1 month = 2023-11-30 (DOMAIN §6)."""
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def money(rng: random.Random, x: float, places: int | None = None) -> D:
    """A 万元 amount with 2–4 decimals (ledgers carry 元-level precision)."""
    places = places or rng.choice([2, 2, 2, 3, 4, 4])
    v = D(f"{max(x, 0.01):.{places}f}")
    return v if v > 0 else D("0.01")


def day_in(rng: random.Random, lo: date, hi: date) -> date:
    """A random date in [lo, hi]."""
    if hi < lo:
        hi = lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def round_window(k: int) -> tuple[date, date]:
    """Days that belong to round k: (previous due date, due date]."""
    lo = ROUNDS[k - 1] + timedelta(days=1) if k > 0 else ROUNDS[0] - timedelta(days=14)
    return lo, ROUNDS[k]


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


CN_NUM = "一二三四五六七八九十"


def cn_ordinal(n: int) -> str:
    if n <= 10:
        return CN_NUM[n - 1]
    return "十" + CN_NUM[n - 11] if n < 20 else str(n)


