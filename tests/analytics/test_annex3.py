"""附件3 汇总表 on the fixture (AS_OF 2023-11-30)."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from analytics import annex3
from analytics.filters import Filters
from tests.fixture_db import AS_OF, R3, fixture_connection

D = Decimal


@pytest.fixture(scope="module")
def con():
    return fixture_connection()


def zero_row(unit):
    return {c: (D(0) if c in annex3.MONEY_COLUMNS else 0) for c in annex3.ANNEX3_COLUMNS} | {"unit": unit}


def test_annex3_hejie_row(con):
    got = annex3.annex3(con, as_of=AS_OF).set_index("unit")
    want = zero_row("贺街镇") | {
        "projects": 4, "funds_wan": D("7999.98"),              # 3000 + 1000 + 2999.99 + 999.99
        "red": 1, "yellow": 1, "green": 2,                     # P01 | P02 | P03 P04
        "red_funds_wan": D("3000"), "yellow_funds_wan": D("1000"), "green_funds_wan": D("3999.98"),
        "built_not_finished": 1,                               # P01
        "consolidate": 2, "upgrade": 2,                        # green → consolidate, red/yellow → upgrade
        "region": 1, "city": 2, "district": 1,                 # P01 | P02 P03 | P04
        "downgraded": 2,                                       # P03 红→绿, P04 黄→绿
        "signed_off": 1,                                       # P03 (signoffs R3, accepted 10-26)
        "households": 150,                                     # 0 + 40 + 85 + 25
        "households_exited": 74,                               # 0 + 20 + 42 + 12 (hh // 2)
        "households_monitored": 14,                            # 0 + 4 + 8 + 2 (hh // 10)
    }
    assert {"unit": "贺街镇", **got.loc["贺街镇"].to_dict()} == want


def test_annex3_butou_reopened_not_signed_off(con):
    got = annex3.annex3(con, as_of=AS_OF).set_index("unit")
    want = zero_row("步头镇") | {
        "projects": 3, "funds_wan": D("5280"),                 # P05 200 + P06 5000 + P07 80
        "red": 1, "green": 2, "red_funds_wan": D("200"), "green_funds_wan": D("5080"),
        "used_not_well": 1,                                    # P05
        "consolidate": 2, "upgrade": 1,
        "district": 1, "monitor": 2,                           # P05 | P06 P07
        "downgraded": 0,                                       # P05 黄 → 红 is not a downgrade
        # P05 was 销号 (R2) but is red again now: reopened, not counted
        "signed_off": 0,
        "households": 212, "households_exited": 106, "households_monitored": 21,  # 12+200+0; 6+100+0; 1+20+0
    }
    assert {"unit": "步头镇", **got.loc["步头镇"].to_dict()} == want


def test_annex3_signed_off_before_reopening():
    # at R3 (2023-10-29) P05 is green after its 销号 and P03 was signed off in R3 → both count
    got = annex3.annex3(fixture_connection(), as_of=R3).set_index("unit")["signed_off"]
    assert got.to_dict() == {"贺街镇": 1, "步头镇": 1, "莲塘镇": 0, "大宁镇": 0, "南乡镇": 0, "合计": 2}


def test_annex3_rows_order_and_total(con):
    got = annex3.annex3(con, as_of=AS_OF)
    assert list(got.columns) == annex3.ANNEX3_COLUMNS
    assert got["unit"].tolist() == ["贺街镇", "步头镇", "莲塘镇", "大宁镇", "南乡镇", "合计"]  # statistical code order
    body, total = got.iloc[:-1], got.iloc[-1]
    for c in annex3.ANNEX3_COLUMNS[1:]:
        assert body[c].sum() == total[c], c
    assert total["projects"] == 13 and total["funds_wan"] == D("14689.98")
    assert total["red"] + total["yellow"] + total["green"] == total["projects"]
    assert total["region"] + total["city"] + total["district"] + total["monitor"] == total["projects"]
    assert total["consolidate"] + total["upgrade"] + total["revitalise"] + total["restart"] == 13
    assert all(isinstance(got[c].dtype, pd.ArrowDtype) for c in annex3.MONEY_COLUMNS)
    # 大宁镇 includes P12 (zero funding, reported by 区商务局)
    dn = got.set_index("unit").loc["大宁镇"]
    assert (dn["projects"], dn["funds_wan"], dn["households"]) == (3, D("600"), 65)  # 300 + 300 + 0; 30 + 30 + 5


def test_annex3_by_department_with_filter(con):
    got = annex3.annex3(con, as_of=AS_OF, by="department", filters=Filters(towns=("贺街镇",)))
    assert got["unit"].tolist() == ["区农业农村局", "区林业局", "区水利局", "合计"]
    assert got[["projects", "red", "yellow", "green", "downgraded"]].to_dict("records") == [
        {"projects": 2, "red": 1, "yellow": 1, "green": 0, "downgraded": 0},   # P01 P02
        {"projects": 1, "red": 0, "yellow": 0, "green": 1, "downgraded": 1},   # P03
        {"projects": 1, "red": 0, "yellow": 0, "green": 1, "downgraded": 1},   # P04
        {"projects": 4, "red": 1, "yellow": 1, "green": 2, "downgraded": 2},
    ]
    assert got["funds_wan"].tolist() == [D("4000"), D("2999.99"), D("999.99"), D("7999.98")]


def test_annex3_labels_cover_columns_and_whitelist(con):
    assert set(annex3.ANNEX3_LABELS) == set(annex3.ANNEX3_COLUMNS)
    assert annex3.ANNEX3_LABELS["used_not_well"] == "用而不好(个)"
    with pytest.raises(ValueError):
        annex3.annex3(con, as_of=AS_OF, by="name")


def test_annex3_empty_selection(con):
    got = annex3.annex3(con, as_of=AS_OF, filters=Filters(towns=("铺门镇",)))
    assert got.to_dict("records") == [zero_row("合计")]
