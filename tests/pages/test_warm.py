"""ui.warm: the sign-in page's warm-up (issue #7, a fresh browser visit's first figures).

The browser part is checked here as what the sign-in page sends (one of each element kind, inside the
container the CSS hides) and in real Chromium (tests/browser/test_browser.py: the container is not
visible). The server part runs for real: the sign-in page starts the thread, the thread fills the
shared cache, and the signed-in 总览 run then computes nothing itself.
"""
from __future__ import annotations

import functools
import threading

import pytest

from analytics import clocks, funding, grades, tiers
from tests.pages.conftest import PASSWORD, app_at, assert_ok, data_shown, ensure_users, metric, signed_in
from ui import cache, warm


def _warm_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ledger-warm"]


@pytest.fixture


def warm_on(monkeypatch):
    monkeypatch.setenv(warm.WARM_ENV, "1")
    _forget_recent()        # the calls other tests' page runs made (replay would compute them again)
    yield
    for t in _warm_threads():
        t.join(60)
    _forget_recent()


def _forget_recent() -> None:
    """What a new process has: no remembered calls, no saved list read, nothing warmed; and no list saved
    beside the current database (the shared fixture database's list would reach other tests)."""
    from ledger import db as ledger_db

    warm._warmed.clear()
    cache._recent.clear()
    cache._loaded.clear()
    cache.recent_path(ledger_db.db_path()).unlink(missing_ok=True)


@pytest.fixture


def counted(monkeypatch):
    """Count the calls of every analytics function 总览 uses (the wrapper keeps the cache key: same
    module and qualified name)."""
    calls: dict[str, int] = {}
    for mod, name in [(grades, "grade_counts"), (grades, "grade_delta"), (funding, "funds_at_risk"),
                      (clocks, "clock_rollup"), (clocks, "overdue_projects"), (grades, "grade_trend"),
                      (tiers, "tier_table"), (grades, "grade_transitions"), (tiers, "tier_counts")]:
        f = getattr(mod, name)

        def counting(*a, _f=f, _n=name, **k):
            calls[_n] = calls.get(_n, 0) + 1
            return _f(*a, **k)
        monkeypatch.setattr(mod, name, functools.wraps(f)(counting))
    return calls


def _box(at) -> list:
    """The warm-up container(s), wherever the fragment put them in the main area."""
    out = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "flex_container" and warm.WARM_KEY in str(getattr(child, "proto", "")):
                out.append(child)
            else:
                walk(child)
    walk(at.main)
    return out


def test_sign_in_page_sends_hidden_element_kinds_after_the_form(ledger_db):
    at = app_at(user=None).run()
    assert_ok(at)
    assert [t.label for t in at.text_input] == ["登录名", "密码"]
    assert not _box(at) and not at.metric   # the first run: the form alone (it paints first)
    at.session_state[warm._SHOWN_AT] = 0.0  # as when the fragment reruns WARM_DELAY s later
    at.run()
    box = _box(at)
    assert [t.label for t in at.text_input] == ["登录名", "密码"]
    assert len(box) == 1, "the warm-up container (key signin_warm) is missing"
    kinds = {getattr(e, "type", None) for e in box[0].children.values()}
    # constants only: no data of the ledger before signing in (and data_shown, which the sign-in tests
    # use, leaves exactly this container out)
    assert [m.value for m in at.metric] == ["0"] and at.dataframe[0].value.to_dict("list") == {"预加载": [0]}
    assert not data_shown(at, "metric") and not data_shown(at, "dataframe")
    assert {"metric", "plotly_chart", "dataframe", "selectbox", "multiselect", "slider",
            "download_button"} <= kinds, kinds
    # the CSS that hides it targets that key (Streamlit's class for a keyed container: st-key-<key>)
    assert any(f".st-key-{warm.WARM_KEY}" in h.proto.body and "display: none" in h.proto.body for h in at.get("html"))
    # drawn once per session: the fragment's later reruns (every WARM_DELAY s while the page is open) draw
    # nothing, so an open sign-in tab costs the server next to nothing (the browser keeps the loaded code)
    at.run()
    assert [t.label for t in at.text_input] == ["登录名", "密码"]
    assert not _box(at) and not at.metric and not at.get("plotly_chart")
    # signed in, a page run has none of it
    at2 = app_at("1_总览.py").run()
    assert_ok(at2)
    assert "预加载" not in [m.label for m in at2.metric]


