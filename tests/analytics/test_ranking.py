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


# --------------------------------------------------------------------------------------------------
# The fixture ledger (tests/fixture_db.py), AS_OF 2023-11-30, default settings.
# --------------------------------------------------------------------------------------------------
from fractions import Fraction as F  # noqa: E402

from tests.fixture_db import AS_OF, fixture_connection  # noqa: E402
from ledger.state import refresh_all  # noqa: E402

# households per 万元 (households of the rows in force / Σ nine sources)
L_HEJIE = F(0 + 40 + 85 + 25) / F("7999.98")      # P01..P04: 150 / (3000+1000+2999.99+999.99)
L_BUTOU = F(12 + 200 + 0) / F(5280)                # P05..P07: 212 / (200+5000+80)
L_LIANTANG = F(15 + 10) / F(210)                   # P08, P09 (R4 in force): 25 / 210  ← max
L_DANING = F(30 + 30 + 5) / F(600)                 # P10..P12: 65 / (300+300+0)
L_NANXIANG = F(65) / F(600)                        # P13: 65 / 600  = 大宁镇
L_AGRI = F(0 + 40 + 12 + 15 + 30) / F(4650)        # P01 P02 P05 P08 P10: 97 / 4650  ← min
L_FOREST = F(85 + 200 + 10 + 30) / F("8359.99")    # P03 P06 P09 P11: 325 / 8359.99  (median)
L_WATER = F(25 + 0 + 65) / F("1679.99")            # P04 P07 P13: 90 / 1679.99  ← max
N_DANING = (L_DANING - L_HEJIE) / (L_LIANTANG - L_HEJIE)
N_BUTOU = (L_BUTOU - L_HEJIE) / (L_LIANTANG - L_HEJIE)
N_FOREST = (L_FOREST - L_AGRI) / (L_WATER - L_AGRI)

# Townships (contrib = weight × norm; Σ weights = 100):
#  贺街镇 green 2/4→12.5, on_time 2/4 (P03 late, P03 on time, P04 on time, P01 overdue)→12.5,
#         resolved P03 P04 of P01..P04 = 2/4→10, submissions 5/5→10, linkage min→0, consistency 1→10
#         = 55 − 2×1 overdue = 53
#  步头镇 green 2/3→50/3, on_time 3/3→25, resolved P05 0/1→0, submissions 4/5→8, linkage 10·N_BUTOU,
#         consistency 1 − 1/3 (P07 闲置)→20/3; − 5 (P05 reopened)
#  莲塘镇 green 1/2→12.5, on_time 1/1→25, resolved 0/1→0, submissions 4/5→8, linkage max→10,
#         consistency 1 − 1/2 (P08 red without 三不)→5 = 60.5
#  大宁镇 = 南乡镇: 25 + 25 (no clock) + 20 (never 红/黄) + 10 + 10·N_DANING + 10
S_TOWN = {
    "贺街镇": F(53),
    "步头镇": F(50, 3) + 25 + 0 + 8 + 10 * N_BUTOU + F(20, 3) - 5,
    "莲塘镇": F(121, 2),
    "大宁镇": 90 + 10 * N_DANING,
    "南乡镇": 90 + 10 * N_DANING,
}
# Departments:
#  区水利局 green 3/3→25, on_time P04 1/1→25, resolved 1/1→20, submissions via reporters 贺街 步头 南乡
#           14/15→28/3, linkage max→10, consistency 1 − 1/3 (P07)→20/3 = 96
#  区商务局 25 + 25 + 20 + 10 (own 5/5) + linkage: zero funds → median of the others = 区林业局 + 10
#  区林业局 green 4/4→25, on_time 1/2 (P03 late, on time)→12.5, resolved 1/1→20, submissions via
#           贺街 步头 莲塘 大宁 18/20→9, 10·N_FOREST, consistency 1→10
#  区农业农村局 green 1/5→5, on_time 4/5 (P01 overdue; P05 ×3, P08 on time)→20, resolved 0/4→0,
#           submissions 18/20→9, linkage min→0, consistency 1 − 1/5 (P08)→8 = 42 − 2 (overdue) − 5
#           (P05 reopened) = 35
S_DEPT = {
    "区水利局": F(96),
    "区商务局": 90 + 10 * N_FOREST,
    "区林业局": F(765, 10) + 10 * N_FOREST,
    "区农业农村局": F(35),
}


