"""Sign-in and the role matrix on the pages (issue #12 point 6), through AppTest: the 登录 form (wrong
password, then right), 退出登录, each role's page list, a 领导 switching to 数据导入/设置, a 单位 held
to its own projects (sidebar, search, 项目详情 by ?project=) and refused another unit's ledger on the
import page with the database unchanged, a disabled user out at the next click, an idle session
expired, and the 操作日志 page."""
from __future__ import annotations

from datetime import datetime, timedelta

from streamlit.testing.v1 import AppTest

from tests.ledger_book import ledger_book
from tests.pages.conftest import APP, PASSWORD, TIMEOUT, app_at, assert_ok, data_shown, ensure_users, signed_in

ALL = ["总览", "风险分级", "整改进度", "填报情况", "项目详情", "附件3 汇总表", "数据导入", "资金投向",
       "单位排名与奖惩", "设置", "操作日志"]


def nav_titles(at) -> list[str]:
    """The pages st.navigation offered in the last run, in order."""
    return [info["page_name"] for info in at._registered_pages.values()]


def audit_rows(con, action: str) -> list[tuple]:
    return con.execute("SELECT user_login, object FROM audit_log WHERE action = ? ORDER BY audit_id",
                       [action]).fetchall()


def _app_con():
    from ledger import db
    from ui.connection import _connection
    from ledger.db import cursor as _cursor

    return _cursor(_connection(str(db.db_path())))


def test_sign_in_form_wrong_then_right_then_logout(own_db):
    ensure_users()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert_ok(at)
    assert not data_shown(at, "metric") and not data_shown(at, "dataframe")  # nothing before signing in
    at.text_input(key="auth_login").input("leader")
    at.text_input(key="auth_pw").input("wrong-password")
    at.button(key="auth_submit").click().run()
    assert [e.value for e in at.error] == ["登录名或密码不正确"] and not data_shown(at, "metric")
    at.text_input(key="auth_login").input("leader")
    at.text_input(key="auth_pw").input(PASSWORD)
    at.button(key="auth_submit").click().run()
    assert_ok(at)
    assert at.title[0].value == "总览" and at.metric
    assert any("当前用户：**测试leader**（leader）" in m.value and "角色：领导" in m.value for m in at.sidebar.markdown)
    at.button(key="auth_logout").click().run()
    assert at.text_input(key="auth_login") is not None and not data_shown(at, "metric")
    assert any("已退出登录" in w.value for w in at.warning)
    con = _app_con()
    assert audit_rows(con, "signin_failed") == [("leader", "leader")]
    assert audit_rows(con, "signin_ok") == [("leader", "leader")]
    assert audit_rows(con, "logout") == [("leader", "leader")]


def test_locked_after_five_failures(own_db):
    ensure_users()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    for _ in range(5):
        at.text_input(key="auth_login").input("tf")
        at.text_input(key="auth_pw").input("nope-nope")
        at.button(key="auth_submit").click().run()
    at.text_input(key="auth_login").input("tf")
    at.text_input(key="auth_pw").input(PASSWORD)               # right password, but locked
    at.button(key="auth_submit").click().run()
    assert "已锁定" in at.error[0].value and not data_shown(at, "metric")
    assert len(audit_rows(_app_con(), "signin_failed")) == 5 and len(audit_rows(_app_con(), "signin_locked")) == 1


def test_each_role_gets_its_pages(ledger_db):
    assert nav_titles(app_at(user="tf")) == ALL
    assert nav_titles(app_at(user="leader")) == [t for t in ALL if t not in ("数据导入", "设置", "操作日志")]
    assert nav_titles(app_at(user="unit_hj")) == [t for t in ALL if t not in ("设置", "操作日志")]


def test_leader_cannot_open_import_or_settings_by_switching_page(ledger_db):
    for page in ("8_数据导入.py", "9_设置.py", "11_操作日志.py"):
        at = app_at(page, user="leader")
        assert_ok(at)
        # not in the navigation: the app lands on 总览 instead of the page
        assert at.title[0].value == "总览", page
        assert not _has_key(at, "set_signoff_checklist")
        # the page file run itself (as a deep link before app.py) refuses too: 无权限, no data
        alone = signed_in(AppTest.from_file(str(APP.parent / "views" / page), default_timeout=TIMEOUT), "leader").run()
        assert_ok(alone)
        assert alone.error and alone.error[0].value.startswith("无权限：当前角色（领导）不能查看「"), page
        assert not alone.dataframe and not alone.title


def test_leader_sees_orders_but_cannot_issue(ledger_db):
    at = app_at("4_整改进度.py", user="leader")
    assert_ok(at)
    assert any("签发督办单由区工作专班办理" in c.value for c in at.caption)
    assert all(b.key != "gen_orders" for b in at.button)
    at = app_at("4_整改进度.py", user="tf")
    assert any(b.key == "gen_orders" for b in at.button)


def test_unit_held_to_its_own_projects(ledger_db):
    at = app_at("7_项目详情.py", user="unit_hj")
    assert_ok(at)
    assert not _has_key(at, "sb_towns") and not _has_key(at, "sb_depts")   # no 乡镇/部门 choice for a 单位
    assert any(c.value.startswith("范围：贺街镇") for c in at.sidebar.caption)
    # fixture: 贺街镇 has P01–P04; the search lists only those
    assert sorted(o.split()[0] for o in at.selectbox(key="detail_pick").options) == ["P01", "P02", "P03", "P04"]
    at.text_input(key="detail_q").set_value("P05").run()       # 步头镇's project: not found for 贺街镇
    assert any("没有匹配的项目" in i.value for i in at.info)


