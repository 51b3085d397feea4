"""Responsibility tiers 分级负责 (DOMAIN §5, 附件4): who supervises, who does the work, who accepts.

The tier itself is computed once in ``base.projects`` (amount basis and bounds are settings [A]):
  amount ≥ 3000 and tier grade 红 → region (自治区督办); ≥ 3000 and 黄 → city; 1000 ≤ amount < 3000 → city;
  amount < 1000 → district; never 红/黄 → monitor (常态化监测). Tier grade = the initial grade, or the first
  红/黄 grade for a project first graded 绿; a downgraded project keeps its tier.
  Worked example (fixture): P01 3000.00 红 → region; P03 2999.99 红 → city; P02 1000.00 黄 → city;
  P04 999.99 黄 → district; P06 5000 always 绿 → monitor.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ledger.glossary import GRADE_ORDER

from . import base
from ._db import query
from .filters import Filters
from .funding import money

TIER_TABLE_COLUMNS = [
    "project_code", "name", "town", "department", "tier_amount_wan", "initial_grade", "tier_grade", "grade",
    "tier", "tier_supervisor", "tier_owner", "tier_acceptance",
]


def tier_table(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None,
               limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """One row per project in force: its tier and the route that goes with it.

    Columns: project_code, name, town, department, tier_amount_wan (万元, exact: the amount the tier is
    based on), initial_grade, tier_grade (first 红/黄 grade; None when never 红/黄), grade (current), tier
    (region/city/district/monitor), tier_supervisor, tier_owner, tier_acceptance (Chinese route labels).
    Sorted by tier (region → monitor), then project_code. Labelled and sorted in DuckDB (the route
    labels bound as parameters): at 150x the sample, mapping and sorting 97,500 rows in pandas took ~0.3 s.
    ``limit``/``offset``: only those rows of that order (a page of a table: at a million projects the whole
    table took 0.7 s to leave DuckDB, a page of 500 rows a few ms); ``tier_table_size`` counts them all.
    """
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    order = " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(base.TIER_ORDER))  # fixed ASCII codes
    routes, labels = [], {}
    for col, table in _ROUTES.items():
        whens = []
        for i, (t, label) in enumerate(table.items()):
            labels[f"{col}_{i}"] = label
            whens.append(f"WHEN '{t}' THEN ${col}_{i}")
        routes.append(f"CASE tier {' '.join(whens)} END AS {col}")
    page = ""
    if limit is not None:
        page = " LIMIT $page_limit OFFSET $page_offset"
        labels.update(page_limit=int(limit), page_offset=int(offset))
    return query(con, f"SELECT {', '.join(TIER_TABLE_COLUMNS[:9])}, {', '.join(routes)} FROM ({psql}) "
                      f"ORDER BY CASE tier {order} END NULLS LAST, project_code{page}", {**params, **labels})


def tier_table_size(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> int:
    """How many rows ``tier_table`` has: the projects in force after ``filters`` (fixture at AS_OF: 13)."""
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    return int(con.execute(f"SELECT count(*) FROM ({psql})", params).fetchone()[0])


# the route label columns and their tables (base.with_tier_routes labels a frame the same way)
_ROUTES = {"tier_supervisor": base.TIER_SUPERVISOR, "tier_owner": base.TIER_OWNER,
           "tier_acceptance": base.TIER_ACCEPTANCE}
assert all(t.isascii() and t.isidentifier() for r in _ROUTES.values() for t in r), "tier codes go into SQL"


def tier_counts(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """One row per tier, all four present in order region, city, district, monitor (0 filled).

    Columns: tier, projects, funds_wan (Σ funds_wan, 万元 exact — the nine sources, whatever the tier
    basis), red, yellow, green (project counts by current grade). The tiers partition the projects:
    Σ projects = number of projects in force. Example (fixture): region P01 → 1 project, 3000, red 1.
    """
    psql, params = base.state_sql(con, as_of=as_of, filters=filters, settings=settings)
    got = {r[0]: r[1:] for r in con.execute(
        f"SELECT tier, count(*), SUM(funds_wan), count(*) FILTER (grade = 'red'), count(*) FILTER (grade = 'yellow'), "
        f"count(*) FILTER (grade = 'green') FROM ({psql}) GROUP BY ALL", params).fetchall()}
    rows = []
    for t in base.TIER_ORDER:
        n, funds, red, yellow, green = got.get(t, (0, 0, 0, 0, 0))
        rows.append({"tier": t, "projects": n, "funds_wan": funds or 0, "red": red, "yellow": yellow, "green": green})
    out = pd.DataFrame(rows)
    out["funds_wan"] = money(out["funds_wan"])
    for c in ["projects", *GRADE_ORDER]:
        out[c] = out[c].astype("Int64")
    return out
