"""expected.json, computed from the model (never by reading the files back), and the model's self-check.

The rules applied here — "in force" at a date (each unit's latest round on or before it), the grade/fact
consistency check (DOMAIN §4), the 15-day reply clock (DOMAIN §9) — are the generator's own copies: a
second implementation that tests/test_sample_data.py compares the importer and analytics against, so they
are deliberately not imported from ledger/ or analytics/.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

from . import vocab as g
from .base import EXPECTED_DATES, NR, ROUNDS, SEED, SOURCES, UNITS
from .district import District
from .filings import unit_projects
from .state import state
from .style import MISSING

def expected(d: District, subs: dict[tuple[str, int], date],
             filings: dict[tuple[str, int], list] | None = None) -> dict[str, Any]:
    def at(k_as_of: int) -> dict[str, Any]:
        in_force = {}
        for u in UNITS:
            ks = [k for k in range(k_as_of + 1) if (u, k) in subs]
            if ks:
                in_force[u] = max(ks)
        n = 0
        total = D(0)
        by_src = {c: D(0) for c in SOURCES}
        grades = {"red": 0, "yellow": 0, "green": 0}
        for u, k in in_force.items():
            for p in unit_projects(d, u, k):
                n += 1
                for c, _, a in p.lines_at(k):
                    by_src[c] += a
                    total += a
                grades[p.grade_at(k)] += 1
        return {
            "as_of": ROUNDS[k_as_of].isoformat(),
            "projects": n,
            "funds_wan": str(total),
            "funds_by_source_wan": {g.FUND_SOURCES[c]: str(v) for c, v in by_src.items()},
            "grades": grades,
            "units_reporting": len(in_force),
            "units_in_force_from_earlier_round": {u: ROUNDS[k].isoformat() for u, k in in_force.items()
                                                  if k != k_as_of},
        }

    out: dict[str, Any] = {"generator": "data/sample/generate.py", "seed": SEED,
                           "rule": "in force at d = for each unit its latest submitted round <= d",
                           "rounds": [r.isoformat() for r in ROUNDS]}
    for dd in EXPECTED_DATES:
        out[dd.isoformat()] = at(ROUNDS.index(dd))
    out["grades_by_round"] = {ROUNDS[k].isoformat(): at(k)["grades"] for k in range(NR)}
    out["submissions"] = {
        "missing": {u: [ROUNDS[k].isoformat() for k in st] for u, st in MISSING.items()},
        "late": {f"{u}@{ROUNDS[k].isoformat()}": f.isoformat() for (u, k), f in sorted(subs.items())
                 if f > ROUNDS[k]},
    }
    out["planted"] = d.notes
    out["interactions"] = interaction_counts(filings or {}, subs)
    return out


def interaction_counts(filings: dict[tuple[str, int], list], subs: dict[tuple[str, int], date]) -> dict[str, Any]:
    """政企互动 in force at each expected date (each unit's latest filing of the sheet ≤ d): rows, open
    (待办理/办理中), overdue (open for more than 15 days at d), and the files carrying the sheet."""
    out: dict[str, Any] = {"files": len(filings), "reply_days": 15}
    for dd in EXPECTED_DATES:
        k_as_of = ROUNDS.index(dd)
        rows = []
        for u in UNITS:
            ks = [k for k in range(k_as_of + 1) if (u, k) in filings]
            if ks:
                rows.extend(filings[(u, max(ks))])
        open_ = [r for r in rows if r["status"] in ("pending", "in_progress")]
        out[dd.isoformat()] = {
            "total": len(rows), "open": len(open_),
            "answered": len(rows) - len(open_),
            "overdue_reply": sum(1 for r in open_ if (dd - r["raised_on"]).days > 15),
            "units": len({u for u in UNITS if any((u, k) in filings for k in range(k_as_of + 1))}),
        }
    return out


def self_check(d: District) -> dict[str, Any]:
    """Invariants of the model (fails loudly): money rules, tier boundaries, and that the only
    grade/fact inconsistencies (DOMAIN §4 consistency check) are the planted ones."""
    for p in d.projects:
        for k in range(p.entry_round, NR):
            ls = p.lines_at(k)
            assert all(a > 0 for _, _, a in ls), p.code
            assert p.funds_at(k) <= p.total_at(k), p.code
            assert len({(c, y) for c, y, _ in ls}) == len(ls), p.code
            assert all(2013 <= y <= ROUNDS[k].year for _, y, _ in ls), p.code
    totals = [p.total for p in d.projects]
    funds = [p.base_funds() for p in d.projects]
    assert totals.count(D("3000.00")) == 1 and funds.count(D("3000.00")) == 1
    assert totals.count(D("1000.00")) == 1 and funds.count(D("1000.00")) == 1
    flagged: set[str] = set()
    for p in d.projects:
        for k in range(p.entry_round, NR):
            s = state(p, k)
            probs = set(s["problems"])
            unfinished = s["build_status"] not in ("completed", "accepted")
            derived = (
                (unfinished and s["planned_completion"] is not None and s["planned_completion"] < ROUNDS[k])
                or (not unfinished and s["op_status"] in ("not_operating", "halted", "idle"))
                or (s["op_status"] in ("normal", "trial") and ((s["revenue_wan"] or 0) <= 0 or not s["households"])))
            three = bool(probs & set(g.THREE_FAILURES)) or derived
            other = bool(probs - set(g.THREE_FAILURES))
            if (three and s["grade"] != "red") or (s["grade"] == "red" and not three) or (
                    other and s["grade"] == "green"):
                flagged.add(p.code)
    planted = set(d.notes["planted_false_green"].values())
    assert flagged == planted, (sorted(flagged - planted), sorted(planted - flagged))
    return {"total_ge_1000": sum(t >= 1000 for t in totals), "total_ge_3000": sum(t >= 3000 for t in totals),
            "funds_ge_1000": sum(f >= 1000 for f in funds), "funds_ge_3000": sum(f >= 3000 for f in funds)}