def _factor(s, scores, beta=F(1, 2), cap=F(1, 5)):
    mean = sum(scores.values()) / len(scores)
    return min(max(1 + beta * (s - mean) / 100, 1 - cap), 1 + cap)


@pytest.fixture(scope="module")
def con():
    c = fixture_connection()
    yield c
    c.close()


def test_fixture_every_unit_ranked_once(con):
    out = ranking.unit_scores(con, as_of=AS_OF)
    assert sorted(zip(out["kind"], out["unit"])) == sorted(
        [("township", t) for t in S_TOWN] + [("department", d) for d in S_DEPT])
    assert out.groupby("kind")["projects"].sum().to_dict() == {"department": 13, "township": 13}


def test_fixture_township_scores_tie_ranks_factor(con):
    t = ranking.unit_scores(con, as_of=AS_OF).query("kind == 'township'").set_index("unit")
    for unit, s in S_TOWN.items():
        assert t.loc[unit, "score"] == float(s), unit
        assert t.loc[unit, "factor"] == float(_factor(s, S_TOWN)), unit
    # 大宁镇 and 南乡镇 tie exactly (≈ 98.93) and share rank 1; 莲塘镇 is 3rd, not 2nd
    assert t.loc["大宁镇", "score"] == t.loc["南乡镇", "score"]
    assert t["rank"].to_dict() == {"南乡镇": 1, "大宁镇": 1, "莲塘镇": 3, "步头镇": 4, "贺街镇": 5}
    assert t["band"].to_dict() == {"南乡镇": "excellent", "大宁镇": "excellent", "莲塘镇": "fair",
                                   "步头镇": "poor", "贺街镇": "poor"}
    assert (t.loc["贺街镇", ["overdue", "reopened", "penalty"]].tolist(),
            t.loc["步头镇", ["overdue", "reopened", "penalty"]].tolist()) == ([1, 0, 2.0], [0, 1, 5.0])
    # S ≈ 53.47 for 步头镇, so it sits above 贺街镇's 53
    assert 53.4 < t.loc["步头镇", "score"] < 53.5


def test_fixture_stored_penalty_basis_per_100_projects():
    from ledger.settings import set_setting

    c = fixture_connection()
    try:
        with pytest.raises(ValueError, match="扣分口径"):   # a code outside the list is refused, nothing stored
            set_setting(c, "penalty_basis", "per_capita")
        assert c.execute("SELECT count(*) FROM settings WHERE key = 'penalty_basis'").fetchone()[0] == 0
        set_setting(c, "penalty_basis", "per_100_projects")
        t = ranking.unit_scores(c, as_of=AS_OF).query("kind == 'township'").set_index("unit")
        # 步头镇: 3 projects, 1 reopened → 5 × 1 × 100/3 = 166.67 points off → clipped to 0;
        # 贺街镇: 4 projects, 1 overdue clock → 2 × 1 × 100/4 = 50 off: 53 + 2 − 50 = 5
        assert t.loc["步头镇", "penalty"] == pytest.approx(500 / 3, abs=1e-12) and t.loc["步头镇", "score"] == 0.0
        assert t.loc["贺街镇", "penalty"] == 50.0 and t.loc["贺街镇", "score"] == 5.0
        assert t["rank"].to_dict() == {"南乡镇": 1, "大宁镇": 1, "莲塘镇": 3, "贺街镇": 4, "步头镇": 5}
    finally:
        c.close()


