"""Real-browser tests: the app served by `streamlit run` on a free port, driven by headless Chromium.

Uses Debian's /usr/bin/chromium (never `playwright install`: no internet). The server gets its own
copy of the fixture database (tests/fixture_db.py) through LEDGER_DB, with one user per role
(``USERS``), and is killed in a finally. Every new browser session (a ``goto``, a reload) signs in on
the 登录 form: ``sign_in(page, login, password)`` or ``open_as(page, url, login)``.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 60  # s until /_stcore/health answers
PASSWORD = "browser-pass-1"
USERS = {"tf": ("taskforce", None), "leader": ("leader", None), "unit_hj": ("unit", "贺街镇")}
SIGN_IN_TIMEOUT = 45_000  # ms


def sign_in(page, login: str, password: str = PASSWORD) -> None:
    """Fill the 登录 form of a fresh session and submit it; returns once the form is gone."""
    box = page.locator('input[aria-label="登录名"]')
    box.wait_for(state="visible", timeout=SIGN_IN_TIMEOUT)
    box.fill(login)
    page.locator('input[aria-label="密码"]').fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    box.wait_for(state="detached", timeout=SIGN_IN_TIMEOUT)


def open_as(page, url: str, login: str = "tf", password: str = PASSWORD) -> None:
    """``page.goto(url)`` (a new session) and sign in there: the app then shows the page of ``url``."""
    page.goto(url, wait_until="domcontentloaded", timeout=SIGN_IN_TIMEOUT)
    sign_in(page, login, password)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of a running app on a fresh fixture database; the process is killed afterwards."""
    from ledger import db
    from tests.fixture_db import build_fixture

    d = tmp_path_factory.mktemp("browserdb")
    path = d / "ledger.duckdb"
    from ledger import auth

    con = db.connect(path)
    build_fixture(con)
    for login, (role, unit) in USERS.items():
        auth.add_user(con, login, PASSWORD, role=role, unit=unit, display_name=f"测试{login}", by="test")
    con.execute("CHECKPOINT")
    con.close()
    port = _free_port()
    env = {**os.environ, "LEDGER_DB": str(path), "LEDGER_ARCHIVE": str(d / "archive"), "LEDGER_WARM": "1"}
    log = open(d / "server.log", "wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none", "--server.runOnSave", "false",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {(d / 'server.log').read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("streamlit did not become healthy in time")
            time.sleep(0.3)
        yield {"url": base, "db": path, "log": d / "server.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    ctx.set_default_timeout(30_000)
    pg = ctx.new_page()
    try:
        yield pg
    finally:
        ctx.close()
