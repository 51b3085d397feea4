"""tiers.py on the fixture: DOMAIN §5 boundaries 3000 / 1000 (inclusive), 2999.99 / 999.99 below."""
from __future__ import annotations

from decimal import Decimal

import pytest

from analytics import base, tiers
from analytics.filters import Filters
from ledger.settings import set_setting
from tests.fixture_db import AS_OF, fixture_connection

D = Decimal


@pytest.fixture(scope="module")
def con():
    return fixture_connection()


def test_tier_boundaries(con):
    got = tiers.tier_table(con, as_of=AS_OF).set_index("project_code")
    got["tier_grade"] = got["tier_grade"].astype(object).where(got["tier_grade"].notna(), None)
    assert got.loc[["P01", "P02", "P03", "P04", "P05", "P06", "P08", "P12"], ["tier_amount_wan", "tier_grade", "tier"]] \
        .to_dict("index") == {
        "P01": {"tier_amount_wan": D("3000"), "tier_grade": "red", "tier": "region"},        # exactly 3000, 红
        "P02": {"tier_amount_wan": D("1000"), "tier_grade": "yellow", "tier": "city"},       # exactly 1000
        "P03": {"tier_amount_wan": D("2999.99"), "tier_grade": "red", "tier": "city"},       # just below 3000; keeps tier when green
        "P04": {"tier_amount_wan": D("999.99"), "tier_grade": "yellow", "tier": "district"}, # just below 1000
        "P05": {"tier_amount_wan": D("200"), "tier_grade": "yellow", "tier": "district"},    # initial 黄 decides, though red now
        "P06": {"tier_amount_wan": D("5000"), "tier_grade": None, "tier": "monitor"},        # ≥ 3000 but never 红/黄
        "P08": {"tier_amount_wan": D("150"), "tier_grade": "red", "tier": "district"},
        "P12": {"tier_amount_wan": D("0"), "tier_grade": None, "tier": "monitor"},           # zero funding
    }



def test_tier_table_pages_and_size(con):
    # 13 projects in force at AS_OF, ordered region → city → district → monitor, then by code:
    # P01 | P02 P03 | P04 P05 P08 | P06 P07 P09 P10 P11 P12 P13; pages of 5 rows: 5 + 5 + 3
    assert tiers.tier_table_size(con, as_of=AS_OF) == 13
    pages = [tiers.tier_table(con, as_of=AS_OF, limit=5, offset=o)["project_code"].tolist() for o in (0, 5, 10)]
    assert pages == [["P01", "P02", "P03", "P04", "P05"], ["P08", "P06", "P07", "P09", "P10"], ["P11", "P12", "P13"]]
    assert sum(pages, []) == tiers.tier_table(con, as_of=AS_OF)["project_code"].tolist()
    assert tiers.tier_table(con, as_of=AS_OF, limit=5, offset=15).empty
    # 贺街镇: P01–P04, its second page of 3 rows holds only P04
    f = Filters(towns=("贺街镇",))
    assert tiers.tier_table_size(con, as_of=AS_OF, filters=f) == 4
    assert tiers.tier_table(con, as_of=AS_OF, filters=f, limit=3, offset=3)["project_code"].tolist() == ["P04"]

def test_tier_table_columns_and_routes(con):
    got = tiers.tier_table(con, as_of=AS_OF)
    assert list(got.columns) == tiers.TIER_TABLE_COLUMNS
    assert got["project_code"].is_unique and len(got) == 13
    p01 = got[got["project_code"] == "P01"].iloc[0]
    assert (p01["tier_supervisor"], p01["tier_owner"]) == ("自治区督办、市级推进", "区本级落实")
    p04 = got[got["project_code"] == "P04"].iloc[0]
    assert p04["tier_acceptance"] == "区工作专班验收、市级随机抽查"
    # region first, monitor last
    assert got["tier"].tolist() == ["region"] + ["city"] * 2 + ["district"] * 3 + ["monitor"] * 7


def test_tier_counts(con):
    got = tiers.tier_counts(con, as_of=AS_OF)
    assert got.to_dict("records") == [
        {"tier": "region", "projects": 1, "funds_wan": D("3000"), "red": 1, "yellow": 0, "green": 0},       # P01
        {"tier": "city", "projects": 2, "funds_wan": D("3999.99"), "red": 0, "yellow": 1, "green": 1},      # P02 1000 Y + P03 2999.99 G
        {"tier": "district", "projects": 3, "funds_wan": D("1349.99"), "red": 2, "yellow": 0, "green": 1},  # P04 999.99 G + P05 200 R + P08 150 R
        # P06 5000 + P07 80 + P09 60 + P10 300 + P11 300 + P12 0 + P13 600 = 6340
        {"tier": "monitor", "projects": 7, "funds_wan": D("6340"), "red": 0, "yellow": 0, "green": 7},
    ]


def test_tiers_partition_projects(con):
    got = tiers.tier_counts(con, as_of=AS_OF)
    p = base.projects(con, as_of=AS_OF)
    assert got["projects"].sum() == len(p)
    assert got["funds_wan"].sum() == p["funds_wan"].sum()
    assert (got["red"] + got["yellow"] + got["green"] == got["projects"]).all()


def test_tier_counts_all_four_even_when_zero(con):
    got = tiers.tier_counts(con, as_of=AS_OF, filters=Filters(towns=("大宁镇",)))
    # 大宁镇: P10 P11 P12 all monitor, 300 + 300 + 0 = 600
    assert got[["tier", "projects"]].to_dict("records") == [
        {"tier": "region", "projects": 0}, {"tier": "city", "projects": 0},
        {"tier": "district", "projects": 0}, {"tier": "monitor", "projects": 3},
    ]
    assert got["funds_wan"].tolist() == [D(0), D(0), D(0), D("600")]


def test_tier_basis_setting_total_investment():
    con = fixture_connection()
    set_setting(con, "tier_amount_basis", "total_investment")
    got = tiers.tier_table(con, as_of=AS_OF).set_index("project_code")["tier"]
    # total investment: P03 3100 (红) → region; P02 1200 → city; P04 1000 (黄) → city; P01 3500 → region
    assert got[["P01", "P02", "P03", "P04"]].tolist() == ["region", "city", "region", "city"]
