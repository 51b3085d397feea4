"""Sign-in and the audit trail below the pages (issue #12 points 6–7): password hashing, the failed
sign-in limit, session expiry, the role matrix, a 单位's imports, the users CLI, the schema upgrade,
and one audit record per action."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from ledger import audit, auth, db, importer
from ledger.settings import save_settings
from tests.fixture_db import build_fixture
from tests.ledger_book import ledger_book

T0 = datetime(2024, 3, 1, 10, 0, 0)
LEDGER_TABLES = ["rounds", "imports", "submissions", "progress_rows", "funding_rows", "risk_rows", "tasks",
                 "signoffs", "interactions", "project_state", "clock_state"]


@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "auth.duckdb")
    build_fixture(c)
    yield c
    c.close()


def actions(c) -> list[tuple]:
    return c.execute("SELECT action, user_login, object FROM audit_log ORDER BY audit_id").fetchall()


def snapshot(c) -> dict:
    return {t: c.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in LEDGER_TABLES}


# --- hashing ---------------------------------------------------------------------------------------
def test_scrypt_hash_is_salted_and_verifies():
    h1, s1 = auth.hash_password("correct horse", bytes(16))
    h2, s2 = auth.hash_password("correct horse", bytes(16))
    h3, s3 = auth.hash_password("correct horse")            # a random salt
    assert (h1, s1) == (h2, s2) and s1 == "00" * 16           # same password + salt → same hash
    assert h3 != h1 and s3 != s1 and len(bytes.fromhex(s3)) == 16
    assert h1.startswith("scrypt$16384$8$1$") and len(h1.split("$")[-1]) == 64   # 32 bytes hex
    assert auth.verify_password("correct horse", h3, s3)
    assert not auth.verify_password("correct horsE", h3, s3)
    assert not auth.verify_password("correct horse", h3, s1)  # wrong salt
    assert not auth.verify_password("correct horse", "md5$xx", s1)


def test_users_add_passwd_disable(con):
    u = auth.add_user(con, "zhang", "password1", role="unit", unit="贺街镇", display_name="张三", by="cli:root", at=T0)
    assert (u.login, u.role, u.unit, u.active, u.role_label) == ("zhang", "unit", "贺街镇", True, "单位")
    row = con.execute("SELECT password_hash, salt FROM users WHERE login = 'zhang'").fetchone()
    assert "password1" not in row[0] and auth.verify_password("password1", *row)
    with pytest.raises(auth.AuthError, match="已存在"):
        auth.add_user(con, "zhang", "password1", role="leader", by="x")
    with pytest.raises(auth.AuthError, match="不合规"):
        auth.add_user(con, "Zhang San", "password1", role="leader", by="x")
    with pytest.raises(auth.AuthError, match="至少 8"):
        auth.add_user(con, "li", "short", role="leader", by="x")
    with pytest.raises(auth.AuthError, match="绑定一个乡镇"):
        auth.add_user(con, "li", "password1", role="unit", unit="火星镇", by="x")
    with pytest.raises(auth.AuthError, match="只有“单位”角色"):
        auth.add_user(con, "li", "password1", role="leader", unit="贺街镇", by="x")
    auth.set_password(con, "zhang", "password2", by="cli:root", at=T0)
    assert auth.authenticate(con, "zhang", "password2", at=T0).status == "ok"
    auth.set_active(con, "zhang", False, by="cli:root", at=T0)
    assert auth.authenticate(con, "zhang", "password2", at=T0).status == "disabled"
    assert actions(con) == [("user_add", "cli:root", "zhang"), ("user_passwd", "cli:root", "zhang"),
                            ("signin_ok", "zhang", "zhang"), ("user_disable", "cli:root", "zhang"),
                            ("signin_failed", "zhang", "zhang")]


# --- failed sign-ins and sessions ------------------------------------------------------------------
def test_five_failures_in_fifteen_minutes_lock_the_login(con):
    auth.add_user(con, "li", "password1", role="leader", by="t", at=T0)
    for i in range(5):                                   # 10:00 … 10:04, wrong password
        r = auth.authenticate(con, "li", "wrong", at=T0 + timedelta(minutes=i))
        assert (r.status, r.message) == ("failed", "登录名或密码不正确")
    # 6th try at 10:05 with the right password: locked until the oldest of the five + 15 min = 10:15
    r = auth.authenticate(con, "li", "password1", at=T0 + timedelta(minutes=5))
    assert r.status == "locked" and "10:15" in r.message and r.user is None
    assert auth.authenticate(con, "li", "password1", at=T0 + timedelta(minutes=14, seconds=59)).status == "locked"
    # 10:15:01: the 10:00 failure is older than 15 min → 4 in the window → open again
    assert auth.authenticate(con, "li", "password1", at=T0 + timedelta(minutes=15, seconds=1)).status == "ok"
    acts = [a for a, _u, _o in actions(con)]
    assert acts == ["user_add"] + ["signin_failed"] * 5 + ["signin_locked"] * 2 + ["signin_ok"]


def test_a_success_resets_the_count_and_unknown_logins_are_limited_too(con):
    auth.add_user(con, "li", "password1", role="leader", by="t", at=T0)
    for i in range(4):
        auth.authenticate(con, "li", "wrong", at=T0 + timedelta(minutes=i))
    assert auth.authenticate(con, "li", "password1", at=T0 + timedelta(minutes=4)).status == "ok"
    for i in range(4):                                   # 4 more after the success: still open
        auth.authenticate(con, "li", "wrong", at=T0 + timedelta(minutes=5 + i))
    assert auth.authenticate(con, "li", "password1", at=T0 + timedelta(minutes=9)).status == "ok"
    for i in range(5):                                   # no such user: same message, same limit
        assert auth.authenticate(con, "ghost", "x", at=T0 + timedelta(minutes=i)).message == "登录名或密码不正确"
    assert auth.authenticate(con, "ghost", "x", at=T0 + timedelta(minutes=5)).status == "locked"


def test_lock_settings_are_honoured(con):
    auth.add_user(con, "li", "password1", role="leader", by="t", at=T0)
    s = {"signin_max_failures": 2, "signin_lock_minutes": 60}
    auth.authenticate(con, "li", "wrong", at=T0, settings=s)
    auth.authenticate(con, "li", "wrong", at=T0 + timedelta(minutes=1), settings=s)
    r = auth.authenticate(con, "li", "password1", at=T0 + timedelta(minutes=30), settings=s)
    assert r.status == "locked" and "11:00" in r.message   # 10:00 + 60 min


def test_session_expires_after_the_idle_minutes():
    assert not auth.session_expired(T0, T0 + timedelta(minutes=30))             # default 30: exactly 30 is still in
    assert auth.session_expired(T0, T0 + timedelta(minutes=30, seconds=1))
    assert auth.session_expired(T0, T0 + timedelta(minutes=6), {"session_idle_minutes": 5})


# --- the role matrix -------------------------------------------------------------------------------
def test_role_matrix():
    leader = auth.User("l", "l", "leader", None, True)
    tf = auth.User("t", "t", "taskforce", None, True)
    unit = auth.User("u", "u", "unit", "贺街镇", True)
    pages = ["总览", "风险分级", "整改进度", "填报情况", "项目详情", "附件3 汇总表", "数据导入", "资金投向",
             "单位排名与奖惩", "设置", "操作日志"]
    assert [p for p in pages if not auth.can_open(leader, p)] == ["数据导入", "设置", "操作日志"]
    assert [p for p in pages if not auth.can_open(tf, p)] == []
    assert [p for p in pages if not auth.can_open(unit, p)] == ["设置", "操作日志"]
    assert [a for a in auth.ACTION_ROLES if auth.can(leader, a)] == []
    assert [a for a in auth.ACTION_ROLES if auth.can(tf, a)] == list(auth.ACTION_ROLES)
    assert [a for a in auth.ACTION_ROLES if auth.can(unit, a)] == ["import", "column_map"]
    assert not auth.can_open(None, "总览") and not auth.can(None, "import")
    assert auth.unit_filter_fields(unit) == {"towns": ("贺街镇",)}
    assert auth.unit_filter_fields(auth.User("d", "d", "unit", "区林业局", True)) == {"departments": ("区林业局",)}
    assert auth.unit_filter_fields(tf) == {}
    assert auth.owns(unit, "贺街镇", "区林业局") and not auth.owns(unit, "步头镇", "区林业局")


# --- a 单位's imports ------------------------------------------------------------------------------
HJ = [("P01", "贺街镇百香果基地", 2021, "区农业农村局", "3000", "3000", "在建", "未运营", "", "红", "2023年9月20日", 0),
      ("P90", "贺街镇新茶园", 2023, "区林业局", "80", "80", "已完工", "正常运营", "", "绿", "", 12)]


def _set_town(path, row: int, town: str):
    """Overwrite the 乡镇(街道) cell of data row ``row`` (1-based) on both sheets."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ws.cell(row=3 + row, column=2).value = town
    wb.save(path)
    return path