def test_fixture_departments_and_zero_funding_unit(con):
    d = ranking.unit_scores(con, as_of=AS_OF).query("kind == 'department'").set_index("unit")
    # 区商务局 (P12): no funds → raw linkage None, normalised like the median department (区林业局)
    sw = d.loc["区商务局"]
    assert sw["linkage"] is None and sw["funds_wan"] == Decimal(0)
    assert sw["norm_linkage"] == d.loc["区林业局", "norm_linkage"] == float(N_FOREST)
    assert (sw["on_time"], sw["resolved"], sw["submissions"], sw["submissions_basis"]) == (None, None, 1.0, "own")
    assert d.loc["区水利局", "submissions"] == float(F(14, 15))
    assert d.loc["区水利局", "submissions_basis"] == "reporters"
    for unit, s in S_DEPT.items():
        assert d.loc[unit, "score"] == float(s), unit
    # mean = (96 + 95.51 + 82.01 + 35)/4 ≈ 77.13 → 区农业农村局 f = 1 + 0.5×(35 − 77.13)/100 ≈ 0.789 → 0.8
    assert d.loc["区农业农村局", "factor"] == 0.8
    assert d.loc["区水利局", "factor"] == float(_factor(F(96), S_DEPT))
    assert d["rank"].to_dict() == {"区水利局": 1, "区商务局": 2, "区林业局": 3, "区农业农村局": 4}
    assert d["band"].to_dict() == {"区水利局": "excellent", "区商务局": "excellent", "区林业局": "good",
                                   "区农业农村局": "poor"}


def test_fixture_weight_sensitivity(con):
    out = ranking.weight_sensitivity(con, as_of=AS_OF, metric="consistency", steps=5)
    assert len(out) == 5 * 9
    assert sorted(set(out["weight"])) == [0.0, 5.0, 10.0, 15.0, 20.0]
    at10 = out[out["weight"] == 10.0].set_index("unit")["score"]
    assert at10["贺街镇"] == 53.0 and at10["区水利局"] == 96.0
    # weight 0 (Σ 90): 贺街镇 = 45/90 × 100 − 2 = 48
    assert out[(out["weight"] == 0.0) & (out["unit"] == "贺街镇")]["score"].item() == 48.0
    # the tie holds at every weight
    for _, g in out[out["unit"].isin(["大宁镇", "南乡镇"])].groupby("weight"):
        assert g["score"].nunique() == 1 and g["rank"].nunique() == 1
    with pytest.raises(ValueError):
        ranking.weight_sensitivity(con, as_of=AS_OF, metric="nonsense")


def test_fixture_allocation_conserves_budget(con):
    t = ranking.unit_scores(con, as_of=AS_OF).query("kind == 'township'")
    out = ranking.simulate_allocation(t, budget_yuan=1_000_000_007, base_shares=None)
    assert int(out["alloc_yuan"].sum()) == 1_000_000_007
    a = dict(zip(out["unit"], out["alloc_yuan"]))
    assert abs(a["大宁镇"] - a["南乡镇"]) <= 1 and a["大宁镇"] > a["莲塘镇"] > a["步头镇"] > a["贺街镇"]


def test_township_government_as_supervisor_is_not_a_department():
    # P13 (南乡镇) is given to 南乡镇人民政府 as its own 主管 (normalised to "南乡镇"): the department
    # league must not list 南乡镇, and the township league lists it exactly once.
    from tests.fixture_db import AS_OF, fixture_connection

    con = fixture_connection()
    con.execute("UPDATE progress_rows SET department = '南乡镇' WHERE project_code = 'P13'")
    con.execute("UPDATE risk_rows SET department = '南乡镇' WHERE project_code = 'P13'")
    refresh_all(con)  # the rows were changed behind the importer's back: re-derive the state as an import does
    sc = ranking.unit_scores(con, as_of=AS_OF)
    depts = list(sc.loc[sc["kind"] == "department", "unit"])
    towns = list(sc.loc[sc["kind"] == "township", "unit"])
    assert "南乡镇" not in depts
    assert towns.count("南乡镇") == 1
    # 区水利局 loses P13 and keeps P04, P07 → 2 projects
    assert int(sc.loc[(sc["kind"] == "department") & (sc["unit"] == "区水利局"), "projects"].iloc[0]) == 2


