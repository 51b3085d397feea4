"""奖惩 ranking of units and the allocation simulator (DOMAIN §10). Every rule here is [A].

Units are ranked in two separate leagues: departments (项目主管部门, by a project's ``department``;
a township government acting as 主管 of its own projects is not a department and is left out of this
league) and townships (乡镇(街道), by a project's ``town``). Every unit with at least one project in force
is ranked once. Metrics of a unit over its projects in force (raw values, 0..1 unless said):

- green_share  = projects 绿 now / projects.
- on_time      = clocks met on time / (on time + late + overdue) over its projects' deadline clocks
                 (DOMAIN §6, ``clocks.clocks``). No judged clock (all pending, or none) → raw None,
                 scored as 1.0 (neutral: nothing has fallen due, nothing was missed).
- resolved     = projects ever 红/黄 (initial grade or tier grade) that are 绿 now / projects ever
                 红/黄. None (never 红/黄) → scored as 1.0.
- submissions  = on-time share of half-monthly reports, on_time / due, from
                 ``compliance.compliance_rollup``. A unit that submitted as a reporter (on_time +
                 late > 0) uses its own row. A unit that never reported (e.g. a department whose
                 projects all come in the townships' ledgers) uses the pooled rate of the distinct
                 reporting units of its projects, Σ on_time / Σ due, each reporter counted once; no
                 such rows either → None, scored as 1.0. ``submissions_basis`` says which
                 ("own", "reporters", "none").
- linkage      = 联农带农 households / 万元 of funds (households of the rows in force, funds = the
                 nine sources). A unit with 0 funds → raw None, imputed with the median of the other
                 units of its kind before normalising (it cannot be judged per 万元; the median
                 neither rewards nor punishes it). Normalised min–max within the kind
                 (all equal → 1.0).
- consistency  = 1 − projects flagged by ``consistency.false_greens`` / projects.

Score: contrib_m = weight_m / Σ weights × 100 × norm_m; penalty = penalty_overdue × overdue clocks
+ penalty_reopened × reopened projects (``signoff.reopened``); S = clip(Σ contrib − penalty, 0, 100).
With ``penalty_basis`` = "per_100_projects" the penalty is taken per 100 of the unit's projects in force
(penalty × 100 / projects), so that a department with 300 projects and 6 overdue clocks loses what one with
50 projects and 1 overdue clock loses (2 × 6 × 100/300 = 2 × 1 × 100/50 = 4): counted per item, large
units (and every unit of a city or province roll-up) clip to 0 and the league no longer ranks anyone.
Rank within kind by S descending; ties share the lowest rank ("1, 2, 2, 4"); rows are ordered by
kind, S descending, unit name. Band: S ≥ bands.excellent → excellent (优), ≥ good → good (良),
≥ fair → fair (中), else poor (差). Factor f = 1 + beta·(S − mean S of the kind)/100, clipped to
[1 − cap, 1 + cap].

Worked example (default weights 25/25/20/10/10/10, Σ = 100): a township with green_share 0.5,
on_time 0.5, resolved 0.5, submissions 1, norm linkage 0, consistency 1 and one overdue clock:
Σ contrib = 12.5 + 12.5 + 10 + 10 + 0 + 10 = 55; penalty = 2 × 1 = 2; S = 53 → poor.
If the township mean S is 73: f = 1 + 0.5 × (53 − 73)/100 = 0.9.

Scores are computed in exact rational arithmetic (``fractions.Fraction``) so that equal units tie
exactly; the frame carries them as floats.
"""
from __future__ import annotations

import json

import numbers
import statistics
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ledger.glossary import TOWNS

from ._db import dec
from ._memo import FrameMemo, state_token
from .settings import DEFAULTS, get_settings

METRICS = ("green_share", "on_time", "resolved", "submissions", "linkage", "consistency")
KINDS = (("department", "department"), ("township", "town"))  # (kind, project column)
RED_YELLOW = ("red", "yellow")
BAND_ORDER = ("excellent", "good", "fair")  # then "poor"
WAN_DTYPE = pd.ArrowDtype(pa.decimal128(20, 6))

METRIC_COLUMNS = [
    "unit", "kind", "projects", "funds_wan", "green_share", "on_time", "resolved", "submissions",
    "linkage", "consistency", "overdue", "reopened",
    # the counts behind the rates
    "green", "ever_red_yellow", "resolved_projects", "clocks_on_time", "clocks_late", "households",
    "flagged", "submissions_basis",
]


