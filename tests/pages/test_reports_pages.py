"""Report buttons (issue #10): 督办单 on 整改进度, 催报 on 填报情况, 通报 and the meeting pack on
单位排名与奖惩. Each test writes only to its own copy of the fixture database (own_db)."""
from __future__ import annotations

from datetime import date

from ledger import db
from tests.fixture_db import R5

from .conftest import app_at, assert_ok


def _orders(path):
    con = db.connect(path, read_only=True)
    try:
        return con.execute("SELECT unit, round_date, seq, issued_by FROM orders ORDER BY seq").fetchall()
    finally:
        con.close()


def _downloads(at, prefix):
    """The download buttons dl_<prefix>_0, _1, … the report section offers."""
    out = []
    while True:
        try:
            out.append(at.download_button(key=f"dl_{prefix}_{len(out)}"))
        except KeyError:
            return out


def test_issue_one_order_from_the_remediation_page(own_db):
    at = app_at("4_整改进度.py")
    assert_ok(at)
    # R5 is the default round; the table lists 步头镇 and 贺街镇 (plain fixture)
    assert at.selectbox(key="order_unit").options == ["全部需督办单位（2个，打包 .zip）", "步头镇", "贺街镇"]
    at.selectbox(key="order_unit").set_value("贺街镇")
    at.text_input(key="order_by").set_value("王五")
    at.date_input(key="order_reply_by").set_value(date(2023, 12, 14))
    at.button(key="gen_orders").click().run()
    assert_ok(at)
    assert _orders(own_db) == [("贺街镇", R5, 1, "王五")]
    assert any("贺街镇 八步专班督〔" in s.value for s in at.success)
    labels = [b.proto.label for b in _downloads(at, "orders")]
    assert [lbl.rsplit(".", 1)[1] for lbl in labels] == ["xlsx", "html", "pdf"]
    assert all("督办单_2023-11-29_贺街镇_八步专班督〔" in lbl for lbl in labels)
    # next run: the unit's row shows this round's number (the table of units to supervise)
    at.run()
    assert_ok(at)
    units = next(d.value for d in at.dataframe if "本期督办单" in d.value.columns)
    assert units.set_index("单位").loc["贺街镇", "本期督办单"].startswith("八步专班督〔")


def test_issue_all_lagging_units_as_zip(own_db):
    at = app_at("4_整改进度.py")
    at.button(key="gen_orders").click().run()
    assert_ok(at)
    assert [u for u, *_ in _orders(own_db)] == ["步头镇", "贺街镇"]
    [dl] = _downloads(at, "orders")
    assert dl.proto.label == "下载 督办单_2023-11-29_2个单位.zip"


def test_chase_list_on_the_submissions_page(own_db):
    at = app_at("6_填报情况.py")
    assert_ok(at)
    codes = [c.value for c in at.code]
    assert [c.strip() for c in codes] == ["单位\t情况\t逾期天数\t本年逾期或未报次数\n莲塘镇\t未报\t0\t1"]
    at.button(key="gen_chase").click().run()
    assert_ok(at)
    assert [b.proto.label for b in _downloads(at, "chase")] == [
        "下载 催报名单_2023-11-29.xlsx", "下载 催报名单_2023-11-29.txt", "下载 催报名单_2023-11-29.html"]


def test_bulletin_and_pack_on_the_ranking_page(own_db):
    at = app_at("5_单位排名与奖惩.py")
    assert_ok(at)
    at.button(key="gen_bulletin").click().run()
    assert_ok(at)
    assert [b.proto.label for b in _downloads(at, "bulletin")] == [
        "下载 通报_2023-11-29.xlsx", "下载 通报_2023-11-29.html", "下载 通报_2023-11-29.pdf"]
    at.button(key="gen_pack").click().run()
    assert_ok(at)
    [dl] = _downloads(at, "pack")
    assert dl.proto.label == "下载 专题会材料_2023-11-29_全部.zip"
    assert _orders(own_db) == []  # reports do not issue orders
