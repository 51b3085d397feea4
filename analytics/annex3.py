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
import pyarrow as pa
import pyarrow.compute as pc

from ledger.columns import ANNEX3
from ledger.glossary import DEPARTMENTS, DISPOSAL, GRADE_ORDER, THREE_FAILURES, TOWNS

from . import base
from ._db import money_sum
from .filters import Filters
from .funding import money

TOTAL = "合计"
ANNEX3_BY: dict[str, str] = {"town": "town", "department": "department"}  # whitelist
_RANK = {"green": 0, "yellow": 1, "red": 2}

ANNEX3_LABELS: dict[str, str] = {c: col.label for c, col in ANNEX3.items()}  # ledger/columns.py
ANNEX3_COLUMNS = list(ANNEX3_LABELS)
MONEY_COLUMNS = ["funds_wan", "red_funds_wan", "yellow_funds_wan", "green_funds_wan"]
COUNT_COLUMNS = [c for c in ANNEX3_COLUMNS if c != "unit" and c not in MONEY_COLUMNS]


def _signed_off_codes(con, *, as_of: date, p: pd.DataFrame) -> set[str]:
    """Projects counted 已销号 at ``as_of`` (see module docstring)."""
    rows = con.execute(
        """SELECT project_code, arg_max(to_grade, round_date) AS to_grade
           FROM signoffs
           WHERE status = 'signed_off' AND round_date <= $as_of AND (accepted_on IS NULL OR accepted_on <= $as_of)
           GROUP BY project_code""",
        {"as_of": as_of},
    ).fetchall()
    # column operations, not Python loops over the (Arrow-backed, slow to iterate) string columns
    out = set(p.loc[(p["signoff_status"] == "signed_off").fillna(False).astype(bool), "project_code"].tolist())
    if rows:
        tg = pd.DataFrame(rows, columns=["project_code", "to_grade"])
        m = tg.merge(p[["project_code", "grade"]], on="project_code", how="inner")
        ok = m["grade"].map(_RANK).fillna(3).astype(int) <= m["to_grade"].map(_RANK).fillna(0).astype(int)
        out |= set(m.loc[ok.to_numpy(), "project_code"].tolist())
    return out


_COLUMNS = ("project_code", "town", "department", "grade", "initial_grade", "problems", "disposal", "tier",
            "households", "households_exited", "households_monitored", "funds_wan", "signoff_status")


def annex3(con, *, as_of: date, by: str = "town", filters: Filters | None = None,
           settings: dict | None = None) -> pd.DataFrame:
    """附件3 汇总表: one row per town (or department) with projects, plus the 合计 row (module docstring)."""
    if by not in ANNEX3_BY:
        raise ValueError(f"by must be one of {sorted(ANNEX3_BY)}")
    p = base.project_columns(con, as_of=as_of, filters=filters, settings=settings, columns=_COLUMNS)
    signed = _signed_off_codes(con, as_of=as_of, p=p)
    p = p.assign(
        _downgraded=(p["grade"].notna() & p["initial_grade"].notna()
                     & (p["grade"].map(_RANK).fillna(-1).astype(int) < p["initial_grade"].map(_RANK).fillna(-1).astype(int))
                     ).fillna(False).astype(bool).to_numpy(),
        _signed=p["project_code"].isin(signed),
    )
    # indicator columns summed per unit in one groupby (counts) and one Arrow group_by (exact money)
    key = p[ANNEX3_BY[by]].astype(object).where(p[ANNEX3_BY[by]].notna(), "（未填）")
    grade, probs = p["grade"].astype(object), p["problems"]
    ind = {"projects": pd.Series(1, index=p.index)}
    for gr in GRADE_ORDER:
        ind[gr] = grade == gr
    for prob in THREE_FAILURES:
        ind[prob] = probs.map(lambda ps, prob=prob: prob in ps)
    for d in DISPOSAL:
        ind[d] = p["disposal"].astype(object) == d
    for t in base.TIER_ORDER:
        ind[t] = p["tier"].astype(object) == t
    ind["downgraded"] = p["_downgraded"]
    ind["signed_off"] = p["_signed"]
    for h in ["households", "households_exited", "households_monitored"]:
        ind[h] = pd.array(p[h], dtype="Int64").fillna(0)
    counts = pd.DataFrame({c: pd.Series(v, index=p.index).fillna(False).astype("int64") for c, v in ind.items()})
    counts = counts.assign(unit=key.to_numpy()).groupby("unit", sort=True).sum()
    funds = pa.array(p["funds_wan"]) if isinstance(p["funds_wan"].dtype, pd.ArrowDtype) \
        else pa.array([money_sum([v]) for v in p["funds_wan"]], type=pa.decimal128(38, 6))
    funds = funds.cast(pa.decimal128(38, funds.type.scale))
    zero = pa.scalar(0, type=funds.type)
    mt = {"unit": pa.array(key.tolist(), type=pa.string()), "funds_wan": funds}
    for gr in GRADE_ORDER:
        mt[f"{gr}_funds_wan"] = pc.if_else(pa.array((grade == gr).fillna(False).astype(bool).to_numpy()), funds, zero)
    sums = pa.table(mt).group_by("unit").aggregate([(c, "sum") for c in mt if c != "unit"])
    money_of = {c: dict(zip(sums.column("unit").to_pylist(), sums.column(f"{c}_sum").to_pylist()))
                for c in MONEY_COLUMNS}
    rows = []
    for unit, r in counts.iterrows():
        row = {"unit": unit, **{c: int(r[c]) for c in counts.columns}}
        for c in MONEY_COLUMNS:
            v = money_of[c].get(unit)
            row[c] = v if v is not None else money_sum([])
        rows.append(row)
    body = pd.DataFrame(rows, columns=ANNEX3_COLUMNS)
    known = list(TOWNS) if by == "town" else DEPARTMENTS
    body = (body.assign(_o=[known.index(u) if u in known else len(known) for u in body["unit"]])
            .sort_values(["_o", "unit"]).drop(columns="_o").reset_index(drop=True))
    total = {"unit": TOTAL, **{c: int(body[c].sum()) for c in COUNT_COLUMNS},
             **{c: sum(body[c], money_sum([])) for c in MONEY_COLUMNS}}
    out = pd.concat([body, pd.DataFrame([total], columns=ANNEX3_COLUMNS)], ignore_index=True)
    for c in MONEY_COLUMNS:
        out[c] = money(out[c])
    for c in COUNT_COLUMNS:
        out[c] = out[c].astype("Int64")
    return out
