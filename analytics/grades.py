"""Risk grades 红/黄/绿 (DOMAIN §4): how many now, by what, where they came from, and the trend.

"Now" is the ledger in force at ``as_of`` (``base.projects``: each unit's latest submission on or before
``as_of``). Grades are ASCII codes red/yellow/green (``ledger.glossary.GRADES``). Money in 万元, exact.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from . import base
from ._db import query
from .filters import Filters
from .funding import GRADE_ORDER, SOURCE_ORDER, lines_of, money
from .settings import get_settings

# `by` dimensions (whitelist): public name -> column of the project frame; "source" uses funding lines.
GROUP_BY: dict[str, str] = {
    "town": "town",
    "department": "department",
    "tier": "tier",
    "category": "category",
    "build_year": "build_year",
    "source": "source",
    "asset_type": "asset_type",
    "unit": "unit",
}


def _fill_grades(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Complete a (keys…, grade, projects, funds_wan) frame so every key has all three grades (0 filled)."""
    groups = df[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
    full = groups.merge(pd.DataFrame({"grade": GRADE_ORDER}), how="cross")
    out = full.merge(df, on=[*keys, "grade"], how="left")
    out["projects"] = out["projects"].fillna(0).astype("Int64")
    out["funds_wan"] = money(out["funds_wan"])
    order = {g: i for i, g in enumerate(GRADE_ORDER)}
    out = out.assign(_o=out["grade"].map(order)).sort_values([*keys, "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)


def _add_share(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    tot = df.groupby(keys)["projects"].transform("sum") if keys else df["projects"].sum()
    df["share"] = (df["projects"].astype(float) / pd.Series(tot, index=df.index).astype(float).where(lambda t: t > 0)
                   ).fillna(0.0).astype(float)
    return df


def grade_counts(con, *, as_of: date, filters: Filters | None = None, by: str | None = None,
                 settings: dict | None = None) -> pd.DataFrame:
    """Projects and money by current grade, optionally per ``by``.

    Grain: one row per grade (``by=None``), else one row per (``<by>``, grade); all three grades always
    present (0 filled). Columns: [<by>], grade, projects (count), funds_wan (万元, exact), share (float:
    projects / projects of the same ``<by>`` value, or of all when ``by=None``).
    ``by`` ∈ ``GROUP_BY``. ``by="source"``: a project counts under every fund source it has a funding line
    of (in force), funds_wan = that source's amount only — so rows do not add up to the project count.
    Example (fixture, by=None): red P01 P05 P08 → projects 3, funds 3000+200+150 = 3350, share 3/13.
    """
    if by is not None and by not in GROUP_BY:
        raise ValueError(f"by must be one of {sorted(GROUP_BY)}")
    if by != "source":
        keys = [GROUP_BY[by]] if by else []
        sql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
        cols = "".join(f"{k}, " for k in keys)  # k: a GROUP_BY value (whitelist)
        agg = query(con, f"SELECT {cols}grade, count(*) AS projects, SUM(funds_wan) AS funds_wan FROM ({sql}) "
                         "WHERE grade IN ('red', 'yellow', 'green') GROUP BY ALL", params)
        return _add_share(_fill_grades(agg, keys), keys)[[*keys, "grade", "projects", "funds_wan", "share"]]
    lines = lines_of(con, as_of=as_of, key="grade", filters=filters, settings=settings)
    lines = lines[lines["key"].isin(GRADE_ORDER)]
    agg = lines.rename(columns={"key": "grade", "amount_wan": "funds_wan"})[["source", "grade", "projects", "funds_wan"]]
    keys = ["source"]
    out = _fill_grades(agg, keys)
    # the nine sources in policy order (unknown codes last)
    order = {c: i for i, c in enumerate(SOURCE_ORDER)}
    out = (out.assign(_s=out["source"].map(order).fillna(len(order)), _g=out["grade"].map(GRADE_ORDER.index))
           .sort_values(["_s", "source", "_g"]).drop(columns=["_s", "_g"]).reset_index(drop=True))
    return _add_share(out, keys)[[*keys, "grade", "projects", "funds_wan", "share"]]


def grade_transitions(con, *, as_of: date, filters: Filters | None = None,
                      settings: dict | None = None) -> pd.DataFrame:
    """Initial grade → current grade (Sankey input).

    Grain: one row per (initial_grade, grade), all 3×3 pairs present (0 filled). Columns: initial_grade,
    grade, projects, funds_wan (万元, exact). Red may go straight to green (DOMAIN §4: the grades are
    parallel, not a ladder). Example (fixture): (red, green) = P03 → 1 project, 2999.99.
    """
    sql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    agg = query(con, f"SELECT initial_grade, grade, count(*) AS projects, SUM(funds_wan) AS funds_wan FROM ({sql}) "
                     "WHERE grade IN ('red', 'yellow', 'green') AND initial_grade IN ('red', 'yellow', 'green') "
                     "GROUP BY ALL", params)
    full = pd.MultiIndex.from_product([GRADE_ORDER, GRADE_ORDER], names=["initial_grade", "grade"]).to_frame(index=False)
    out = full.merge(agg, on=["initial_grade", "grade"], how="left")
    out["projects"] = out["projects"].fillna(0).astype("Int64")
    out["funds_wan"] = money(out["funds_wan"])
    return out


def grade_trend(con, *, filters: Filters | None = None, as_of: date, settings: dict | None = None) -> pd.DataFrame:
    """Grade counts of the ledger in force at each report round ≤ ``as_of``.

    Grain: one row per (round_date, grade), all three grades per round (0 filled). Columns: round_date,
    grade, projects. At each round a unit's latest submission on or before it is in force (莲塘镇 missed
    R5, so its R4 rows count at R5). Filters apply to each round's rows; the tier filter uses the tier as it
    stood at that round. Example (fixture, R3 2023-10-29): red P01 P08 = 2; yellow P04 = 1 (P02 not yet
    reported); green 13 − 1 − 2 − 1 = 9.
    """
    sql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings, every_round=True)
    df = query(con, f"SELECT at_round AS round_date, grade, count(*) AS projects FROM ({sql}) "
                    "WHERE grade IN ('red', 'yellow', 'green') GROUP BY ALL", params)
    counts = df.set_index(["round_date", "grade"])["projects"]
    rds = base.rounds(con, as_of=as_of)
    idx = pd.MultiIndex.from_product([rds, GRADE_ORDER], names=["round_date", "grade"])
    out = counts.reindex(idx, fill_value=0).rename("projects").reset_index()
    out["projects"] = out["projects"].astype("Int64")
    return out


def grade_delta(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """Grade counts now vs the previous report round ("since last round").

    Grain: one row per grade (all three). Columns: grade, now (projects in force at ``as_of``), previous
    (projects in force at the round before the round in force; 0 when there is none), delta = now − previous.
    Example (fixture, as_of 2023-11-30, previous R4 2023-11-14): red now 3, previous 3 (P01 P05 P08) → 0.
    """
    s = settings or get_settings(con)

    def counts(at):
        if at is None:
            return pd.Series(0, index=GRADE_ORDER)
        sql, params = base.state_sql(con, as_of=at, filters=filters, settings=s)
        n = dict(con.execute(f"SELECT grade, count(*) FROM ({sql}) GROUP BY ALL", params).fetchall())
        return pd.Series([n.get(g, 0) for g in GRADE_ORDER], index=GRADE_ORDER)

    now = counts(as_of)
    prev = counts(base.previous_round(con, as_of=as_of))
    out = pd.DataFrame({"grade": GRADE_ORDER, "now": now.to_numpy(), "previous": prev.to_numpy()})
    out["delta"] = out["now"] - out["previous"]
    return out.astype({"now": "Int64", "previous": "Int64", "delta": "Int64"})


__all__ = ["GROUP_BY", "grade_counts", "grade_transitions", "grade_trend", "grade_delta"]
