"""funding.py on the fixture (AS_OF 2023-11-30). Money in 万元, exact Decimals."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from analytics import base, funding
from analytics.filters import Filters
from tests.fixture_db import AS_OF, R1, fixture_connection

D = Decimal
TOTAL = D("14689.98")  # 3000 + 1000 + 2999.99 + 999.99 + 200 + 5000 + 80 + 150 + 60 + 300 + 300 + 0 + 600


@pytest.fixture(scope="module")
def con():
    return fixture_connection()


def test_by_source_year_grid_and_cells(con):
    got = funding.funding_by_source_year(con, as_of=AS_OF)
    # 9 sources × years 2013..2023 (last fund year in the fixture) = 99 cells
    assert len(got) == 9 * 11
    assert got["source"].unique().tolist() == list(funding.SOURCE_ORDER)
    assert got["fund_year"].unique().tolist() == list(range(2013, 2024))
    assert isinstance(got["amount_wan"].dtype, pd.ArrowDtype)
    nonzero = got[got["amount_wan"] > 0]
    assert nonzero.to_dict("records") == [
        {"source": "poverty_special", "fund_year": 2019, "amount_wan": D("1000")},     # P02
        {"source": "integrated_agri", "fund_year": 2016, "amount_wan": D("2999.99")},  # P03
        {"source": "lottery", "fund_year": 2018, "amount_wan": D("500")},              # P04
        {"source": "gov_bond", "fund_year": 2017, "amount_wan": D("5000")},            # P06
        {"source": "industry", "fund_year": 2018, "amount_wan": D("499.99")},          # P04
        {"source": "linkage", "fund_year": 2021, "amount_wan": D("3200")},             # P01 2000 + P10 300 + P11 300 + P13 600
        {"source": "linkage", "fund_year": 2022, "amount_wan": D("200")},              # P05
        {"source": "linkage", "fund_year": 2023, "amount_wan": D("60")},               # P09
        {"source": "guangdong", "fund_year": 2021, "amount_wan": D("1000")},           # P01
        {"source": "central_unit", "fund_year": 2020, "amount_wan": D("150")},         # P08
        {"source": "donation", "fund_year": 2015, "amount_wan": D("80")},              # P07
    ]


def test_by_source_sums_to_total(con):
    got = funding.funding_by_source_year(con, as_of=AS_OF)
    assert got["amount_wan"].sum() == TOTAL == base.projects(con, as_of=AS_OF)["funds_wan"].sum()
    by_unit = funding.funding_by_unit(con, as_of=AS_OF, by="town")
    assert by_unit["amount_wan"].sum() == TOTAL


def test_by_source_year_filtered(con):
    got = funding.funding_by_source_year(con, as_of=AS_OF, filters=Filters(towns=("贺街镇",)))
    # 贺街镇: P01 3000 + P02 1000 + P03 2999.99 + P04 999.99 = 7999.98
    assert got["amount_wan"].sum() == D("7999.98")
    assert got.loc[(got["source"] == "linkage") & (got["fund_year"] == 2021), "amount_wan"].tolist() == [D("2000")]


def test_by_unit_town(con):
    got = funding.funding_by_unit(con, as_of=AS_OF, by="town")
    assert got[got["town"] == "大宁镇"].to_dict("records") == [
        # P10 300 + P11 300 (P12 reported by 区商务局, town 大宁镇, has no funding lines)
        {"town": "大宁镇", "source": "linkage", "amount_wan": D("600")},
    ]
    assert got[got["town"] == "贺街镇"]["source"].tolist() == [
        "poverty_special", "integrated_agri", "lottery", "industry", "linkage", "guangdong"]  # policy order


def test_by_unit_department_and_whitelist(con):
    got = funding.funding_by_unit(con, as_of=AS_OF, by="department")
    assert got[got["department"] == "区水利局"].to_dict("records") == [
        {"department": "区水利局", "source": "lottery", "amount_wan": D("500")},      # P04
        {"department": "区水利局", "source": "industry", "amount_wan": D("499.99")},  # P04
        {"department": "区水利局", "source": "linkage", "amount_wan": D("600")},      # P13
        {"department": "区水利局", "source": "donation", "amount_wan": D("80")},      # P07
    ]
    assert "区商务局" not in set(got["department"])  # P12: zero funding, no lines
    with pytest.raises(ValueError):
        funding.funding_by_unit(con, as_of=AS_OF, by="town) --")


def test_funds_at_risk(con):
    got = funding.funds_at_risk(con, as_of=AS_OF)
    assert got == {
        "total_wan": TOTAL,
        "red_wan": D("3350"),      # P01 3000 + P05 200 + P08 150
        "yellow_wan": D("1000"),   # P02
        "at_risk_wan": D("4350"),  # 3350 + 1000
        "at_risk_share": pytest.approx(4350 / 14689.98),
    }
    assert all(isinstance(got[k], Decimal) for k in ["total_wan", "red_wan", "yellow_wan", "at_risk_wan"])


def test_funds_at_risk_zero_total(con):
    # 区商务局 only: P12 with zero funding → share 0, not a division error
    got = funding.funds_at_risk(con, as_of=AS_OF, filters=Filters(departments=("区商务局",)))
    assert got == {"total_wan": D(0), "red_wan": D(0), "yellow_wan": D(0), "at_risk_wan": D(0), "at_risk_share": 0.0}


def test_funds_at_risk_earlier_round(con):
    # R1: red P01 3000 + P03 2999.99 + P08 150 = 6149.99; yellow P04 999.99 + P05 200 = 1199.99
    got = funding.funds_at_risk(con, as_of=R1)
    assert (got["red_wan"], got["yellow_wan"], got["at_risk_wan"]) == (D("6149.99"), D("1199.99"), D("7349.98"))
    assert got["total_wan"] == TOTAL - D("1000")  # P02 not in the ledger yet


def test_outcome_by_build_year(con):
    got = funding.outcome_by_year(con, as_of=AS_OF)
    assert got.to_dict("records")[4:7] == [
        {"build_year": 2019, "projects": 1, "funds_wan": D("1000"), "red": 0, "yellow": 1, "green": 0,
         "green_share": 0.0},   # P02
        # 2020: P08 red 150, P12 green 0 → 1/2
        {"build_year": 2020, "projects": 2, "funds_wan": D("150"), "red": 1, "yellow": 0, "green": 1,
         "green_share": 0.5},
        # 2021: P01 red 3000; P10 300, P11 300, P13 600 green → 4200, 3/4
        {"build_year": 2021, "projects": 4, "funds_wan": D("4200"), "red": 1, "yellow": 0, "green": 3,
         "green_share": 0.75},
    ]
    assert got["build_year"].tolist() == [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]
    assert got["projects"].sum() == 13 and got["funds_wan"].sum() == TOTAL


def test_outcome_by_build_year_without_a_year_and_filtered():
    """A project with no 建设年度 is one row of its own, last (as pandas' groupby(dropna=False) gave it);
    filters reach the DuckDB aggregate. P02 (2019, yellow, 1000) loses its year in the state table."""
    from analytics._memo import clear_all
    from analytics.filters import Filters
    c = fixture_connection()
    c.execute("UPDATE project_state SET build_year = NULL WHERE project_code = 'P02'")
    clear_all()
    got = funding.outcome_by_year(c, as_of=AS_OF)
    assert 2019 not in got["build_year"].dropna().tolist()   # P02 was 2019's only project
    last = got.iloc[-1]
    assert pd.isna(last["build_year"])
    assert (last["projects"], last["funds_wan"], last["red"], last["yellow"], last["green"], last["green_share"]) \
        == (1, D("1000"), 0, 1, 0, 0.0)
    assert got["projects"].sum() == 13 and got["funds_wan"].sum() == TOTAL   # still every project
    # only the red projects: 2020 P08 150, 2021 P01 3000 (see test_outcome_by_build_year)
    red = funding.outcome_by_year(c, as_of=AS_OF, filters=Filters(grades=("red",)))
    assert {int(y): (int(n), m) for y, n, m in zip(red["build_year"], red["projects"], red["funds_wan"])
            if y in (2020, 2021)} == {2020: (1, D("150")), 2021: (1, D("3000"))}
    assert (red["yellow"].sum(), red["green"].sum()) == (0, 0)
    c.close()
    clear_all()


def test_outcome_by_fund_year(con):
    got = funding.outcome_by_fund_year(con, as_of=AS_OF)
    # P12 has no money, so 2020 holds only P08 (red 150); P04's two 2018 sources count it once
    assert got[got["fund_year"].isin([2018, 2020, 2021])].to_dict("records") == [
        {"fund_year": 2018, "projects": 1, "funds_wan": D("999.99"), "red": 0, "yellow": 0, "green": 1,
         "green_share": 1.0, "red_wan": D(0), "yellow_wan": D(0), "green_wan": D("999.99")},
        {"fund_year": 2020, "projects": 1, "funds_wan": D("150"), "red": 1, "yellow": 0, "green": 0,
         "green_share": 0.0, "red_wan": D("150"), "yellow_wan": D(0), "green_wan": D(0)},
        # 2021: P01 red (linkage 2000 + guangdong 1000, counted once), P10 P11 P13 green 1200
        {"fund_year": 2021, "projects": 4, "funds_wan": D("4200"), "red": 1, "yellow": 0, "green": 3,
         "green_share": 0.75, "red_wan": D("3000"), "yellow_wan": D(0), "green_wan": D("1200")},
    ]
    assert got["funds_wan"].sum() == TOTAL
    assert (got["red_wan"] + got["yellow_wan"] + got["green_wan"] == got["funds_wan"]).all()


def test_outcome_by_fund_year_filtered_empty(con):
    got = funding.outcome_by_fund_year(con, as_of=AS_OF, filters=Filters(departments=("区商务局",)))
    assert got.empty and "green_share" in got.columns