def _frac(x) -> Fraction:
    """Exact Fraction of an int/Decimal/float/str (floats via their shortest repr: 0.1 → 1/10)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, Decimal):
        return Fraction(x)
    if isinstance(x, (numbers.Integral, str)) and not isinstance(x, bool):
        return Fraction(int(x) if isinstance(x, numbers.Integral) else x)
    if hasattr(x, "is_integer") and float(x).is_integer():
        return Fraction(int(float(x)))
    return Fraction(repr(float(x)))  # numpy floats included


def _none_if_na(x):
    return None if x is None or (not isinstance(x, (str, Decimal, Fraction)) and pd.isna(x)) else x


# --------------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------------

def _decimal_array(col: pd.Series) -> pa.Array:
    """A money column as an Arrow decimal array (NA → null), without a Python loop when it is Arrow."""
    if isinstance(col.dtype, pd.ArrowDtype) and pa.types.is_decimal(col.dtype.pyarrow_dtype):
        return pa.array(col).cast(pa.decimal128(38, 6))
    return pa.array([None if _none_if_na(v) is None else dec(v) for v in col], type=pa.decimal128(38, 6))


def metrics_from_frames(
    projects: pd.DataFrame,
    clocks: pd.DataFrame,
    reopened: pd.DataFrame,
    compliance: pd.DataFrame,
    flagged: pd.DataFrame,
) -> pd.DataFrame:
    """The pure part of ``unit_metrics``: one row per (kind, unit) from the building-block frames.

    ``projects``: one row per project (project_code, town, department, unit, grade, initial_grade,
    tier_grade, households, funds_wan). ``clocks``: one row per clock (project_code, status).
    ``reopened``: one row per reopened project (project_code). ``compliance``: one row per
    reporting unit (unit, on_time, late, due). ``flagged``: false greens (project_code; several rows
    per project allowed). Clocks, reopenings and flags are attributed through the project's own
    town/department in ``projects``.
    """
    rows = []
    comp = {}
    for r in compliance.itertuples(index=False):
        comp[r.unit] = (int(r.on_time), int(r.late), int(r.due))
    # per-project flags and counts as columns, summed per unit by pandas (the loop below runs once per
    # unit, not once per project: 1.2 s -> 0.1 s at 150x the sample)
    n_rows = len(projects)
    codes = projects["project_code"]
    status = clocks.groupby(["project_code", "status"]).size().unstack(fill_value=0) if len(clocks) else None
    # each project's row of ``status`` by position (-1: no clock), looked up once for the three statuses in
    # Arrow (Series.map over the Arrow-backed strings took 0.13 s at 150x the sample)
    codes_a = pa.array(codes, type=pa.string())
    at = (pc.index_in(codes_a, value_set=pa.array(status.index, type=pa.string())).fill_null(-1)
          .to_numpy(zero_copy_only=False) if status is not None else None)

    def clock_n(s: str):
        if status is None or s not in status.columns:
            return pd.Series(0, index=range(n_rows), dtype="int64")
        vals = np.append(status[s].to_numpy(dtype="int64"), 0)   # position -1 reads the appended 0
        return pd.Series(vals[at], index=range(n_rows), dtype="int64")

    def isin(c: str, values) -> pd.Series:  # NA never matches
        return projects[c].isin(values).fillna(False).astype(bool).reset_index(drop=True)

    green_i = isin("grade", ("green",))
    ever = isin("initial_grade", RED_YELLOW) | isin("tier_grade", RED_YELLOW)
    per = pd.DataFrame({
        "code": codes.reset_index(drop=True),
        "unit": projects["unit"].reset_index(drop=True),
        "green": green_i.astype("int64"),
        "ever": ever.astype("int64"),
        "resolved": (ever & green_i).astype("int64"),
        "on_time": clock_n("on_time"), "late": clock_n("late"), "overdue": clock_n("overdue"),
        "households": pd.array(projects["households"], dtype="Int64").fillna(0).astype("int64"),
    })
    reopened_codes = set(reopened["project_code"]) if len(reopened) else set()
    flagged_codes = set(flagged["project_code"]) if len(flagged) else set()
    per["flagged"] = codes.isin(flagged_codes).to_numpy(dtype=bool)
    per["reopened"] = codes.isin(reopened_codes).to_numpy(dtype=bool)
    funds_col = _decimal_array(projects["funds_wan"])
    unique_codes = pc.count_distinct(codes_a).as_py() == n_rows   # usual: then no (unit, project) pair repeats

    for kind, by in KINDS:
        if projects.empty:
            continue
        key = projects[by].reset_index(drop=True)
        # A 乡镇人民政府/街道办事处 acting as 主管 of its own small projects is judged in the township
        # league (by town), not as a department: the department league holds the 项目主管部门 proper,
        # so the two leagues never rank the same unit twice.
        keep = key.notna().to_numpy(dtype=bool)
        if kind == "department":
            keep = keep & ~key.isin(list(TOWNS)).to_numpy(dtype=bool)
        if not keep.any():
            continue
        sub = per[keep].assign(key=key[keep])
        sums = sub.groupby("key", sort=False)[["green", "ever", "resolved", "on_time", "late", "overdue",
                                               "households"]].sum()
        sizes = sub.groupby("key", sort=False).size()
        funds_by = pa.table({"key": pa.array(key[keep], type=pa.string()),
                             "f": funds_col.filter(pa.array(keep))}).group_by("key").aggregate([("f", "sum")])
        funds_of = {k: (v if v is not None else Decimal(0))
                    for k, v in zip(funds_by.column("key").to_pylist(), funds_by.column("f_sum").to_pylist())}
        # a project counts once per unit however many rows it has (projects() has one row per project)
        once = (sub if unique_codes else sub.drop_duplicates(["key", "code"])).groupby(
            "key", sort=False)[["flagged", "reopened"]].sum()
        unit_sets: dict = {}
        for k, u in sub[["key", "unit"]].dropna().drop_duplicates().itertuples(index=False):
            unit_sets.setdefault(k, set()).add(u)
        for unit in sorted(sizes.index):
            n = int(sizes[unit])
            t = sums.loc[unit]
            green, ever_n, resolved_n = int(t["green"]), int(t["ever"]), int(t["resolved"])
            on_time, late, overdue = int(t["on_time"]), int(t["late"]), int(t["overdue"])
            judged = on_time + late + overdue
            funds = Decimal(funds_of[unit]).quantize(Decimal("0.000001"))
            households = int(t["households"])
            flagged_n, reopened_n = int(once.loc[unit, "flagged"]), int(once.loc[unit, "reopened"])
            own = comp.get(unit)
            if own is not None and own[0] + own[1] > 0:
                basis, sub_v = "own", (Fraction(own[0], own[2]) if own[2] else None)
            else:
                reporters = sorted(u for u in unit_sets.get(unit, ()) if u in comp)
                due = sum(comp[u][2] for u in reporters)
                if due:
                    basis, sub_v = "reporters", Fraction(sum(comp[u][0] for u in reporters), due)
                else:
                    basis, sub_v = "none", None
            rows.append({
                "unit": unit,
                "kind": kind,
                "projects": n,
                "funds_wan": funds,
                "green_share": float(Fraction(green, n)),
                "on_time": float(Fraction(on_time, judged)) if judged else None,
                "resolved": float(Fraction(resolved_n, ever_n)) if ever_n else None,
                "submissions": float(sub_v) if sub_v is not None else None,
                "linkage": float(Fraction(households) / Fraction(funds)) if funds > 0 else None,
                "consistency": float(1 - Fraction(flagged_n, n)),
                "overdue": overdue,
                "reopened": reopened_n,
                "green": green,
                "ever_red_yellow": ever_n,
                "resolved_projects": resolved_n,
                "clocks_on_time": on_time,
                "clocks_late": late,
                "households": households,
                "flagged": flagged_n,
                "submissions_basis": basis,
            })
    out = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    out["funds_wan"] = out["funds_wan"].astype(WAN_DTYPE)
    for c in ("projects", "overdue", "reopened", "green", "ever_red_yellow", "resolved_projects",
              "clocks_on_time", "clocks_late", "households", "flagged"):
        out[c] = out[c].astype("int64")
    for m in METRICS:
        out[m] = out[m].astype("object").where(out[m].notna(), None)
    return out


def unit_metrics(con, *, as_of: date, settings: dict | None = None) -> pd.DataFrame:
    """One row per (kind, unit): raw metrics and counts (see the module docstring).

    Columns: unit, kind ∈ {department, township}, projects, funds_wan (万元, exact), green_share,
    on_time, resolved, submissions, linkage (households per 万元), consistency (raw: None where
    undefined), overdue (clocks 逾期未完成), reopened (projects), and the counts behind them.
    """
    from . import base, clocks, compliance, consistency, signoff

    s = settings or get_settings(con)
    token = state_token(con)
    # the metrics do not depend on the scoring settings (weights, β, cap, bands, penalties): the simulator
    # moving a slider, and unit_scores + weight_sensitivity on one page, reuse one computation
    key = (token, as_of, json.dumps({k: v for k, v in s.items() if k not in _SCORING_KEYS},
                                    sort_keys=True, default=str)) if token else None
    hit = _METRICS_MEMO.get(key)
    if hit is not None:
        return hit
    return _METRICS_MEMO.put(key, _unit_metrics(con, as_of=as_of, s=s, base=base, clocks=clocks,
                                                compliance=compliance, consistency=consistency, signoff=signoff))


_SCORING_KEYS = ("weights", "beta", "cap", "bands", "penalty_overdue", "penalty_reopened", "penalty_basis")
PENALTY_BASES = ("per_item", "per_100_projects")
_METRICS_MEMO = FrameMemo(8)  # keyed by the state token (fresh after every write)


def _unit_metrics(con, *, as_of, s, base, clocks, compliance, consistency, signoff) -> pd.DataFrame:
    # only the columns the metrics read; clocks, reopenings and flags by project code (metrics_from_frames
    # attributes them through the projects in force, so those of projects not in force count nowhere)
    projects = base.project_columns(con, as_of=as_of, settings=s, columns=(
        "project_code", "town", "department", "unit", "grade", "initial_grade", "tier_grade", "households",
        "funds_wan"))
    return metrics_from_frames(
        projects,
        clocks._clock_statuses(con, as_of=as_of, settings=s),
        signoff._reopened_rows(con, as_of=as_of),
        compliance.compliance_rollup(con, as_of=as_of),
        consistency.false_greens(con, as_of=as_of, settings=s)[["project_code"]],
    )


# --------------------------------------------------------------------------------------------------
# scores
# --------------------------------------------------------------------------------------------------

def _band(score: Fraction, bands: dict) -> str:
    for b in BAND_ORDER:
        if score >= _frac(bands[b]):
            return b
    return "poor"


def _min_ranks(keys: list[tuple[Fraction, str]]) -> dict[str, int]:
    """{unit: rank} for (score, unit) pairs: score descending, ties share the min rank."""
    order = sorted(keys, key=lambda k: (-k[0], k[1]))
    ranks, prev, prev_rank = {}, None, 0
    for i, (sc, unit) in enumerate(order, start=1):
        if sc != prev:
            prev, prev_rank = sc, i
        ranks[unit] = prev_rank
    return ranks


def _factor(score: Fraction, mean: Fraction, beta: Fraction, cap: Fraction) -> Fraction:
    f = 1 + beta * (score - mean) / 100
    return min(max(f, 1 - cap), 1 + cap)


_MISSING = object()  # a column the metrics frame does not have


def _exact_linkage(funds, households, linkage) -> Fraction | None:
    """households / funds_wan as an exact Fraction when the counts are there (``funds``/``households``
    not None/NA), else the float ``linkage`` value. ``_MISSING`` for a column the frame does not have."""
    if funds is not _MISSING and households is not _MISSING:
        funds, hh = _none_if_na(funds), _none_if_na(households)
        if funds is not None and hh is not None:
            return Fraction(int(hh)) / _frac(dec(funds)) if dec(funds) > 0 else None
    v = _none_if_na(linkage)
    return None if v is None else _frac(v)


def score_metrics(metrics: pd.DataFrame, *, settings: dict) -> pd.DataFrame:
    """The pure part of ``unit_scores``: add norm_*, contrib_*, penalty, score, rank, band, factor.

    ``metrics`` is a ``unit_metrics`` frame (only unit, kind, the six metrics, overdue and reopened
    are read). ``settings`` supplies weights, penalty_overdue, penalty_reopened, beta, cap, bands.
    """
    prep = _prepare_norms(metrics)
    cols, penalty, score, rank, band, factor = _score_lists(prep, settings, details=True)
    out = metrics.copy()
    for c, v in cols.items():
        out[c] = pd.Series(v, index=out.index, dtype="float64")
    out["penalty"] = pd.Series(penalty, index=out.index, dtype="float64")
    out["score"] = pd.Series(score, index=out.index, dtype="float64")
    out["rank"] = pd.Series(rank, index=out.index, dtype="int64")
    out["band"] = pd.Series(band, index=out.index, dtype="object")
    out["factor"] = pd.Series(factor, index=out.index, dtype="float64")
    out = out.sort_values(["kind", "score", "unit"], ascending=[True, False, True], kind="stable")
    return out.reset_index(drop=True)


def _prepare_norms(metrics: pd.DataFrame) -> dict:
    """What scoring reads of a metrics frame, with the normalised metrics (0..1, exact) per kind: they do
    not depend on the weights, so a weight sweep (``sensitivity_from_metrics``) computes them once."""
    n = len(metrics)
    # plain Python lists, read once (no per-element pandas access in the loops)
    kinds, units = metrics["kind"].tolist(), metrics["unit"].tolist()
    val = {m: metrics[m].tolist() if m in metrics or m != "linkage" else [None] * n for m in METRICS}
    has_counts = "households" in metrics and "funds_wan" in metrics
    funds_l = metrics["funds_wan"].tolist() if has_counts else [_MISSING] * n
    hh_l = metrics["households"].tolist() if has_counts else [_MISSING] * n
    groups = []
    for kind in metrics["kind"].unique():
        idx = [i for i, k in enumerate(kinds) if k == kind]
        norms: dict[str, list[Fraction]] = {}
        for m in ("green_share", "on_time", "resolved", "submissions", "consistency"):
            norms[m] = [Fraction(1) if _none_if_na(val[m][i]) is None else _frac(val[m][i]) for i in idx]
        raw_link = [_exact_linkage(funds_l[i], hh_l[i], val["linkage"][i]) for i in idx]
        known = [v for v in raw_link if v is not None]
        med = statistics.median(known) if known else Fraction(0)
        link = [med if v is None else v for v in raw_link]
        lo, hi = min(link), max(link)
        norms["linkage"] = [Fraction(1) if hi == lo else (v - lo) / (hi - lo) for v in link]
        groups.append((idx, norms))
    return {"n": n, "units": units, "overdue": metrics["overdue"].tolist(), "reopened": metrics["reopened"].tolist(),
            "projects": metrics["projects"].tolist() if "projects" in metrics else None, "groups": groups}


def _penalty_scale(settings: dict, projects) -> Fraction:
    """What one unit's penalty points are multiplied by: 1 counted per item, 100 / projects per 100 projects
    (``penalty_basis``; a unit is ranked only with at least one project in force)."""
    basis = settings.get("penalty_basis", "per_item")
    if basis == "per_item":
        return Fraction(1)
    if basis != "per_100_projects":
        raise ValueError(f"未知的扣分口径：{basis}")
    n = _none_if_na(projects)
    if n is None or int(n) <= 0:
        raise ValueError("按每百个项目折算扣分需要各单位的在库项目数")
    return Fraction(100, int(n))


def _score_lists(prep: dict, settings: dict, *, details: bool):
    """(norm/contrib columns, penalty, score, rank, band, factor) as lists in the metrics frame's row order;
    the norm/contrib columns only with ``details``."""
    weights = {m: _frac(settings["weights"].get(m, 0)) for m in METRICS}
    total_w = sum(weights.values())
    if total_w <= 0:
        raise ValueError("排名指标权重之和必须大于0")
    p_over, p_reop = _frac(settings["penalty_overdue"]), _frac(settings["penalty_reopened"])
    if settings.get("penalty_basis", "per_item") not in PENALTY_BASES:
        raise ValueError(f"未知的扣分口径：{settings.get('penalty_basis')}")
    beta, cap = _frac(settings["beta"]), _frac(settings["cap"])
    n, units, overdue, reopened = prep["n"], prep["units"], prep["overdue"], prep["reopened"]
    projects = prep["projects"] or [None] * n
    cols: dict[str, list] = {}
    if details:
        cols = {f"norm_{m}": [None] * n for m in METRICS}
        cols.update({f"contrib_{m}": [None] * n for m in METRICS})
    penalty, score, rank, band, factor = ([None] * n for _ in range(5))
    share = {m: weights[m] / total_w * 100 for m in METRICS}
    for idx, norms in prep["groups"]:
        scores: dict[int, Fraction] = {}
        for j, i in enumerate(idx):
            total = Fraction(0)
            for m in METRICS:
                c = share[m] * norms[m][j]
                if details:
                    cols[f"norm_{m}"][i] = float(norms[m][j])
                    cols[f"contrib_{m}"][i] = float(c)
                total += c
            pen = (p_over * int(overdue[i]) + p_reop * int(reopened[i])) * _penalty_scale(settings, projects[i])
            penalty[i] = float(pen)
            scores[i] = min(max(total - pen, Fraction(0)), Fraction(100))
        mean = sum(scores.values()) / len(scores)
        ranks = _min_ranks([(scores[i], units[i]) for i in idx])
        for i in idx:
            score[i] = float(scores[i])
            rank[i] = ranks[units[i]]
            band[i] = _band(scores[i], settings["bands"])
            factor[i] = float(_factor(scores[i], mean, beta, cap))
    return cols, penalty, score, rank, band, factor


EXPLAIN_COLUMNS = ["part", "raw", "basis", "norm", "weight", "weight_share", "max_points", "points"]


def explain_score(scores: pd.DataFrame, *, unit: str, kind: str, settings: dict) -> tuple[pd.DataFrame, dict]:
    """Why this score: one unit's S taken apart, from a ``score_metrics``/``unit_scores`` frame and the
    settings it was scored with.

    Parts frame, one row per metric then one per penalty: part (metric code, or penalty_overdue /
    penalty_reopened), raw (the metric's raw value; for a penalty the count), basis (measured;
    neutral = no data, scored 1; median = linkage imputed with the kind's median; penalty, or
    penalty_per_100 under ``penalty_basis`` "per_100_projects"), norm (0..1, the value scored), weight
    (the setting; for a penalty the points per item), weight_share (weight / Σ weights), max_points
    (= weight_share × 100), points (= max_points × norm; for a penalty −count × points per item, times
    100 / projects per 100 projects). Σ points = S before clipping to [0, 100].

    Summary dict: total_weight (Σ weights), subtotal (Σ metric points), penalty, unclipped, score (S),
    band, bands, mean (mean S of the kind), beta, cap, factor_unclipped (1 + β(S − mean)/100), factor,
    rank, units_in_kind, penalty_basis, projects (the unit's projects in force, None if the frame has none).
    Example: weights 10/10/10/10/5/5 (Σ 50 → shares 0.2/0.2/0.2/0.2/0.1/0.1), a unit with norms
    0.5, 0.5, 0.5, 0.8, 0, 0.5 and one overdue clock: 10 + 10 + 10 + 16 + 0 + 5 = 51, − 2 → S = 49.
    """
    row = scores[(scores["unit"] == unit) & (scores["kind"] == kind)]
    if row.empty:
        raise ValueError(f"没有该单位的得分：{unit}")
    r = row.iloc[0]
    weights = {m: _frac(settings["weights"].get(m, 0)) for m in METRICS}
    total_w = sum(weights.values())
    if total_w <= 0:
        raise ValueError("排名指标权重之和必须大于0")
    recs, subtotal = [], Fraction(0)
    for m in METRICS:
        raw = _none_if_na(r.get(m))
        norm = _frac(float(r[f"norm_{m}"]))
        share = weights[m] / total_w
        pts = share * 100 * norm
        subtotal += pts
        basis = "measured" if raw is not None else ("median" if m == "linkage" else "neutral")
        recs.append({"part": m, "raw": None if raw is None else float(raw), "basis": basis, "norm": float(norm),
                     "weight": float(weights[m]), "weight_share": float(share), "max_points": float(share * 100),
                     "points": float(pts)})
    penalty = Fraction(0)
    scale = _penalty_scale(settings, r.get("projects"))
    per_100 = settings.get("penalty_basis", "per_item") == "per_100_projects"
    for part, count_col in (("penalty_overdue", "overdue"), ("penalty_reopened", "reopened")):
        n, per = int(r[count_col]), _frac(settings[part])
        penalty += per * n * scale
        recs.append({"part": part, "raw": float(n), "basis": "penalty_per_100" if per_100 else "penalty",
                     "norm": None, "weight": float(per), "weight_share": None, "max_points": None,
                     "points": float(-per * n * scale)})
    unclipped = subtotal - penalty
    score = min(max(unclipped, Fraction(0)), Fraction(100))
    league = scores[scores["kind"] == kind]
    mean = sum(_frac(float(x)) for x in league["score"]) / len(league)
    beta, cap = _frac(settings["beta"]), _frac(settings["cap"])
    parts = pd.DataFrame(recs, columns=EXPLAIN_COLUMNS)
    for c in ("raw", "norm", "weight_share", "max_points"):
        parts[c] = parts[c].astype("float64")
    summary = {
        "unit": unit, "kind": kind, "total_weight": float(total_w), "subtotal": float(subtotal),
        "penalty": float(penalty), "unclipped": float(unclipped), "score": float(score),
        "band": _band(score, settings["bands"]), "bands": {b: float(settings["bands"][b]) for b in BAND_ORDER},
        "mean": float(mean), "beta": float(beta), "cap": float(cap),
        "factor_unclipped": float(1 + beta * (score - mean) / 100), "factor": float(_factor(score, mean, beta, cap)),
        "rank": int(r["rank"]), "units_in_kind": len(league),
        "penalty_basis": "per_100_projects" if per_100 else "per_item",
        "projects": None if _none_if_na(r.get("projects")) is None else int(r["projects"]),
    }
    return parts, summary


def unit_scores(con, *, as_of: date, settings: dict | None = None) -> pd.DataFrame:
    """One row per (kind, unit): ``unit_metrics`` + norm_<metric> (0..1), contrib_<metric> (points),
    penalty (points), score S (0..100), rank (within kind, ties share the min rank), band
    (excellent/good/fair/poor) and factor f. Ordered by kind, S descending, unit. See module doc.
    """
    s = settings or get_settings(con)
    return score_metrics(unit_metrics(con, as_of=as_of, settings=s), settings=s)


def weight_sensitivity(con, *, as_of: date, metric: str, steps: int = 11,
                       settings: dict | None = None) -> pd.DataFrame:
    """How S and rank move as one metric's weight varies, the other weights fixed.

    Weight values: ``steps`` evenly spaced from 0 to 2 × the metric's current weight (0 to 50 when
    that weight is 0). One row per (weight value, unit): weight, unit, kind, score, rank, band, factor.
    Rows = steps × units. Example: default green_share 25, steps 11 → 0, 5, 10, ..., 50.
    """
    if metric not in METRICS:
        raise ValueError(f"未知指标: {metric}")
    if steps < 1:
        raise ValueError("steps 至少为 1")
    s = settings or get_settings(con)
    metrics = unit_metrics(con, as_of=as_of, settings=s)
    return sensitivity_from_metrics(metrics, metric=metric, steps=steps, settings=s)


def sensitivity_from_metrics(metrics: pd.DataFrame, *, metric: str, steps: int, settings: dict) -> pd.DataFrame:
    """The pure part of ``weight_sensitivity``."""
    w0 = _frac(settings["weights"].get(metric, 0))
    top = 2 * w0 if w0 > 0 else Fraction(50)
    values = [Fraction(0)] if steps == 1 else [top * k / (steps - 1) for k in range(steps)]
    frames = []
    prep = _prepare_norms(metrics) if values else None  # the norms do not depend on the weights
    for w in values:
        s = {**settings, "weights": {**settings["weights"], metric: w}}
        _, _, score, rank, band, factor = _score_lists(prep, s, details=False)
        sc = pd.DataFrame({"unit": metrics["unit"], "kind": metrics["kind"],
                           "score": pd.Series(score, index=metrics.index, dtype="float64"),
                           "rank": pd.Series(rank, index=metrics.index, dtype="int64"),
                           "band": pd.Series(band, index=metrics.index, dtype="object"),
                           "factor": pd.Series(factor, index=metrics.index, dtype="float64")}, index=metrics.index)
        sc = sc.sort_values(["kind", "score", "unit"], ascending=[True, False, True], kind="stable").reset_index(drop=True)
        sc.insert(0, "weight", float(w))
        frames.append(sc[["weight", "unit", "kind", "score", "rank", "band", "factor"]])
    if not frames:
        return pd.DataFrame(columns=["weight", "unit", "kind", "score", "rank", "band", "factor"])
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------------
# allocation simulator
# --------------------------------------------------------------------------------------------------

def _largest_remainder(total: int, weights: list[Fraction], order: list[int]) -> list[int]:
    """Split integer ``total`` in proportion to ``weights`` (Σ > 0) so the parts sum to ``total``.

    Each part gets floor(total·w/Σw); the yuan left over go one each to the largest fractional
    remainders, ties broken by ``order`` (position of the unit in best-first order).
    Example: 10 yuan over three equal weights → quotas 3⅓ each → 3, 3, 3 and the spare yuan to
    the best-ranked unit: 4, 3, 3.
    """
    wsum = sum(weights)
    quotas = [Fraction(total) * w / wsum for w in weights]
    floors = [q.numerator // q.denominator for q in quotas]
    left = total - sum(floors)
    by_rem = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), order[i]))
    for i in by_rem[:left]:
        floors[i] += 1
    return floors


def simulate_allocation(
    scores: pd.DataFrame,
    *,
    budget_yuan: int,
    base_shares: dict[str, Decimal] | None = None,
    beta=None,
    cap=None,
    bottom_k: int = 0,
    cut_yuan: int = 0,
) -> pd.DataFrame:
    """Split next year's 衔接资金 budget over the units of ``scores`` (a ``unit_scores`` frame, usually
    one kind). All money is integer yuan; Σ alloc_yuan == budget_yuan exactly.

    - base shares b: equal, or ``base_shares`` {unit: weight} (e.g. last year's amounts), normalised;
      a unit missing from the dict has weight 0, an unknown unit is an error.
    - factor f: the frame's ``factor`` column, or, when ``beta``/``cap`` are given,
      f = 1 + beta·(S − mean S over these units)/100 clipped to [1 − cap, 1 + cap].
    - base_yuan = T·b/Σb and alloc = T·b·f/Σ b·f, each rounded by the largest-remainder method
      (spare yuan to the largest remainders; ties to the better S, then unit name).
    - bottom_k cut: the k lowest-S units lose ``cut_yuan`` each (never below 0); the total cut is
      split equally over the top k, the indivisible remainder going to the best unit.
      ``adjust_yuan`` is that change (negative for the cut units).

    Worked example: T = 100, three units with equal b and f = 1.2, 1.0, 0.8 → 40, 33⅓, 26⅔ →
    40, 33, 27 (26⅔ has the larger remainder). One row per unit, best first: unit, kind, score, rank,
    factor, base_share, base_yuan, alloc_yuan, adjust_yuan, change_yuan (alloc − base), change_pct
    (change/base × 100, None when base is 0).
    """
    budget_yuan = int(budget_yuan)
    if budget_yuan < 0:
        raise ValueError("预算不能为负")
    if scores["unit"].duplicated().any():
        raise ValueError("同一单位出现多次；请按单位类型分别模拟")
    df = scores.sort_values(["score", "unit"], ascending=[False, True], kind="stable").reset_index(drop=True)
    n = len(df)
    if n == 0:
        return pd.DataFrame(columns=["unit", "kind", "score", "rank", "factor", "base_share", "base_yuan",
                                     "alloc_yuan", "adjust_yuan", "change_yuan", "change_pct"])
    units = list(df["unit"])
    order = list(range(n))
    if base_shares is None:
        b = [Fraction(1)] * n
    else:
        unknown = set(base_shares) - set(units)
        if unknown:
            raise ValueError(f"基数中有未知单位: {sorted(unknown)}")
        b = [_frac(dec(base_shares.get(u, 0))) for u in units]
        if any(x < 0 for x in b) or sum(b) == 0:
            raise ValueError("基数份额必须非负且不全为0")
    sc = [_frac(float(x)) for x in df["score"]]
    if beta is None and cap is None:
        f = [_frac(float(x)) for x in df["factor"]]
    else:
        beta_f = _frac(DEFAULTS["beta"] if beta is None else beta)
        cap_f = _frac(DEFAULTS["cap"] if cap is None else cap)
        mean = sum(sc) / n
        f = [_factor(x, mean, beta_f, cap_f) for x in sc]
    bf = [x * y for x, y in zip(b, f)]
    if sum(bf) <= 0:
        raise ValueError("Σ b·f 必须大于0")
    base = _largest_remainder(budget_yuan, b, order)
    alloc = _largest_remainder(budget_yuan, bf, order)

    adjust = [0] * n
    k = int(bottom_k)
    if k:
        if k < 0 or 2 * k > n:
            raise ValueError("bottom_k 须满足 0 ≤ 2k ≤ 单位数")
        cut = int(cut_yuan)
        if cut < 0:
            raise ValueError("cut_yuan 不能为负")
        taken = 0
        for i in range(n - k, n):  # the k lowest (S ascending, unit name descending at the end)
            t = min(cut, alloc[i])
            adjust[i] -= t
            taken += t
        each, rem = divmod(taken, k)
        for i in range(k):
            adjust[i] += each
        adjust[0] += rem
    final = [a + d for a, d in zip(alloc, adjust)]
    assert sum(final) == budget_yuan
    wsum = sum(b)
    return pd.DataFrame({
        "unit": units,
        "kind": list(df["kind"]) if "kind" in df else [None] * n,
        "score": [float(x) for x in sc],
        "rank": list(df["rank"]) if "rank" in df else _rank_list(sc, units),
        "factor": [float(x) for x in f],
        "base_share": [float(x / wsum) for x in b],
        "base_yuan": pd.Series(base, dtype="int64"),
        "alloc_yuan": pd.Series(final, dtype="int64"),
        "adjust_yuan": pd.Series(adjust, dtype="int64"),
        "change_yuan": pd.Series([a - bb for a, bb in zip(final, base)], dtype="int64"),
        "change_pct": pd.Series([float(Fraction(a - bb, bb) * 100) if bb else None
                                 for a, bb in zip(final, base)], dtype="object"),
    })


def _rank_list(scores: list[Fraction], units: list[str]) -> list[int]:
    r = _min_ranks(list(zip(scores, units)))
    return [r[u] for u in units]
