"""Warm-up while a visitor signs in (issue #7: a fresh browser visit's first figures).

Two parts, both started by the sign-in page (``ui.guard``):

**The browser.** A fresh browser has none of Streamlit's lazily loaded element code: the first page with
charts makes it fetch and compile ~6 MB of JavaScript (the plotly chunk alone is 4.7 MB) after the 登录
click, and on this 2-core machine that, not the page's Python, was most of the wait for 总览's first
figures.
``warm_browser()`` draws one of each element kind the pages use, in a container hidden by CSS, on the
sign-in page, WARM_DELAY seconds after the form (a fragment with ``run_every``): the browser loads that
code while the visitor types. Nothing in it is visible or read back; it holds no data.

**The server.** The first visitor after a server start or an import waited for 总览's cold run (the
imports of pandas/plotly/analytics and every query of the page) after the click. ``warm_server()``
(called by the same fragment, once per session) starts a background thread with connections of its own
(``_warm_version``) that runs, once per process and data version, ``overview_data`` for the newest round with no filters
(what a 领导 or 工作专班 user sees first), so its results are in ``ui.cache``'s shared cache when the
visitor has signed in. Then it computes again, for this version, every call the process's page runs
made for the newest round before (``ui.cache.replay``: the other pages and their widget and filter
choices, up to ``RECENT_MAX``), so after an import the pages people visited are ready too. That list is
saved beside the database (``ui.cache.recent_path``) and read back by the first warm-up of a new process
(``ui.cache.load_recent``), so after a server restart too. A page run
that asks for a result the thread is computing waits for it (Streamlit's per-key compute lock) instead
of computing it twice. ``LEDGER_WARM=0`` turns it off (the page tests do, and test it on its own).
"""
from __future__ import annotations

import logging
import os
import threading
import time

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import clocks, funding, grades, tiers
from analytics.base import red_yellow_filters
from ui.cache import WARM_ENV, call, load_recent, recent_calls, replay

_log = logging.getLogger(__name__)
_warmed: set[tuple[str, str]] = set()   # (database path, data version) already warmed in this process
_running: set[str] = set()              # database paths with a warm-up thread running now
_warmed_lock = threading.Lock()
WARM_DELAY = 0.5                  # s the sign-in page is up before the warm-up (its form paints first)
_SHOWN_AT = "_warm_shown_at"      # session_state: when this session's sign-in page was first drawn
_DONE = "_warm_done"              # session_state: this tab has drawn the warm-up, or signed in (it has the code)
_STOPPED = "_warm_stopped"        # session_state: the full rerun that ends the fragment's timer has been asked for

WARM_KEY = "signin_warm"          # st.container(key=...) → the CSS class st-key-signin_warm
WARM_CSS = f"<style>.st-key-{WARM_KEY} {{ display: none !important; }}</style>"


def warm_browser() -> None:
    """The warm-up fragment of the sign-in page (see the module docstring), unless this browser session
    has drawn it or been signed in already: the sign-in page after 退出登录, an idle timeout or a wrong
    password then has neither the hidden elements (the tab has their code) nor the fragment's timer."""
    if st.session_state.get(_DONE):
        return
    st.session_state.setdefault(_SHOWN_AT, time.monotonic())
    _warm_fragment()


def mark_done() -> None:
    """A successful sign-in: this tab is about to load the pages' code itself (``warm_browser``)."""
    st.session_state[_DONE] = True


