"""政企互动 on the fixture with hand-made rows (AS_OF 2023-11-30, reply_days 15 unless a test says otherwise).

贺街镇 files its 政企互动台账 in R4 (11-14) and again in R5 (11-29, its running ledger, replacing R4's in force);
步头镇 only in R3 (10-29), which stays in force; 大宁镇 files after AS_OF (12-14), so not yet in force.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from analytics import interactions as I
from analytics import project
from analytics.filters import Filters
from tests.fixture_db import AS_OF, R3, R4, R5, fixture_connection

# (round, unit, project, seq, raised_on, status, answer, answered_on)
ROWS = [
    (R4, "贺街镇", "P01", 1, date(2023, 10, 20), "pending", None, None),
    (R5, "贺街镇", "P01", 1, date(2023, 10, 20), "answered", "已协调用电增容", date(2023, 11, 2)),
    (R5, "贺街镇", "P01", 2, date(2023, 11, 10), "in_progress", None, None),
    (R5, "贺街镇", "P02", 3, date(2023, 11, 15), "pending", None, None),
    (R3, "步头镇", "P05", 1, date(2023, 10, 25), "pending", None, None),
    (R3, "步头镇", "P06", 2, date(2023, 10, 1), "closed", "已办结", date(2023, 10, 10)),
    (date(2023, 12, 14), "大宁镇", "P10", 1, date(2023, 12, 1), "pending", None, None),
]


def con_with_rows():
    con = fixture_connection()
    for rd, unit, code, seq, raised, status, answer, answered in ROWS:
        con.execute(
            "INSERT INTO interactions (round_date, unit, project_code, seq, import_id, operator, raised_on, channel, "
            "kind, content, answer, answered_on, status) VALUES (?, ?, ?, ?, 0, '样例合作社', ?, '面谈', 'request', "
            "'样例诉求', ?, ?, ?)", [rd, unit, code, seq, raised, answer, answered, status])
    return con


def _rows(df):
    """(unit, project, seq, status, days_open or None, overdue_reply) per row."""
    return [(r.unit, r.project_code, r.seq, r.status, None if pd.isna(r.days_open) else int(r.days_open),
             bool(r.overdue_reply)) for r in df.itertuples()]


def test_rows_in_force_with_days_open_and_overdue():
    got = I.interactions(con_with_rows(), as_of=AS_OF)
    assert list(got.columns) == I.COLUMNS
    assert _rows(got) == [   # oldest 反映日期 first
        ("步头镇", "P06", 2, "closed", None, False),        # done: no clock
        ("贺街镇", "P01", 1, "answered", None, False),      # R5's row (R4's pending one is superseded)
        ("步头镇", "P05", 1, "pending", 36, True),          # 10-25 → 11-30: 6 + 30 = 36 > 15
        ("贺街镇", "P01", 2, "in_progress", 20, True),      # 11-10 → 11-30: 20 > 15
        ("贺街镇", "P02", 3, "pending", 15, False),         # 11-15 → 11-30: 15, not more than 15
    ]
    p01 = got[got["project_code"] == "P01"].iloc[0]
    assert (p01["name"], p01["town"], p01["department"], p01["round_date"]) == (
        "贺街镇冷链物流中心", "贺街镇", "区农业农村局", R5)


def test_earlier_as_of_uses_the_rounds_then_in_force():
    # at 11-20 贺街镇's latest filing is R4: P01 seq 1 pending since 10-20 → 11 + 20 = 31 days
    got = I.interactions(con_with_rows(), as_of=date(2023, 11, 20))
    assert _rows(got) == [("步头镇", "P06", 2, "closed", None, False),
                          ("贺街镇", "P01", 1, "pending", 31, True),
                          ("步头镇", "P05", 1, "pending", 26, True)]   # 10-25 → 11-20: 6 + 20


def test_reply_days_setting_and_filters():
    con = con_with_rows()
    got = I.interactions(con, as_of=AS_OF, settings={"reply_days": 30})
    assert got[got["overdue_reply"]]["project_code"].tolist() == ["P05"]   # only 36 > 30 (20, 15 are not)
    town = I.interactions(con, as_of=AS_OF, filters=Filters(towns=("步头镇",)))
    assert town["project_code"].tolist() == ["P06", "P05"]
    region = I.interactions(con, as_of=AS_OF, filters=Filters(tiers=("region",)))   # P01: 3000 万元 → 自治区督办
    assert region[["project_code", "seq"]].values.tolist() == [["P01", 1], ["P01", 2]]
    one = I.interactions(con, as_of=AS_OF, project_code="P02")
    assert one[["project_code", "seq", "days_open"]].values.tolist() == [["P02", 3, 15]]


def test_summary_per_unit():
    got = I.interaction_summary(con_with_rows(), as_of=AS_OF)
    # 贺街镇: 3 rows (answered; 办理中 20 days; pending 15 days) → open 2, answered 1, overdue 1
    # 步头镇: 2 rows (closed; pending 36 days) → open 1, answered 1, overdue 1; tie on overdue, more open first
    assert got.to_dict("records") == [
        {"unit": "贺街镇", "total": 3, "open": 2, "answered": 1, "overdue_reply": 1},
        {"unit": "步头镇", "total": 2, "open": 1, "answered": 1, "overdue_reply": 1},
    ]
    assert (got["open"] + got["answered"] == got["total"]).all()


def test_empty_and_in_project_detail():
    con = fixture_connection()
    assert I.interactions(con, as_of=AS_OF).empty
    empty = I.interaction_summary(con, as_of=AS_OF)
    assert empty.empty and list(empty.columns) == ["unit", "total", "open", "answered", "overdue_reply"]
    d = project.project_detail(con_with_rows(), as_of=AS_OF, project_code="P01")
    assert [(r.seq, r.status, None if pd.isna(r.answer) else r.answer) for r in d["interactions"].itertuples()] == [
        (1, "answered", "已协调用电增容"), (2, "in_progress", None)]
