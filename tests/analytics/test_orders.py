"""analytics.orders on the fixture (tests/fixture_db.py + tests/orders_fixture.py): who is 督办ed, what
the order says, the 催报 list, the 通报 and the follow-up of issued orders."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from analytics import orders as ao
from analytics.ranking import unit_scores
from analytics.settings import get_settings
from ledger.orders import issue_orders
from tests.fixture_db import AS_OF, R1, R2, R3, R4, R5, fixture_connection
from tests.orders_fixture import P01_MISSING, order_connection


@pytest.fixture
def con():
    c = order_connection()
    yield c
    c.close()


def test_default_reply_by_is_a_due_date_a_week_on():
    s = {"order_reply_days": 7}
    # 11-15 + 7 = 11-22 → next due date 11-29; 11-22 + 7 = 11-29 itself; 11-23 + 7 = 11-30 → 12-14
    assert ao.default_reply_by(date(2023, 11, 15), settings=s) == date(2023, 11, 29)
    assert ao.default_reply_by(date(2023, 11, 22), settings=s) == date(2023, 11, 29)
    assert ao.default_reply_by(date(2023, 11, 23), settings=s) == date(2023, 12, 14)
    # February: 2-15 + 7 = 2-22 → the last day of February (2024 is a leap year: 29th exists anyway; 2023: 28th)
    assert ao.default_reply_by(date(2023, 2, 15), settings=s) == date(2023, 2, 28)
    assert ao.default_reply_by(date(2023, 11, 15), settings={"order_reply_days": 0}) == date(2023, 11, 29)


def test_lagging_units_at_r5(con):
    lag = ao.lagging_units(con, as_of=R5)
    got = {r["unit"]: r for r in lag.to_dict("records")}
    assert list(lag["unit"]) == ["步头镇", "莲塘镇", "贺街镇"]  # all lagging, by name
    # 贺街镇: P01 red, P02 yellow; P01 red_1m (due 10-20) overdue; task 2 (due 11-20, 未开始) overdue;
    # P01's 红→绿 application (applied) misses checklist items
    assert {k: got["贺街镇"][k] for k in ("lagging", "red", "yellow", "overdue_clocks", "overdue_tasks",
                                          "overdue_replies", "reopened", "checklist_gaps")} == \
        {"lagging": True, "red": 1, "yellow": 1, "overdue_clocks": 1, "overdue_tasks": 1, "overdue_replies": 0,
         "reopened": 0, "checklist_gaps": 1}
    # 步头镇: only P05 reopened (黄 → 绿 after 销号 → 红 at R4)
    assert (got["步头镇"]["reopened"], got["步头镇"]["overdue_clocks"], got["步头镇"]["red"]) == (1, 0, 1)
    # 莲塘镇: the 11-01 诉求 open 28 days (> 15)
    assert (got["莲塘镇"]["overdue_replies"], got["莲塘镇"]["overdue_clocks"]) == (1, 0)
    assert lag["followup"].isna().all() and lag["order_number"].isna().all()


def test_plain_fixture_lagging_units():
    c = fixture_connection()
    lag = ao.lagging_units(c, as_of=R5)
    assert list(lag["unit"]) == ["步头镇", "贺街镇"]  # no 政企互动 in the plain fixture: 莲塘镇 is fine
    assert ao.lagging_units(c, as_of=R1)["unit"].tolist() == []  # R1: nothing due yet, nothing reopened


def test_order_content_of_hejie_at_r5(con):
    c = ao.order_content(con, as_of=R5, unit="贺街镇")
    assert (c["round_date"], c["round_no"]) == (R5, 5)
    p = c["projects"]
    got = [(r["project_code"], r["grade"], list(r["problems"]), r["tier"], r["funds_wan"], r["kind"], r["due"],
            r["status"], None if pd.isna(r["days_left"]) else int(r["days_left"]),
            None if pd.isna(r["days_overdue"]) else int(r["days_overdue"])) for r in p.to_dict("records")]
    assert got == [
        # red_1m: 认定 09-20 + 1 month = 10-20; 11-29 − 10-20 = 11 (rest of Oct) + 29 = 40 days overdue
        ("P01", "red", ["built_not_finished"], "region", Decimal("3000"), "red_1m", date(2023, 10, 20), "overdue", None, 40),
        # red_3m: 09-20 + 3 months = 12-20; 12-20 − 11-29 = 1 + 20 = 21 days left
        ("P01", "red", ["built_not_finished"], "region", Decimal("3000"), "red_3m", date(2023, 12, 20), "pending", 21, None),
        # yellow_1m: 认定 10-31 + 1 month = 11-30 (clamped); 1 day left
        ("P02", "yellow", ["not_accepted"], "city", Decimal("1000"), "yellow_1m", date(2023, 11, 30), "pending", 1, None),
    ]
    t = c["tasks"]
    # P01 task 2 落实运营主体 due 11-20, 未开始: 29 − 20 = 9 days; task 1 due 12-20 not yet; P02's due 11-30 not yet
    assert t[["project_code", "task_seq", "measure", "due_on", "status", "days_overdue"]].values.tolist() == [
        ["P01", 2, "落实运营主体", date(2023, 11, 20), "not_started", 9]]
    ck = c["checklist"]
    assert ck[["project_code", "from_grade", "to_grade", "applied_on", "status"]].values.tolist() == [
        ["P01", "red", "green", date(2023, 11, 25), "applied"]]
    assert list(ck["checklist_missing"][0]) == P01_MISSING
    assert c["interactions"].empty
    assert c["summary"] == {"red": 1, "yellow": 1, "overdue_clocks": 1, "pending_clocks": 2, "checklist_gaps": 1,
                            "overdue_tasks": 1, "overdue_replies": 0, "reopened": 0}


def test_order_content_of_a_unit_whose_red_project_met_its_clocks(con):
    c = ao.order_content(con, as_of=R5, unit="步头镇")
    # P05 red since R4: red_1m met 11-20 (task done), red_3m met 11-14 → no open clock → one row, kind None
    assert c["projects"][["project_code", "kind", "status"]].values.tolist() == [["P05", None, None]]
    assert c["summary"]["reopened"] == 1
    it = ao.order_content(con, as_of=R5, unit="莲塘镇")["interactions"]
    assert it[["project_code", "raised_on", "status", "days_open"]].values.tolist() == [
        ["P08", date(2023, 11, 1), "pending", 28]]  # 11-29 − 11-01 = 28 > 15


def test_chase_list():
    c = fixture_connection()
    cols = ["unit", "status", "submitted_on", "days_late", "late_this_year", "missing_this_year", "times_this_year",
            "due_this_year"]
    # R5: 莲塘镇 sent nothing; on the due date itself 0 days so far; once this year; 5 due dates 09-29 … 11-29
    assert ao.chase_list(c, as_of=R5)[cols].values.tolist() == [["莲塘镇", "missing", None, 0, 0, 1, 1, 5]]
    assert ao.chase_list(c, as_of=AS_OF)["days_late"].tolist() == [1]  # 11-30 − 11-29
    # R4: 步头镇's report (due 11-14) was filed 11-16 and its rows are in force at R4, so it is late
    # 16 − 14 = 2 days whenever you look (#8.1), seen on 11-14 or on 11-16; 4 due dates so far
    for at in (R4, date(2023, 11, 16)):
        assert ao.chase_list(c, as_of=at)[cols].values.tolist() == [
            ["步头镇", "late", date(2023, 11, 16), 2, 1, 0, 1, 4]]
    assert ao.chase_list(c, as_of=R3).empty


def test_bulletin_at_r4_movement_and_names():
    c = fixture_connection()
    b = ao.bulletin(c, as_of=R4)
    assert (b["round_date"], b["previous_round"]) == (R4, R3)
    sc = b["scores"]
    expected = unit_scores(c, as_of=R4)
    assert sc[expected.columns].equals(expected)  # the ranking itself is unit_scores, untouched
    row = {(r["kind"], r["unit"]): r for r in sc.to_dict("records")}
    # 步头镇: R3 P05 绿 → R4 P05 红: red 0 → 1
    assert [row[("township", "步头镇")][k] for k in ("red_now", "red_previous", "red_change")] == [1, 0, 1]
    # 贺街镇: red P01 at both; yellow R3 P04 → R4 P02 (P04 绿 now): 1 → 1
    assert [row[("township", "贺街镇")][k] for k in ("red_now", "red_previous", "yellow_now", "yellow_previous",
                                                   "yellow_change")] == [1, 1, 1, 1, 0]
    # 区农业农村局 (P01 P02 P05 P08): red R3 P01 P08 = 2 → R4 P01 P05 P08 = 3; yellow 0 → P02 = 1
    assert [row[("department", "区农业农村局")][k] for k in ("red_change", "yellow_change")] == [1, 1]
    assert b["movement"].set_index("grade").loc["red", "delta"] == 1  # 2 → 3


def test_bulletin_best_and_worst_three_never_overlap():
    c = fixture_connection()
    b = ao.bulletin(c, as_of=R5)
    sc = unit_scores(c, as_of=R5)
    towns = sc[sc["kind"] == "township"]["unit"].tolist()  # best first: 南乡镇 大宁镇 (tied) 莲塘镇 步头镇 贺街镇
    assert b["best"]["township"]["unit"].tolist() == towns[:3]
    assert b["worst"]["township"]["unit"].tolist() == towns[3:][::-1] == ["贺街镇", "步头镇"]
    depts = sc[sc["kind"] == "department"]["unit"].tolist()  # four departments: three best, one worst
    assert b["best"]["department"]["unit"].tolist() == depts[:3]
    assert b["worst"]["department"]["unit"].tolist() == ["区农业农村局"]


def test_bulletin_first_round_has_no_previous():
    b = ao.bulletin(fixture_connection(), as_of=R1)
    assert b["previous_round"] is None
    assert b["scores"]["red_previous"].isna().all() and b["scores"]["red_change"].isna().all()


def _issue(con, unit, rd, at, reply_by=None):
    s = get_settings(con)
    return issue_orders(con, round_date=rd, units=[unit], reply_by=reply_by or ao.default_reply_by(at.date(), settings=s),
                        issued_by="专班", at=at)[0]


def test_followup_changes_when_the_next_ledger_arrives(con):
    # 莲塘镇 R4 order issued 11-15 → reply_by 11-29 (first due date ≥ 11-22)
    o = _issue(con, "莲塘镇", R4, datetime(2023, 11, 15, 9))
    assert o.reply_by == R5
    # 步头镇 R3 order issued 10-30 → first due date ≥ 11-06 = 11-14; its R4 ledger came 11-16 → late reply
    _issue(con, "步头镇", R3, datetime(2023, 10, 30, 9))
    # 贺街镇 R3 order, same reply_by 11-14; its R4 ledger came 11-14 → replied
    _issue(con, "贺街镇", R3, datetime(2023, 10, 30, 10))

    def states(at):
        df = ao.issued_orders(con, as_of=at)
        return {u: (s, r) for u, s, r in zip(df["unit"], df["followup"], df["replied_on"])}

    assert states(R3) == {"步头镇": ("pending", None), "贺街镇": ("pending", None)}
    assert states(R4) == {"步头镇": ("overdue", None),  # 11-14 = reply_by, 步头镇's report not in yet
                          "贺街镇": ("replied", R4), "莲塘镇": ("pending", None)}
    assert states(R5) == {"步头镇": ("replied_late", date(2023, 11, 16)), "贺街镇": ("replied", R4),
                          "莲塘镇": ("overdue", None)}  # no R5 ledger from 莲塘镇
    lag = ao.lagging_units(con, as_of=R5).set_index("unit")
    assert lag.loc["莲塘镇", "followup"] == "overdue" and lag.loc["莲塘镇", "last_order_number"] == o.number
    assert lag.loc["莲塘镇", "last_order_round"] == R4 and lag.loc["莲塘镇", "last_reply_by"] == R5

    # 莲塘镇's R5 ledger arrives (filed on the due date) → 已回复
    con.execute("INSERT INTO submissions VALUES (?, '莲塘镇', ?, 99)", [R5, R5])
    assert states(R5)["莲塘镇"] == ("replied", R5)
    assert ao.lagging_units(con, as_of=R5).set_index("unit").loc["莲塘镇", "followup"] == "replied"


def test_followup_late_reply_and_the_current_round_number(con):
    o = _issue(con, "莲塘镇", R4, datetime(2023, 11, 15, 9))
    con.execute("INSERT INTO submissions VALUES (?, '莲塘镇', ?, 99)", [R5, date(2023, 11, 30)])
    assert ao.issued_orders(con, as_of=R5)["followup"].tolist() == ["overdue"]  # filed 11-30: not known at 11-29
    assert ao.issued_orders(con, as_of=AS_OF)["followup"].tolist() == ["replied_late"]  # 11-30 > 11-29
    # seen at R4 itself, the order is this round's: shown as order_number, no "last" order yet
    lag = ao.lagging_units(con, as_of=R4).set_index("unit")
    assert lag.loc["莲塘镇", "order_number"] == o.number and pd.isna(lag.loc["莲塘镇", "followup"])


def test_r2_units_without_orders_are_not_listed_as_followups(con):
    assert ao.issued_orders(con, as_of=R2).empty
