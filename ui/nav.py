"""The app's navigation: sections and page files (views/), run under the shared shell.

``run_app()`` is what app.py runs on every rerun: page config, the shell (guard + sidebar, ui.shell),
then ``st.navigation`` runs the chosen page file, and the run's connection is closed at the end.
The page files live in views/ rather than pages/: Streamlit's legacy multipage mode serves a folder
named pages/ on its own (a deep link on a fresh process would run a page file before app.py, with a
flat, unlabelled page list), so with views/ every request goes through this navigation.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ledger.auth import can_open
from ui import links
from ui.connection import close_run_connection
from ui.shell import render_shell

VIEWS = Path(__file__).resolve().parent.parent / "views"
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
    "系统": [("9_设置.py", "设置", ":material/settings:"),
             ("11_操作日志.py", "操作日志", ":material/history:")],
}


def _pages(user) -> dict:
    """The sections with the pages ``user``'s role may open (every page when ``user`` is None)."""
    nav = {
        section: [
            st.Page(str(VIEWS / f), title=title, icon=icon, default=(f == "1_总览.py"))
            for f, title, icon in pages if (VIEWS / f).exists() and (user is None or can_open(user, title))
        ]
        for section, pages in SECTIONS.items()
    }
    return {s: p for s, p in nav.items() if p}


def run_app() -> None:
    """Page config, the shell (guard + sidebar) and st.navigation over the pages the signed-in user's
    role may open (ledger.auth.PAGE_ROLES; each page checks again in ``page_setup``)."""
    try:
        st.set_page_config(page_title="帮扶产业项目监管看板", layout="wide")
    except Exception:  # noqa: BLE001 - already set in this run
        pass
    try:
        # not signed in: every page registered but hidden and none run, so a deep link's URL survives
        user = render_shell(on_sign_in_page=lambda: st.navigation(_pages(None), position="hidden")).user
        page = st.navigation(_pages(user))
        if page.url_path != links.DETAIL_URL_PATH:
            links.leave_detail_page()  # ?project= belongs to 项目详情 only
        page.run()
    finally:
        close_run_connection()
