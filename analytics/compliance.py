"""Reporting rhythm (DOMAIN §9): half-monthly submissions and the round-to-round diff.

Units report on the 14th and 29th of each month (February: the last day [A], ``ledger.rounds``).
A submission belongs to the due date equal to its round date (rounds are dated on due dates).
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ledger.rounds import due_dates

from ._db import query
from . import base
from .base import previous_round, round_in_force, rounds
from .filters import Filters

GRID_COLUMNS = ["unit", "unit_kind", "due_date", "submitted_on", "status", "days_late"]
ROLLUP_COLUMNS = ["unit", "unit_kind", "on_time", "late", "missing", "due", "on_time_rate"]
ROUND_STATUS_COLUMNS = ["unit", "unit_kind", "due_date", "status", "days_late", "submitted_on", "contact"]
DIFF_COLUMNS = ["project_code", "name", "unit", "change", "grade_before", "grade_after", "funds_before_wan",
                "funds_after_wan"]
CHANGES = ("new", "dropped", "regraded", "amount_changed")


def submission_grid(con, *, as_of: date, units: list[str] | None = None) -> pd.DataFrame:
    """One row per (unit, due_date): every due date from the first round to the last round on or before
    ``as_of`` (a due date no unit reported for still counts), for ``units`` (default: every unit that
    submitted a report for a round on or before ``as_of``).

    Columns: unit, unit_kind (township/department, None if unknown), due_date, submitted_on (填报日期,
    None when missing), status: submitted_on ≤ due_date → on_time; later → late with
    days_late = submitted_on − due_date, whenever you look (a 06-29 report filed 06-30 is 逾期1天 for its
    round even viewed "as of 06-29": its data is already in force there); no submission → missing.
    Example (fixture, as of 2023-11-30): 步头镇 R4 due 11-14 submitted 11-16 → late, 2 days;
    莲塘镇 R5 due 11-29 no report → missing.
    """
    rs = rounds(con, as_of=as_of)
    if not rs:
        return pd.DataFrame(columns=GRID_COLUMNS)
    dues = due_dates(rs[0], rs[-1])
    subs = query(con, "SELECT unit, round_date, submitted_on FROM submissions WHERE round_date <= ?", [as_of])
    if units is None:
        units = sorted(set(query(con, "SELECT DISTINCT unit FROM submissions WHERE round_date <= ?", [as_of])["unit"]))
    kinds = dict(con.execute("SELECT name, kind FROM units").fetchall())
    got = {(u, r): s for u, r, s in zip(subs["unit"], subs["round_date"], subs["submitted_on"])}
    recs = []
    for u in units:
        for d in dues:
            s = got.get((u, d))
            if s is None:
                status, late = "missing", None
            elif s <= d:
                status, late = "on_time", None
            else:
                status, late = "late", (s - d).days
            recs.append({"unit": u, "unit_kind": kinds.get(u), "due_date": d, "submitted_on": s,
                         "status": status, "days_late": late})
    df = pd.DataFrame(recs, columns=GRID_COLUMNS)
    df["days_late"] = df["days_late"].astype("Int64")
    return df


def round_status(con, *, as_of: date, units: list[str] | None = None, settings: dict | None = None) -> pd.DataFrame:
    """本期报送情况: one row per expected unit (the units of ``submission_grid``) for the round in force
    at ``as_of`` (its due date), missing first, then late (most days first), then on time; by unit.

    Columns: unit, unit_kind, due_date, status ∈ {on_time, late, missing} (the grid's status of that
    due date, so a report filed after the due date is late with its days_late, never missing),
    days_late (late only), submitted_on, contact (the unit's 联系人/电话 line from the setting
    ``unit_contacts`` {unit: text}; None when not known).
    Example (fixture, as of R5 2023-11-29): 莲塘镇 missing first, the five others on time; as of R4
    11-14: 步头镇 late, 2 days (filed 11-16), first.
    """
    from .settings import get_settings

    due = round_in_force(con, as_of=as_of)
    if due is None:
        return pd.DataFrame(columns=ROUND_STATUS_COLUMNS)
    contacts = (settings if settings is not None else get_settings(con)).get("unit_contacts") or {}
    g = submission_grid(con, as_of=as_of, units=units)
    now = g[g["due_date"] == due]
    order = {"missing": 0, "late": 1, "on_time": 2}
    recs = sorted(now.to_dict("records"),
                  key=lambda r: (order[r["status"]], -(0 if pd.isna(r["days_late"]) else int(r["days_late"])), r["unit"]))
    df = pd.DataFrame([{**{c: r[c] for c in ROUND_STATUS_COLUMNS if c != "contact"},
                        "contact": (str(contacts[r["unit"]]).strip() or None) if r["unit"] in contacts else None}
                       for r in recs], columns=ROUND_STATUS_COLUMNS)
    df["days_late"] = df["days_late"].astype("Int64")
    df["submitted_on"] = df["submitted_on"].astype(object).where(df["submitted_on"].notna(), None)
    return df.reset_index(drop=True)


def compliance_rollup(con, *, as_of: date, units: list[str] | None = None) -> pd.DataFrame:
    """One row per unit of ``submission_grid``: unit, unit_kind, on_time, late, missing, due
    (= on_time + late + missing, the number of due dates), on_time_rate = on_time / due (None when 0).
    Example (fixture, as of 2023-11-30, five due dates 09-29 … 11-29): 步头镇 4 on time, 1 late →
    0.8; 莲塘镇 4 on time, 1 missing → 0.8; everyone else 5/5 = 1.0.
    """
    g = submission_grid(con, as_of=as_of, units=units)
    by: dict = {}  # unit → [unit_kind of its first row, statuses]; plain lists, not a frame per unit
    for u, kind, st in zip(g["unit"].tolist(), g["unit_kind"].tolist(), g["status"].tolist()):
        if u is None or (not isinstance(u, str) and pd.isna(u)):
            continue  # groupby leaves NA keys out
        by.setdefault(u, [kind, []])[1].append(st)
    recs = []
    for u in sorted(by):
        kind, statuses = by[u]
        n = {st: statuses.count(st) for st in ("on_time", "late", "missing")}
        due = len(statuses)
        recs.append({"unit": u, "unit_kind": kind, **n, "due": due,
                     "on_time_rate": n["on_time"] / due if due else None})
    df = pd.DataFrame(recs, columns=ROLLUP_COLUMNS)
    for c in ("on_time", "late", "missing", "due"):
        df[c] = df[c].astype("Int64")
    df["on_time_rate"] = df["on_time_rate"].astype("Float64")
    return df


def round_diff(con, *, as_of: date, filters: Filters | None = None) -> pd.DataFrame:
    """One row per (project, change) between the ledger in force at the previous round and at the round
    in force at ``as_of`` (each = ``inforce(d)``: a unit that missed a round keeps its last report).

    change: new (only after), dropped (only before), regraded (grade differs), amount_changed
    (funds_wan differs, exact decimals); a project regraded with a new amount has two rows.
    Columns: project_code, name, unit, change, grade_before, grade_after, funds_before_wan,
    funds_after_wan (None on the missing side). ``filters`` keep a project matching on either side.
    Example (fixture, as of R4 2023-11-14 vs R3 10-29): P02 new (黄, 1000); P04 regraded 黄→绿;
    P05 regraded 绿→红. Empty before the second round.
    """
    cur, prev = round_in_force(con, as_of=as_of), previous_round(con, as_of=as_of)
    if cur is None or prev is None:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    b_sql, params = base.state_sql(con, as_of=prev, filters=filters, as_of_param="before")
    a_sql, a_params = base.state_sql(con, as_of=cur, filters=filters)
    df = query(con, f"""
        WITH b AS ({b_sql}), a AS ({a_sql}), j AS (
            SELECT COALESCE(a.project_code, b.project_code) AS project_code,
                   CASE WHEN a.project_code IS NULL THEN b.name ELSE a.name END AS name,
                   CASE WHEN a.project_code IS NULL THEN b.unit ELSE a.unit END AS unit,
                   CASE WHEN b.project_code IS NULL THEN ['new'] WHEN a.project_code IS NULL THEN ['dropped']
                        ELSE list_filter([CASE WHEN b.grade IS DISTINCT FROM a.grade THEN 'regraded' END,
                                          CASE WHEN b.funds_wan <> a.funds_wan THEN 'amount_changed' END],
                                         lambda x: x IS NOT NULL) END AS changes,
                   b.grade AS grade_before, a.grade AS grade_after,
                   b.funds_wan AS funds_before_wan, a.funds_wan AS funds_after_wan
            FROM b FULL OUTER JOIN a ON a.project_code = b.project_code
        )
        SELECT project_code, name, unit, unnest(changes) AS change, grade_before, grade_after,
               funds_before_wan, funds_after_wan
        FROM j WHERE len(changes) > 0
        ORDER BY project_code, list_position(['new', 'dropped', 'regraded', 'amount_changed'], change)
        """, {**params, **a_params})
    df = df[DIFF_COLUMNS]
    for c in ("grade_before", "grade_after", "name", "unit"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.reset_index(drop=True)
