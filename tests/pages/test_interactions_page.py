"""政企互动 on the pages: a fixture project's 诉求 on 项目详情, the per-unit block on 填报情况."""
from __future__ import annotations

from datetime import date

from ledger import db
from tests.fixture_db import R5
from tests.pages.conftest import app_at, assert_ok


def _insert(path):
    """P01 (贺街镇, R5): one answered 诉求, one 建议 办理中 since 11-10 (as of R5 = 11-29: 19 days > 15)."""
    con = db.connect(path)
    con.executemany(
        "INSERT INTO interactions (round_date, unit, project_code, seq, import_id, operator, raised_on, channel, kind, "
        "content, answer, answered_on, status, handler) VALUES (?, '贺街镇', 'P01', ?, 0, '贺街冷链公司（样例）', ?, ?, ?, ?, "
        "?, ?, ?, '区农业农村局')",
        [[R5, 1, date(2023, 11, 1), "面谈", "request", "申请冷库用电增容", "已协调供电所增容", date(2023, 11, 8), "answered"],
         [R5, 2, date(2023, 11, 10), "座谈会", "suggestion", "建议开通冷链专线", None, None, "in_progress"]])
    con.close()


def test_project_page_shows_the_operators_interactions(own_db):
    _insert(own_db)
    at = app_at("7_项目详情.py")
    at.text_input(key="detail_q").set_value("冷链").run()
    assert_ok(at)
    assert any(s.value == "政企互动（企业诉求与答复）" for s in at.subheader)
    df = next(d.value for d in at.dataframe if "答复情况" in d.value.columns)
    assert df["内容"].tolist() == ["申请冷库用电增容", "建议开通冷链专线"]
    assert df["类型"].tolist() == ["诉求", "建议"]
    assert df["办理状态"].tolist() == ["已答复", "办理中"]
    assert df["答复情况"].tolist()[0] == "已协调供电所增容"
    assert df["逾期未答复"].tolist() == ["否", "是"]       # 11-10 → 11-29: 19 days > 15


def test_submissions_page_lists_open_requests(own_db):
    _insert(own_db)
    at = app_at("6_填报情况.py")
    assert_ok(at)
    summary = next(d.value for d in at.dataframe if "诉求建议数" in d.value.columns)
    assert summary.to_dict("records") == [
        {"单位": "贺街镇", "诉求建议数": 1 + 1, "未答复": 1, "已答复": 1, "逾期未答复": 1}]
    late = next(d.value for d in at.dataframe if "已办理天数" in d.value.columns)
    assert late[["项目编号", "内容", "办理状态", "已办理天数"]].values.tolist() == [["P01", "建议开通冷链专线", "办理中", 19]]
