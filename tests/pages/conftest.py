"""Page tests: AppTest against a fixture database file (tests/fixture_db.py) and an empty one.

AppTest runs in this process and shares Streamlit's caches across tests, so every test clears
st.cache_data / st.cache_resource first; paths are absolute (AppTest resolves relative paths
against the test file).
"""
from __future__ import annotations

import json
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
    """LEDGER_DB → the fixture database; caches cleared; DASHBOARD_PASSWORD unset."""
    monkeypatch.setenv("LEDGER_DB", str(fixture_db_path))
    monkeypatch.setenv("LEDGER_STRICT_COLUMNS", "1")  # a table column without a registry entry raises
    monkeypatch.delenv("DASHBOARD_PASSWORD", raising=False)
    _clear()
    yield fixture_db_path
    _clear()


@pytest.fixture
def empty_db(empty_db_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DB", str(empty_db_path))
    monkeypatch.setenv("LEDGER_BOOTSTRAP", "0")  # keep it empty (no sample import on first start)
    monkeypatch.setenv("LEDGER_STRICT_COLUMNS", "1")
    monkeypatch.delenv("DASHBOARD_PASSWORD", raising=False)
    _clear()
    yield empty_db_path
    _clear()


@pytest.fixture
def con(ledger_db):
    """The app's own connection (same process: DuckDB allows one writer per file), for computing
    expected values with analytics directly."""
    from ui.connection import _connection

    return _connection(str(ledger_db)).cursor()


def app_at(page: str | None = None) -> AppTest:
    """app.py (the sidebar and st.navigation) run on ``pages/<page>`` (default page when None).
    Switching before the first run works because st.Page keeps the file-derived url path; it saves
    rendering the default page first."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
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


__all__ = ["AS_OF", "app_at", "assert_ok", "fig", "frame", "metric"]


@pytest.fixture
def own_db(tmp_path, monkeypatch):
    """A private fixture database for tests that write (settings), so shared ones stay pristine."""
    p = tmp_path / "own.duckdb"
    c = db.connect(p)
    build_fixture(c)
    c.close()
    monkeypatch.setenv("LEDGER_DB", str(p))
    monkeypatch.setenv("LEDGER_STRICT_COLUMNS", "1")
    monkeypatch.delenv("DASHBOARD_PASSWORD", raising=False)
    _clear()
    yield p
    _clear()