def test_unit_imports_only_its_own_rows(con, tmp_path):
    hj = auth.add_user(con, "hj", "password1", role="unit", unit="贺街镇", by="t", at=T0)
    own = ledger_book(tmp_path / "贺街镇_2023-12-14.xlsx", unit="贺街镇", projects=HJ)
    other_unit = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx")                  # 填报单位 南乡镇
    mixed = _set_town(ledger_book(tmp_path / "贺街镇_混_2023-12-14.xlsx", unit="贺街镇", projects=HJ), 2, "步头镇")
    claimed = ledger_book(tmp_path / "贺街镇_冒_2023-12-14.xlsx", unit="贺街镇",   # P05 is 步头镇's in the db
                          projects=[HJ[0], ("P05",) + HJ[1][1:]])
    before = snapshot(con)
    for f, msg in ((other_unit, "填报单位是南乡镇"), (mixed, "项目 P90 属于步头镇"), (claimed, "项目 P05 属于步头镇")):
        # the task force may import it (dry run): the refusal is the role's, not the file's
        assert importer.import_file(con, f, dry_run=True, imported_by="tf", allow_shrink=True).status == "accepted", f.name
        res = importer.import_file(con, f, imported_by="hj", as_user=hj, allow_shrink=True)
        assert res.status == "rejected", f.name
        errs = [p["message"] for p in res.problems if p["severity"] == "error"]
        assert errs and all(m.startswith("无权限") for m in errs) and any(msg in m for m in errs), errs
        assert snapshot(con) == before                    # database unchanged
    res = importer.import_file(con, own, imported_by="hj", as_user=hj, allow_shrink=True)
    assert res.status == "accepted", res.problems
    assert con.execute("SELECT imported_by FROM imports WHERE import_id = ?", [res.import_id]).fetchone()[0] == "hj"
    leader = auth.User("l", "l", "leader", None, True)
    res = importer.import_file(con, other_unit, imported_by="l", as_user=leader)
    assert res.status == "rejected" and "无权限" in res.problems[-1]["message"]
    acts = [(a, u, o) for a, u, o in actions(con) if a.startswith("import")]
    # 3 dry runs by tf accepted (not recorded), 3 rejections by hj, 1 import by hj, 1 rejection of 领导
    assert acts == [("import_rejected", "hj", other_unit.name), ("import_rejected", "hj", mixed.name),
                    ("import_rejected", "hj", claimed.name), ("import", "hj", own.name),
                    ("import_rejected", "l", other_unit.name)]


