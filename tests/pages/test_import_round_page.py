"""数据导入 page, a whole round (issue #9): a .zip of several files, a unit asked for when a file has no
填报单位, an odd header mapped and stored for the unit, the round's missing units, template downloads."""
from __future__ import annotations

import io
import zipfile

from ledger import db, intake
from ledger import templates as T
from tests.ledger.test_intake import flat_book, mixed_book
from tests.pages.conftest import app_at, assert_ok
from tests.pages.test_import_page import _app_con, blank_db  # noqa: F401  (fixture)

ZIP = "application/zip"


def _zip(tmp_path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("一期/贺街镇.xlsx", flat_book(tmp_path / "a.xlsx").read_bytes())
        z.writestr("一期/汇总.xlsx", mixed_book(tmp_path / "b.xlsx").read_bytes())
    return buf.getvalue()


def _preview(at):
    return at.dataframe[0].value


def test_zip_round_asks_for_the_unknown_unit_then_imports_both(blank_db, tmp_path):  # noqa: F811
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(("2024-01-14.zip", _zip(tmp_path), ZIP))
    at.run()
    assert_ok(at)
    prev = _preview(at)
    # members in name order (汇总 U+6C47 before 贺 U+8D3A); 贺街镇's unit comes from its file name
    assert prev[["文件", "结果", "填报单位", "单位来源", "有效行"]].values.tolist() == [
        ["汇总.xlsx", "单位不明", "", "各行分属2个乡镇、2个主管部门", 0],
        ["贺街镇.xlsx", "可导入", "贺街镇", "文件名", 3]]
    # the round's missing units: 15 乡镇(街道) − 贺街镇 = 14
    assert any(i.value.startswith("2024-01-14 期未报送（14 个单位）") for i in at.info)
    assert at.button(key="confirm_import").label == "确认导入 1 个文件"
    box = at.selectbox(key="unit_for_0")
    assert "区工作专班" in box.options
    box.set_value("区工作专班").run()
    assert_ok(at)
    assert _preview(at)[["结果", "填报单位", "单位来源"]].values.tolist()[0] == ["可导入", "区工作专班", "参数"]
    at.button(key="confirm_import").click().run()
    assert_ok(at)
    assert any("已导入 2 个文件" in s.value for s in at.success)
    assert _app_con().execute("SELECT unit FROM submissions ORDER BY unit").fetchall() == \
        [("区工作专班",), ("贺街镇",)]


def test_odd_header_mapped_in_the_preview_is_stored_for_the_unit(blank_db, tmp_path):  # noqa: F811
    data = flat_book(tmp_path / "hj.xlsx", extra_header="联农户数").read_bytes()
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(("贺街镇.xlsx", data, "application/octet-stream"))
    at.run()
    assert_ok(at)
    assert _preview(at).loc[0, "警告"] == 1           # 联农户数 unknown (unit from the file name)
    at.selectbox(key="map_0_联农户数").set_value("households_monitored").run()
    at.button(key="map_save_0").click().run()
    assert_ok(at)
    assert _preview(at).loc[0, "警告"] == 0           # the mapped column is read now
    assert intake.column_map(_app_con(), "贺街镇") == {"联农户数": "households_monitored"}
    assert [e["by"] for e in intake.column_map_log(_app_con())] == ["tf"]  # the signed-in user (tests.pages.conftest: app_at signs in as tf)


def test_template_download_buttons(blank_db):  # noqa: F811
    at = app_at("8_数据导入.py")
    assert_ok(at)
    labels = [at.download_button(key=f"tpl_{k}").label for k in
              ("progress", "risk", "tasks", "interactions", "combined")]
    assert labels == ["附件1 推进梳理表", "附件2 风险排查表", "附件5 任务分解表", "政企互动台账", "推进梳理及风险排查表（一张表）"]
    # deferred: no workbook is built when the page runs, only when a button is clicked (tests/browser)
    assert all(at.download_button(key=f"tpl_{k}").proto.deferred_file_id for k in T.KINDS)
    assert db.db_path().exists()


def test_page_run_builds_no_template(blank_db, monkeypatch):  # noqa: F811
    def refuse(kind):
        raise AssertionError(f"template {kind} built on the page run")
    monkeypatch.setattr(T, "template_bytes", refuse)
    assert_ok(app_at("8_数据导入.py"))
