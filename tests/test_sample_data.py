"""The bundled sample, imported through the real importer: its totals match the generator's own
model (data/sample/expected.json, computed from the model, not by reading the files), and the
analytics invariants hold on it."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from analytics import annex3, base, clocks, funding, grades, tiers
from analytics._db import money_sum
from ledger import glossary as g
from ledger import importer
from tests.conftest import ROOT

EXPECTED = json.loads((ROOT / "data" / "sample" / "expected.json").read_text(encoding="utf-8"))
DATES = [d for d in EXPECTED if d[:2] == "20"]


@pytest.mark.parametrize("d", DATES)
def test_summary_matches_generator_model(sample_con, d):
    exp = EXPECTED[d]
    s = importer.summary(sample_con, d)
    assert s["projects"] == exp["projects"]
    assert Decimal(str(s["total_funds_wan"])) == Decimal(exp["funds_wan"])
    assert {k: Decimal(str(v)) for k, v in s["funds_wan"].items()} == {
        k: Decimal(v) for k, v in exp["funds_by_source_wan"].items()}
    assert list(s["funds_wan"]) == list(g.FUND_SOURCES.values())
    assert s["grades"] == exp["grades"]


def test_summary_cli_json(sample_db_path):
    out = subprocess.run([sys.executable, "-m", "ledger", "summary", "--db", str(sample_db_path), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    s = json.loads(out.stdout)
    last = EXPECTED["rounds"][-1]
    assert s["rounds"] == len(EXPECTED["rounds"])
    assert s["projects"] == EXPECTED[last]["projects"]
    assert s["grades"] == EXPECTED[last]["grades"]


@pytest.mark.parametrize("as_of", [date(2023, 10, 29), date(2024, 1, 20), date(2024, 6, 29)])
def test_invariants(sample_con, as_of):
    p = base.projects(sample_con, as_of=as_of)
    n = len(p)
    assert p["project_code"].is_unique
    # grade counts sum to the projects; funds by grade sum to the total
    gc = grades.grade_counts(sample_con, as_of=as_of)
    assert int(gc["projects"].sum()) == n
    assert money_sum(gc["funds_wan"]) == money_sum(p["funds_wan"])
    # funding by source × year sums to the total
    fy = funding.funding_by_source_year(sample_con, as_of=as_of)
    assert money_sum(fy["amount_wan"]) == money_sum(p["funds_wan"])
    # tiers partition the projects
    tc = tiers.tier_counts(sample_con, as_of=as_of)
    assert int(tc["projects"].sum()) == n and list(tc["tier"]) == ["region", "city", "district", "monitor"]
    # the 附件3 合计 row equals the sum of its rows, column by column
    a3 = annex3.annex3(sample_con, as_of=as_of)
    body, total = a3[a3["unit"] != "合计"], a3[a3["unit"] == "合计"].iloc[0]
    for col in a3.columns:
        if col == "unit":
            continue
        if col.endswith("_wan"):
            assert money_sum(body[col]) == total[col], col
        else:
            assert int(body[col].sum()) == int(total[col]), col
    assert int(total["projects"]) == n
    # every clock has exactly one status; roll-up by unit sums to the clock count
    ck = clocks.clocks(sample_con, as_of=as_of)
    assert set(ck["status"]) <= {"on_time", "late", "overdue", "pending"}
    ru = clocks.clock_rollup(sample_con, as_of=as_of, by="tier")
    assert int(ru["total"].sum()) == len(ck)
    assert (ru["on_time"] + ru["late"] + ru["overdue"] + ru["pending"] == ru["total"]).all()


def test_planted_cases_are_found(sample_con):
    from analytics import consistency, signoff

    planted = EXPECTED["planted"]
    as_of = date(2024, 6, 29)
    fg = consistency.false_greens(sample_con, as_of=as_of)
    flagged = set(fg["project_code"])
    want = set(planted["planted_false_green"].values())
    assert want <= flagged, want - flagged
    ro = signoff.reopened(sample_con, as_of=as_of)
    assert set(planted["reopened"]) <= set(ro["project_code"])


@pytest.mark.parametrize("d", DATES)
def test_interactions_match_generator_model(sample_con, d):
    """政企互动 in force (each unit's latest 政企互动台账 ≤ d): counts from the generator's model."""
    from analytics import interactions

    exp = EXPECTED["interactions"][d]
    s = interactions.interaction_summary(sample_con, as_of=date.fromisoformat(d), settings={"reply_days": 15})
    got = {k: int(s[k].sum()) for k in ("total", "open", "answered", "overdue_reply")}
    assert got == {k: exp[k] for k in got} and len(s) == exp["units"]
    rows = interactions.interactions(sample_con, as_of=date.fromisoformat(d))
    assert rows["name"].notna().all()             # every interaction names a known project
    assert (rows["answered_on"].dropna() >= rows.loc[rows["answered_on"].notna(), "raised_on"]).all()
