"""One project, everything about it (the 项目详情 page), and project search.

``search_projects`` matches 项目编号 or 项目名称 (ILIKE, bound parameter) among the projects ever reported
on or before ``as_of`` (latest row per project). ``project_detail`` gathers identity, funding lines,
grade history, clocks, tasks (附件5), 销号 records, the operator's 政企互动 (诉求/建议 and answers, DOMAIN §9)
and the responsible units (分级负责, DOMAIN §5).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from . import base, clocks, interactions, signoff
from ._db import query
from ._memo import _ALL, state_token
from .filters import Filters
from .settings import get_settings

# {select}: _LIST or _COUNT, whose {where} is Filters.sql() of the sidebar filters without the tier (bound
# parameters); a 督办层级 filter keeps the projects in force at as_of with that tier (see _search)
_SEARCH_SQL = """
WITH x AS (   -- the matching rows up to as_of
    SELECT project_code, name, town, department, grade, round_date, category, build_year, unit
    FROM v_project_round
    WHERE round_date <= $as_of
      AND (project_code ILIKE $pat ESCAPE '\\' OR name ILIKE $pat ESCAPE '\\')
), l AS (      -- each project's latest matching round …
    SELECT project_code, max(round_date) AS round_date FROM x GROUP BY ALL
), m AS (      -- … and there the first unit by name (hash aggregates, not a window over every row)
    SELECT project_code, round_date, arg_min_null(name, unit) AS name, arg_min_null(town, unit) AS town,
           arg_min_null(department, unit) AS department, arg_min_null(grade, unit) AS grade,
           arg_min_null(category, unit) AS category, arg_min_null(build_year, unit) AS build_year
    FROM x JOIN l USING (project_code, round_date) GROUP BY ALL
)
{select}
"""
_LIST = """SELECT project_code, name, town, department, grade, round_date, category, build_year
FROM m WHERE {where} ORDER BY project_code LIMIT $limit"""
_COUNT = "SELECT count(*) FROM m WHERE {where}"
# the list with the count of all matches beside it (evaluated before the LIMIT): one scan for both
_LIST_COUNTED = """SELECT project_code, name, town, department, grade, round_date, category, build_year,
       count(*) OVER () AS _matches
