"""The consistency ("false green") check (DOMAIN §4): a reported grade that disagrees with the facts.

Grain of the result: one row per (project, reason) flagged, for the projects in force at ``as_of``.
Reasons (``reason_code`` → Chinese ``reason`` in ``REASONS``):
- three_failures_not_red: a "三不" problem (建而不成/成而不用/用而不好) is listed but the grade is not 红.
- red_without_three_failures: graded 红 but no "三不" problem is listed.
- problems_but_green: other (non-三不) problems listed but graded 绿.
- status_* [A] — what the status fields say, flagged when the grade is not 红:
  * status_built_not_finished (建而不成): build_status not in (completed, accepted) and
    planned_completion < as_of;
  * status_finished_not_used (成而不用): build_status in (completed, accepted) and op_status in
    (not_operating, halted, idle);
  * status_used_not_well (用而不好): op_status in (normal, trial) and (revenue_wan ≤
    settings["revenue_threshold_wan"] or households is 0/missing).
Missing status fields flag nothing (unknown is not evidence). Worked example (fixture, 2023-11-30):
P07 green, accepted, idle → status_finished_not_used; P08 red with only no_joint_account →
red_without_three_failures; nothing else → 2 rows.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from ledger.columns import is_missing
from ledger.glossary import CONSISTENCY_REASONS, THREE_FAILURES

from . import base
from ._db import query
from .filters import Filters
from .settings import get_settings

REASONS: dict[str, str] = CONSISTENCY_REASONS  # code → 中文, kept in the glossary
FINISHED = ("completed", "accepted")
NOT_USED = ("not_operating", "halted", "idle")
OPERATING = ("normal", "trial")
COLUMNS = ["project_code", "name", "unit", "town", "department", "grade", "reason_code", "reason"]


def false_greens(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """One row per (project, reason) whose reported grade disagrees with its facts (see module docstring).

    Columns: project_code, name, unit (reporting unit), town, department, grade (current), reason_code,
    reason (Chinese). Sorted by project_code, then the order of ``REASONS``. The rules run in DuckDB over
    the round's project rows (the same masks as ``false_greens_of_projects``).
    """
    s = settings or get_settings(con)
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=s)
    df = query(con, _FALSE_GREENS_SQL.format(state=psql),
               {**params, "fg_day": as_of, "fg_tf": list(THREE_FAILURES), "fg_finished": list(FINISHED),
                "fg_not_used": list(NOT_USED), "fg_operating": list(OPERATING),
                "fg_threshold": Decimal(str(s["revenue_threshold_wan"]))})
    df["reason"] = df["reason_code"].map(REASONS)
    return df[COLUMNS]


# the masks of false_greens_of_projects in SQL ({state}: base.state_sql); NULL facts flag nothing
_FG_RULES = {
    "three_failures_not_red": "three AND NOT red",
    "red_without_three_failures": "red AND NOT three",
    "problems_but_green": "others AND green",
    "status_built_not_finished": "NOT red AND build_status IS NOT NULL AND NOT list_contains($fg_finished, build_status)"
                                 " AND planned_completion IS NOT NULL AND planned_completion < $fg_day",
    "status_finished_not_used": "NOT red AND COALESCE(list_contains($fg_finished, build_status), FALSE)"
                                " AND COALESCE(list_contains($fg_not_used, op_status), FALSE)",
    "status_used_not_well": "NOT red AND COALESCE(list_contains($fg_operating, op_status), FALSE)"
                            " AND (COALESCE(revenue_wan <= $fg_threshold, FALSE) OR households IS NULL OR households = 0)",
}
_FALSE_GREENS_SQL = """
WITH f AS (
    SELECT project_code, name, unit, town, department, grade, build_status, op_status, planned_completion,
           revenue_wan, households,
           COALESCE(grade = 'red', FALSE) AS red, COALESCE(grade = 'green', FALSE) AS green,
           len(list_intersect(COALESCE(problems, []), $fg_tf)) > 0 AS three,
           len(list_filter(COALESCE(problems, []), lambda x: NOT list_contains($fg_tf, x))) > 0 AS others
    FROM ({state})
)
""" + "UNION ALL\n".join(
    f"SELECT project_code, name, unit, town, department, grade, '{code}' AS reason_code, {i} AS _o FROM f WHERE {cond}\n"
    for i, (code, cond) in enumerate(_FG_RULES.items())) + "ORDER BY project_code, _o"


def false_greens_of_projects(p: pd.DataFrame, *, as_of: date, settings: dict) -> pd.DataFrame:
    """``false_greens`` of a ``base.projects(con, as_of=as_of, settings=settings)`` frame already at hand
    (filtered or not). Pure."""
    threshold = Decimal(str(settings["revenue_threshold_wan"]))
    # the rules of _reasons as column masks (one pass per rule, not a Python call per project)
    tf = set(THREE_FAILURES)
    probs = p["problems"].map(lambda v: set(v or []))
    three = probs.map(lambda v: bool(v & tf)).astype(bool)
    others = probs.map(lambda v: bool(v - tf)).astype(bool)
    grade = p["grade"].astype(object)
    red, green = (grade == "red").fillna(False).astype(bool), (grade == "green").fillna(False).astype(bool)
    not_red = ~red
    bs, ops = p["build_status"].astype(object), p["op_status"].astype(object)
    planned = pd.to_datetime(p["planned_completion"])
    revenue = p["revenue_wan"].map(lambda v: not is_missing(v) and Decimal(v) <= threshold)
    hh = p["households"]
    no_households = (hh.isna() | (hh.fillna(0) == 0)).astype(bool)
    masks = {
        "three_failures_not_red": three & not_red,
        "red_without_three_failures": red & ~three,
        "problems_but_green": others & green,
        "status_built_not_finished": not_red & bs.notna() & ~bs.isin(FINISHED) & planned.notna()
                                     & (planned < pd.Timestamp(as_of)),
        "status_finished_not_used": not_red & bs.isin(FINISHED) & ops.isin(NOT_USED),
        "status_used_not_well": not_red & ops.isin(OPERATING) & (revenue.astype(bool) | no_households),
    }
    parts = [p.loc[m.to_numpy(), COLUMNS[:6]].assign(reason_code=code, reason=REASONS[code], _o=i)
             for i, (code, m) in enumerate(masks.items())]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*COLUMNS, "_o"])
    out = out.sort_values(["project_code", "_o"], kind="stable").drop(columns="_o")
    return out[COLUMNS].reset_index(drop=True)