def test_no_warm_up_fragment_once_the_tab_has_the_code(own_db, monkeypatch):
    """The fragment's timer runs while its sign-in page is open; a tab that has drawn the warm-up, or has been
    signed in, has the code already: its sign-in page after a wrong password or 退出登录 has no fragment."""
    ensure_users()
    runs = []
    monkeypatch.setattr(warm, "_warm_fragment", lambda: runs.append(1))
    at = app_at(user=None)
    assert runs == [1]                                   # a fresh tab: the fragment (its timer) is there
    at.session_state[warm._DONE] = True                  # as after the fragment has drawn the warm-up
    at.text_input(key="auth_login").input("leader")
    at.text_input(key="auth_pw").input("wrong-password")
    at.button(key="auth_submit").click().run()
    assert [e.value for e in at.error] == ["登录名或密码不正确"] and runs == [1]
    fresh = app_at(user=None)                            # another fresh tab, signed in before the warm-up
    assert runs == [1, 1]
    fresh.text_input(key="auth_login").input("leader")
    fresh.text_input(key="auth_pw").input(PASSWORD)
    fresh.button(key="auth_submit").click().run()
    assert_ok(fresh)
    fresh.button(key="auth_logout").click().run()
    assert fresh.text_input(key="auth_login") is not None and runs == [1, 1]


