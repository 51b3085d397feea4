"""The project frame every other module starts from, and the round calendar.

``projects(con, as_of=...)`` — one row per project in force at ``as_of``: for each unit, the rows of
its latest submission on or before ``as_of`` (a unit that missed a round keeps its last report in
force). It adds the initial grade (DOMAIN §4: the first grade ever given, with its date) and the
responsibility tier (DOMAIN §5).

Tier rule (附件4, 分级负责), amount = funds_wan (sum of the nine sources) or total investment:
  tier grade = the initial grade; if that was 绿 and the project later turned 红/黄, the first 红/黄
  grade [A]; a project never graded 红/黄 is 'monitor' (常态化监测).
  amount ≥ 3000 and tier grade 红 → 'region' (自治区督办); amount ≥ 3000 and 黄 → 'city';
  1000 ≤ amount < 3000 → 'city' (市级督办); amount < 1000 → 'district' (区工作专班督办).
  Worked example: 3000.00 万元 first graded 红 → region; 2999.99 红 → city; 1000.00 黄 → city;
  999.99 红 → district; 5000 always 绿 → monitor.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from ._db import query
from ._memo import FrameMemo, state_token
from .filters import Filters
from .settings import get_settings

TIER_SUPERVISOR = {
    "region": "自治区督办、市级推进",
    "city": "市级督办",
    "district": "区工作专班督办",
    "monitor": "项目主管部门常态化监测",
}
TIER_OWNER = {"region": "区本级落实", "city": "区本级落实", "district": "项目主管部门", "monitor": "—"}
TIER_ACCEPTANCE = {
    "region": "县自评、市验收（按自治区要求）",
    "city": "县自评、市验收",
    "district": "区工作专班验收、市级随机抽查",
    "monitor": "—",
}
TIER_ORDER = ["region", "city", "district", "monitor"]


def rounds(con, *, as_of: date | None = None) -> list[date]:
    """Report rounds (报送期次) on or before ``as_of`` (all when None), ascending."""
    if as_of is None:
        rows = con.execute("SELECT round_date FROM rounds ORDER BY 1").fetchall()
    else:
        rows = con.execute("SELECT round_date FROM rounds WHERE round_date <= ? ORDER BY 1", [as_of]).fetchall()
    return [r[0] for r in rows]


def round_in_force(con, *, as_of: date) -> date | None:
    """The latest round on or before ``as_of`` (None before the first round)."""
    r = rounds(con, as_of=as_of)
    return r[-1] if r else None


def previous_round(con, *, as_of: date) -> date | None:
    """The round before the one in force at ``as_of``."""
    r = rounds(con, as_of=as_of)
    return r[-2] if len(r) >= 2 else None


def tier_of(amount_wan, tier_grade: str | None, *, lower=1000, upper=3000) -> str:
    """DOMAIN §5 table; ``tier_grade`` is the first 红/黄 grade, or 'green'/None if never 红/黄."""
    if tier_grade not in ("red", "yellow"):
        return "monitor"
    amt = 0 if amount_wan is None or pd.isna(amount_wan) else amount_wan
    if amt >= upper:
        return "region" if tier_grade == "red" else "city"
    if amt >= lower:
        return "city"
    return "district"


# projects with any 红/黄 risk row on or before $as_of: a superset of the projects with a 红/黄 row in
# v_grade_history (the only ones that can have an episode, a clock or a reopening)
RED_YELLOW_CODES_SQL = "SELECT project_code FROM risk_rows WHERE round_date <= $as_of AND grade IN ('red', 'yellow')"

_HISTORY_RY_SQL = """
SELECT project_code, round_date, grade, graded_on, problems FROM v_grade_history
WHERE round_date <= $as_of AND project_code IN (""" + RED_YELLOW_CODES_SQL + """)
ORDER BY project_code, round_date
"""


def grade_history_by_project(con, *, as_of: date) -> dict[str, list[dict]]:
    """``grade_history`` of the projects ever graded 红/黄 (on or before ``as_of``) as plain Python rows:
    {project_code: [{round_date, grade, graded_on, problems}, ...]}, rounds ascending, projects in code
    order. For loops over projects' histories (no per-row pandas access); projects only ever 绿 are
    left out (they are possibly present if another unit's row graded them 红/黄)."""
    by: dict[str, list[dict]] = {}
    for code, rd, grade, graded_on, problems in con.execute(_HISTORY_RY_SQL, {"as_of": as_of}).fetchall():
        by.setdefault(code, []).append({"round_date": rd, "grade": grade, "graded_on": graded_on,
                                        "problems": problems})
    return {code: by[code] for code in sorted(by)}


# the projects in force at the round in force at $as_of (or, with {rounds} = "at_round <= ...", at every
# round up to it), read from the materialised state (ledger/state.py: derived when the round was
# written); tier per DOMAIN §5 from the settings' basis and boundaries ($lower, $upper); {basis} is one
# of _TIER_BASIS (a whitelist), {where} comes from Filters.sql() (bound parameters)
_STATE_SQL = """
WITH s AS (
    SELECT at_round, project_code, code_derived, name, town, village, department, implementer, operator,
           build_year, category, asset_type, high_concern, unit, round_date, total_investment_wan, funds_wan,
           enterprise_funds_wan, paid_wan, grade, graded_on, problems, problem_detail, sensitive, pretreatment,
           pretreatment_done, disposal, build_status, op_status, planned_completion, completion_accepted_on,
           settled, rights_registered, joint_account, substantive_progress, progress_text, revenue_wan,
           distribution_wan, households, households_exited, households_monitored, linkage_mode, patrolled,
           signoff_status, signoff_applied_on, signoff_accepted_on, resp_leader, resp_unit, resp_person,
           initial_grade, initial_graded_on, first_graded_round, tier_grade, first_ry_round,
           {basis} AS tier_amount_wan
    FROM project_state WHERE {rounds}
), t AS (
    SELECT *, CASE
        WHEN tier_grade IS NULL OR tier_grade NOT IN ('red', 'yellow') THEN 'monitor'
        WHEN COALESCE(tier_amount_wan, 0) >= $upper THEN CASE WHEN tier_grade = 'red' THEN 'region' ELSE 'city' END
        WHEN COALESCE(tier_amount_wan, 0) >= $lower THEN 'city'
        ELSE 'district' END AS tier
    FROM s
)
SELECT * FROM t WHERE {where}
"""
_AT_ROUND = "at_round = round_at($as_of::DATE)"
_UP_TO_ROUND = "at_round <= round_at($as_of::DATE)"
_TIER_BASIS = {"total_investment": "total_investment_wan", "funds": "funds_wan"}


def state_sql(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None,
              every_round: bool = False, as_of_param: str = "as_of",
              project_code: str | None = None) -> tuple[str, dict]:
    """SQL (and its bound parameters) of the project rows in force at ``as_of``, filtered, with ``tier``
    (and ``at_round``; with ``every_round`` the rows in force at every round up to ``as_of``): the one
    place that reads ``project_state``, so that analytics can aggregate in DuckDB over it."""
    s = settings or get_settings(con)
    where, params = (filters or Filters()).sql()
    if project_code is not None:  # one project's row (project detail)
        where, params = f"({where}) AND project_code = $one_code", {**params, "one_code": project_code}
    rounds = (_UP_TO_ROUND if every_round else _AT_ROUND).replace("$as_of", "$" + _PARAMS[as_of_param])
    sql = _STATE_SQL.format(basis=_TIER_BASIS.get(s["tier_amount_basis"], "funds_wan"), where=where, rounds=rounds)
    return sql, {_PARAMS[as_of_param]: as_of, "lower": s["tier_lower_wan"], "upper": s["tier_upper_wan"], **params}


_PARAMS = {"as_of": "as_of", "before": "before"}  # names the as_of parameter may take (two rounds in one query)


def projects(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """One row per project in force at ``as_of`` (after ``filters``).

    Columns (money in 万元, exact decimals): identity (project_code, name, town, village, department,
    implementer, operator, build_year, category, asset_type, high_concern), unit (reporting unit),
    round_date (the round its row comes from), total_investment_wan, funds_wan (sum of nine sources),
    grade (current: red/yellow/green), graded_on, problems (list of codes), sensitive, pretreatment,
    pretreatment_done, disposal, build_status, op_status, planned_completion, revenue_wan,
    households (+ _exited, _monitored), signoff_status ..., initial_grade, initial_graded_on,
    tier_grade (first 红/黄 grade or None), tier_amount_wan, tier (region/city/district/monitor),
    tier_supervisor, tier_owner, tier_acceptance (Chinese route labels).
    Reads one round's rows of the materialised ``project_state``; the filters are applied in SQL.
    """
    s = settings or get_settings(con)
    key = _memo_key(con, as_of, filters, s)
    hit = _MEMO.get(key)
    if hit is not None:
        return hit
    sql, params = state_sql(con, as_of=as_of, filters=filters, settings=s)
    df = query(con, f"SELECT * EXCLUDE (at_round) FROM ({sql}) ORDER BY project_code", params,
               lists=("problems", "sensitive"))
    return _MEMO.put(key, with_tier_routes(df))


def project_columns(con, *, as_of: date, columns: tuple[str, ...] | list[str], filters: Filters | None = None,
                    settings: dict | None = None) -> pd.DataFrame:
    """The ``columns`` of ``projects(...)`` only (names from ``state_sql``'s rows, e.g. project_code, name,
    unit, tier, grade), one row per project in force, in project_code order: for a caller that needs a
    few columns of every project (at 150x the sample: ~0.03 s, where the whole frame takes ~0.4 s).
    Memoised like ``projects``; a memoised whole frame is used when at hand."""
    s = settings or get_settings(con)
    key = _memo_key(con, as_of, filters, s)
    whole = _MEMO.get(key)
    if whole is not None:
        return whole[list(columns)]
    ckey = None if key is None else (*key, tuple(columns))
    hit = _COLS_MEMO.get(ckey)
    if hit is not None:
        return hit
    bad = [c for c in columns if c not in _STATE_COLUMNS]
    if bad:
        raise ValueError(f"unknown project columns: {bad}")
    sql, params = state_sql(con, as_of=as_of, filters=filters, settings=s)
    cols = ", ".join(columns)  # whitelisted above
    df = query(con, f"SELECT {cols} FROM ({sql}) ORDER BY project_code", params,
               lists=tuple(c for c in columns if c in ("problems", "sensitive")))
    return _COLS_MEMO.put(ckey, df)


# the column names state_sql's rows have (a whitelist for project_columns)
_STATE_COLUMNS = frozenset(
    " ".join(_STATE_SQL.split("SELECT", 2)[1].split("FROM project_state")[0].replace("{basis} AS", "").split())
    .replace(",", " ").split()) | {"tier"}


def with_tier_routes(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (with a ``tier`` column) plus tier_supervisor, tier_owner, tier_acceptance: the Chinese route
    labels of each tier (督办 / 整治落实 / 验收), added in place."""
    df["tier_supervisor"] = df["tier"].map(TIER_SUPERVISOR)
    df["tier_owner"] = df["tier"].map(TIER_OWNER)
    df["tier_acceptance"] = df["tier"].map(TIER_ACCEPTANCE)
    return df


def red_yellow_filters(filters: Filters | None) -> Filters:
    """``filters`` narrowed to the projects graded 红/黄 now, for a caller that keeps only those (so DuckDB
    drops the green rows, not pandas): its own 当前风险等级 choice kept where it is 红/黄. A choice with no
    红/黄 grade is kept as it is (the caller's own 红/黄 test then leaves nothing)."""
    f = filters or Filters()
    ry = tuple(g for g in f.grades if g in ("red", "yellow")) if f.grades else ("red", "yellow")
    return replace(f, grades=ry) if ry else f


def project_row(con, *, as_of: date, project_code: str, settings: dict | None = None) -> pd.DataFrame:
    """``projects(con, as_of=as_of, settings=settings)`` restricted to one project (0 or 1 row), read as that
    one row (project detail: no need to pull every project to show one)."""
    s = settings or get_settings(con)
    sql, params = state_sql(con, as_of=as_of, settings=s, project_code=project_code)
    df = query(con, f"SELECT * EXCLUDE (at_round) FROM ({sql})", params, lists=("problems", "sensitive"))
    return with_tier_routes(df)


_CHOICES_SQL = """
SELECT list(DISTINCT town) FILTER (WHERE town IS NOT NULL) AS towns,
       list(DISTINCT department) FILTER (WHERE department IS NOT NULL) AS departments,
       list(DISTINCT category) FILTER (WHERE category IS NOT NULL) AS categories,
       min(build_year) AS year_min, max(build_year) AS year_max
FROM project_state WHERE at_round = round_at($as_of::DATE)
"""


def filter_choices(con, *, as_of: date) -> dict:
    """What the sidebar filters can choose from, among the projects in force at ``as_of``: {towns,
    departments, categories: sorted lists; year_min, year_max: int or None}. One aggregate in DuckDB
    (the sidebar used to pull the whole projects() frame for this: 0.8 s at 150x the sample)."""
    towns, depts, cats, lo, hi = con.execute(_CHOICES_SQL, {"as_of": as_of}).fetchone()
    return {"towns": sorted(towns or []), "departments": sorted(depts or []), "categories": sorted(cats or []),
            "year_min": None if lo is None else int(lo), "year_max": None if hi is None else int(hi)}


# projects() frames of this process, keyed by the state token, the round in force, the filters and the
# tier settings: a page run calls projects() from several analytics functions, and every session shares it
_MEMO = FrameMemo(6)
_COLS_MEMO = FrameMemo(16)


def _memo_key(con, as_of: date, filters: Filters | None, s: dict) -> tuple | None:
    token = state_token(con)
    if token is None:
        return None
    rnd = con.execute("SELECT max(round_date) FROM rounds WHERE round_date <= ?", [as_of]).fetchone()[0]
    return (token, rnd, filters or Filters(),
            s["tier_amount_basis"], str(s["tier_lower_wan"]), str(s["tier_upper_wan"]))
