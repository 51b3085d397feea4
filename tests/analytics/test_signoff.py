"""降级销号 records and reopened projects (DOMAIN §8) on the fixture."""
from __future__ import annotations

import json
from datetime import date

import pytest

from analytics import signoff as so
from analytics.filters import Filters
from ledger.settings import set_setting
from tests.fixture_db import AS_OF, R1, R2, R3, R4, fixture_connection

D = date
# the fixture's checklist is {"construction_accepted": true}; neither project has a sensitive flag, so
# 敏感问题预处理 is not applicable: 8 − 1 = 7 items, 1 passed, 6 missing (in settings order)
MISSING6 = ["资产确权登记并移交", "运营主体及合同落实", "投产运营", "收益及分红有佐证", "联农带农台账齐全", "设立共管账户"]


@pytest.fixture(scope="module")
def con():
    # read-only tests share one; tests that change data build their own
    return fixture_connection()


def test_signoff_records_whole(con):
    got = so.signoff_records(con, as_of=AS_OF).to_dict("records")
    for r in got:
        for k in ("checklist_passed", "checklist_total"):
            r[k] = int(r[k])
    assert got == [
        {"project_code": "P03", "name": "贺街镇油茶加工厂", "unit": "贺街镇", "tier": "city", "from_grade": "red",
         "to_grade": "green", "applied_on": D(2023, 10, 20), "self_eval_on": D(2023, 10, 22),
         "accepted_on": D(2023, 10, 26), "accepted_by": "市产业帮扶工作专班",
         "route": "县自评、市验收",  # 2999.99 万元 → city tier
         "status": "signed_off", "checklist_passed": 1, "checklist_total": 7, "checklist_missing": MISSING6},
        {"project_code": "P05", "name": "步头镇扶贫车间", "unit": "步头镇", "tier": "district", "from_grade": "yellow",
         "to_grade": "green", "applied_on": D(2023, 10, 5), "self_eval_on": D(2023, 10, 8),
         "accepted_on": D(2023, 10, 12), "accepted_by": "区工作专班",
         "route": "区工作专班验收、市级随机抽查",  # 200 万元 < 1000 → district
         "status": "signed_off", "checklist_passed": 1, "checklist_total": 7, "checklist_missing": MISSING6},
    ]


def test_signoff_records_as_of_and_latest_state():
    con = fixture_connection()
    # at R2 only P05's application has been reported
    assert list(so.signoff_records(con, as_of=R2)["project_code"]) == ["P05"]
    assert so.signoff_records(con, as_of=R1).empty
    # a later round reports the same application (same applied_on) with a fuller checklist: latest wins
    con.execute("INSERT INTO signoffs (round_date, unit, project_code, import_id, from_grade, to_grade, applied_on, "
                "status, checklist_json) VALUES (?, '贺街镇', 'P03', 0, 'red', 'green', ?, 'signed_off', ?)",
                [R4, D(2023, 10, 20), json.dumps({c: True for c in ["construction_accepted", "assets_registered",
                 "operator_contract", "in_production", "revenue_evidenced", "linkage_ledger", "joint_account"]})])
    r = so.signoff_records(con, as_of=AS_OF).set_index("project_code")
    assert (int(r.loc["P03", "checklist_passed"]), int(r.loc["P03", "checklist_total"])) == (7, 7)
    assert r.loc["P03", "checklist_missing"] == [] and len(r) == 2
    # ... but not before that round
    r = so.signoff_records(con, as_of=R3).set_index("project_code")
    assert int(r.loc["P03", "checklist_passed"]) == 1


def test_checklist_rules():
    items = ["construction_accepted", "joint_account", "pretreatment_done"]
    # sensitive project: pre-treatment applies → 3 items, 1 passed
    assert so.checklist_check({"construction_accepted": True}, items, sensitive=True) == (
        1, 3, ["设立共管账户", "敏感问题预处理完成"])
    # not sensitive: 2 items; a false or non-boolean value does not pass
    assert so.checklist_check({"construction_accepted": "yes", "joint_account": False}, items, sensitive=False) == (
        0, 2, ["建设完成并竣工验收", "设立共管账户"])
    # the importer writes null for a blank cell: not applicable without a sensitive flag, missing with one
    full = {"construction_accepted": True, "joint_account": True, "pretreatment_done": None}
    assert so.checklist_check(full, items, sensitive=False) == (2, 2, [])
    assert so.checklist_check(full, items, sensitive=True) == (2, 3, ["敏感问题预处理完成"])
    # stated explicitly: counts even without a flag
    assert so.checklist_check({**full, "pretreatment_done": True}, items, sensitive=False) == (3, 3, [])
    assert so._parse_checklist("not json") == {} and so._parse_checklist(None) == {}
    assert so._parse_checklist("[1, 2]") == {}


def test_checklist_follows_settings():
    con = fixture_connection()
    set_setting(con, "signoff_checklist", ["construction_accepted", "joint_account"])
    r = so.signoff_records(con, as_of=AS_OF)
    assert [(int(a), int(b), m) for a, b, m in zip(r.checklist_passed, r.checklist_total, r.checklist_missing)] == [
        (1, 2, ["设立共管账户"]), (1, 2, ["设立共管账户"])]


def test_reopened_fixture(con):
    got = so.reopened(con, as_of=AS_OF).to_dict("records")
    # P05: 黄 R1 → 绿 R2, R3 → 红 R4 (graded 11-10); P03 went 红 → 绿 and stayed: not reopened
    assert got == [{"project_code": "P05", "name": "步头镇扶贫车间", "unit": "步头镇", "town": "步头镇",
                    "department": "区农业农村局", "green_round": R2, "reopened_round": R4, "grade": "red"}]
    # before R4 nothing has reopened; filters apply
    assert so.reopened(con, as_of=R3).empty
    assert so.reopened(con, as_of=AS_OF, filters=Filters(towns=("贺街镇",))).empty


def test_reopening_pattern():
    r = [D(2023, m, 1) for m in range(1, 8)]
    assert so._reopening(["green", "red", "green", "yellow", "yellow"], r[:5]) == (r[2], r[3])
    assert so._reopening(["green", "green", "red"], r[:3]) is None          # first 红 is not a reopening
    assert so._reopening(["red", "yellow", "red"], r[:3]) is None           # never green in between
    # reopened twice: the latest one
    assert so._reopening(["red", "green", "red", "green", "green", "yellow"], r[:6]) == (r[3], r[5])