def test_fragment_run_after_the_drawing_one_asks_for_one_full_rerun():
    """The fragment's timer lives as long as the fragment is on the page: the run after the drawing one
    asks for one full run of the page (st.rerun(scope="app")), in which warm_browser leaves the fragment
    out (test_no_warm_up_fragment_once_the_tab_has_the_code), so the timer ends; never a second time.
    The fragment's body is run as a script of its own (AppTest does not run a fragment on its timer)."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui import warm as w
        st.session_state["runs"] = st.session_state.get("runs", 0) + 1
        w._warm_fragment.__wrapped__()

    at = AppTest.from_function(script)
    at.session_state[warm._DONE] = True           # the hidden elements were drawn in the last run
    at.run()
    assert not at.exception
    # 2 runs: the one that asked for the rerun and the rerun itself (which asks for nothing)
    assert at.session_state["runs"] == 2 and at.session_state[warm._STOPPED] is True
    at.run()
    assert at.session_state["runs"] == 3            # later runs ask for nothing
    fresh = AppTest.from_function(script)           # a tab whose warm-up is not yet due: nothing at all
    fresh.session_state[warm._SHOWN_AT] = 10 ** 12
    fresh.run()
    assert fresh.session_state["runs"] == 1 and warm._STOPPED not in fresh.session_state


def test_warm_thread_fills_the_cache_for_the_first_signed_in_run(ledger_db, warm_on, counted):
    at = app_at(user=None)
    at.session_state[warm._SHOWN_AT] = 0.0
    at.run()                          # the sign-in page, its warm-up due: starts the thread
    threads = _warm_threads()
    assert len(threads) == 1
    threads[0].join(60)
    # every call of 总览 computed once, by the thread
    assert counted == {n: 1 for n in ["grade_counts", "grade_delta", "funds_at_risk", "clock_rollup",
                                      "overdue_projects", "grade_trend", "tier_table"]}, counted
    signed_in(at, "leader")
    at.run()
    assert_ok(at)
    # the signed-in 总览 run found every result in the cache: nothing computed twice
    assert counted == {n: 1 for n in counted}, counted
    # and shows the thread's numbers: the fixture's project count, straight from analytics
    from ui.connection import _connection
    from ledger.db import cursor as _cursor
    con = _cursor(_connection(str(ledger_db)))
    from analytics.base import rounds
    latest = rounds(con)[-1]
    n = int(grades.grade_counts.__wrapped__(con, as_of=latest)["projects"].sum())
    assert n > 0 and metric(at, "项目数").value == str(n)


def test_warm_once_per_data_version_and_off_switch(own_db, warm_on, counted, monkeypatch):
    from ledger import db as ledger_db
    from ledger.settings import set_setting

    def warm_and_wait():
        t = warm.warm_server()
        assert t is not None
        t.join(60)
    warm_and_wait()
    assert counted["grade_counts"] == 1
    warm_and_wait()                                   # the same data version: nothing computed again
    assert counted["grade_counts"] == 1
    con = ledger_db.connect(own_db)
    try:
        set_setting(con, "session_idle_minutes", 45, by="test")  # a settings change is a new data version
    finally:
        con.close()
    warm_and_wait()
    assert counted["grade_counts"] == 2
    monkeypatch.setenv(warm.WARM_ENV, "0")
    assert warm.warm_server() is None                 # switched off


def test_warm_thread_on_an_empty_database_does_nothing(empty_db, warm_on, counted):
    at = app_at(user=None)
    at.session_state[warm._SHOWN_AT] = 0.0
    at.run()
    assert_ok(at)
    for t in _warm_threads():
        t.join(60)
    assert counted == {}


def test_replay_computes_the_pages_visited_before_for_a_new_version(own_db, warm_on, counted):
    """After an import (here a settings change: also a new data version), the warm-up computes what page
    runs asked for at the newest round before, so the next run of those pages computes nothing."""
    from ledger import db as ledger_db
    from ledger.settings import set_setting

    at = app_at("2_风险分级.py")
    at.run()
    assert_ok(at)
    assert counted["grade_transitions"] == 1 and counted["tier_counts"] == 1
    con = ledger_db.connect(own_db)
    try:
        set_setting(con, "session_idle_minutes", 45, by="test")
    finally:
        con.close()
    t = warm.warm_server()
    t.join(60)
    # computed again for the new version by the thread (总览's calls too: grade_counts by the page's
    # by= choice and by 总览's own, plain call)
    assert counted["grade_transitions"] == 2 and counted["tier_counts"] == 2
    at.run()
    assert_ok(at)
    assert counted["grade_transitions"] == 2 and counted["tier_counts"] == 2, counted  # all from the cache


def test_only_newest_round_calls_with_stored_settings_are_remembered(warm_on):
    from datetime import date
    from types import SimpleNamespace

    from analytics.filters import Filters

    d1, d2 = date(2023, 11, 14), date(2023, 11, 29)
    ctx = SimpleNamespace(as_of=d2, rounds=[d1, d2], filters=Filters(towns=("贺街镇",)), settings={"w": 2})
    cache._remember(grades.grade_counts, ctx, {"by": "town"})
    cache._remember(grades.grade_counts, ctx, {"by": "town"})                 # the same call: once
    cache._remember(grades.grade_counts, ctx, {"as_of": d1})                  # pinned to another round
    cache._remember(grades.grade_counts, ctx, {"settings": {"w": 1}})         # an analyst's weights
    cache._remember(grades.grade_counts, ctx, {"by": "grade", "settings": {"w": 2}})  # the stored ones:
    #                                                   remembered as a call without settings
    cache._remember(grades.grade_counts, SimpleNamespace(as_of=d1, rounds=[d1, d2], filters=Filters(), settings={}),
                    {})
    cache._remember(grades.grade_counts, ctx, {"filters": None})              # district totals
    assert cache.recent_calls() == [
        (grades.grade_counts, {"filters": None}),
        (grades.grade_counts, {"by": "grade", "filters": Filters(towns=("贺街镇",))}),
        (grades.grade_counts, {"by": "town", "filters": Filters(towns=("贺街镇",))}),
    ]


def test_a_confirmed_import_warms_the_new_version(own_db, warm_on, counted, tmp_path):
    """数据导入's 确认导入 starts the warm-up for the new data: 总览 of the new round is computed before
    anyone opens it."""
    from tests.ledger_book import ledger_book

    data = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx").read_bytes()
    at = app_at("8_数据导入.py")
    at.get("file_uploader")[0].set_value(
        ("南乡镇_2023-12-14.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    assert "grade_counts" not in counted
    at.button(key="confirm_import").click().run()
    assert_ok(at)
    for t in _warm_threads():
        t.join(60)
    assert counted.get("grade_counts") == 1 and counted.get("tier_table") == 1, counted
    at.switch_page("views/1_总览.py").run()
    assert_ok(at)
    assert at.session_state["sb_round"].isoformat() == "2023-12-14"
    assert counted.get("grade_counts") == 1 and counted.get("tier_table") == 1, counted  # from the cache


def test_warm_up_stops_when_the_data_changes_under_it(own_db, warm_on, counted, monkeypatch):
    """Each remembered call runs on a connection of its own; when the data version has changed since the
    warm-up began (an import landed), the rest is not computed for the old data."""
    from datetime import date

    from ledger.settings import set_setting

    def import_lands(con, *, as_of: date) -> int:   # a remembered call during which the data changes
        set_setting(con, "session_idle_minutes", 44, by="test")
        return 0

    monkeypatch.setattr(cache, "recent_calls", lambda: [(import_lands, {}), (grades.grade_transitions, {})])
    monkeypatch.setattr(warm, "recent_calls", cache.recent_calls)
    warm.warm_server().join(60)
    assert counted["grade_counts"] == 1          # 总览 was computed …
    assert "grade_transitions" not in counted    # … and the call after the change was not


def _restart(counted: dict) -> None:
    """What a server restart loses: every cache, the remembered calls, what was warmed (the saved list
    beside the database stays); and the counts start again."""
    from analytics import _memo

    warm._warmed.clear()
    cache._recent.clear()
    cache._loaded.clear()
    cache.clear()
    _memo.clear_all()
    counted.clear()


def test_the_warm_up_after_a_restart_computes_the_pages_visited_before(own_db, warm_on, counted):
    """The calls page runs made are saved beside the database, and the first warm-up of a new process
    reads them back: after a restart, 风险分级 (visited before it) is computed by the thread, not by its
    first visitor. Without the saved list (the control) the thread computes 总览 only."""
    at = app_at("2_风险分级.py")
    assert_ok(at)
    assert counted["grade_transitions"] == 1 and counted["tier_counts"] == 1
    saved = cache.recent_path(own_db)
    assert saved.is_file()

    kept = saved.read_bytes()
    saved.unlink()
    _restart(counted)                                # the control: no saved list
    warm.warm_server().join(60)
    assert counted["grade_counts"] >= 1 and "grade_transitions" not in counted and "tier_counts" not in counted

    saved.write_bytes(kept)
    _restart(counted)                                # a restart with the list the page runs saved
    warm.warm_server().join(60)
    assert counted["grade_transitions"] == 1 and counted["tier_counts"] == 1, counted
    at = app_at("2_风险分级.py")                      # a new visitor's first run after the restart
    assert_ok(at)
    assert counted["grade_transitions"] == 1 and counted["tier_counts"] == 1, counted  # from the cache


def test_saved_calls_read_back_exactly(own_db, warm_on):
    """Every kind of argument the pages pass (Filters with tuples and years, lists, None, text, numbers)
    reads back equal and of the same type, so a replayed call has the same cache key as the page's own.
    A call with another kind of argument stays in memory but is not saved."""
    from datetime import date
    from decimal import Decimal
    from types import SimpleNamespace

    from analytics import compliance, project
    from analytics.filters import Filters

    d1, d2 = date(2023, 11, 14), date(2023, 11, 29)
    f = Filters(towns=("贺街镇", "步头镇"), departments=(), year_from=2016, year_to=None, grades=("red",))
    ctx = SimpleNamespace(as_of=d2, rounds=[d1, d2], filters=f, settings={})
    cache._remember(grades.grade_counts, ctx, {"by": "town"})
    cache._remember(compliance.round_status, ctx, {"units": ["贺街镇", "区农业农村局"]})
    cache._remember(project.search_projects, ctx, {"q": ""})           # the listing before any search
    cache._remember(clocks.clock_rollup, ctx, {"by": "unit", "filters": None})
    cache._remember(tiers.tier_table, ctx, {"limit": 100, "offset": 0, "filters": Filters(tiers=("region",))})
    cache._remember(grades.grade_counts, ctx, {"by": Decimal("1")})      # not JSON: memory only
    before = cache.recent_calls()
    assert len(before) == 6
    assert cache.save_recent()

    cache._recent.clear()
    cache._loaded.clear()
    assert cache.load_recent(own_db) == 5
    after = cache.recent_calls()
    assert after == before[1:]                       # all but the Decimal one, in the same order
    for (fn_a, kw_a), (fn_b, kw_b) in zip(after, before[1:]):
        assert fn_a is fn_b and cache._recent_key(fn_a, kw_a) == cache._recent_key(fn_b, kw_b)
    assert cache.load_recent(own_db) == 0            # once per process and database


def test_a_saved_list_can_name_nothing_but_analytics_functions(own_db, warm_on):
    """The saved list is read, never run as code: an entry naming another module, a private or non-function
    attribute, a module that does not exist, as_of/settings or an argument the function does not take is
    skipped (and no module outside analytics is imported); a broken file is ignored."""
    import json
    import sys

    from analytics import base

    def entry(fn, **kwargs):
        return {"fn": fn, "kwargs": kwargs}

    assert "this" not in sys.modules                 # importing it would print the Zen of Python
    doc = {"format": 1, "calls": [
        entry("os.system", command="true"),
        entry("this.s"),
        entry("analytics.grades._fill_grades"),      # private
        entry("analytics._db.query", sql="DROP TABLE settings"),   # a private module (it runs SQL)
        entry("analytics.grades.query", sql="DROP TABLE settings"),  # imported from there, not defined here
        entry("analytics.base.rounds"),              # a good entry (an analytics read, no arguments)
        entry("analytics.grades.pd"),                # a module, not a function
        entry("analytics.grades.Filters"),           # a class
        entry("analytics.nope.f"),
        entry("analytics.grades.grade_counts.__globals__"),
        entry("analytics.grades.grade_counts", as_of="2023-11-29"),
        entry("analytics.grades.grade_counts", settings={"w": 1}),
        entry("analytics.grades.grade_counts", bogus=1),
        entry("analytics.grades.grade_counts", by={"set": ["town"]}),   # an unknown tag
        "not an entry",
        entry("analytics.grades.grade_counts", by="town"),              # a good entry, the newest
    ]}
    path = cache.recent_path(own_db)
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert cache.load_recent(own_db) == 2
    assert cache.recent_calls() == [(grades.grade_counts, {"by": "town"}), (base.rounds, {})]
    assert "this" not in sys.modules

    for broken in ["{", "[]", json.dumps({"format": 99, "calls": doc["calls"]}), json.dumps({"format": 1})]:
        cache._recent.clear()
        cache._loaded.clear()
        path.write_text(broken, encoding="utf-8")
        assert cache.load_recent(own_db) == 0 and cache.recent_calls() == []


def test_a_new_process_reads_the_list_the_page_runs_saved(own_db, warm_on):
    """Across a real restart: the page runs here save the list, and a new interpreter's warm-up (the first
    thing a new server does for its first visitor) reads it back and computes those calls."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    at = app_at("2_风险分级.py")
    assert_ok(at)
    root = Path(__file__).resolve().parents[2]
    child = ("import functools, json\n"
             "from analytics import grades, tiers\n"
             "from ui import cache, warm\n"
             "ran = []\n"
             "for mod, name in [(grades, 'grade_transitions'), (tiers, 'tier_counts')]:\n"
             "    f = getattr(mod, name)\n"
             "    def counting(*a, _f=f, _n=name, **k):\n"
             "        ran.append(_n)\n"
             "        return _f(*a, **k)\n"
             "    setattr(mod, name, functools.wraps(f)(counting))\n"
             "warm.warm_server().join(120)\n"
             "print(json.dumps({'ran': sorted(ran), 'recent': sorted({cache._fn_key(fn) for fn, _ in cache.recent_calls()})}))\n")
    out = subprocess.run([sys.executable, "-c", child], cwd=root, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "LEDGER_DB": str(own_db), "LEDGER_WARM": "1", "LEDGER_BOOTSTRAP": "0"})
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["ran"] == ["grade_transitions", "tier_counts"], got
    assert {"analytics.grades.grade_transitions", "analytics.tiers.tier_counts"} <= set(got["recent"])


