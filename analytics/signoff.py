"""降级销号 (downgrade and sign-off, DOMAIN §8) and reopened projects (反弹).

``signoff_records``: the latest state of each application, checked against 《风险销号核查标准(试行)》
(the checklist codes in ``settings["signoff_checklist"]``, labels in ``ledger.glossary.SIGNOFF_CHECKLIST``).
``reopened``: projects graded 红/黄 again after being 绿 following a 红/黄 episode.
"""
from __future__ import annotations

import json
from datetime import date

import pandas as pd

from ledger.glossary import SIGNOFF_CHECKLIST

from ledger.state import latest_row

from ._db import query
from ._memo import FrameMemo, state_token
from .base import TIER_ACCEPTANCE, state_sql
from .filters import Filters
from .settings import get_settings

SIGNOFF_COLUMNS = ["project_code", "name", "unit", "tier", "from_grade", "to_grade", "applied_on", "self_eval_on",
                   "accepted_on", "accepted_by", "route", "status", "checklist_passed", "checklist_total",
                   "checklist_missing"]
REOPENED_COLUMNS = ["project_code", "name", "unit", "town", "department", "green_round", "reopened_round", "grade"]

# latest report (round, then unit) of each application (project, from, to, applied_on) on or before as_of
_SIGNOFF_SQL = f"""
SELECT project_code, from_grade, to_grade, applied_on, self_eval_on, accepted_on, accepted_by, status,
       checklist_json
FROM signoffs WHERE round_date <= $so_day
{latest_row("project_code, from_grade, to_grade, applied_on")}
"""


def _parse_checklist(text) -> dict:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return {}
    try:
        val = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return val if isinstance(val, dict) else {}


def checklist_check(checklist: dict, items: list[str], *, sensitive: bool) -> tuple[int, int, list[str]]:
    """(passed, total, missing labels) of one application.

    An item passes when its value is true. ``pretreatment_done`` (敏感问题预处理) applies only to
    projects with a sensitive flag [A], unless the record states it (true/false; JSON null = not stated).
    Example: {"construction_accepted": true}, eight items, not sensitive → (1, 7, six labels).
    """
    applicable = [c for c in items if c != "pretreatment_done" or sensitive or checklist.get(c) is not None]
    passed = [c for c in applicable if checklist.get(c) is True]
    missing = [SIGNOFF_CHECKLIST.get(c, c) for c in applicable if checklist.get(c) is not True]
    return len(passed), len(applicable), missing