def test_explain_score_parts_sum_to_s_with_weights_not_summing_to_100():
    # weights 10/10/10/10/5/5: Σ = 50, so each weight counts twice: shares 0.2/0.2/0.2/0.2/0.1/0.1
    s = {**S, "weights": {"green_share": 10, "on_time": 10, "resolved": 10, "submissions": 10, "linkage": 5,
                          "consistency": 5}}
    scores = ranking.score_metrics(metrics_frame(TOWNS), settings=s)
    parts, summ = ranking.explain_score(scores, unit="B", kind="township", settings=s)
    assert list(parts.columns) == ranking.EXPLAIN_COLUMNS
    assert parts["part"].tolist() == [*ranking.METRICS, "penalty_overdue", "penalty_reopened"]
    # B: norms 0.5, 0.5, 0.5, 0.8, 0 (linkage min of the league), 0.5 → 20×0.5 + 20×0.5 + 20×0.5 + 20×0.8
    # + 10×0 + 10×0.5 = 10 + 10 + 10 + 16 + 0 + 5 = 51; one overdue clock × 2 = −2; no reopened → S = 49
    assert parts["points"].tolist() == [10.0, 10.0, 10.0, 16.0, 0.0, 5.0, -2.0, 0.0]
    assert parts["max_points"].tolist()[:6] == [20.0, 20.0, 20.0, 20.0, 10.0, 10.0]
    assert parts["weight_share"].tolist()[:6] == [0.2, 0.2, 0.2, 0.2, 0.1, 0.1]
    assert parts["raw"].tolist() == [0.5, 0.5, 0.5, 0.8, 0.1, 0.5, 1.0, 0.0]
    assert set(parts["basis"][:6]) == {"measured"}
    assert (summ["total_weight"], summ["subtotal"], summ["penalty"], summ["score"]) == (50.0, 51.0, 2.0, 49.0)
    assert summ["score"] == scores.set_index("unit").loc["B", "score"] and summ["band"] == "poor"
    # the league (same norms, shares doubled): A 100; C = D 0.75×20 + 20 + 20 + 20 + 0.5×10 + 10 = 90 − 5 = 85
    # mean = (100 + 49 + 85 + 85)/4 = 319/4 = 79.75; f_B = 1 + 0.5×(49 − 79.75)/100 = 0.84625 (inside 0.8..1.2)
    assert summ["mean"] == 79.75 and summ["factor"] == summ["factor_unclipped"] == 0.84625


def test_explain_score_neutral_median_clip_and_cap():
    scores = ranking.score_metrics(metrics_frame(TOWNS + DEPTS), settings=S)
    # A: on_time and resolved have no data → neutral (scored 1); C: no funds → linkage median
    a, _ = ranking.explain_score(scores, unit="A", kind="township", settings=S)
    assert a.set_index("part").loc[["on_time", "resolved"], "basis"].tolist() == ["neutral", "neutral"]
    c, _ = ranking.explain_score(scores, unit="C", kind="township", settings=S)
    assert c.set_index("part").loc["linkage", ["basis", "norm"]].tolist() == ["median", 0.5]
    # V: 100 − 5 × 30 = −50 → clipped to 0; dept mean = (90 + 80 + 60 + 59.9 + 0)/5 = 57.98;
    # 1 + 0.5 × (0 − 57.98)/100 = 0.7101 → below 1 − cap = 0.8 → 0.8
    v, sv = ranking.explain_score(scores, unit="V", kind="department", settings=S)
    assert (sv["subtotal"], sv["penalty"], sv["unclipped"], sv["score"]) == (100.0, 150.0, -50.0, 0.0)
    assert abs(sv["factor_unclipped"] - 0.7101) < 1e-12 and sv["factor"] == 0.8
    with pytest.raises(ValueError):
        ranking.explain_score(scores, unit="A", kind="department", settings=S)


