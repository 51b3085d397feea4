"""政企互动 (DOMAIN §9): the 诉求 (request) and 建议 (suggestion) operators raised, and how they were answered.

A unit's 政企互动台账 is its running ledger: each filing lists every interaction with its state then. The
rows in force at ``as_of`` are, for each reporting unit, those of its latest round ≤ ``as_of`` that
carried the sheet (like the task lists of 附件5: a round without the sheet changes nothing).

An interaction is *open* while its status is 待办理 (pending) or 办理中 (in_progress); 已答复 (answered)
and 已办结 (closed) are done. ``days_open`` = as_of − 反映日期 for an open one (never below 0), None
otherwise; ``overdue_reply`` = open and days_open > settings ``reply_days`` [A] (default 15).
Worked example: raised 2023-11-10, still 办理中 at as_of 2023-11-30 → days_open 20 > 15 → overdue_reply;
raised 11-20 and pending → days_open 10, not overdue; answered 11-12 → days_open None, not overdue.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ledger.state import latest_row

from . import base
from ._db import query
from .filters import Filters
from .settings import get_settings

OPEN = ("pending", "in_progress")
DONE = ("answered", "closed")

COLUMNS = ["project_code", "name", "town", "department", "unit", "round_date", "seq", "operator", "raised_on",
           "channel", "kind", "content", "answer", "answered_on", "status", "handler", "days_open",
           "overdue_reply"]

_SQL = f"""
WITH latest AS (
    SELECT unit, max(round_date) AS round_date FROM interactions WHERE round_date <= $as_of GROUP BY unit
), ident AS (   -- the project's latest identity on or before as_of (it may have left the ledger since)
    SELECT project_code, name, town, department, category, build_year
    FROM v_project_round WHERE round_date <= $as_of
      AND project_code IN (SELECT project_code FROM interactions i JOIN latest l USING (unit, round_date))
    {latest_row("project_code")}
)
SELECT i.project_code, d.name, d.town, d.department, d.category, d.build_year, i.unit, i.round_date, i.seq,
       i.operator, i.raised_on, i.channel, i.kind, i.content, i.answer, i.answered_on, i.status, i.handler,
       CASE WHEN i.status IN ('pending', 'in_progress')
            THEN greatest(date_diff('day', i.raised_on, $as_of::DATE), 0) END AS days_open
FROM interactions i
JOIN latest l USING (unit, round_date)
LEFT JOIN ident d USING (project_code)
WHERE $code IS NULL OR i.project_code = $code
ORDER BY i.raised_on, i.unit, i.project_code, i.seq
"""


def interactions(con, *, as_of: date, filters: Filters | None = None, project_code: str | None = None,
                 settings: dict | None = None) -> pd.DataFrame:
    """One row per interaction in force at ``as_of`` (see the module docstring), oldest 反映日期 first.

    Columns: project_code, name, town, department (the project's latest identity ≤ as_of), unit (reporting
    unit), round_date (the round whose filing is in force), seq (序号), operator, raised_on, channel (方式),
    kind (request/suggestion or None), content, answer, answered_on, status (pending/in_progress/answered/
    closed), handler (承办单位), days_open (int days, None unless open), overdue_reply (bool).
    ``filters`` narrow by the project's town/department/category/build_year (and tier, for projects in
    force); ``project_code`` keeps one project's interactions.
    """
    s = settings or get_settings(con)
    reply_days = int(s.get("reply_days", 15))
    df = query(con, _SQL, {"as_of": as_of, "code": project_code})
    if filters is not None and not filters.is_empty():
        if filters.tiers:
            tiers = base.projects(con, as_of=as_of, settings=s)[["project_code", "tier"]]
            df = df.merge(tiers, on="project_code", how="left")
        df = filters.apply(df)
    df["overdue_reply"] = (df["days_open"].fillna(-1) > reply_days).astype("boolean")
    return df[COLUMNS].reset_index(drop=True)


# per reporting unit, the interactions in force at $as_of open longer than $reply_days (``overdue_reply``
# of the rows ``interactions`` gives, without their identity columns): the 督办单 list's counts
_OVERDUE_BY_UNIT_SQL = """
WITH latest AS (
    SELECT unit, max(round_date) AS round_date FROM interactions WHERE round_date <= $as_of GROUP BY unit
)
SELECT i.unit, count(*) AS n FROM interactions i JOIN latest l USING (unit, round_date)
WHERE i.status IN ('pending', 'in_progress') AND greatest(date_diff('day', i.raised_on, $as_of::DATE), 0) > $reply_days
GROUP BY i.unit
"""


def _overdue_reply_counts(con, *, as_of: date, settings: dict | None = None) -> dict[str, int]:
    """{reporting unit: interactions overdue for a reply} at ``as_of`` (units with none left out): the
    count ``interactions(con, as_of=as_of)["overdue_reply"]`` gives per unit, counted in DuckDB."""
    s = settings or get_settings(con)
    rows = con.execute(_OVERDUE_BY_UNIT_SQL, {"as_of": as_of, "reply_days": int(s.get("reply_days", 15))}).fetchall()
    return {u: int(n) for u, n in rows}


def interaction_summary(con, *, as_of: date, filters: Filters | None = None,
                        settings: dict | None = None) -> pd.DataFrame:
    """One row per reporting unit with interactions in force: total, open (待办理/办理中), answered
    (已答复/已办结), overdue_reply (open longer than reply_days); open + answered = total. Most overdue
    first, then most open, then unit name. Example: a unit with 3 rows (answered; 办理中 for 20 days;
    pending for 10 days) → total 3, open 2, answered 1, overdue_reply 1 (with reply_days 15)."""
    df = interactions(con, as_of=as_of, filters=filters, settings=settings)
    cols = ["unit", "total", "open", "answered", "overdue_reply"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object" if c == "unit" else "Int64") for c in cols})
    out = (df.assign(total=1, open=df["status"].isin(OPEN).astype(int), answered=df["status"].isin(DONE).astype(int),
                     overdue=df["overdue_reply"].astype(int))
           .groupby("unit", as_index=False)[["total", "open", "answered", "overdue"]].sum()
           .rename(columns={"overdue": "overdue_reply"}))
    out = out.astype({c: "Int64" for c in cols[1:]})
    return out.sort_values(["overdue_reply", "open", "unit"], ascending=[False, False, True])[cols].reset_index(drop=True)
