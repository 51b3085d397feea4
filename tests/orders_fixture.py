"""Additions to the fixture (tests/fixture_db.py) for the 督办单/催报/通报 tests (issue #10).

- 政企互动 in 莲塘镇's R4 filing (its latest: it missed R5) for P08:
    seq 1 raised 2023-11-01 待办理 → at R5 (11-29) open 28 days > 15 → overdue reply;
    seq 2 raised 2023-11-20 办理中 → 9 days, not overdue;  seq 3 raised 10-01 已答复 → done.
  So 莲塘镇 becomes lagging at R5 (1 overdue reply).
- 降级销号 application for P01 in 贺街镇's R5 filing: 红→绿 applied 2023-11-25, status applied,
  checklist {"construction_accepted": false, "assets_registered": true}: P01 is not sensitive, so 7 items
  apply, 1 passed, 6 missing → one checklist gap for 贺街镇.
- ``risky=True``: P01 is named =HYPERLINK("http://x","y") in every round (a formula-looking name) and
  the seq-1 诉求 of P08 reads "-10万元缺口" (starts with '-').
"""
from __future__ import annotations

from datetime import date

from ledger.state import refresh_all
from tests.fixture_db import R4, R5, fixture_connection

RISKY_NAME = '=HYPERLINK("http://x","y")'
RISKY_CONTENT = "-10万元缺口，申请协调贷款"
P01_MISSING = ["建设完成并竣工验收", "运营主体及合同落实", "投产运营", "收益及分红有佐证", "联农带农台账齐全",
               "设立共管账户"]


def add_order_cases(con, *, risky: bool = False):
    content1 = RISKY_CONTENT if risky else "冷库电费补贴诉求"
    rows = [
        (1, date(2023, 11, 1), "request", content1, "pending", None, None),
        (2, date(2023, 11, 20), "suggestion", "建议增加烘干设备", "in_progress", None, None),
        (3, date(2023, 10, 1), "request", "道路硬化", "answered", "已纳入计划", date(2023, 10, 10)),
    ]
    for seq, raised, kind, content, status, answer, answered in rows:
        con.execute(
            "INSERT INTO interactions (round_date, unit, project_code, seq, import_id, operator, raised_on, channel, "
            "kind, content, answer, answered_on, status, handler) VALUES (?,?,?,?,0,?,?,?,?,?,?,?,?,?)",
            [R4, "莲塘镇", "P08", seq, "样例合作社", raised, "面谈", kind, content, answer, answered, status,
             "区农业农村局"])
    con.execute(
        "INSERT INTO signoffs (round_date, unit, project_code, import_id, from_grade, to_grade, applied_on, status, "
        "checklist_json) VALUES (?, '贺街镇', 'P01', 0, 'red', 'green', ?, 'applied', ?)",
        [R5, date(2023, 11, 25), '{"construction_accepted": false, "assets_registered": true}'])
    if risky:
        con.execute("UPDATE progress_rows SET name = ? WHERE project_code = 'P01'", [RISKY_NAME])
        con.execute("UPDATE risk_rows SET name = ? WHERE project_code = 'P01'", [RISKY_NAME])
    refresh_all(con)  # rows written straight into the tables: derive the state as an import does
    return con


def order_connection(*, risky: bool = False):
    return add_order_cases(fixture_connection(), risky=risky)