# Size-fair penalties (penalty_basis "per_100_projects"): three departments with every metric at 1
# (linkage all equal → norm 1), so Σ contrib = 100 and only the penalties differ.
SIZED = [
    #  unit kind          green on_t res subm link cons overdue reopened projects
    ("P", "department", 1.0, 1.0, 1.0, 1.0, 0.05, 1.0, 6, 0, 300),
    ("Q", "department", 1.0, 1.0, 1.0, 1.0, 0.05, 1.0, 1, 0, 50),
    ("R", "department", 1.0, 1.0, 1.0, 1.0, 0.05, 1.0, 0, 1, 10),
]


def sized_frame():
    cols = ["unit", "kind", "green_share", "on_time", "resolved", "submissions", "linkage", "consistency",
            "overdue", "reopened", "projects"]
    return pd.DataFrame([dict(zip(cols, r)) for r in SIZED], columns=cols)


def test_penalty_per_100_projects_is_size_fair():
    # per item (default): P 100 − 2×6 = 88, Q 100 − 2×1 = 98, R 100 − 5×1 = 95 → Q, R, P
    per_item = ranking.score_metrics(sized_frame(), settings=S).set_index("unit")
    assert per_item["score"].to_dict() == {"P": 88.0, "Q": 98.0, "R": 95.0}
    assert per_item["rank"].to_dict() == {"Q": 1, "R": 2, "P": 3}
    # per 100 projects: P 2×6×100/300 = 4 → 96; Q 2×1×100/50 = 4 → 96 (the same rate, a tie);
    # R 5×1×100/10 = 50 → 50
    s = {**S, "penalty_basis": "per_100_projects"}
    out = ranking.score_metrics(sized_frame(), settings=s).set_index("unit")
    assert out["penalty"].to_dict() == {"P": 4.0, "Q": 4.0, "R": 50.0}
    assert out["score"].to_dict() == {"P": 96.0, "Q": 96.0, "R": 50.0}
    assert out["rank"].to_dict() == {"P": 1, "Q": 1, "R": 3}
    # mean S = (96 + 96 + 50)/3 = 242/3; f_P = 1 + 0.5 × (96 − 242/3)/100 = 1 + 0.5 × (46/3)/100 = 1 + 23/300
    # = 1.07666…; f_R = 1 + 0.5 × (50 − 242/3)/100 = 1 − 0.5 × (92/3)/100 = 1 − 46/300 = 0.84666…
    assert out.loc["P", "factor"] == pytest.approx(323 / 300, abs=1e-15)
    assert out.loc["R", "factor"] == pytest.approx(254 / 300, abs=1e-15)
    # the weight sweep scores with the same basis: at the default weight it gives the plain scores
    sweep = ranking.sensitivity_from_metrics(sized_frame(), metric="green_share", steps=3, settings=s)
    assert sweep[sweep["weight"] == 25.0].set_index("unit")["score"].to_dict() == {"P": 96.0, "Q": 96.0, "R": 50.0}


def test_penalty_basis_explained_and_checked():
    s = {**S, "penalty_basis": "per_100_projects"}
    scores = ranking.score_metrics(sized_frame(), settings=s)
    parts, summ = ranking.explain_score(scores, unit="R", kind="department", settings=s)
    pen = parts.set_index("part").loc[["penalty_overdue", "penalty_reopened"]]
    # R: 0 overdue, 1 reopened × 5 points × 100/10 = 50
    assert pen["raw"].tolist() == [0.0, 1.0] and pen["points"].tolist() == [0.0, -50.0]
    assert set(pen["basis"]) == {"penalty_per_100"} and pen["weight"].tolist() == [2.0, 5.0]
    assert (summ["penalty"], summ["score"], summ["penalty_basis"], summ["projects"]) == (50.0, 50.0,
                                                                                           "per_100_projects", 10)
    # an unknown basis, and a per-100 basis without project counts, are refused (not silently per item)
    with pytest.raises(ValueError, match="扣分口径"):
        ranking.score_metrics(sized_frame(), settings={**S, "penalty_basis": "per_capita"})
    with pytest.raises(ValueError, match="在库项目数"):
        ranking.score_metrics(metrics_frame(TOWNS), settings=s)