def signoff_records(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """One row per (project, application) — (project_code, from_grade, to_grade, applied_on) — at its
    latest reported state on or before ``as_of``, for projects in force (after ``filters``).

    Columns: project_code, name, unit (reporting unit), tier, from_grade, to_grade, applied_on,
    self_eval_on, accepted_on, accepted_by, route (the route the tier requires, base.TIER_ACCEPTANCE:
    县自评、市验收 or 区工作专班验收、市级随机抽查), status (glossary.SIGNOFF_STATUS code),
    checklist_passed, checklist_total, checklist_missing (Chinese labels of items not evidenced).
    Example (fixture): P05 黄→绿 applied 10-05, tier district → route 区工作专班验收、市级随机抽查,
    checklist {"construction_accepted": true} → passed 1 of 7 (预处理 not applicable), 6 missing.
    """
    s = settings or get_settings(con)
    return _signoff_records(con, as_of=as_of, filters=filters, s=s)


_SIGNOFF_MEMO = FrameMemo(8)


def _signoff_records(con, *, as_of: date, filters: Filters | None, s: dict,
                     project_code: str | None = None) -> pd.DataFrame:
    """``signoff_records``; ``project_code``: one project's applications only (project detail). Memoised
    per state, date, filters and the settings it reads (the 整改进度 page and its 督办单 section's
    ``orders.lagging_units`` ask for the same unfiltered frame in one run)."""
    token = state_token(con)
    fkey = None if filters is None or filters.is_empty() else filters
    key = None if token is None else (
        token, as_of, fkey, project_code, tuple(s["signoff_checklist"]),
        json.dumps([s.get(k) for k in ("tier_amount_basis", "tier_lower_wan", "tier_upper_wan")], default=str))
    hit = _SIGNOFF_MEMO.get(key)
    if hit is None:
        hit = _SIGNOFF_MEMO.put(key, _signoff_frame(con, as_of=as_of, filters=filters, s=s, project_code=project_code))
    return hit


def _signoff_frame(con, *, as_of: date, filters: Filters | None, s: dict, project_code: str | None) -> pd.DataFrame:
    items = list(s["signoff_checklist"])
    psql, params = state_sql(con, as_of=as_of, filters=filters, settings=s, project_code=project_code)
    df = query(con, f"SELECT a.*, p.name, p.unit, p.tier, COALESCE(len(p.sensitive), 0) > 0 AS _sensitive "
                    f"FROM ({_SIGNOFF_SQL}) a JOIN ({psql}) p USING (project_code) "
                    f"ORDER BY a.project_code, a.applied_on NULLS LAST, a.from_grade, a.to_grade", {**params, "so_day": as_of})
    seen: dict = {}  # one check per distinct (checklist text, sensitive): most applications share a text
    checks = []
    for j, sv in zip(df["checklist_json"], df["_sensitive"]):
        key = (j if isinstance(j, str) else None, bool(sv))
        hit = seen.get(key)
        if hit is None:
            hit = seen[key] = checklist_check(_parse_checklist(key[0]), items, sensitive=key[1])
        checks.append(hit)
    df["checklist_passed"] = pd.array([c[0] for c in checks], dtype="Int64")
    df["checklist_total"] = pd.array([c[1] for c in checks], dtype="Int64")
    df["checklist_missing"] = [c[2] for c in checks]
    df["route"] = df["tier"].map(TIER_ACCEPTANCE)
    return df[SIGNOFF_COLUMNS].reset_index(drop=True)


def _reopening(grades: list[str], rounds: list[date]) -> tuple[date, date] | None:
    """(green_round, reopened_round) of the latest 红/黄 → 绿 (≥1 round) → 红/黄 pattern, else None."""
    found = None
    seen_ry = False
    green_at = None
    for g, r in zip(grades, rounds):
        if g in ("red", "yellow"):
            if seen_ry and green_at is not None:
                found = (green_at, r)
            seen_ry, green_at = True, None
        elif g == "green" and seen_ry and green_at is None:
            green_at = r
    return found


# the rule of _reopening, read from the state: ledger.state derives every reopening of a project's grade history
# when a round is written (reopen_events, one row per 红/黄 grade right after a 绿 one following an earlier
# 红/黄 grade); a row depends only on the grades up to its round, so the reopening in force at $as_of is the
# project's latest row on or before it (kept when it has a green spell start, as the join of the derivation
# from the history did)
_REOPENED_SQL = """
SELECT project_code, green_round, reopened_round FROM (
    SELECT * FROM reopen_events WHERE reopened_round <= $as_of
    QUALIFY ROW_NUMBER() OVER (PARTITION BY project_code ORDER BY reopened_round DESC) = 1
) WHERE green_round IS NOT NULL ORDER BY project_code
"""


def reopened(con, *, as_of: date, filters: Filters | None = None) -> pd.DataFrame:
    """One row per reopened project (反弹) in force at ``as_of``: graded 红/黄, then 绿 for at least one
    round, then 红/黄 again (grade history on or before ``as_of``).

    Columns: project_code, name, unit, town, department, green_round (first 绿 round of the green
    spell), reopened_round (first 红/黄 round after it), grade (current). When a project reopened
    more than once, the latest reopening is shown.
    Example (fixture): P05 黄 09-29, 绿 10-14 and 10-29, 红 11-14 → green_round 10-14,
    reopened_round 11-14, grade red. P03 (红 then 绿 since) is not reopened.
    """
    # the few reopenings joined to the projects in force in DuckDB (not every project's row pulled to pandas)
    psql, params = state_sql(con, as_of=as_of, filters=filters)
    return query(con, f"SELECT r.project_code, p.name, p.unit, p.town, p.department, r.green_round, r.reopened_round, "
                      f"p.grade FROM ({_REOPENED_SQL}) r JOIN ({psql}) p USING (project_code) ORDER BY r.project_code",
                 {**params, "as_of": as_of})


_REOPENED_IDENT = ("project_code", "name", "unit", "town", "department", "grade")


_REOPENED_MEMO = FrameMemo(8)


def reopened_of_projects(con, pf: pd.DataFrame, *, as_of: date,
                         history: dict[str, list[dict]] | None = None) -> pd.DataFrame:
    """``reopened`` for a ``base.projects(con, as_of=as_of)`` frame already at hand (filtered or not);
    ``history``: ``base.grade_history_by_project(con, as_of=as_of)`` when also at hand."""
    pf = pf[list(_REOPENED_IDENT)]
    return _reopened_rows(con, as_of=as_of).merge(pf, on="project_code", how="inner")[REOPENED_COLUMNS] \
        .reset_index(drop=True)


def _reopened_rows(con, *, as_of: date) -> pd.DataFrame:
    """(project_code, green_round, reopened_round) of every reopened project, in force or not: the same for
    every filter, so one query per state and date, shared by pages and the ranking."""
    token = state_token(con)
    key = None if token is None else (token, as_of)
    ro = _REOPENED_MEMO.get(key)
    if ro is None:
        ro = _REOPENED_MEMO.put(key, query(con, _REOPENED_SQL, {"as_of": as_of}))
    return ro
