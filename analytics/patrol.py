"""巡查督办 coverage (DOMAIN §9): every 红/黄 project must be visited by the patrol group (巡回排查).

``patrol_coverage(con, *, as_of, filters)`` → dict: ``due`` (红/黄 projects in force), ``patrolled``
(of those, the row in force says 已巡查), ``coverage`` (patrolled / due; None when due = 0), and
``missing``: a DataFrame, one row per 红/黄 project not (yet) patrolled — project_code, name, town,
department, unit, grade, tier — red first. A blank 是否巡查 counts as not patrolled.
Worked example: 4 红/黄 projects, 3 marked 是 → coverage 0.75, one row in ``missing``.
"""
from __future__ import annotations

from datetime import date

from . import base
from .filters import Filters

_ORDER = {"red": 0, "yellow": 1}


def patrol_coverage(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> dict:
    p = base.project_columns(con, as_of=as_of, filters=base.red_yellow_filters(filters), settings=settings,
                             columns=("project_code", "name", "town", "department", "unit", "grade", "tier", "patrolled"))
    ry = p[p["grade"].isin(["red", "yellow"])]
    done = ry["patrolled"].fillna(False).astype(bool)
    missing = ry[~done.to_numpy()]
    missing = (missing.assign(_o=missing["grade"].map(_ORDER))
               .sort_values(["_o", "project_code"])
               [["project_code", "name", "town", "department", "unit", "grade", "tier"]]
               .reset_index(drop=True))
    due = len(ry)
    return {"due": due, "patrolled": int(done.sum()), "coverage": (int(done.sum()) / due) if due else None,
            "missing": missing}