def test_a_page_run_before_the_first_warm_up_keeps_the_saved_list(own_db, warm_on):
    """A new process whose first analytics call comes from a page run (not the warm-up) merges the list
    the last process saved instead of writing over it: the saved calls stay, older than the new one."""
    import json
    from datetime import date
    from types import SimpleNamespace

    from analytics.filters import Filters

    path = cache.recent_path(own_db)
    path.write_text(json.dumps({"format": 1, "calls": [
        {"fn": "analytics.grades.grade_counts", "kwargs": {"by": "town", "filters": None}}]}), encoding="utf-8")
    d = date(2023, 11, 29)
    cache._remember(tiers.tier_counts, SimpleNamespace(as_of=d, rounds=[d], filters=Filters(), settings={}), {})
    assert cache.recent_calls() == [(tiers.tier_counts, {"filters": Filters()}),
                                    (grades.grade_counts, {"by": "town", "filters": None})]
    saved = json.loads(path.read_text(encoding="utf-8"))["calls"]
    assert [c["fn"] for c in saved] == ["analytics.grades.grade_counts", "analytics.tiers.tier_counts"]


def test_a_search_with_text_is_neither_remembered_nor_saved(own_db, warm_on):
    """项目详情's list before any search (q='') is a page call like any other; a search someone typed is one
    visitor's: replaying it after an import would spend the warm-up on it, crowd the 128 calls out, and
    saving it would write the text into the file beside the database."""
    from datetime import date
    from types import SimpleNamespace

    from analytics import project
    from analytics.filters import Filters

    d = date(2023, 11, 29)
    ctx = SimpleNamespace(as_of=d, rounds=[d], filters=Filters(), settings={})
    for q in ("贺街", "", "HB-2019"):
        cache._remember(project.search_projects, ctx, {"q": q})
        cache._remember(project.count_projects, ctx, {"q": q})
    assert cache.recent_calls() == [(project.count_projects, {"q": "", "filters": Filters()}),
                                    (project.search_projects, {"q": "", "filters": Filters()})]
    assert cache.save_recent()
    text = cache.recent_path(own_db).read_text(encoding="utf-8")
    assert "贺街" not in text and "HB-2019" not in text and "search_projects" in text
