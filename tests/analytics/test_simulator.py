"""Allocation simulator (DOMAIN §10): integer yuan, Σ alloc == budget exactly (largest remainder)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from analytics import ranking
from ledger.glossary import TOWNS


def scores(units, score=None, factor=None, kind="township"):
    n = len(units)
    score = score or [50.0] * n
    factor = factor or [1.0] * n
    ranks = ranking._rank_list([Fraction(repr(s)) for s in score], list(units))
    return pd.DataFrame({"unit": list(units), "kind": kind, "score": score, "rank": ranks, "factor": factor})


@pytest.mark.parametrize("n, expected", [
    # 1,000,000,007 / 3 = 333,333,335.67: floors Σ 1,000,000,005, 2 spare yuan to the best two
    (3, [333_333_336, 333_333_336, 333_333_335]),
    # 1,000,000,007 / 7 = 142,857,143.857…: floors Σ 1,000,000,001, 6 spare yuan to the best six
    (7, [142_857_144] * 6 + [142_857_143]),
])
def test_equal_shares_equal_factors_split_equally(n, expected):
    units = [f"U{i}" for i in range(n)]
    out = ranking.simulate_allocation(scores(units), budget_yuan=1_000_000_007, base_shares=None)
    assert out["alloc_yuan"].tolist() == expected
    assert out["base_yuan"].tolist() == expected
    assert int(out["alloc_yuan"].sum()) == 1_000_000_007
    assert out["change_yuan"].tolist() == [0] * n


def test_spare_yuan_go_to_better_score_on_equal_remainders():
    # equal shares, f = 1: remainder ties are broken by S (better first), then name
    out = ranking.simulate_allocation(scores(["甲", "乙", "丙"], score=[10.0, 90.0, 50.0]), budget_yuan=10)
    assert dict(zip(out["unit"], out["alloc_yuan"])) == {"乙": 4, "丙": 3, "甲": 3}
    assert list(out["unit"]) == ["乙", "丙", "甲"]  # best first


def test_factor_tilts_and_largest_remainder():
    # T = 100, f = 1.2, 1.0, 0.8 (Σ 3): quotas 40, 33⅓, 26⅔ → floors 40, 33, 26 (Σ 99);
    # the spare yuan to the largest remainder (⅔: C) → 40, 33, 27
    out = ranking.simulate_allocation(scores(["A", "B", "C"], score=[80.0, 60.0, 40.0], factor=[1.2, 1.0, 0.8]),
                                      budget_yuan=100)
    assert out[["unit", "base_yuan", "alloc_yuan", "change_yuan"]].to_dict("records") == [
        {"unit": "A", "base_yuan": 34, "alloc_yuan": 40, "change_yuan": 6},
        {"unit": "B", "base_yuan": 33, "alloc_yuan": 33, "change_yuan": 0},
        {"unit": "C", "base_yuan": 33, "alloc_yuan": 27, "change_yuan": -6},
    ]
    # change_pct = 6/34 × 100
    assert out.loc[0, "change_pct"] == pytest.approx(600 / 34)


@pytest.mark.parametrize("budget", [1_000_000_007, 999_999_999_999, 1, 0, 13])
def test_awkward_budgets_conserved_and_within_a_yuan_of_the_quota(budget):
    factors = [1.2, 1.13, 1.07, 1.0, 0.93, 0.87, 0.8]
    units = [f"U{i}" for i in range(7)]
    shares = {u: Decimal(v) for u, v in zip(units, ["3", "1", "4", "1", "5", "9", "2.6"])}
    out = ranking.simulate_allocation(scores(units, score=[90.0 - 10 * i for i in range(7)], factor=factors),
                                      budget_yuan=budget, base_shares=shares)
    assert int(out["alloc_yuan"].sum()) == budget
    assert int(out["base_yuan"].sum()) == budget
    bf = {u: Fraction(shares[u]) * Fraction(repr(f)) for u, f in zip(units, factors)}
    total = sum(bf.values())
    for u, a in zip(out["unit"], out["alloc_yuan"]):
        q = budget * bf[u] / total
        assert q - 1 < a < q + 1


def test_base_shares_dict_is_normalised_and_missing_unit_gets_zero():
    out = ranking.simulate_allocation(scores(["A", "B", "C"]), budget_yuan=1000,
                                      base_shares={"A": Decimal("3"), "B": Decimal("1")})
    # b = 3/4, 1/4, 0 → 750, 250, 0
    assert dict(zip(out["unit"], out["alloc_yuan"])) == {"A": 750, "B": 250, "C": 0}
    assert dict(zip(out["unit"], out["base_share"])) == {"A": 0.75, "B": 0.25, "C": 0.0}
    assert out.set_index("unit").loc["C", "change_pct"] is None
    with pytest.raises(ValueError):
        ranking.simulate_allocation(scores(["A"]), budget_yuan=10, base_shares={"Z": Decimal(1)})


def test_beta_and_cap_recompute_the_factor():
    # S = 100, 46, 83.75, 83.75, mean 78.375 → f = 1.108125, 0.838125, 1.026875, 1.026875
    sc = scores(["A", "B", "C", "D"], score=[100.0, 46.0, 83.75, 83.75])
    out = ranking.simulate_allocation(sc, budget_yuan=4_000, beta=0.5, cap=0.2)
    assert dict(zip(out["unit"], out["factor"])) == {"A": 1.108125, "C": 1.026875, "D": 1.026875, "B": 0.838125}
    # Σ f = 4 (deviations from the mean cancel) → alloc = 1000 × f: 1108.125, 1026.875 ×2, 838.125
    # floors 1108, 1026, 1026, 838 (Σ 3998); remainders .125, .875, .875, .125 → +1 to C and D
    assert dict(zip(out["unit"], out["alloc_yuan"])) == {"A": 1108, "C": 1027, "D": 1027, "B": 838}
    # cap 0.05 → f = 1.05, 1.026875, 1.026875, 0.95
    out2 = ranking.simulate_allocation(sc, budget_yuan=4_000, beta=0.5, cap=0.05)
    assert dict(zip(out2["unit"], out2["factor"])) == {"A": 1.05, "C": 1.026875, "D": 1.026875, "B": 0.95}


def test_bottom_k_cut_is_conserved_never_negative_remainder_to_best():
    # shares 10,10,10,10,1 of T = 41, f = 1 → 10, 10, 10, 10, 1. Bottom 2 by S: D and E.
    units = ["A", "B", "C", "D", "E"]
    sc = scores(units, score=[90.0, 80.0, 70.0, 60.0, 50.0])
    shares = {"A": Decimal(10), "B": Decimal(10), "C": Decimal(10), "D": Decimal(10), "E": Decimal(1)}
    # cut 6: D loses 6, E only its 1 → 7 taken; 7 = 2 × 3 + 1 → A +4 (3 + remainder), B +3
    out = ranking.simulate_allocation(sc, budget_yuan=41, base_shares=shares, bottom_k=2, cut_yuan=6)
    assert dict(zip(out["unit"], out["alloc_yuan"])) == {"A": 14, "B": 13, "C": 10, "D": 4, "E": 0}
    assert dict(zip(out["unit"], out["adjust_yuan"])) == {"A": 4, "B": 3, "C": 0, "D": -6, "E": -1}
    assert int(out["alloc_yuan"].sum()) == 41
    # the 1,000,000,007 budget over 7 equal units, bottom 3 lose 1,000,001 each → top 3 gain it
    u7 = [f"U{i}" for i in range(7)]
    out7 = ranking.simulate_allocation(scores(u7, score=[70.0 - i for i in range(7)]), budget_yuan=1_000_000_007,
                                       bottom_k=3, cut_yuan=1_000_001)
    assert out7["alloc_yuan"].tolist() == [143_857_145, 143_857_145, 143_857_145, 142_857_144,
                                           141_857_143, 141_857_143, 141_857_142]
    assert int(out7["alloc_yuan"].sum()) == 1_000_000_007
    with pytest.raises(ValueError):
        ranking.simulate_allocation(sc, budget_yuan=41, bottom_k=3, cut_yuan=1)  # 2k > n


def test_duplicate_units_rejected():
    with pytest.raises(ValueError):
        ranking.simulate_allocation(scores(["A", "A"]), budget_yuan=10)


# ---- invariants on the sample ledgers (data/sample) -----------------------------------------------

def test_invariants_on_sample_data(sample_con):
    from analytics import base
    from analytics.settings import DEFAULTS
    from analytics.snapshot import snapshot

    con = sample_con
    as_of = base.rounds(con)[-1]
    p = base.projects(con, as_of=as_of)
    sc = ranking.unit_scores(con, as_of=as_of)
    # every unit with a project is ranked exactly once in its league
    assert sorted(sc.query("kind == 'township'")["unit"]) == sorted(set(p["town"].dropna()))
    # a township government as 主管 is ranked in the township league only
    assert sorted(sc.query("kind == 'department'")["unit"]) == sorted(set(p["department"].dropna()) - set(TOWNS))
    assert sc["score"].between(0, 100).all()
    cap = DEFAULTS["cap"]
    assert sc["factor"].between(1 - cap - 1e-12, 1 + cap + 1e-12).all()
    for _, g in sc.groupby("kind"):
        # min ranks: rank = 1 + number of units with a strictly higher score
        assert [int(r) for r in g["rank"]] == [1 + int((g["score"] > s).sum()) for s in g["score"]]
        for budget in (1_000_000_007, 999_983):
            out = ranking.simulate_allocation(g, budget_yuan=budget)
            assert int(out["alloc_yuan"].sum()) == int(out["base_yuan"].sum()) == budget
            k = len(g) // 2
            cut = ranking.simulate_allocation(g, budget_yuan=budget, bottom_k=k, cut_yuan=123_457)
            assert int(cut["alloc_yuan"].sum()) == budget and (cut["alloc_yuan"] >= 0).all()
            assert int(cut["adjust_yuan"].sum()) == 0
    snap = snapshot(con, as_of=as_of)
    assert sum(snap["grades"].values()) == snap["projects"] == len(p)
    assert sum(sum(v.values()) for v in snap["grades_by_town"].values()) == int(p["town"].notna().sum())
    assert sum(snap["tiers"].values()) == snap["projects"]
    assert len(snap["ranking"]) == len(sc)
