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
from .filters import Filters
from .settings import get_settings

REASONS: dict[str, str] = CONSISTENCY_REASONS  # code → 中文, kept in the glossary
FINISHED = ("completed", "accepted")
NOT_USED = ("not_operating", "halted", "idle")
OPERATING = ("normal", "trial")
COLUMNS = ["project_code", "name", "unit", "town", "department", "grade", "reason_code", "reason"]


def _reasons(row, *, as_of: date, threshold: Decimal) -> list[str]:
    problems = set(row["problems"] or [])
    three = bool(problems & set(THREE_FAILURES))
    others = bool(problems - set(THREE_FAILURES))
    grade = row["grade"]
    not_red = grade != "red"
    bs, ops = row["build_status"], row["op_status"]
    bs = None if is_missing(bs) else bs
    ops = None if is_missing(ops) else ops
    planned = row["planned_completion"]
    revenue, households = row["revenue_wan"], row["households"]
    out = []
    if three and not_red:
        out.append("three_failures_not_red")
    if grade == "red" and not three:
        out.append("red_without_three_failures")
    if others and grade == "green":
        out.append("problems_but_green")
    if not_red and bs is not None and bs not in FINISHED and not is_missing(planned) and planned < as_of:
        out.append("status_built_not_finished")
    if not_red and bs in FINISHED and ops in NOT_USED:
        out.append("status_finished_not_used")
    no_revenue = not is_missing(revenue) and Decimal(revenue) <= threshold
    no_households = is_missing(households) or households == 0
    if not_red and ops in OPERATING and (no_revenue or no_households):
        out.append("status_used_not_well")
    return out


def false_greens(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """One row per (project, reason) whose reported grade disagrees with its facts (see module docstring).

    Columns: project_code, name, unit (reporting unit), town, department, grade (current), reason_code,
    reason (Chinese). Sorted by project_code, then the order of ``REASONS``.
    """
    s = settings or get_settings(con)
    return false_greens_of_projects(base.projects(con, as_of=as_of, filters=filters, settings=s), as_of=as_of,
                                    settings=s)


_ROW_FIELDS = (*COLUMNS[:6], "problems", "build_status", "op_status", "planned_completion", "revenue_wan",
               "households")


def false_greens_of_projects(p: pd.DataFrame, *, as_of: date, settings: dict) -> pd.DataFrame:
    """``false_greens`` of a ``base.projects(con, as_of=as_of, settings=settings)`` frame already at hand
    (filtered or not). Pure."""
    threshold = Decimal(str(settings["revenue_threshold_wan"]))
    # plain Python rows (one column → list conversion each), not a pandas Series per row
    cols = [p[c].tolist() for c in _ROW_FIELDS]
    rows = []
    for vals in zip(*cols):
        r = dict(zip(_ROW_FIELDS, vals))
        for code in _reasons(r, as_of=as_of, threshold=threshold):
            rows.append({**{c: r[c] for c in COLUMNS[:6]}, "reason_code": code, "reason": REASONS[code]})
    out = pd.DataFrame(rows, columns=COLUMNS)
    order = {c: i for i, c in enumerate(REASONS)}
    out = out.assign(_o=out["reason_code"].map(order)).sort_values(["project_code", "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)
