"""Sensitive projects (敏感问题) and their pre-treatment (预处理), DOMAIN §3.

Sensitive flags — 违法违规占用耕地 (``farmland``), "两高两道"沿线 (``roadside``) — need 立行立改 before
remediation: 摘牌 (``delisting``) or 复耕复种 (``recultivation``). We track whether it is done.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ledger.columns import is_missing

from ._db import query
from .base import state_sql
from .filters import Filters

COLUMNS = ["project_code", "name", "town", "department", "grade", "tier", "sensitive", "pretreatment",
           "pretreatment_done"]


def sensitive_projects(con, *, as_of: date, filters: Filters | None = None,
                       settings: dict | None = None) -> pd.DataFrame:
    """One row per project in force at ``as_of`` (after filters) with at least one sensitive flag.

    Columns: project_code, name, town, department, grade, tier, sensitive (list of codes), pretreatment
    (code or None), pretreatment_done (bool or NA). Order: pre-treatment not done first, then by code.
    Example: a project flagged ['farmland'] with pretreatment 'recultivation' not yet done comes before a
    project flagged ['roadside'] whose 摘牌 is done.
    """
    # only the flagged projects leave DuckDB (x150: a few thousand rows, not every project's whole row)
    sql, params = state_sql(con, as_of=as_of, filters=filters, settings=settings)
    cols = ", ".join(COLUMNS)  # constants above
    out = query(con, f"SELECT {cols} FROM ({sql}) WHERE len(sensitive) > 0 ORDER BY project_code", params,
                lists=("sensitive",))
    out["sensitive"] = out["sensitive"].astype(object)  # a list column, also when no project is flagged
    done = out["pretreatment_done"].map(lambda v: False if is_missing(v) else bool(v))
    out = out.assign(_done=done).sort_values(["_done", "project_code"]).drop(columns="_done")
    return out.reset_index(drop=True)