# --- audit records ---------------------------------------------------------------------------------
def test_import_and_rejection_records_carry_user_and_sha256(con, tmp_path):
    f = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx")
    bad = ledger_book(tmp_path / "南乡镇_坏_2023-12-14.xlsx", grade_override={0: "紫"})
    ok = importer.import_file(con, f, imported_by="zhang")
    no = importer.import_file(con, bad, imported_by="zhang")
    assert (ok.status, no.status) == ("accepted", "rejected")
    rows = con.execute("SELECT action, user_login, object, sha256, detail_json FROM audit_log ORDER BY audit_id").fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("import", "zhang", f.name, importer.sha256_of(f)), ("import_rejected", "zhang", bad.name, importer.sha256_of(bad))]
    d = json.loads(rows[0][4])
    assert (d["unit"], d["round_date"], d["rows"], d["import_id"]) == ("南乡镇", "2023-12-14", 4, ok.import_id)
    # 4 rows = 2 projects × (附件1 + 附件2)
    assert json.loads(rows[1][4])["dry_run"] is False and json.loads(rows[1][4])["errors"] >= 1


def test_settings_change_and_order_are_recorded(con):
    from ledger.orders import issue_orders

    save_settings(con, {"warn_days": 9, "reply_days": 15}, {"warn_days": 7, "reply_days": 15}, by="tf", at=T0)
    issue_orders(con, round_date=date(2023, 11, 29), units=["莲塘镇"], reply_by=date(2023, 12, 14),
                 issued_by="区工作专班", at=T0, audit_user="tf")
    rows = con.execute("SELECT action, user_login, object, detail_json FROM audit_log ORDER BY audit_id").fetchall()
    assert [r[:3] for r in rows] == [("settings_change", "tf", "warn_days"), ("order_issued", "tf", "八步专班督〔2024〕1号")]
    assert json.loads(rows[0][3]) == {"values": {"warn_days": 9}, "before": {"warn_days": 7}}
    assert json.loads(rows[1][3])["unit"] == "莲塘镇"


def test_demo_mode_off_disables_the_demo_accounts(con):
    assert auth.ensure_demo_accounts(con, at=T0) == ["demo_leader", "demo_taskforce", "demo_unit"]
    assert [u.login for u in auth.demo_accounts(con)] == ["demo_leader", "demo_taskforce", "demo_unit"]
    assert auth.authenticate(con, "demo_unit", auth.DEMO_PASSWORD, at=T0).user.unit == "贺街镇"
    save_settings(con, {"demo_mode": False}, {"demo_mode": True}, by="tf", at=T0)
    assert auth.demo_accounts(con) == []
    assert auth.authenticate(con, "demo_unit", auth.DEMO_PASSWORD, at=T0).status == "disabled"


