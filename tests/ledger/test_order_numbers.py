"""督办单 numbers (ledger/orders.py): 八步专班督〔YYYY〕N号 without gaps or repeats, also when two sessions
(threads of one process) or two processes issue at the same time; bad input changes nothing."""
from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date, datetime

import duckdb
import pytest

from ledger import db
from ledger.orders import issue_orders, order_number
from tests.fixture_db import R3, R4, R5, build_fixture, fixture_connection

REPLY = date(2023, 12, 14)
ROOT = db.ROOT


def _rows(con):
    return con.execute("SELECT year, seq, number, unit, round_date, issued_by FROM orders ORDER BY year, seq").fetchall()


def test_numbers_count_up_and_reprints_keep_theirs():
    con = fixture_connection()
    at = datetime(2023, 11, 30, 9, 0)
    first = issue_orders(con, round_date=R5, units=["贺街镇", "步头镇"], reply_by=REPLY, issued_by="张三", at=at,
                         note="@请于一周内报告")
    assert [(o.number, o.unit, o.new) for o in first] == [("八步专班督〔2023〕1号", "贺街镇", True),
                                                         ("八步专班督〔2023〕2号", "步头镇", True)]
    again = issue_orders(con, round_date=R5, units=["步头镇", "莲塘镇"], reply_by=date(2023, 12, 29),
                         issued_by="李四", at=datetime(2023, 12, 1, 8))
    # 步头镇 already had its R5 order: same number, same reply-by and issuer; 莲塘镇 gets the next number
    assert [(o.number, o.unit, o.new, o.reply_by, o.issued_by) for o in again] == [
        ("八步专班督〔2023〕2号", "步头镇", False, REPLY, "张三"),
        ("八步专班督〔2023〕3号", "莲塘镇", True, date(2023, 12, 29), "李四")]
    # the same unit for another round is a new order; a new year starts again at 1
    r4 = issue_orders(con, round_date=R4, units=["贺街镇"], reply_by=REPLY, issued_by="张三", at=at)
    y24 = issue_orders(con, round_date=R3, units=["贺街镇"], reply_by=REPLY, issued_by="张三",
                       at=datetime(2024, 1, 2, 9))
    assert (r4[0].number, y24[0].number) == ("八步专班督〔2023〕4号", "八步专班督〔2024〕1号")
    assert [(y, s) for y, s, *_ in _rows(con)] == [(2023, 1), (2023, 2), (2023, 3), (2023, 4), (2024, 1)]
    note = con.execute("SELECT note FROM orders WHERE unit = '贺街镇' AND round_date = ?", [R5]).fetchone()[0]
    assert note == "@请于一周内报告"
    assert order_number(2024, 12) == "八步专班督〔2024〕12号"


@pytest.mark.parametrize("kwargs, message", [
    ({"units": []}, "请选择"),
    ({"issued_by": " "}, "签发人"),
    ({"reply_by": date(2023, 11, 1)}, "回复期限"),
    ({"round_date": date(2023, 11, 28)}, "没有报送期次"),
])
def test_bad_input_is_refused_and_nothing_is_written(kwargs, message):
    con = fixture_connection()
    issue_orders(con, round_date=R4, units=["贺街镇"], reply_by=REPLY, issued_by="张三", at=datetime(2023, 11, 15))
    before = _rows(con)
    args = {"round_date": R5, "units": ["步头镇"], "reply_by": REPLY, "issued_by": "张三",
            "at": datetime(2023, 11, 30), **kwargs}
    with pytest.raises(ValueError, match=message):
        issue_orders(con, **args)
    assert _rows(con) == before
    issue_orders(con, round_date=R5, units=["步头镇"], reply_by=REPLY, issued_by="张三", at=datetime(2023, 11, 30))
    assert [s for _, s, *_ in _rows(con)] == [1, 2]  # no number was burnt by the refused call


def test_a_failure_mid_batch_rolls_back_the_whole_batch():
    con = fixture_connection()
    # a hand-made row (seq 1) that already carries the number the batch's second order will get (3号)
    con.execute("INSERT INTO orders VALUES (1, 2023, 1, '八步专班督〔2023〕3号', '区商务局', ?, ?, ?, 'x', NULL, '{}')",
                [R4, REPLY, datetime(2023, 11, 15)])
    before = _rows(con)
    with pytest.raises(duckdb.ConstraintException):
        # 贺街镇 gets 2号 (inserted), 步头镇 3号 → UNIQUE (number) violated → the whole batch rolls back
        issue_orders(con, round_date=R5, units=["贺街镇", "步头镇"], reply_by=REPLY, issued_by="张三",
                     at=datetime(2023, 11, 30))
    assert _rows(con) == before


def _file_db(tmp_path):
    p = tmp_path / "orders.duckdb"
    con = db.connect(p)
    build_fixture(con)
    con.close()
    return p


def test_two_sessions_issuing_at_once_get_distinct_consecutive_numbers(tmp_path):
    # two threads, each with its own cursor on the process's connection (the dashboard's model), release
    # together and issue 15 orders each, one call per order
    con = db.connect(_file_db(tmp_path))
    start = threading.Barrier(2)
    errors = []

    def session(name):
        cur = db.cursor(con)
        start.wait()
        try:
            for i in range(15):
                issue_orders(cur, round_date=R5, units=[f"{name}-{i}"], reply_by=REPLY, issued_by=name,
                             at=datetime(2023, 11, 30, 9))
        except Exception as e:  # noqa: BLE001 - any failure of a session is reported below
            errors.append(e)
        finally:
            cur.close()

    threads = [threading.Thread(target=session, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = _rows(con)
    assert [s for _, s, *_ in rows] == list(range(1, 31))  # 1..30: no gap, no repeat
    assert len({n for _, _, n, *_ in rows}) == 30
    assert sorted(by for *_, by in rows).count("甲") == 15
    con.close()


# Each process: one open per order, as the CLI does, so the file lock passes back and forth between them.
# (A plain `python -c` child: multiprocessing's spawn would re-run whatever __main__ is, e.g. an AppTest
# script left behind by a page test.)
_CHILD = """
import sys
from datetime import date, datetime
from ledger import db
from ledger.orders import issue_orders
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    con = db.connect(path, wait=600)
    try:
        issue_orders(con, round_date=date(2023, 11, 29), units=[f"{name}-{i}"], reply_by=date(2023, 12, 14),
                     issued_by=name, at=datetime(2023, 11, 30, 9))
    finally:
        con.close()
"""


def test_two_processes_issuing_at_once_get_distinct_consecutive_numbers(tmp_path):
    path = str(_file_db(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, path, n, "4"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in ("甲", "乙")]
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e.decode(errors="replace")[-500:] for _, e in outs]
    con = db.connect(path, read_only=True)
    rows = _rows(con)
    con.close()
    assert [s for _, s, *_ in rows] == list(range(1, 9))
    assert sorted(u for _, _, _, u, *_ in rows) == sorted([f"甲-{i}" for i in range(4)] + [f"乙-{i}" for i in range(4)])
