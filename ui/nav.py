"""The app's navigation: sections, page files, and the shared shell, in one place.

``run_app()`` is what app.py runs. A pages/ folder is also served directly by Streamlit (the old
multipage mode) on a fresh process before app.py has run once — a deep link like /风险分级 then runs
the page file alone, with a flat, unlabelled page list. ``page_setup`` detects that and calls
``run_app()`` itself, so the user gets the same sections, sidebar and guard either way.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {
    "领导": [("1_总览.py", "总览", ":material/dashboard:")],
    "工作专班": [
        ("2_风险分级.py", "风险分级", ":material/traffic:"),
        ("4_整改进度.py", "整改进度", ":material/schedule:"),
        ("6_填报情况.py", "填报情况", ":material/fact_check:"),
        ("7_项目详情.py", "项目详情", ":material/search:"),
        ("10_附件3汇总.py", "附件3 汇总表", ":material/table_view:"),
        ("8_数据导入.py", "数据导入", ":material/upload_file:"),
    ],
    "分析": [
        ("3_资金投向.py", "资金投向", ":material/account_balance:"),
        ("5_单位排名与奖惩.py", "单位排名与奖惩", ":material/leaderboard:"),
    ],
    "系统": [("9_设置.py", "设置", ":material/settings:")],
}
_IN_NAV = "_nav_running"


def run_app() -> None:
    """Page config, the shell (guard + sidebar) and st.navigation over the existing page files."""
    from ui.common import close_run_connection, render_shell

    try:
        st.set_page_config(page_title="帮扶产业项目监管看板", layout="wide")
    except Exception:  # noqa: BLE001 - already set in this run
        pass
    try:
        _run(render_shell)
    finally:
        close_run_connection()


def _run(render_shell) -> None:
    render_shell()
    nav = {
        section: [
            st.Page(str(ROOT / "pages" / f), title=title, icon=icon, default=(f == "1_总览.py"))
            for f, title, icon in pages if (ROOT / "pages" / f).exists()
        ]
        for section, pages in SECTIONS.items()
    }
    st.session_state[_IN_NAV] = True
    try:
        st.navigation({s: p for s, p in nav.items() if p}).run()
    finally:
        st.session_state.pop(_IN_NAV, None)


def handing_over() -> bool:
    """True when a page file runs alone (not under run_app): run the app's navigation instead."""
    return not st.session_state.get(_IN_NAV, False)