FROM m WHERE {where} ORDER BY project_code LIMIT $limit"""
_COUNTS: dict[tuple, int] = {}  # count_projects of the last searches, keyed by state token and arguments
_ALL.append(_COUNTS)  # forgotten with the frame memos (_memo.clear_all)


def search_projects(con, *, as_of: date, q: str, filters: Filters | None = None, limit: int = 200,
                    settings: dict | None = None) -> pd.DataFrame:
    """Projects whose code or name contains ``q`` (case-insensitive), latest report ≤ ``as_of``.

    One row per project: project_code, name, town, department, grade (latest reported), round_date
    (latest round reporting it), category, build_year. Empty ``q`` matches every project (up to
    ``limit``, in code order). ``filters`` narrow by town/department/category/year; a 督办层级 (tier)
    filter keeps only projects in force at ``as_of`` with that tier (a dropped project has no tier, so
    it is left out then; tier rule from ``settings``). ``q`` is a literal: % and _ match themselves. Example: q='冷链' → P01
    贺街镇冷链物流中心; q='p0' → P01…P09.
    """
    sql, params = _search(con, as_of, q, filters, settings, _LIST_COUNTED)
    df = query(con, sql, {"as_of": as_of, "limit": int(limit), **params})
    key = _count_key(con, as_of, q, filters, settings)
    if key is not None:  # the page asks count_projects next: the same scan already counted
        _COUNTS[key] = int(df["_matches"].iloc[0]) if len(df) else 0
        while len(_COUNTS) > 64:
            _COUNTS.pop(next(iter(_COUNTS)))
    return df.drop(columns="_matches")


def count_projects(con, *, as_of: date, q: str, filters: Filters | None = None,
                   settings: dict | None = None) -> int:
    """How many projects ``search_projects`` matches without its limit (same rules), so a page can say
    共 N 个，显示前 200 个. Example (fixture, q=''): 13."""
    key = _count_key(con, as_of, q, filters, settings)
    if key is not None and key in _COUNTS:
        return _COUNTS[key]
    sql, params = _search(con, as_of, q, filters, settings, _COUNT)
    return int(con.execute(sql, {"as_of": as_of, **params}).fetchone()[0])


def _count_key(con, as_of: date, q: str, filters: Filters | None, settings: dict | None) -> tuple | None:
    token = state_token(con)
    if token is None:
        return None
    f = filters or Filters()
    tier = None
    if f.tiers:  # the tier rule's settings decide which projects a tier filter keeps
        s = settings or get_settings(con)
        tier = (s["tier_amount_basis"], str(s["tier_lower_wan"]), str(s["tier_upper_wan"]))
    return token, as_of, (q or "").strip(), f, tier


def _search(con, as_of: date, q: str, filters: Filters | None, settings: dict | None,
            select: str) -> tuple[str, dict]:
    pat = "%" + (q or "").strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    f = filters or Filters()
    where, params = replace(f, tiers=()).sql()
    if f.tiers:  # the tier is known for projects in force only (base.state_sql, same $as_of)
        t_sql, t_params = base.state_sql(con, as_of=as_of, filters=Filters(tiers=f.tiers), settings=settings)
        where = f"({where}) AND project_code IN (SELECT project_code FROM ({t_sql}))"
        params = {**params, **{k: v for k, v in t_params.items() if k != "as_of"}}
    return _SEARCH_SQL.format(select=select.format(where=where)), {"pat": pat, **params}


def _funding_lines(con, *, as_of: date, project_code: str) -> pd.DataFrame:
    return query(
        con,
        "SELECT source, fund_year, amount_wan FROM inforce_funding($as_of) WHERE project_code = $p "
        "ORDER BY fund_year, source",
        {"as_of": as_of, "p": project_code},
    )


def _grade_history(con, *, as_of: date, project_code: str) -> pd.DataFrame:
    return query(
        con,
        "SELECT round_date, grade, graded_on, unit, problems FROM v_grade_history "
        "WHERE round_date <= $as_of AND project_code = $p ORDER BY round_date",
        {"as_of": as_of, "p": project_code},
    )


def project_detail(con, *, as_of: date, project_code: str, settings: dict | None = None) -> dict:
    """Everything about one project at ``as_of`` (no filters: the project is named).

    Keys:
      found: bool (False when the code was never reported on or before as_of; other keys empty then)
      in_force: bool (the project is in the ledger in force at as_of)
      project: dict of the base.projects row (identity, money in 万元 as Decimals, grade, tier, routes)
      funding: DataFrame one row per (source, fund_year): amount_wan (lines in force; sum = funds_wan)
      grades: DataFrame one row per round: round_date, grade, graded_on, unit, problems
      clocks: DataFrame the clocks.clocks rows of this project
      tasks: DataFrame clocks.tasks_of (latest task list ≤ as_of)
      signoffs: DataFrame signoff.signoff_records rows of this project
      interactions: DataFrame interactions.interactions rows of this project (诉求/建议 in force, with the
             answer, days_open and overdue_reply); shown for a project no longer in force too
      units: DataFrame one row per responsibility role: role, unit (报送单位, 乡镇, 主管部门, 督办, 整治落实,
             验收, 责任领导, 责任单位, 责任人)
    """
    empty = pd.DataFrame()
    hist = _grade_history(con, as_of=as_of, project_code=project_code)
    s = settings or get_settings(con)
    row = base.project_row(con, as_of=as_of, project_code=project_code, settings=s)
    out = {"found": not hist.empty or not row.empty, "in_force": not row.empty, "project": {},
           "funding": empty, "grades": hist, "clocks": empty, "tasks": empty, "signoffs": empty,
           "interactions": empty, "units": empty}
    if not out["found"]:
        return out
    out["tasks"] = clocks.tasks_of(con, as_of=as_of, project_code=project_code)
    out["interactions"] = interactions.interactions(con, as_of=as_of, project_code=project_code, settings=settings)
    if row.empty:
        return out
    r = row.iloc[0].to_dict()
    out["project"] = r
    out["funding"] = _funding_lines(con, as_of=as_of, project_code=project_code)
    out["clocks"] = clocks._clocks(con, as_of=as_of, filters=None, s=s, project_code=project_code)
    out["signoffs"] = signoff._signoff_records(con, as_of=as_of, filters=None, s=s, project_code=project_code)
    roles = [
        ("报送单位", r.get("unit")), ("乡镇(街道)", r.get("town")), ("项目主管部门", r.get("department")),
        ("督办", r.get("tier_supervisor")), ("整治落实", r.get("tier_owner")), ("验收", r.get("tier_acceptance")),
        ("责任领导", r.get("resp_leader")), ("责任单位", r.get("resp_unit")), ("责任人", r.get("resp_person")),
    ]
    out["units"] = pd.DataFrame(
        [(k, v) for k, v in roles if v is not None and not (isinstance(v, float) and pd.isna(v))],
        columns=["role", "unit"],
    )
    return out
