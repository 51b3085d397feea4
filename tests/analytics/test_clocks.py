"""Clocks (DOMAIN §6) on the fixture, every expected value worked out by hand."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import clocks as ck
from analytics.filters import Filters
from ledger import db
from tests.fixture_db import AS_OF, R1, R2, R3, R4, R5, fixture_connection
from ledger.state import refresh_all

D = date
KEY = ["project_code", "episode_no", "kind", "start", "due", "met_on", "status", "days_left", "days_overdue",
       "due_within_warn"]


def _na(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def records(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    return [tuple(_na(v) for v in row) for row in df[cols].itertuples(index=False)]


@pytest.fixture(scope="module")
def con():
    return fixture_connection()


def test_add_months_clamps_to_month_end():
    assert ck.add_months(D(2023, 10, 31), 1) == D(2023, 11, 30)   # November has 30 days
    assert ck.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)     # 2024 is a leap year
    assert ck.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert ck.add_months(D(2023, 11, 10), 3) == D(2024, 2, 10)    # across the year end
    assert ck.add_months(D(2023, 9, 20), 1) == D(2023, 10, 20)


def test_episodes_fixture(con):
    got = records(ck.episodes(con, as_of=AS_OF), ck.EPISODE_COLUMNS)
    assert got == [
        # P01 红 R1..R5, 认定 09-20, still open
        ("P01", 1, "red", R1, D(2023, 9, 20), None, None),
        # P02 new in R4 as 黄, 认定 10-31
        ("P02", 1, "yellow", R4, D(2023, 10, 31), None, None),
        # P03 红 R1-R2 (认定 09-25), 绿 at R3
        ("P03", 1, "red", R1, D(2023, 9, 25), R3, R3),
        # P04 黄 with no 认定日期: max(default 10-15, R1 09-29) = 10-15; 绿 at R4
        ("P04", 1, "yellow", R1, D(2023, 10, 15), R4, R4),
        # P05 黄 R1 (认定 09-26), 绿 R2-R3, 红 R4 (认定 11-10)
        ("P05", 1, "yellow", R1, D(2023, 9, 26), R2, R2),
        ("P05", 2, "red", R4, D(2023, 11, 10), None, None),
        # P08 红 R1..R4 (莲塘镇 missed R5), 认定 09-28
        ("P08", 1, "red", R1, D(2023, 9, 28), None, None),
    ]


def test_clocks_fixture_whole_records(con):
    got = records(ck.clocks(con, as_of=AS_OF), KEY)
    assert got == [
        # P01 red_1m: 09-20 + 1 month = 10-20; no task done, no 实质性进展, still red → overdue,
        #   as_of − due = 11 (rest of Oct) + 30 (Nov) = 41 days
        ("P01", 1, "red_1m", D(2023, 9, 20), D(2023, 10, 20), None, "overdue", None, 41, False),
        # P01 red_3m: 09-20 + 3 months = 12-20; 建而不成 and op_status 未运营 every round → pending,
        #   12-20 − 11-30 = 20 days left (> warn 7)
        ("P01", 1, "red_3m", D(2023, 9, 20), D(2023, 12, 20), None, "pending", 20, None, False),
        # P02 yellow_1m: 10-31 + 1 month = 11-30 (clamped) = AS_OF; its one task is 推进中 → pending, 0 days
        ("P02", 1, "yellow_1m", D(2023, 10, 31), D(2023, 11, 30), None, "pending", 0, None, True),
        # P03 red_1m: due 10-25; met by turning 绿 at R3 10-29 → late by 4 days
        ("P03", 1, "red_1m", D(2023, 9, 25), D(2023, 10, 25), R3, "late", None, 4, False),
        # P03 red_3m: due 12-25; 成而不用, op_status 闲置 at R1/R2, 正常运营 at R3 (and 绿) → 10-29 on time
        ("P03", 1, "red_3m", D(2023, 9, 25), D(2023, 12, 25), R3, "on_time", None, None, False),
        # P04 yellow_1m: default start 10-15 → due 11-15; 绿 at R4 11-14 → on time
        ("P04", 1, "yellow_1m", D(2023, 10, 15), D(2023, 11, 15), R4, "on_time", None, None, False),
        # P05 episode 1 yellow_1m: 09-26 → due 10-26; 绿 at R2 10-14 → on time
        ("P05", 1, "yellow_1m", D(2023, 9, 26), D(2023, 10, 26), R2, "on_time", None, None, False),
        # P05 episode 2 red_1m: 11-10 → due 12-10; task done 11-20 (≥ 11-10) → on time
        ("P05", 2, "red_1m", D(2023, 11, 10), D(2023, 12, 10), D(2023, 11, 20), "on_time", None, None, False),
        # P05 red_3m: 11-10 + 3 months = 2024-02-10; 用而不好 but R4 row has revenue 8 > 0 and 12 households
        #   → met at R4 11-14 (the fixture's data, not its story) → on time
        ("P05", 2, "red_3m", D(2023, 11, 10), D(2024, 2, 10), R4, "on_time", None, None, False),
        # P08 red_1m: 09-28 → due 10-28; task done 10-10 beats 实质性进展 at R2 10-14 → on time
        ("P08", 1, "red_1m", D(2023, 9, 28), D(2023, 10, 28), D(2023, 10, 10), "on_time", None, None, False),
        # P08 red_3m: no 三不 problem ([A]: only turning 绿 meets it) → pending, 12-28 − 11-30 = 28 days
        ("P08", 1, "red_3m", D(2023, 9, 28), D(2023, 12, 28), None, "pending", 28, None, False),
    ]


def test_clock_identity_columns(con):
    c = ck.clocks(con, as_of=AS_OF)
    assert list(c.columns) == ck.CLOCK_COLUMNS
    p05 = c[c.project_code == "P05"].iloc[0]
    assert (p05["name"], p05["town"], p05["department"], p05["unit"], p05["tier"], p05["grade"]) == (
        "步头镇扶贫车间", "步头镇", "区农业农村局", "步头镇", "district", "red")


def test_clocks_are_a_pure_function_of_as_of(con):
    # at R2 (10-14): P05's task done 11-20 does not exist yet; P05 episode 2 has not started
    got = records(ck.clocks(con, as_of=R2), KEY)
    assert got == [
        # P01 due 10-20, 6 days left (≤ 7 → warning)
        ("P01", 1, "red_1m", D(2023, 9, 20), D(2023, 10, 20), None, "pending", 6, None, True),
        ("P01", 1, "red_3m", D(2023, 9, 20), D(2023, 12, 20), None, "pending", 67, None, False),  # 17+30+20
        ("P03", 1, "red_1m", D(2023, 9, 25), D(2023, 10, 25), None, "pending", 11, None, False),
        ("P03", 1, "red_3m", D(2023, 9, 25), D(2023, 12, 25), None, "pending", 72, None, False),  # 17+30+25
        # P04 default start 10-15 is after as_of 10-14 → no clock yet
        ("P05", 1, "yellow_1m", D(2023, 9, 26), D(2023, 10, 26), R2, "on_time", None, None, False),
        ("P08", 1, "red_1m", D(2023, 9, 28), D(2023, 10, 28), D(2023, 10, 10), "on_time", None, None, False),
        ("P08", 1, "red_3m", D(2023, 9, 28), D(2023, 12, 28), None, "pending", 75, None, False),  # 17+30+28
    ]


def test_each_clock_has_exactly_one_status_and_consistent_days(con):
    for as_of in (R1, R2, R3, R4, R5, AS_OF, D(2024, 3, 1)):
        c = ck.clocks(con, as_of=as_of)
        assert c["status"].isin(ck.STATUSES).all()
        assert not c.duplicated(["project_code", "episode_no", "kind", "start"]).any()
        pend = c["status"] == "pending"
        assert c.loc[pend, "days_left"].notna().all() and c.loc[~pend, "days_left"].isna().all()
        assert c.loc[c.status.isin(["late", "overdue"]), "days_overdue"].gt(0).all()
        assert c.loc[c.status.isin(["on_time", "pending"]), "days_overdue"].isna().all()
        assert (c["met_on"].isna() == c["status"].isin(["overdue", "pending"])).all()


def test_clock_rollup_by_unit(con):
    r = ck.clock_rollup(con, as_of=AS_OF, by="unit")
    got = {row.unit: (row.on_time, row.late, row.overdue, row.pending, row.total, _na(row.on_time_rate))
           for row in r.itertuples()}
    assert got == {
        # 贺街镇: P03 red_3m, P04 → 2 on time; P03 red_1m late; P01 red_1m overdue; P01 red_3m, P02 pending
        #   rate 2 / (2 + 1 + 1) = 0.5
        "贺街镇": (2, 1, 1, 2, 6, 0.5),
        "步头镇": (3, 0, 0, 0, 3, 1.0),     # P05 three clocks on time: 3/3
        "莲塘镇": (1, 0, 0, 1, 2, 1.0),     # P08 red_1m on time, red_3m pending: 1/1
        "大宁镇": (0, 0, 0, 0, 0, None),    # no clock → no rate
        "南乡镇": (0, 0, 0, 0, 0, None),
        "区商务局": (0, 0, 0, 0, 0, None),
    }
    # invariant: the four statuses add up to total
    assert (r.on_time + r.late + r.overdue + r.pending == r.total).all()


def test_clock_rollup_by_department_and_whitelist(con):
    r = ck.clock_rollup(con, as_of=AS_OF, by="department").set_index("department")
    # 区农业农村局: P01 (overdue, pending), P02 (pending), P05 (3 on time), P08 (on time, pending)
    assert tuple(r.loc["区农业农村局", ["on_time", "late", "overdue", "pending", "total"]]) == (4, 0, 1, 3, 8)
    assert r.loc["区农业农村局", "on_time_rate"] == pytest.approx(4 / 5)
    # 区林业局: P03 late + on time → 1/2
    assert tuple(r.loc["区林业局", ["on_time", "late", "overdue", "pending", "total"]]) == (1, 1, 0, 0, 2)
    with pytest.raises(ValueError):
        ck.clock_rollup(con, as_of=AS_OF, by="name; DROP TABLE tasks")


def test_clocks_filters(con):
    c = ck.clocks(con, as_of=AS_OF, filters=Filters(towns=("莲塘镇",)))
    assert sorted(set(c.project_code)) == ["P08"]
    c = ck.clocks(con, as_of=AS_OF, filters=Filters(tiers=("region",)))
    assert list(c.kind) == ["red_1m", "red_3m"] and set(c.project_code) == {"P01"}


def test_task_progress_and_tasks_of(con):
    t = ck.task_progress(con, as_of=AS_OF)
    assert records(t, ["project_code", "grade", "tasks", "done", "in_progress", "not_started", "overdue_tasks",
                       "done_share"]) == [
        # P01: task 1 推进中 due 12-20, task 2 未开始 due 11-20 < 11-30 → 1 overdue task
        ("P01", "red", 2, 0, 1, 1, 1, 0.0),
        # P02: 1 task 推进中 due 11-30, not < as_of → not overdue
        ("P02", "yellow", 1, 0, 1, 0, 0, 0.0),
        ("P05", "red", 1, 1, 0, 0, 0, 1.0),
        ("P08", "red", 1, 1, 0, 0, 0, 1.0),
    ]
    # P04 is 绿 now and never had tasks; P03 is 绿: neither listed
    tk = ck.tasks_of(con, as_of=AS_OF, project_code="P01")
    assert records(tk, ["round_date", "task_seq", "measure", "due_on", "status", "done_on"]) == [
        (R5, 1, "完成主体工程建设", D(2023, 12, 20), "in_progress", None),
        (R5, 2, "落实运营主体", D(2023, 11, 20), "not_started", None),
    ]
    # P08 at R3: latest task list ≤ R3 is the R3 one
    assert records(ck.tasks_of(con, as_of=R3, project_code="P08"), ["round_date", "task_seq", "done_on"]) == [
        (R3, 1, D(2023, 10, 10))]
    assert ck.tasks_of(con, as_of=R1, project_code="P08").empty


# ---- a tiny ledger for the rules the fixture does not exercise ----------------------------------------

def tiny(rows, *, progress=None, tasks=()):
    """rows: (round_date, code, grade, graded_on, problems); progress: {(round, code): (op_status, revenue, hh, substantive)}."""
    con = db.connect(":memory:")
    db.apply_schema(con)
    progress = progress or {}
    for rd in sorted({r[0] for r in rows}):
        con.execute("INSERT INTO rounds VALUES (?)", [rd])
        con.execute("INSERT INTO submissions VALUES (?, '贺街镇', ?, 1)", [rd, rd])
    for rd, code, grade, graded_on, probs in rows:
        ops, rev, hh, sub = progress.get((rd, code), ("not_operating", 0, 0, False))
        con.execute("INSERT INTO progress_rows (round_date, unit, project_code, import_id, name, town, department, "
                    "op_status, substantive_progress) VALUES (?, '贺街镇', ?, 1, ?, '贺街镇', '区农业农村局', ?, ?)",
                    [rd, code, code, ops, sub])
        con.execute("INSERT INTO risk_rows (round_date, unit, project_code, import_id, name, problems, grade, "
                    "graded_on, revenue_wan, households) VALUES (?, '贺街镇', ?, 1, ?, ?, ?, ?, ?, ?)",
                    [rd, code, code, probs, grade, graded_on, rev, hh])
    for rd, code, seq, status, done_on in tasks:
        con.execute("INSERT INTO tasks (round_date, unit, project_code, task_seq, import_id, measure, status, done_on) "
                    "VALUES (?, '贺街镇', ?, ?, 1, 'x', ?, ?)", [rd, code, seq, status, done_on])
    refresh_all(con)  # rows written straight into the tables: derive the state as an import does
    return con


def test_february_due_date_and_deadline_on_as_of():
    a, b = D(2024, 1, 29), D(2024, 2, 14)
    con = tiny([(a, "X1", "yellow", D(2024, 1, 31), ["not_accepted"]), (b, "X1", "yellow", D(2024, 1, 31), ["not_accepted"])])
    # 2024-01-31 + 1 month = 2024-02-29 (leap year); as_of = due → pending, 0 days left, warned
    got = records(ck.clocks(con, as_of=D(2024, 2, 29)), KEY)
    assert got == [("X1", 1, "yellow_1m", D(2024, 1, 31), D(2024, 2, 29), None, "pending", 0, None, True)]
    # one day later it is overdue by 1
    got = records(ck.clocks(con, as_of=D(2024, 3, 1)), KEY)
    assert got == [("X1", 1, "yellow_1m", D(2024, 1, 31), D(2024, 2, 29), None, "overdue", None, 1, False)]
    con = tiny([(D(2023, 1, 29), "X2", "yellow", D(2023, 1, 31), [])])
    # 2023-01-31 + 1 month = 2023-02-28; 8 days before: 2023-02-20 → 8 left, just beyond warn 7
    got = records(ck.clocks(con, as_of=D(2023, 2, 20)), KEY)
    assert got == [("X2", 1, "yellow_1m", D(2023, 1, 31), D(2023, 2, 28), None, "pending", 8, None, False)]


def test_red_to_yellow_inside_an_episode():
    r1, r2, r3, r4 = D(2023, 10, 14), D(2023, 10, 29), D(2023, 11, 14), D(2023, 11, 29)
    con = tiny(
        [(r1, "X", "red", D(2023, 10, 10), ["finished_not_used"]),
         (r2, "X", "yellow", D(2023, 10, 27), ["not_accepted"]),      # red→黄, fresh 认定 10-27 (> r1)
         (r3, "X", "yellow", D(2023, 10, 27), ["not_accepted"]),
         (r4, "X", "yellow", D(2023, 10, 27), ["not_accepted"])],
        progress={(r3, "X"): ("trial", 0, 0, False), (r4, "X"): ("normal", 0, 0, False)},
        tasks=[(r4, "X", 1, "done", D(2023, 11, 25)), (r4, "X", 2, "done", D(2023, 11, 28))],
    )
    got = records(ck.clocks(con, as_of=D(2023, 11, 30)), KEY)
    assert got == [
        # red_1m 10-10 → due 11-10; the red segment ends at the yellow round 10-29 → on time
        ("X", 1, "red_1m", D(2023, 10, 10), D(2023, 11, 10), r2, "on_time", None, None, False),
        # red_3m due 2024-01-10; at 10-29 still 未运营 → keeps running; 试运营 at r3 11-14 → met then
        ("X", 1, "red_3m", D(2023, 10, 10), D(2024, 1, 10), r3, "on_time", None, None, False),
        # yellow_1m starts at the yellow row's 认定 10-27 → due 11-27; all tasks done, latest 11-28 → late 1 day
        ("X", 1, "yellow_1m", D(2023, 10, 27), D(2023, 11, 27), D(2023, 11, 28), "late", None, 1, False),
    ]
    # as of 11-26 the task list of the 11-29 round is not known yet → pending, 1 day left
    got = records(ck.clocks(con, as_of=D(2023, 11, 26)), KEY)
    assert got[2] == ("X", 1, "yellow_1m", D(2023, 10, 27), D(2023, 11, 27), None, "pending", 1, None, True)


def test_yellow_after_red_without_fresh_date_starts_at_round_and_used_not_well_needs_both():
    r1, r2, r3 = D(2023, 10, 14), D(2023, 10, 29), D(2023, 11, 14)
    con = tiny(
        [(r1, "X", "red", None, ["used_not_well"]),
         (r2, "X", "red", None, ["used_not_well"]),
         (r3, "X", "yellow", None, [])],
        progress={(r2, "X"): ("normal", 5, 0, True),   # revenue but no households → not 用好; 实质性进展
                  (r3, "X"): ("normal", 5, 0, False)},
    )
    got = records(ck.clocks(con, as_of=D(2023, 11, 30)), KEY)
    assert got == [
        # no 认定日期: max(10-15, 10-14) = 10-15 → due 11-15; 实质性进展 at r2 10-29 → on time
        ("X", 1, "red_1m", D(2023, 10, 15), D(2023, 11, 15), r2, "on_time", None, None, False),
        # red_3m due 2024-01-15: households 0 at r2 and r3 → not met, pending 46 days (1 + 31 + 14)
        ("X", 1, "red_3m", D(2023, 10, 15), D(2024, 1, 15), None, "pending", 46, None, False),
        # yellow row without 认定 → starts at its round 11-14, due 12-14, 14 days left
        ("X", 1, "yellow_1m", r3, D(2023, 12, 14), None, "pending", 14, None, False),
    ]


def test_by_urgency_orders_overdue_longest_first_then_pending_soonest():
    import pandas as pd

    rows = [  # (project, kind, status, due, days_left, days_overdue)
        ("A", "red_1m", "late", D(2023, 10, 1), None, 4),
        ("B", "red_1m", "pending", D(2023, 12, 5), 5, None),
        ("C", "red_3m", "overdue", D(2023, 11, 27), None, 3),
        ("D", "yellow_1m", "pending", D(2023, 11, 30), 0, None),
        ("E", "red_1m", "overdue", D(2023, 11, 10), None, 20),
        ("F", "red_1m", "on_time", D(2023, 9, 1), None, None),
    ]
    df = pd.DataFrame(rows, columns=["project_code", "kind", "status", "due", "days_left", "days_overdue"])
    df["days_left"], df["days_overdue"] = df["days_left"].astype("Int64"), df["days_overdue"].astype("Int64")
    # overdue 20 d (E) before 3 d (C); pending 0 d left (D) before 5 d (B); then late (A), on time (F)
    assert list(ck.by_urgency(df)["project_code"]) == ["E", "C", "D", "B", "A", "F"]



def test_clocks_by_urgency_fixture(con):
    # the eleven clocks of test_clocks_fixture_whole_records at AS_OF, most urgent first: overdue P01 red_1m
    # (41 days); pending by days left: P02 yellow_1m 0, P01 red_3m 20, P08 red_3m 28; then late P03 red_1m
    # (due 10-25); then on time by due date: P05 y 10-26, P08 r1 10-28, P04 11-15, P05 r1 12-10, P03 r3
    # 12-25, P05 r3 2024-02-10
    got = [(r.project_code, r.kind) for r in ck.clocks_by_urgency(con, as_of=AS_OF).itertuples()]
    assert got == [("P01", "red_1m"), ("P02", "yellow_1m"), ("P01", "red_3m"), ("P08", "red_3m"),
                   ("P03", "red_1m"), ("P05", "yellow_1m"), ("P08", "red_1m"), ("P04", "yellow_1m"),
                   ("P05", "red_1m"), ("P03", "red_3m"), ("P05", "red_3m")]
    pending = ck.clocks_by_urgency(con, as_of=AS_OF, status="pending")
    assert pending["project_code"].tolist() == ["P02", "P01", "P08"] and set(pending["status"]) == {"pending"}
    assert ck.clocks_by_urgency(con, as_of=AS_OF, status="overdue")["days_overdue"].tolist() == [41]

def test_overdue_projects_fixture(con):
    # at AS_OF (11-30) the only 逾期未完成 clock is P01 red_1m (due 10-20, above); its red_3m is pending
    assert ck.overdue_projects(con, as_of=AS_OF)["project_code"].tolist() == ["P01"]
    # at R2 (10-14) P01 red_1m is not due yet (10-20): no project is overdue
    assert ck.overdue_projects(con, as_of=R2)["project_code"].tolist() == []
    # the filter applies: P01 is 区农业农村局's, so 区林业局 has none
    assert ck.overdue_projects(con, as_of=AS_OF, filters=Filters(departments=("区林业局",))).empty


def test_overdue_projects_are_the_clocks_overdue_projects_at_every_round(sample_con):
    rounds = [r[0] for r in sample_con.execute("SELECT round_date FROM rounds ORDER BY 1").fetchall()]
    seen = 0
    for rd in rounds:
        clk = ck.clocks(sample_con, as_of=rd)
        want = sorted(set(clk.loc[clk["status"] == "overdue", "project_code"]))
        assert ck.overdue_projects(sample_con, as_of=rd)["project_code"].tolist() == want, rd
        seen += len(want)
    assert seen > 0   # the sample has overdue projects in some round
