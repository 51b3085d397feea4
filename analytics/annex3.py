"""附件3 汇总表: the summary the task force sends to the city (DOMAIN §11), produced from the ledger.

Grain: one row per 乡镇(街道) (``by="town"``) or per 项目主管部门 (``by="department"``) that has projects in
force at ``as_of`` (after filters), in glossary order (towns by statistical division code, departments
as listed in ``ledger.glossary.DEPARTMENTS``, others after them by name), plus a final 合计 row (``unit == "合计"``) that is the
column sum of the rows above. Columns (``ANNEX3_COLUMNS``; Chinese headers in ``ANNEX3_LABELS``):
- unit; projects; funds_wan (万元, exact);
- red, yellow, green (projects by current grade) and red_funds_wan, yellow_funds_wan, green_funds_wan;
- built_not_finished, finished_not_used, used_not_well: projects whose current row lists that "三不" problem;
- consolidate, upgrade, revitalise, restart: projects by 四个一批 disposal;
- region, city, district, monitor: projects by responsibility tier (§5);
- downgraded (已降级): current grade lower than the initial grade (red→yellow/green, yellow→green);
- signed_off (已销号): the current row says signoff_status = signed_off, or a signoffs record with status
  signed_off was reported in a round ≤ as_of (accepted_on, when given, ≤ as_of) and the project is not
  worse now than the grade it was signed off to — a project back to 红/黄 after 销号 is "reopened" (§8)
  and no longer counts as 已销号;
- households, households_exited, households_monitored: 带动农户数 (其中脱贫户, 监测户), summed.
Worked example (fixture, 贺街镇): P01 red 3000, P02 yellow 1000, P03 green 2999.99, P04 green 999.99 →
projects 4, funds 7999.98, red 1 / yellow 1 / green 2; downgraded P03 (红→绿) + P04 (黄→绿) = 2;
signed_off P03 = 1; households 0 + 40 + 85 + 25 = 150.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ledger.columns import ANNEX3
from ledger.glossary import DEPARTMENTS, DISPOSAL, GRADE_ORDER, THREE_FAILURES, TOWNS

from . import base
from ._db import money_sum, query
from .filters import Filters
from .funding import money

TOTAL = "合计"
ANNEX3_BY: dict[str, str] = {"town": "town", "department": "department"}  # whitelist

ANNEX3_LABELS: dict[str, str] = {c: col.label for c, col in ANNEX3.items()}  # ledger/columns.py
ANNEX3_COLUMNS = list(ANNEX3_LABELS)
MONEY_COLUMNS = ["funds_wan", "red_funds_wan", "yellow_funds_wan", "green_funds_wan"]
COUNT_COLUMNS = [c for c in ANNEX3_COLUMNS if c != "unit" and c not in MONEY_COLUMNS]


def _rank(x: str) -> str:
    """SQL: the rank of grade column ``x`` (green 0, yellow 1, red 2; NULL for anything else)."""
    return f"(CASE {x} WHEN 'green' THEN 0 WHEN 'yellow' THEN 1 WHEN 'red' THEN 2 END)"


# one SQL expression per indicator column (codes from the glossary, no user input: safe to format)
_INDICATORS: dict[str, str] = {
    "projects": "COUNT(*)",
    **{g: f"COUNT(*) FILTER (WHERE p.grade = '{g}')" for g in GRADE_ORDER},
    **{f: f"COUNT(*) FILTER (WHERE list_contains(p.problems, '{f}'))" for f in THREE_FAILURES},
    **{d: f"COUNT(*) FILTER (WHERE p.disposal = '{d}')" for d in DISPOSAL},
    **{t: f"COUNT(*) FILTER (WHERE p.tier = '{t}')" for t in base.TIER_ORDER},
    # 已降级: both grades given and the current one ranks lower (an unknown code ranks -1)
    "downgraded": (f"COUNT(*) FILTER (WHERE p.grade IS NOT NULL AND p.initial_grade IS NOT NULL AND "
                   f"COALESCE({_rank('p.grade')}, -1) < COALESCE({_rank('p.initial_grade')}, -1))"),
    # 已销号: the row says so, or a 销号 record in force and the project not worse now than its to_grade
    # (a NULL/unknown current grade is worse than any; an unknown to_grade is the best, green)
    "signed_off": ("COUNT(*) FILTER (WHERE p.signoff_status = 'signed_off' OR (s.project_code IS NOT NULL AND "
                   f"COALESCE({_rank('p.grade')}, 3) <= COALESCE({_rank('s.to_grade')}, 0)))"),
    **{h: f"CAST(SUM(COALESCE(p.{h}, 0)) AS BIGINT)" for h in ("households", "households_exited", "households_monitored")},
    "funds_wan": "CAST(SUM(p.funds_wan) AS DECIMAL(38, 6))",
    **{f"{g}_funds_wan": f"CAST(COALESCE(SUM(p.funds_wan) FILTER (WHERE p.grade = '{g}'), 0) AS DECIMAL(38, 6))"
       for g in GRADE_ORDER},
}
assert set(_INDICATORS) == set(ANNEX3_COLUMNS) - {"unit"}, "附件3 columns and their SQL disagree"
assert all(c.isascii() and c.isidentifier() for c in (*GRADE_ORDER, *THREE_FAILURES, *DISPOSAL, *base.TIER_ORDER)), \
    "these codes are formatted into the SQL above"

# the 销号 records in force at $as_of: the latest per project, with the grade it was signed off to
_SIGNOFFS_SQL = """SELECT project_code, arg_max(to_grade, round_date) AS to_grade FROM signoffs
    WHERE status = 'signed_off' AND round_date <= $as_of AND (accepted_on IS NULL OR accepted_on <= $as_of)
    GROUP BY project_code"""


def annex3(con, *, as_of: date, by: str = "town", filters: Filters | None = None,
           settings: dict | None = None) -> pd.DataFrame:
    """附件3 汇总表: one row per town (or department) with projects, plus the 合计 row (module docstring).
    Every indicator is one aggregate in DuckDB over the in-force rows (``base.state_sql``): one small
    row per unit comes back (at 150x the sample the project frame grouped in pandas took ~0.7 s)."""
    if by not in ANNEX3_BY:
        raise ValueError(f"by must be one of {sorted(ANNEX3_BY)}")
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    cols = ", ".join(f"{sql} AS {c}" for c, sql in _INDICATORS.items())
    body = query(con, f"""
        WITH p AS ({psql}), s AS ({_SIGNOFFS_SQL})
        SELECT COALESCE(p.{ANNEX3_BY[by]}, '（未填）') AS unit, {cols}
        FROM p LEFT JOIN s ON s.project_code = p.project_code
        GROUP BY ALL
    """, params)
    known = list(TOWNS) if by == "town" else DEPARTMENTS
    body = (body.assign(_o=[known.index(u) if u in known else len(known) for u in body["unit"]])
            .sort_values(["_o", "unit"]).drop(columns="_o").reset_index(drop=True))[ANNEX3_COLUMNS]
    total = {"unit": TOTAL, **{c: int(body[c].sum()) for c in COUNT_COLUMNS},
             **{c: money_sum(body[c]) for c in MONEY_COLUMNS}}
    out = pd.concat([body.astype(object), pd.DataFrame([total], columns=ANNEX3_COLUMNS)], ignore_index=True)
    for c in MONEY_COLUMNS:
        out[c] = money(out[c])
    for c in COUNT_COLUMNS:
        out[c] = out[c].astype("Int64")
    out["unit"] = out["unit"].astype(object)
    return out
