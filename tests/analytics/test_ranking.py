"""Ranking (DOMAIN §10): metrics, normalisation, scores, ranks, bands and the factor.

Pure parts on small hand-made frames; the fixture ledger in test_ranking_fixture-style tests below.
Default settings: weights 25/25/20/10/10/10 (Σ 100, so contrib = weight × norm), penalty 2 per
overdue clock and 5 per reopened project, beta 0.5, cap 0.2, bands 90/80/60.
"""
from __future__ import annotations

import copy
from decimal import Decimal

import pandas as pd
import pytest

from analytics import ranking
from analytics.settings import DEFAULTS

S = copy.deepcopy(DEFAULTS)


def metrics_frame(rows):
    cols = ["unit", "kind", "green_share", "on_time", "resolved", "submissions", "linkage", "consistency",
            "overdue", "reopened"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


# Township league: C has no funds (linkage None) and is otherwise identical to D.
TOWNS = [
    #  unit kind       green on_time resolved subm  linkage cons overdue reopened
    ("A", "township", 1.0, None, None, 1.0, 0.2, 1.0, 0, 0),
    ("B", "township", 0.5, 0.5, 0.5, 0.8, 0.1, 0.5, 1, 0),
    ("C", "township", 0.75, 1.0, 1.0, 1.0, None, 1.0, 0, 1),
    ("D", "township", 0.75, 1.0, 1.0, 1.0, 0.15, 1.0, 0, 1),
]
# Department league: bands at their boundaries (linkage all equal → norm 1.0 for all).
DEPTS = [
    ("X", "department", 1.0, 1.0, 1.0, 1.0, 0.05, 0.0, 0, 0),   # 100 − 10 (consistency) = 90
    ("Y", "department", 0.6, 1.0, 1.0, 1.0, 0.05, 0.0, 0, 0),   # 15+25+20+10+10+0 = 80
    ("Z", "department", 1.0, 0.2, 1.0, 1.0, 0.05, 0.0, 5, 0),   # 25+5+20+10+10+0 = 70 − 2×5 = 60
    ("W", "department", 1.0, 1.0, 0.0, 0.99, 0.05, 1.0, 0, 4),  # 25+25+0+9.9+10+10 = 79.9 − 5×4 = 59.9
    ("V", "department", 1.0, 1.0, 1.0, 1.0, 0.05, 1.0, 0, 30),  # 100 − 150 → clipped to 0
]


def test_township_scores_ranks_tie_and_factor():
    out = ranking.score_metrics(metrics_frame(TOWNS), settings=S)
    t = out[out["kind"] == "township"].set_index("unit")
    # linkage: C has none → median of (0.2, 0.1, 0.15) = 0.15; min–max over 0.2, 0.1, 0.15, 0.15:
    # A (0.2−0.1)/0.1 = 1, B 0, C = D = 0.05/0.1 = 0.5
    assert t["norm_linkage"].to_dict() == {"A": 1.0, "B": 0.0, "C": 0.5, "D": 0.5}
    # on_time / resolved None → neutral 1.0
    assert t.loc["A", "norm_on_time"] == 1.0 and t.loc["A", "norm_resolved"] == 1.0
    # A: 25 + 25 + 20 + 10 + 10 + 10 = 100
    # B: 25×0.5 + 25×0.5 + 20×0.5 + 10×0.8 + 10×0 + 10×0.5 = 12.5+12.5+10+8+0+5 = 48; − 2×1 → 46
    # C = D: 25×0.75 + 25 + 20 + 10 + 10×0.5 + 10 = 18.75+25+20+10+5+10 = 88.75; − 5×1 → 83.75
    assert t.loc["B", ["contrib_green_share", "contrib_on_time", "contrib_resolved", "contrib_submissions",
                       "contrib_linkage", "contrib_consistency", "penalty"]].tolist() == [12.5, 12.5, 10, 8, 0, 5, 2]
    assert t["score"].to_dict() == {"A": 100.0, "B": 46.0, "C": 83.75, "D": 83.75}
    # ties share the min rank: 1, 2, 2, 4
    assert t["rank"].to_dict() == {"A": 1, "B": 4, "C": 2, "D": 2}
    assert t["band"].to_dict() == {"A": "excellent", "B": "poor", "C": "good", "D": "good"}
    # mean S = (100 + 46 + 83.75 + 83.75)/4 = 313.5/4 = 78.375
    # f_A = 1 + 0.5×(100 − 78.375)/100 = 1.108125; f_B = 1 + 0.5×(46 − 78.375)/100 = 0.838125
    # f_C = f_D = 1 + 0.5×(83.75 − 78.375)/100 = 1.026875   (all inside [0.8, 1.2])
    assert t["factor"].to_dict() == {"A": 1.108125, "B": 0.838125, "C": 1.026875, "D": 1.026875}
    # ordered by S descending, then unit name
    assert list(out["unit"]) == ["A", "C", "D", "B"]


def test_factor_is_clipped_to_cap():
    s = {**S, "cap": 0.1}
    t = ranking.score_metrics(metrics_frame(TOWNS), settings=s).set_index("unit")
    # 1.108125 → 1.1 ; 0.838125 → 0.9 ; 1.026875 stays
    assert t["factor"].to_dict() == {"A": 1.1, "B": 0.9, "C": 1.026875, "D": 1.026875}


def test_department_bands_at_boundaries_clip_and_separate_leagues():
    out = ranking.score_metrics(metrics_frame(TOWNS + DEPTS), settings=S)
    d = out[out["kind"] == "department"].set_index("unit")
    assert d["score"].to_dict() == {"X": 90.0, "Y": 80.0, "Z": 60.0, "W": 59.9, "V": 0.0}
    assert d["band"].to_dict() == {"X": "excellent", "Y": "good", "Z": "fair", "W": "poor", "V": "poor"}
    assert d["rank"].to_dict() == {"X": 1, "Y": 2, "Z": 3, "W": 4, "V": 5}
    # all linkage equal → norm 1.0
    assert set(d["norm_linkage"]) == {1.0}
    # the township league is untouched by the departments (ranked separately)
    t = out[out["kind"] == "township"].set_index("unit")
    assert t["rank"].to_dict() == {"A": 1, "B": 4, "C": 2, "D": 2}
    # department mean = (90+80+60+59.9+0)/5 = 57.98; f_X = 1 + 0.5×32.02/100 = 1.1601
    # f_V = 1 + 0.5×(0 − 57.98)/100 = 0.7101 → clipped to 0.8
    assert d.loc["X", "factor"] == 1.1601
    assert d.loc["V", "factor"] == 0.8
    assert list(out["kind"]) == ["department"] * 5 + ["township"] * 4


def test_weights_are_normalised_by_their_sum():
    # doubling every weight changes nothing
    s2 = {**S, "weights": {k: 2 * v for k, v in S["weights"].items()}}
    a = ranking.score_metrics(metrics_frame(TOWNS), settings=S)
    b = ranking.score_metrics(metrics_frame(TOWNS), settings=s2)
    assert a["score"].tolist() == b["score"].tolist() == [100.0, 83.75, 83.75, 46.0]
    # only consistency weighted: S = 100 × consistency − penalty: B 50 − 2 = 48
    s3 = {**S, "weights": {"consistency": 1}}
    c = ranking.score_metrics(metrics_frame(TOWNS), settings=s3).set_index("unit")
    assert c["score"].to_dict() == {"A": 100.0, "B": 48.0, "C": 95.0, "D": 95.0}


def test_sensitivity_rows_and_values():
    m = metrics_frame(TOWNS + DEPTS)
    out = ranking.sensitivity_from_metrics(m, metric="green_share", steps=11, settings=S)
    assert len(out) == 11 * 9  # steps × units
    assert sorted(set(out["weight"])) == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0]
    # weight 0 for green_share, Σ = 75: B = (12.5 + 10 + 8 + 0 + 5)/75 × 100 = 35.5/0.75 = 47.333…; − 2
    b0 = out[(out["weight"] == 0.0) & (out["unit"] == "B")].iloc[0]
    assert b0["score"] == pytest.approx(35.5 / 0.75 - 2, abs=1e-12)
    # at the default weight 25 the scores are the plain ones
    at25 = out[out["weight"] == 25.0].set_index("unit")
    assert at25.loc[["A", "B", "C", "D"], "score"].tolist() == [100.0, 46.0, 83.75, 83.75]
    # a zero-weight metric varies over 0..50
    s0 = {**S, "weights": {**S["weights"], "linkage": 0}}
    out0 = ranking.sensitivity_from_metrics(m, metric="linkage", steps=3, settings=s0)
    assert sorted(set(out0["weight"])) == [0.0, 25.0, 50.0] and len(out0) == 3 * 9