def test_unit_opening_another_units_project_by_url_is_refused(ledger_db):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    signed_in(at, "unit_hj")
    at.query_params["project"] = "P05"                            # 步头镇's
    at.switch_page("views/7_项目详情.py").run()
    assert_ok(at)
    assert at.error and at.error[0].value.startswith("无权限：当前角色（单位）不能查看其他单位的项目（P05）")
    assert not data_shown(at, "metric") and not data_shown(at, "dataframe")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    signed_in(at, "unit_hj")
    at.query_params["project"] = "P02"                            # its own
    at.switch_page("views/7_项目详情.py").run()
    assert_ok(at)
    assert not at.error and at.metric and at.selectbox(key="detail_pick").value == "P02"
    # the task force opens P05 by URL
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    signed_in(at, "tf")
    at.query_params["project"] = "P05"
    at.switch_page("views/7_项目详情.py").run()
    assert not at.error and at.selectbox(key="detail_pick").value == "P05"


def test_unit_overview_shows_own_numbers_and_district_totals(ledger_db):
    at = app_at(user="unit_hj")
    assert_ok(at)
    # fixture: 贺街镇 P01–P04 → 4 projects; the district has 13 (red P01 P05 P08, yellow P02, green 9)
    assert next(m for m in at.metric if m.label == "项目数").value == "4"
    line = next(c.value for c in at.caption if c.value.startswith("全区合计"))
    assert line.startswith("全区合计：项目 13 个") and "红 3 个、黄 1 个、绿 9 个" in line


def test_unit_cannot_import_another_units_rows(own_db, tmp_path):
    from tests.ledger.test_auth import snapshot

    book = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx")    # 南乡镇's ledger
    at = app_at("8_数据导入.py", user="unit_hj")
    before = snapshot(_app_con())
    _upload(at, book)
    assert_ok(at)
    msgs = _problems(at)
    assert any(m.startswith("无权限：本账号只能导入贺街镇的台账，此文件的填报单位是南乡镇") for m in msgs), msgs
    assert at.button(key="confirm_import").disabled
    assert snapshot(_app_con()) == before
    assert audit_rows(_app_con(), "import_rejected") == [("unit_hj", book.name)]


def _upload(at, path):
    at.get("file_uploader")[0].set_value((path.name, path.read_bytes(),
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()


def _problems(at) -> list[str]:
    for d in at.dataframe:
        if "问题" in d.value.columns:
            return list(d.value["问题"])
        if "说明" in d.value.columns:
            return list(d.value["说明"])
    return [str(list(d.value.columns)) for d in at.dataframe]


def test_disabled_user_is_out_at_the_next_click(own_db):
    from ledger import auth

    at = app_at(user="tf")
    assert at.metric
    auth.set_active(_app_con(), "tf", False, by="test")
    at.run()
    assert at.text_input(key="auth_login") is not None and not data_shown(at, "metric")
    assert any("该账号已停用" in w.value for w in at.warning)


def test_idle_session_expires(own_db):
    from ui.guard import SESSION_KEY

    at = app_at(user="tf")
    assert at.metric
    at.session_state[SESSION_KEY] = {"login": "tf", "seen": datetime.now() - timedelta(minutes=31)}
    at.run()
    assert not data_shown(at, "metric") and any("长时间未操作" in w.value for w in at.warning)
    assert audit_rows(_app_con(), "session_expired") == [("tf", "tf")]


def test_audit_page_lists_and_filters(own_db):
    from ledger.settings import save_settings

    ensure_users()
    save_settings(_app_con(), {"warn_days": 9}, {"warn_days": 7}, by="tf")
    at = app_at("11_操作日志.py", user="tf")
    assert_ok(at)
    df = at.dataframe[0].value
    # 4 test users added + the settings change (newest first)
    assert list(df["操作"])[:1] == ["修改设置"] and list(df["操作"]).count("新增用户") == 4
    at.multiselect(key="audit_actions").set_value(["settings_change"]).run()
    assert list(at.dataframe[0].value["操作人"]) == ["tf"]
    assert at.download_button(key="dl_audit_log") is not None


def _has_key(at, key) -> bool:
    try:
        at.multiselect(key=key)
        return True
    except KeyError:
        return False


def test_a_table_download_is_recorded_with_user_and_sha256(own_db, monkeypatch):
    """show_table's deferred download (ui.guard.audited) records the export when the file is made,
    from the download request's own thread and connection."""
    import hashlib
    import threading

    from ui import guard

    monkeypatch.setattr(guard.st, "session_state", {guard.SESSION_KEY: {"login": "tf", "seen": datetime.now()}})
    make = guard.audited(lambda: b"xlsx-bytes", file_name="红黄项目.xlsx", what="ov_red")
    out = []
    t = threading.Thread(target=lambda: out.append(make()))
    t.start()
    t.join()
    assert out == [b"xlsx-bytes"]
    row = _app_con().execute("SELECT user_login, object, sha256, detail_json FROM audit_log WHERE action = 'export'").fetchall()
    assert row == [("tf", "红黄项目.xlsx", hashlib.sha256(b"xlsx-bytes").hexdigest(), '{"what": "ov_red"}')]