def test_schema_upgrade_from_version_4_in_place(tmp_path):
    p = tmp_path / "v4.duckdb"
    c = db.connect(p)
    build_fixture(c)
    n_imports = c.execute("SELECT count(*) FROM imports").fetchone()[0]
    c.execute("DROP TABLE users")
    c.execute("DROP TABLE audit_log")
    c.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    c.close()
    c = db.connect(p)                                     # opened for writing: upgraded in place
    try:
        assert c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == db.SCHEMA_VERSION == "7"
        assert c.execute("SELECT count(*) FROM imports").fetchone()[0] == n_imports
        assert c.execute("SELECT count(*) FROM users").fetchone()[0] == 0
        assert actions(c) == [("schema_upgrade", "system", "5")]
        assert json.loads(c.execute("SELECT detail_json FROM audit_log").fetchone()[0]) == {"from": 4}
    finally:
        c.close()
    c = db.connect(p)                                     # a second open does not upgrade again
    try:
        assert len(actions(c)) == 1
    finally:
        c.close()


def test_rebuild_keeps_users_and_the_trail(tmp_path, monkeypatch):
    p = tmp_path / "r.duckdb"
    c = db.connect(p)
    auth.add_user(c, "li", "password1", role="leader", by="t", at=T0)
    f = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx")
    assert importer.import_file(c, f, imported_by="li").status == "accepted"
    before = c.execute("SELECT * FROM audit_log ORDER BY audit_id").fetchall()
    c.close()
    importer.rebuild(p)
    c = db.connect(p)
    try:
        assert c.execute("SELECT * FROM audit_log ORDER BY audit_id").fetchall() == before   # the replay adds none
        assert auth.authenticate(c, "li", "password1", at=T0).status == "ok"
        assert c.execute("SELECT max(audit_id) FROM audit_log").fetchone()[0] == len(before) + 1
    finally:
        c.close()


# --- the users CLI ---------------------------------------------------------------------------------
def test_users_cli(tmp_path, capsys, monkeypatch):
    from ledger.cli import main

    monkeypatch.setattr(audit, "cli_user", lambda: "cli:tester")
    monkeypatch.setattr("ledger.cli.cli_user", lambda: "cli:tester")
    p = str(tmp_path / "cli.duckdb")
    assert main(["users", "add", "wang", "--role", "unit", "--unit", "步头镇", "--name", "王五",
                 "--password", "password1", "--db", p]) == 0
    assert main(["users", "add", "wang", "--role", "leader", "--password", "password1", "--db", p]) == 1
    assert "已存在" in capsys.readouterr().err
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "password2")   # prompted twice, same answer
    assert main(["users", "passwd", "wang", "--db", p]) == 0
    assert main(["users", "disable", "wang", "--db", p]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--json", "--db", p]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["login"], r["display_name"], r["role"], r["unit"], r["active"]) for r in rows] == [
        ("wang", "王五", "unit", "步头镇", False)]
    c = db.connect(p)
    try:
        assert actions(c) == [("user_add", "cli:tester", "wang"), ("user_passwd", "cli:tester", "wang"),
                              ("user_disable", "cli:tester", "wang")]
        row = c.execute("SELECT password_hash, salt FROM users").fetchone()
        assert auth.verify_password("password2", *row)
    finally:
        c.close()


def test_upgrade_of_a_sample_built_store_adds_the_demo_accounts(tmp_path):
    p = tmp_path / "v4s.duckdb"
    c = db.connect(p)
    build_fixture(c)
    c.execute("UPDATE imports SET imported_by = 'bootstrap'")   # as ledger/bootstrap.py records them
    c.execute("DROP TABLE users")
    c.execute("DROP TABLE audit_log")
    c.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    c.close()
    c = db.connect(p)
    try:
        assert [u.login for u in auth.demo_accounts(c)] == ["demo_leader", "demo_taskforce", "demo_unit"]
    finally:
        c.close()


def test_cli_export_is_recorded_per_file(tmp_path, monkeypatch, capsys):
    from ledger.cli import main

    monkeypatch.setattr("ledger.cli.cli_user", lambda: "cli:tester")
    p = tmp_path / "x.duckdb"
    c = db.connect(p)
    build_fixture(c)
    c.close()
    out = tmp_path / "out"
    assert main(["export", "chase", "--round", "2023-11-29", "--out", str(out), "--db", str(p)]) == 0
    files = sorted(out.iterdir())
    assert files
    c = db.connect(p)
    try:
        rows = c.execute("SELECT user_login, object, sha256 FROM audit_log WHERE action = 'export' ORDER BY object").fetchall()
    finally:
        c.close()
    assert rows == [("cli:tester", f.name, importer.sha256_of(f)) for f in files]
