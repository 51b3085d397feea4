"""Page tests: AppTest against a fixture database file (tests/fixture_db.py) and an empty one.

AppTest runs in this process and shares Streamlit's caches across tests, so every test clears
st.cache_data / st.cache_resource first; paths are absolute (AppTest resolves relative paths
against the test file).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ledger import db
from tests.fixture_db import AS_OF, build_fixture

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
TIMEOUT = 60


@pytest.fixture(scope="session")
def fixture_db_path(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("pagesdb") / "fixture.duckdb"
    con = db.connect(p)
    build_fixture(con)
    con.close()
    return p.resolve()


@pytest.fixture(scope="session")
def empty_db_path(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("emptydb") / "empty.duckdb"
    db.connect(p).close()
    return p.resolve()


def _clear():
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def ledger_db(fixture_db_path, monkeypatch):
    """LEDGER_DB → the fixture database; caches cleared."""
    monkeypatch.setenv("LEDGER_DB", str(fixture_db_path))
    monkeypatch.setenv("LEDGER_STRICT_COLUMNS", "1")  # a table column without a registry entry raises
    _clear()
    yield fixture_db_path
    _clear()


@pytest.fixture
def empty_db(empty_db_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DB", str(empty_db_path))
    monkeypatch.setenv("LEDGER_BOOTSTRAP", "0")  # keep it empty (no sample import on first start)
    monkeypatch.setenv("LEDGER_STRICT_COLUMNS", "1")
    _clear()
    yield empty_db_path
    _clear()


@pytest.fixture
def con(ledger_db):
    """The app's own connection (same process: DuckDB allows one writer per file), for computing
    expected values with analytics directly."""
    from ui.connection import _connection
    from ledger.db import cursor as _cursor

    return _cursor(_connection(str(ledger_db)))


# Test users (created in whichever database LEDGER_DB names, on first use): one per role.
PASSWORD = "test-pass-1"
USERS = {  # login → (role, unit)
    "tf": ("taskforce", None),
    "leader": ("leader", None),
    "unit_hj": ("unit", "贺街镇"),     # fixture: 贺街镇 has P01–P04
    "unit_bt": ("unit", "步头镇"),     # fixture: 步头镇 has P05–P07
}


def ensure_users(path: str | os.PathLike | None = None) -> None:
    """The test users in the database (through ledger.auth.add_user, like the CLI)."""
    from ledger import auth

    c = db.connect(path or os.environ["LEDGER_DB"])
    try:
        have = {u for (u,) in c.execute("SELECT login FROM users").fetchall()}
        for login, (role, unit) in USERS.items():
            if login not in have:
                auth.add_user(c, login, PASSWORD, role=role, unit=unit, display_name=f"测试{login}", by="test")
    finally:
        c.close()


def signed_in(at: AppTest, login: str = "tf") -> AppTest:
    """Sign ``at`` in as ``login``: the session record the 登录 form leaves (ui.guard.session_record);
    the app then re-validates it against the users table on every run, as for a browser."""
    from ui.guard import SESSION_KEY, session_record

    ensure_users()
    at.session_state[SESSION_KEY] = session_record(login)
    return at


def app_at(page: str | None = None, user: str | None = "tf") -> AppTest:
    """app.py (the sidebar and st.navigation) run on ``pages/<page>`` (default page when None), signed
    in as ``user`` (None: not signed in). Switching before the first run works because st.Page keeps
    the file-derived url path; it saves rendering the default page first."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if user:
        signed_in(at, user)
    if page:
        at.switch_page(f"views/{page}")
    return at.run()


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def fig(at: AppTest, i: int = 0) -> dict:
    """The i-th plotly figure on the page as JSON (data + layout)."""
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def frame(at: AppTest, i: int):
    return at.dataframe[i].value


def metric(at: AppTest, label: str):
    for m in at.metric:
        if m.label == label:
            return m
    raise KeyError(label, [m.label for m in at.metric])


def data_shown(at: AppTest, kind: str) -> list:
    """The elements of ``kind`` ("metric", "dataframe", …) on the page, leaving out the sign-in page's
    hidden warm-up container (ui.warm: constants only, no data; tests/pages/test_warm.py checks it)."""
    from ui.warm import WARM_KEY

    out = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "flex_container" and WARM_KEY in str(getattr(child, "proto", "")):
                continue
            if getattr(child, "type", None) == kind:
                out.append(child)
            walk(child)
    walk(at.main)
    walk(at.sidebar)
    return out


__all__ = ["AS_OF", "PASSWORD", "app_at", "assert_ok", "data_shown", "ensure_users", "fig", "frame", "metric",
           "signed_in"]


@pytest.fixture
def own_db(tmp_path, monkeypatch):
    """A private fixture database for tests that write (settings), so shared ones stay pristine."""
    p = tmp_path / "own.duckdb"
    c = db.connect(p)
    build_fixture(c)
    c.close()
    monkeypatch.setenv("LEDGER_DB", str(p))
    monkeypatch.setenv("LEDGER_STRICT_COLUMNS", "1")
    _clear()
    yield p
    _clear()
