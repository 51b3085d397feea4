"""One test per parsing rule of ledger.normalize; expected values worked out by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ledger import normalize as N


@pytest.mark.parametrize("raw,expected", [
    ("1,234.5", Decimal("1234.5")),     # thousands separator dropped
    ("120万元", Decimal("120")),          # unit suffix dropped
    ("１２０", Decimal("120")),            # full-width digits → 120
    (" 7.25 ", Decimal("7.25")),
    (12.3, Decimal("12.3")),              # float → Decimal(str(round(12.3, 6)))
    (0.1 + 0.2, Decimal("0.3")),          # 0.30000000000000004 rounded to 6 places = 0.3
    (5, Decimal("5")),
])
def test_numbers_as_text(raw, expected):
    assert N.parse_decimal(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["—", "/", "-", "无", "", None, "  ", "——"])
def test_placeholders_are_none(raw):
    assert N.parse_decimal(raw) == (None, None)


def test_unparseable_number_is_an_error():
    v, err = N.parse_decimal("约三十")
    assert v is None and "无法识别的数字" in err


def test_money_yuan_to_wan_exact():
    # 35,000 元 / 10000 = 3.5 万元; 0.01 元 = 0.000001 万元; 1234567 元 = 123.4567 万元
    assert N.parse_money("35,000", yuan=True) == (Decimal("3.500000"), None)
    assert N.parse_money(0.01, yuan=True) == (Decimal("0.000001"), None)
    assert N.parse_money(1234567, yuan=True) == (Decimal("123.456700"), None)
    # a unit written in the cell wins over the column: "120万元" in a 元 column stays 120 万元
    assert N.parse_money("120万元", yuan=True) == (Decimal("120.000000"), None)
    # "3500元" in a 万元 column: 3500 / 10000 = 0.35 万元
    assert N.parse_money("3500元") == (Decimal("0.350000"), None)
    assert isinstance(N.parse_money(12.3)[0], Decimal)


@pytest.mark.parametrize("raw", ["2019年", 2019, "2019.0", 2019.0, "2019年度", "2019"])
def test_years(raw):
    assert N.parse_year(raw) == (2019, None)


@pytest.mark.parametrize("raw", [
    "2023-09-15", "2023.9.15", "2023/9/15", "2023年9月15日", 20230915, "20230915",
    45184,            # Excel serial: 1899-12-30 + 45184 days = 2023-09-15
    45184.0, dt.date(2023, 9, 15), dt.datetime(2023, 9, 15, 8, 30), "２０２３年９月１５日",
])
def test_dates(raw):
    assert N.parse_date(raw) == (dt.date(2023, 9, 15), None)


def test_month_only_date_is_month_end_and_bad_date_is_error():
    assert N.parse_date("2023年12月") == (dt.date(2023, 12, 31), None)
    assert N.parse_date("2024.2") == (dt.date(2024, 2, 29), None)   # leap year
    v, err = N.parse_date("2023-02-30")
    assert v is None and "无效的日期" in err


@pytest.mark.parametrize("raw,expected", [
    ("是", True), ("否", False), ("已", True), ("未", False), ("√", True), ("×", False),
    ("有", True), ("无", False), ("已结算", True), ("未确权", False), (True, True), (None, None),
])
def test_bools(raw, expected):
    assert N.parse_bool(raw) == (expected, None)


@pytest.mark.parametrize("raw,expected", [
    ("红", "red"), ("红色", "red"), ("红级", "red"), ("🔴", "red"), ("红灯", "red"),
    ("黄色", "yellow"), ("🟡", "yellow"), ("绿", "green"), ("绿级", "green"), (" 红 ", "red"),
])
def test_grades(raw, expected):
    assert N.parse_grade(raw) == (expected, None)


def test_unknown_grade_is_error():
    v, err = N.parse_grade("紫色")
    assert v is None and "风险等级" in err


def test_problems_multi():
    assert N.parse_problems("建而不成、用而不好") == (["built_not_finished", "used_not_well"], None)
    assert N.parse_problems("成而不用；未设立共管账户\n资产确权登记不规范") == (
        ["finished_not_used", "no_joint_account", "rights_irregular"], None)
    assert N.parse_problems("建而不成,成而不用/用而不好") == (
        ["built_not_finished", "finished_not_used", "used_not_well"], None)
    assert N.parse_problems("无") == ([], None)
    codes, err = N.parse_problems("建而不成、天气不好")
    assert codes == ["built_not_finished"] and "天气不好" in err


def test_sensitive_and_pretreatment():
    assert N.parse_multi("违法违规占用耕地、“两高两道”沿线", "sensitive") == (["farmland", "roadside"], None)
    assert N.parse_multi("已摘牌；复耕复种", "pretreatment") == (["delisting", "recultivation"], None)


@pytest.mark.parametrize("kind,raw,code", [
    ("build_status", "已完工", "completed"), ("build_status", "在建", "under_construction"),
    ("op_status", "未运营", "not_operating"), ("op_status", "正常运营", "normal"), ("op_status", "闲置", "idle"),
    ("asset_type", "经营性资产", "operating"), ("disposal", "盘活一批", "revitalise"),
    ("task_status", "已完成", "done"), ("signoff_status", "已销号", "signed_off"),
])
def test_enums(kind, raw, code):
    assert N.parse_enum(raw, kind) == (code, None)


def test_unknown_enum_message():
    v, err = N.parse_enum("半死不活", "op_status")
    assert v is None and err == "无法识别的运营状态：半死不活"


@pytest.mark.parametrize("raw,town", [
    ("贺街", "贺街镇"), ("贺街镇人民政府", "贺街镇"), ("八步区贺街镇", "贺街镇"), ("八步街道办事处", "八步街道"),
    ("城东", "城东街道"), ("信都镇政府", "信都镇"), ("八步街道", "八步街道"),
])
def test_towns(raw, town):
    assert N.parse_town(raw) == (town, None)


def test_unknown_town_is_none_with_message():
    v, err = N.parse_town("火星镇")
    assert v is None and "未知的乡镇" in err


@pytest.mark.parametrize("raw,dep", [
    ("农业农村局", "区农业农村局"), ("八步区林业局", "区林业局"), ("文旅局", "区文化广电体育和旅游局"),
    ("贺街镇人民政府", "贺街镇"), ("区水利局", "区水利局"),
])
def test_departments(raw, dep):
    assert N.parse_department(raw) == (dep, None)


def test_derived_code_is_stable_and_ignores_spacing():
    import hashlib
    expected = "K" + hashlib.sha1("2019|贺街镇|百香果基地".encode()).hexdigest()[:12]
    assert N.derived_code(2019, "贺街镇", "百香果 基地") == expected
    assert N.derived_code(2019, "贺街镇", "百香果基地") == expected
    assert N.derived_code(2020, "贺街镇", "百香果基地") != expected


def test_unit_with_seal_note():
    assert N.parse_unit("八步区农业农村局(盖章)") == ("区农业农村局", None)
    assert N.parse_unit("贺街镇人民政府（盖章）") == ("贺街镇", None)


def test_money_parser_fast_path_equals_parse_field():
    """reader parses every distinct amount through N.money_parser (a finite float inline); it must give
    exactly parse_field's (value, error), digits and exponent alike, for 元 and 万元 columns."""
    import random
    rnd = random.Random(7)
    vals = [0.0, -0.0, 1.0, 0.1, 0.0000005, 0.0000015, 1e13, 9.99999999e13, 1e14, -1e14, 1e15, 123456.789123456,
            float("inf"), float("nan"), -1.5, 3, True, "12万元", "abc", None, "", 1e-300, 99999999999999.99]
    vals += [rnd.uniform(-1e6, 1e6) for _ in range(3000)] + [round(rnd.uniform(0, 1e5), 2) for _ in range(3000)]
    vals += [rnd.random() * 10 ** rnd.randint(-9, 16) for _ in range(3000)]
    # around the 万元 fast path's bound (10^9: "%.6f" = repr(round(v, 6)) only below it) and its ties
    vals += [1e9, -1e9, 999999999.9999995, 999999999.999999, 1e9 - 1e-6, 0.0000025, 2.5e-7, -1e-300]
    vals += [rnd.uniform(1e8, 1e10) for _ in range(3000)] + [rnd.randint(0, 10 ** 9) / 10 ** 6 for _ in range(3000)]
    for yuan in (False, True):
        fast = N.money_parser(yuan)
        for v in vals:
            a, b = fast(v), N.parse_field(v, "money", yuan=yuan)
            assert a == b and str(a[0]) == str(b[0]), (v, yuan, a, b)
    # by hand: 1234.5 元 = 0.12345 万元, kept to 6 places; 120 万元 as written; 10^14 万元 is out of range
    assert N.money_parser(True)(1234.5) == (Decimal("0.123450"), None)
    assert str(N.money_parser(False)(120.0)[0]) == "120.000000"
    assert N.money_parser(False)(1e14)[0] is None and "超出范围" in N.money_parser(False)(1e14)[1]
