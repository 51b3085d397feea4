"""Canonical digests of every analytics result, to prove a rewrite changes no number.

``digests(con, as_of)`` runs each public analytics function (the list ``CALLS``) at ``as_of`` and returns
{name: sha256 of a canonical text of the result}. The text is order-free (rows sorted), type-free
(Decimal normalised, NA/None/NaN/NaT all "", floats to 9 significant digits), so a change of dtype or
row order does not count, and a change of any value does. ``make_golden.py`` wrote
``sample_digests.json`` and ``fixture_digests.json`` with the code as it was before #7 (materialised
state), at every round of each database; ``tests/test_golden.py`` compares the current code with them.
Regenerated once since, for #8.1 (a report filed after its due date is late, not missing, whenever you
look): only ``submission_grid`` and ``compliance_rollup`` changed (fixture: 1 date, sample: 13), every
other digest was identical to the pre-#7 one.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from analytics import (annex3, base, clocks, compliance, consistency, funding, grades, interactions,
                       patrol, ranking, sensitive, signoff, snapshot, tiers)
from analytics.filters import Filters


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist") and not pd.api.types.is_scalar(v):
        return "[" + ",".join(_cell(x) for x in list(v)) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(f"{k}:{_cell(v[k])}" for k in sorted(v)) + "}"
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v != 0 else "0"
    if isinstance(v, (int,)) or (hasattr(v, "dtype") and "int" in str(getattr(v, "dtype", ""))):
        return str(int(v))
    if isinstance(v, float) or "float" in type(v).__name__:
        f = float(v)
        if f == int(f) and abs(f) < 1e15:
            return str(int(f))
        return f"{f:.9g}"
    if isinstance(v, (date, datetime, pd.Timestamp)):
        return str(v)[:10] if not isinstance(v, datetime) or v.time() == datetime.min.time() else str(v)
    return str(v)


def canon(obj) -> str:
    if isinstance(obj, pd.DataFrame):
        cols = sorted(obj.columns)
        rows = sorted("\t".join(_cell(r[c]) for c in cols) for r in obj.to_dict("records"))
        return "|".join(cols) + "\n" + "\n".join(rows)
    if isinstance(obj, dict):
        return json.dumps({k: canon(v) for k, v in sorted(obj.items())}, ensure_ascii=False)
    if isinstance(obj, (list, tuple)):
        return json.dumps([canon(v) for v in obj], ensure_ascii=False)
    return _cell(obj)


def _calls(con, as_of):
    f = Filters(towns=("贺街镇", "步头镇", "莲塘镇"))
    d = Filters(departments=("区农业农村局",), year_from=2016)
    yield "projects", lambda: base.projects(con, as_of=as_of)
    yield "projects_f", lambda: base.projects(con, as_of=as_of, filters=f)
    yield "grade_counts", lambda: grades.grade_counts(con, as_of=as_of)
    for by in grades.GROUP_BY:
        yield f"grade_counts_{by}", lambda by=by: grades.grade_counts(con, as_of=as_of, by=by)
    yield "grade_counts_town_f", lambda: grades.grade_counts(con, as_of=as_of, filters=d, by="town")
    yield "grade_transitions", lambda: grades.grade_transitions(con, as_of=as_of)
    yield "grade_trend", lambda: grades.grade_trend(con, as_of=as_of)
    yield "grade_trend_f", lambda: grades.grade_trend(con, as_of=as_of, filters=f)
    yield "grade_delta", lambda: grades.grade_delta(con, as_of=as_of)
    yield "funding_by_source_year", lambda: funding.funding_by_source_year(con, as_of=as_of)
    yield "funding_by_source_year_f", lambda: funding.funding_by_source_year(con, as_of=as_of, filters=d)
    yield "funding_by_unit_town", lambda: funding.funding_by_unit(con, as_of=as_of, by="town")
    yield "funding_by_unit_dept", lambda: funding.funding_by_unit(con, as_of=as_of, by="department")
    yield "funds_at_risk", lambda: funding.funds_at_risk(con, as_of=as_of)
    yield "outcome_by_year", lambda: funding.outcome_by_year(con, as_of=as_of)
    yield "outcome_by_fund_year", lambda: funding.outcome_by_fund_year(con, as_of=as_of)
    yield "tier_table", lambda: tiers.tier_table(con, as_of=as_of)
    yield "tier_counts", lambda: tiers.tier_counts(con, as_of=as_of)
    yield "tier_counts_f", lambda: tiers.tier_counts(con, as_of=as_of, filters=f)
    yield "episodes", lambda: clocks.episodes(con, as_of=as_of)
    yield "clocks", lambda: clocks.clocks(con, as_of=as_of)
    yield "clocks_f", lambda: clocks.clocks(con, as_of=as_of, filters=f)
    for by in clocks.ROLLUP_BY:
        yield f"clock_rollup_{by}", lambda by=by: clocks.clock_rollup(con, as_of=as_of, by=by)
    yield "task_progress", lambda: clocks.task_progress(con, as_of=as_of)
    yield "signoff_records", lambda: signoff.signoff_records(con, as_of=as_of)
    yield "reopened", lambda: signoff.reopened(con, as_of=as_of)
    yield "false_greens", lambda: consistency.false_greens(con, as_of=as_of)
    yield "submission_grid", lambda: compliance.submission_grid(con, as_of=as_of)
    yield "compliance_rollup", lambda: compliance.compliance_rollup(con, as_of=as_of)
    yield "round_diff", lambda: compliance.round_diff(con, as_of=as_of)
    yield "sensitive", lambda: sensitive.sensitive_projects(con, as_of=as_of)
    yield "patrol", lambda: patrol.patrol_coverage(con, as_of=as_of)
    yield "unit_scores", lambda: ranking.unit_scores(con, as_of=as_of)
    yield "annex3_town", lambda: annex3.annex3(con, as_of=as_of, by="town")
    yield "annex3_dept", lambda: annex3.annex3(con, as_of=as_of, by="department")
    yield "interactions", lambda: interactions.interactions(con, as_of=as_of)
    yield "snapshot", lambda: snapshot.snapshot(con, as_of=as_of)


def digests(con, as_of: date) -> dict[str, str]:
    out = {}
    for name, fn in _calls(con, as_of):
        out[name] = hashlib.sha256(canon(fn()).encode()).hexdigest()[:16]
    return out
