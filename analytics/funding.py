"""Money: where the 扶贫资金帮扶资金 came from, when, and how the funded projects are doing now.

Grain of the input: funding lines (``funding_rows``: project × one of the nine source codes × fund year,
万元, DECIMAL). Lines in force at ``as_of`` are those of each project's row in force (``inforce_funding``).
Lines can be many, so they are aggregated in DuckDB; the filtered project set is passed in as a bound
list of codes (with each project's group key), never formatted into the SQL.

Money columns end in ``_wan`` (万元) and stay exact (``pd.ArrowDtype(decimal128(28, 6))``); shares are floats.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from ledger.columns import is_missing
from ledger.glossary import FUND_SOURCES, GRADE_ORDER

from . import base
from ._db import dec, query
from .filters import Filters

# decimal128(28, 6): exact to 0.01 元 up to 10^22 万元, and leaves headroom so that adding money columns
# (red_wan + yellow_wan) does not overflow Arrow's 38-digit limit, as (38, 6) + (38, 6) would.
MONEY = pd.ArrowDtype(pa.decimal128(28, 6))
SOURCE_ORDER = list(FUND_SOURCES)   # the nine sources in policy order
FIRST_FUND_YEAR = 2013              # DOMAIN §2: projects built since 2013

# `by` dimensions for money breakdowns: public name -> column of the project frame (whitelist).
UNIT_DIMENSIONS: dict[str, str] = {
    "town": "town",
    "department": "department",
    "unit": "unit",
    "tier": "tier",
    "category": "category",
    "build_year": "build_year",
    "asset_type": "asset_type",
}


def money(values) -> pd.array:
    """An exact 万元 column from Decimals/ints/None (None → 0)."""
    return pd.array([Decimal(0) if is_missing(v) else Decimal(v) for v in values], dtype=MONEY)


# key columns lines_of may group by (a whitelist: columns of the project state), "all" = one group
_LINE_KEYS = {"all": "'all'", "grade": "p.grade", "town": "p.town", "department": "p.department",
              "unit": "p.unit", "tier": "p.tier", "category": "p.category", "build_year": "p.build_year",
              "asset_type": "p.asset_type"}


def lines_of(con, *, as_of: date, key: str, filters: Filters | None = None, settings: dict | None = None,
             by_year: bool = False, by_source: bool = True) -> pd.DataFrame:
    """Funding lines in force at ``as_of`` of the filtered projects, aggregated in DuckDB (joined with the
    state there: no list of codes passed in), grouped by the project column ``key`` (∈ _LINE_KEYS).

    Grain: one row per (key, source[, fund_year]) that has at least one line. Columns: key, [source],
    [fund_year], amount_wan (万元, exact), projects (distinct projects with a line; with
    ``by_source=False`` a project with two sources in one year counts once).
    Example (fixture, key='grade', 2023-11-30): red P01 (linkage 2000 + guangdong 1000), P05 (linkage 200),
    P08 (central_unit 150) → ('red', 'linkage', 2000 + 200 = 2200, 2 projects), ('red', 'guangdong', 1000, 1), …
    """
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    dims = (", f.source" if by_source else "") + (", f.fund_year" if by_year else "")  # fixed fragments
    out = query(con, f"""
        WITH p AS ({psql})
        SELECT {_LINE_KEYS[key]} AS key{dims}, CAST(SUM(f.amount_wan) AS DECIMAL(28, 6)) AS amount_wan,
               COUNT(DISTINCT f.project_code) AS projects
        FROM funding_rows f JOIN p ON f.project_code = p.project_code AND f.round_date = p.round_date
         AND f.unit = p.unit
        GROUP BY ALL ORDER BY ALL
    """, params)
    if out["amount_wan"].dtype != MONEY:
        out["amount_wan"] = money(out["amount_wan"])
    return out


def funding_by_source_year(con, *, as_of: date, filters: Filters | None = None,
                           settings: dict | None = None) -> pd.DataFrame:
    """One row per (source, fund_year): ``amount_wan`` (万元, exact), for the projects in force after filters.

    Grid: the nine source codes (policy order) × every year from 2013 to the last fund year in the data
    (earlier years, if a ledger has any, are kept as their own rows so the total still reconciles); cells
    without money are 0. Σ amount_wan = Σ funds_wan of the projects that have funding lines.
    Example (fixture): ('linkage', 2021) = P01 2000 + P10 300 + P11 300 + P13 600 = 3200.
    """
    lines = lines_of(con, as_of=as_of, key="all", filters=filters, settings=settings, by_year=True)
    data_years = {int(y) for y in lines["fund_year"]}
    last = max(data_years | {FIRST_FUND_YEAR})
    years = sorted(set(range(FIRST_FUND_YEAR, last + 1)) | data_years)
    amounts = {(s, int(y)): a for s, y, a in zip(lines["source"], lines["fund_year"], lines["amount_wan"])}
    extra = sorted({s for s, _ in amounts} - set(SOURCE_ORDER))  # an unknown code still reconciles
    grid = [(s, y) for s in SOURCE_ORDER + extra for y in years]
    out = pd.DataFrame({"source": [s for s, _ in grid], "fund_year": pd.array([y for _, y in grid], dtype="Int64")})
    out["amount_wan"] = money([amounts.get(k, Decimal(0)) for k in grid])
    return out


def funding_by_unit(con, *, as_of: date, filters: Filters | None = None, by: str = "town",
                    settings: dict | None = None) -> pd.DataFrame:
    """One row per (``<by>``, source) with money: ``amount_wan`` (万元, exact).

    ``by`` ∈ ``UNIT_DIMENSIONS`` (town, department, unit, tier, category, build_year, asset_type).
    Only pairs with a funding line appear. Σ over rows = Σ funding lines of the filtered projects.
    Example (fixture, by town): (贺街镇, linkage) = P01 2000.
    """
    if by not in UNIT_DIMENSIONS:
        raise ValueError(f"by must be one of {sorted(UNIT_DIMENSIONS)}")
    lines = lines_of(con, as_of=as_of, key=UNIT_DIMENSIONS[by], filters=filters, settings=settings)
    out = lines.rename(columns={"key": by})[[by, "source", "amount_wan"]]
    order = {s: i for i, s in enumerate(SOURCE_ORDER)}
    out = out.assign(_o=out["source"].map(order)).sort_values([by, "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)


def funds_at_risk(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> dict:
    """Money in 红/黄 projects now (dict, 万元 exact Decimals; share a float 0..1).

    Keys: total_wan, red_wan, yellow_wan, at_risk_wan = red_wan + yellow_wan, at_risk_share = at_risk / total
    (0.0 when total is 0). Example (fixture): red P01 3000 + P05 200 + P08 150 = 3350; yellow P02 1000;
    total 14689.98 → share 4350 / 14689.98 ≈ 0.296.
    """
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    by = dict(con.execute(f"SELECT grade, SUM(funds_wan) FROM ({psql}) GROUP BY ALL", params).fetchall())
    total = sum((dec(v) for v in by.values()), Decimal(0))
    red, yellow = dec(by.get("red")), dec(by.get("yellow"))
    at_risk = red + yellow
    return {"total_wan": total, "red_wan": red, "yellow_wan": yellow, "at_risk_wan": at_risk,
            "at_risk_share": float(at_risk / total) if total else 0.0}


def outcome_by_year(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """"How are the projects built in year Y doing now": one row per build_year (建设年度), ascending.

    Columns: build_year, projects, funds_wan (万元, exact), red, yellow, green (project counts by current
    grade), green_share = green / projects (float). Example (fixture, 2021): P01 red, P10 P11 P13 green →
    projects 4, funds 3000+300+300+600 = 4200, green_share 0.75.
    Aggregated in DuckDB over the in-force rows (``base.state_sql``), one row per year back: at 150x the
    sample the whole project frame this used to group in pandas took ~0.4 s of 资金投向's cold run.
    Projects without a 建设年度 are one row (build_year NA), last.
    """
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    counts = ", ".join(f"COUNT(*) FILTER (WHERE grade = '{g}') AS {g}" for g in GRADE_ORDER)  # fixed codes
    out = query(con, f"""
        SELECT build_year, COUNT(*) AS projects, CAST(SUM(funds_wan) AS DECIMAL(28, 6)) AS funds_wan, {counts}
        FROM ({psql}) GROUP BY build_year ORDER BY build_year NULLS LAST
    """, params)
    out["funds_wan"] = money(out["funds_wan"])
    for c in ["build_year", "projects", *GRADE_ORDER]:
        out[c] = out[c].astype("Int64")
    out["green_share"] = (out["green"] / out["projects"]).astype(float)   # projects ≥ 1 in every row
    return out[["build_year", "projects", "funds_wan", *GRADE_ORDER, "green_share"]]


assert all(g.isascii() and g.isidentifier() for g in GRADE_ORDER), "grade codes are formatted into outcome_by_year's SQL"


def outcome_by_fund_year(con, *, as_of: date, filters: Filters | None = None,
                         settings: dict | None = None) -> pd.DataFrame:
    """"How is the money of fund year Y doing now": one row per fund_year (资金年度) with money, ascending.

    A project counts in every fund year it has money from. Columns: fund_year, projects (projects with a
    line of that year), funds_wan (that year's money, 万元 exact), red, yellow, green (those projects by
    current grade), green_share = green / projects, red_wan, yellow_wan, green_wan (that year's money by
    current grade). Example (fixture, 2021): P01 red 3000, P10 P11 P13 green 1200 → projects 4,
    funds 4200, red 1, green 3, green_share 0.75, red_wan 3000, green_wan 1200.
    """
    lines = lines_of(con, as_of=as_of, key="grade", filters=filters, settings=settings, by_year=True,
                     by_source=False)
    cell = {(int(y), g): (n, a) for g, y, a, n in
            zip(lines["key"], lines["fund_year"], lines["amount_wan"], lines["projects"])}
    rows = []
    for y in sorted({y for y, _ in cell}):
        counts = {g: int(cell.get((y, g), (0, 0))[0]) for g in GRADE_ORDER}
        amounts = {g: cell.get((y, g), (0, Decimal(0)))[1] for g in GRADE_ORDER}
        n = sum(counts.values())
        rows.append({"fund_year": y, "projects": n, "funds_wan": sum(amounts.values(), Decimal(0)), **counts,
                     "green_share": counts["green"] / n if n else 0.0,
                     **{f"{g}_wan": amounts[g] for g in GRADE_ORDER}})
    cols = ["fund_year", "projects", "funds_wan", *GRADE_ORDER, "green_share", *(f"{g}_wan" for g in GRADE_ORDER)]
    out = pd.DataFrame(rows, columns=cols)
    for c in ["fund_year", "projects", *GRADE_ORDER]:
        out[c] = out[c].astype("Int64")
    for c in ["funds_wan", *(f"{g}_wan" for g in GRADE_ORDER)]:
        out[c] = money(out[c])
    out["green_share"] = out["green_share"].astype(float)
    return out