def test_metrics_from_frames_attribution_and_fallbacks():
    projects = pd.DataFrame([
        # code, town, dept, reporter, grade, initial, tier_grade, households, funds
        ("Q1", "甲镇", "区农业农村局", "甲镇", "green", "red", "red", 10, Decimal("100")),
        ("Q2", "甲镇", "区林业局", "甲镇", "red", "red", "red", 0, Decimal("50")),
        ("Q3", "乙镇", "区农业农村局", "乙镇", "green", "green", None, 30, Decimal("150")),
        ("Q4", "乙镇", "区商务局", "区商务局", "green", "green", None, 5, Decimal("0")),
    ], columns=["project_code", "town", "department", "unit", "grade", "initial_grade", "tier_grade",
                "households", "funds_wan"])
    clocks = pd.DataFrame({"project_code": ["Q1", "Q1", "Q2", "Q2", "Q3"],
                           "status": ["on_time", "late", "overdue", "pending", "on_time"]})
    reopened = pd.DataFrame({"project_code": ["Q2"]})
    compliance = pd.DataFrame({"unit": ["甲镇", "乙镇", "区商务局", "区林业局"], "on_time": [4, 5, 3, 0],
                               "late": [1, 0, 0, 0], "missing": [0, 0, 2, 5], "due": [5, 5, 5, 5]})
    flagged = pd.DataFrame({"project_code": ["Q3", "Q3"]})  # two reasons, one project
    m = ranking.metrics_from_frames(projects, clocks, reopened, compliance, flagged)
    got = {(r["kind"], r["unit"]): r for r in m.to_dict("records")}
    assert len(got) == 5
    ag = got[("department", "区农业农村局")]
    # Q1 green (ever red) + Q3 green: green 2/2; resolved 1/1; clocks Q1 on_time+late, Q3 on_time → 2/3
    # never reported itself → reporters 甲镇, 乙镇: (4 + 5)/(5 + 5) = 0.9
    # linkage (10 + 30)/(100 + 150) = 0.16; consistency 1 − 1/2
    assert {k: ag[k] for k in ["projects", "green_share", "on_time", "resolved", "submissions",
                               "submissions_basis", "linkage", "consistency", "overdue", "reopened"]} == {
        "projects": 2, "green_share": 1.0, "on_time": 2 / 3, "resolved": 1.0, "submissions": 0.9,
        "submissions_basis": "reporters", "linkage": 0.16, "consistency": 0.5, "overdue": 0, "reopened": 0}
    assert ag["funds_wan"] == Decimal("250")
    ly = got[("department", "区林业局")]
    # 区林业局 has a compliance row but never submitted (0 on time, 0 late) → reporter 甲镇 4/5
    # Q2: red, one overdue clock (pending is not judged) → on_time 0/1; resolved 0/1; reopened 1
    assert (ly["submissions"], ly["submissions_basis"], ly["on_time"], ly["resolved"], ly["overdue"],
            ly["reopened"], ly["green_share"]) == (0.8, "reporters", 0.0, 0.0, 1, 1, 0.0)
    sw = got[("department", "区商务局")]
    # own reports 3/5; zero funds → linkage None; no clocks → on_time None; never red → resolved None
    assert (sw["submissions"], sw["submissions_basis"], sw["linkage"], sw["on_time"], sw["resolved"]) == (
        0.6, "own", None, None, None)
    jia = got[("township", "甲镇")]
    # clocks on_time, late, overdue → 1/3; resolved 1/2; own 4/5; (10+0)/(100+50) = 1/15
    assert (jia["on_time"], jia["resolved"], jia["submissions"], jia["linkage"], jia["green_share"]) == (
        1 / 3, 0.5, 0.8, 1 / 15, 0.5)
    yi = got[("township", "乙镇")]
    # (30 + 5)/(150 + 0) households per 万元; consistency 1 − 1/2
    assert (yi["linkage"], yi["consistency"], yi["on_time"], yi["resolved"]) == (35 / 150, 0.5, 1.0, None)


def test_empty_metrics_score_to_empty_frame():
    m = ranking.metrics_from_frames(
        pd.DataFrame(columns=["project_code", "town", "department", "unit", "grade", "initial_grade",
                              "tier_grade", "households", "funds_wan"]),
        pd.DataFrame(columns=["project_code", "status"]), pd.DataFrame(columns=["project_code"]),
        pd.DataFrame(columns=["unit", "on_time", "late", "missing", "due"]),
        pd.DataFrame(columns=["project_code"]))
    out = ranking.score_metrics(m, settings=S)
    assert len(out) == 0 and {"score", "rank", "band", "factor", "norm_linkage"} <= set(out.columns)