@st.fragment(run_every=WARM_DELAY)
def _warm_fragment() -> None:
    """Nothing until the sign-in page has been up WARM_DELAY seconds; then, once per session, the server
    warm-up and the hidden element kinds (metric, plotly chart, data frame, sidebar widgets, download button).
    Drawn with the form, they held it back: its first paint waited for the 4.7 MB chart code (measured in a
    real browser, 1.5 → 2.1–3.4 s for a second visitor).

    A fragment with ``run_every`` reruns on its timer for as long as it is on the page (Streamlit has no
    call to stop it). So the run after the drawing one asks for one full rerun of the sign-in page. In that
    run, ``warm_browser`` leaves the fragment out, which ends the timer. The hidden elements leave the page
    with it; the code the browser loaded for them stays loaded.
    - Three idle sign-in tabs cost the server 0.45–0.6 % of a core, as with no warm-up at all. With the
      timer ticking they cost 2.9–3.0 % (session 30, same run).
    - The form keeps what the visitor types during that rerun, and a deep link keeps its page
      (tests/browser/test_browser.py::test_warm_up_ends_without_disturbing_typing).
    Signing in drops the fragment too."""
    if st.session_state.get(_DONE):
        if not st.session_state.get(_STOPPED):
            # the run after the drawing one: one full run of the sign-in page, in which warm_browser leaves
            # the fragment out, ends its timer (an idle sign-in tab then costs the server nothing). The form
            # keeps what the visitor is typing (tests/browser: test_warm_up_ends_without_disturbing_typing)
            st.session_state[_STOPPED] = True
            st.rerun(scope="app")
        return
    if time.monotonic() - st.session_state.get(_SHOWN_AT, 0.0) < WARM_DELAY * 0.9:
        return
    st.session_state[_DONE] = True
    warm_server()
    st.html(WARM_CSS)
    with st.container(key=WARM_KEY):
        st.metric("预加载", 0)
        st.plotly_chart(go.Figure(go.Bar(x=[0], y=[0])), key="warm_chart")
        st.dataframe(pd.DataFrame({"预加载": [0]}), key="warm_table", placeholder="—")
        st.selectbox("预加载", [0], key="warm_select", placeholder="请选择")
        st.multiselect("预加载", [0], key="warm_multi", placeholder="全部", select_all=False)
        st.slider("预加载", 0, 1, key="warm_slider")
        st.download_button("预加载", b"", key="warm_download")


def overview_data(ctx) -> dict:
    """Every cached analytics call of 总览 for ``ctx`` (the page and the warm-up share this list):
    counts, delta, money, rollup (by unit), overdue, trend, red_yellow (the tier table's 红/黄 rows)."""
    return {
        "counts": call(grades.grade_counts, ctx),
        "delta": call(grades.grade_delta, ctx),
        "money": call(funding.funds_at_risk, ctx),
        "rollup": call(clocks.clock_rollup, ctx, by="unit"),
        "overdue": call(clocks.overdue_projects, ctx),
        "trend": call(grades.grade_trend, ctx),
        "red_yellow": call(tiers.tier_table, ctx, filters=red_yellow_filters(ctx.filters)),
    }


def warm_server() -> threading.Thread | None:
    """Start the warm-up thread for the current database, unless ``LEDGER_WARM=0`` or one is running;
    the thread returns at once when this process has already warmed the file's data version."""
    if os.environ.get(WARM_ENV, "1") == "0":
        return None
    from ledger import db as ledger_db

    path = str(ledger_db.db_path())
    with _warmed_lock:
        if path in _running:
            return None
        _running.add(path)
    t = threading.Thread(target=_warm, args=(path,), name="ledger-warm", daemon=True)
    t.start()
    return t


def _warm(path: str) -> None:
    try:
        _warm_version(path)
    finally:
        with _warmed_lock:
            _running.discard(path)


def _warm_version(path: str) -> None:
    """总览, then the remembered calls one at a time, each on a connection of its own: the file is released
    between calls (a CLI import waits for one call, not for the whole warm-up), and the warm-up stops
    when the data version changes under it (an import landed: its results would be for the old data)."""
    from analytics import base
    from analytics.filters import Filters
    from analytics.settings import get_settings
    from ledger import db as ledger_db
    from ui.shell import Ctx, _filter_options

    ctx = None
    load_recent(path)        # after a restart: the calls the process before this one saved
    for calls in [None, *([c] for c in recent_calls())]:    # None: the first step, 总览
        try:
            con = ledger_db.open_file(path, wait=5.0)
        except Exception:  # noqa: BLE001 - busy (an import): the visitor's own run computes it
            return
        try:
            version = ledger_db.data_version(con)
            if ctx is None:
                with _warmed_lock:
                    if (path, version) in _warmed:
                        return
                    _warmed.add((path, version))
                rounds = base.rounds(con)
                if not rounds:
                    return
                _filter_options(ledger_db.cursor(con), version, rounds[-1])
                ctx = Ctx(con=ledger_db.cursor(con), as_of=rounds[-1], round_date=rounds[-1], round_no=len(rounds),
                          filters=Filters(), settings=get_settings(con), version=version, empty=False,
                          rounds=rounds)
                overview_data(ctx)   # 总览 first: where every visitor lands
            elif version != ctx.version:
                return
            else:                    # then what this process's page runs asked for at the newest round
                ctx.con = ledger_db.cursor(con)
                replay(ctx, calls)
        except Exception:  # noqa: BLE001 - a warm-up only: the page computes (and shows) any error itself
            _log.exception("warm-up of %s failed", path)
            return
        finally:
            con.close()
