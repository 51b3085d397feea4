"""The at-a-glance snapshot (one dict, JSON-ready) behind ``python -m analytics snapshot``.

Keys, exactly: as_of (ISO date), round (ISO date of the round in force, or None), projects (count in
force), grades {red, yellow, green}, grades_by_town {乡镇: {red, yellow, green}} (every town with at
least one project), tiers {region, city, district, monitor}, clocks {on_time, late, overdue, pending}
(deadline clocks by status, DOMAIN §6), ranking [{unit, kind, score, rank, factor}] (both leagues,
departments first, each by rank then unit; score and factor rounded to 4 decimals).
Counts are ints. Example: {"as_of": "2023-11-30", "round": "2023-11-29", "projects": 13, ...}.
"""
from __future__ import annotations

from datetime import date

from . import base, clocks, grades, ranking, tiers
from .settings import get_settings

GRADE_KEYS = ("red", "yellow", "green")
TIER_KEYS = ("region", "city", "district", "monitor")
CLOCK_KEYS = ("on_time", "late", "overdue", "pending")


def snapshot(con, *, as_of: date) -> dict:
    """The snapshot dict for ``as_of`` (see the module docstring for the keys)."""
    s = get_settings(con)
    rnd = base.round_in_force(con, as_of=as_of)
    projects = base.projects(con, as_of=as_of, settings=s)

    gc = grades.grade_counts(con, as_of=as_of)
    by_grade = dict(zip(gc["grade"], gc["projects"]))
    gt = grades.grade_counts(con, as_of=as_of, by="town")
    towns = sorted(set(projects["town"].dropna()))
    by_town = {t: {g: 0 for g in GRADE_KEYS} for t in towns}
    for t, g, n in zip(gt["town"], gt["grade"], gt["projects"]):
        if t in by_town:
            by_town[t][g] = int(n)

    tc = tiers.tier_counts(con, as_of=as_of, settings=s)
    by_tier = dict(zip(tc["tier"], tc["projects"]))

    cl = clocks.clocks(con, as_of=as_of, settings=s)
    by_status = cl["status"].value_counts().to_dict() if len(cl) else {}

    sc = ranking.unit_scores(con, as_of=as_of, settings=s)
    sc = sc.sort_values(["kind", "rank", "unit"], kind="stable")
    return {
        "as_of": as_of.isoformat(),
        "round": rnd.isoformat() if rnd is not None else None,
        "projects": int(len(projects)),
        "grades": {g: int(by_grade.get(g, 0)) for g in GRADE_KEYS},
        "grades_by_town": by_town,
        "tiers": {t: int(by_tier.get(t, 0)) for t in TIER_KEYS},
        "clocks": {k: int(by_status.get(k, 0)) for k in CLOCK_KEYS},
        "ranking": [
            {"unit": r.unit, "kind": r.kind, "score": round(float(r.score), 4), "rank": int(r.rank),
             "factor": round(float(r.factor), 4)}
            for r in sc.itertuples(index=False)
        ],
    }
