"""Links between pages: a project row anywhere opens its 项目详情, and every view has a URL.

    open_project("P01")          # from a table's row selection (ui.tables.show_table): → 项目详情 of P01
    code = linked_project()      # on 项目详情, before its widgets: the project handed over (or None)

The hand-over is carried twice: in session state (``_open_project``, read by the detail page on its
next run) and in the URL (``?project=P01`` next to the round and filter parameters the shell writes,
ui.shell), so the detail page can also be bookmarked, shared and reloaded.
"""
from __future__ import annotations

import streamlit as st

DETAIL_PAGE = "views/7_项目详情.py"   # relative to app.py's folder (what st.switch_page expects)
DETAIL_URL_PATH = "项目详情"          # its st.navigation url path
PROJECT_PARAM = "project"
OPEN_KEY = "_open_project"            # the code handed to the detail page (session state)
# the shell's URL parameters (ui.shell.URL_PARAMS) are carried along on a switch; kept here as names only
CARRIED = ("round", "towns", "depts", "tiers", "cats", "years")


def carried_params() -> dict[str, list[str]]:
    """The round and filter parameters of the current URL (written by the shell in this run)."""
    qp = st.query_params
    return {k: qp.get_all(k) for k in CARRIED if k in qp}


def handover(code: str) -> dict[str, list[str] | str]:
    """Leave ``code`` for the detail page and return the query parameters of its URL (pure on state:
    what ``open_project`` passes to ``st.switch_page``; tested without a browser)."""
    st.session_state[OPEN_KEY] = str(code)
    return {**carried_params(), PROJECT_PARAM: str(code)}


def open_project(code: str) -> None:
    """Switch to 项目详情 showing ``code``, with the round and filters carried over (does not return)."""
    st.switch_page(DETAIL_PAGE, query_params=handover(code))


def linked_project() -> str | None:
    """The project handed over to the detail page (from a table row or a ``?project=`` URL), once."""
    code = st.session_state.pop(OPEN_KEY, None)
    return None if code in (None, "") else str(code)


def set_project_param(code: str | None) -> None:
    """Keep ``?project=`` in step with the project the detail page shows (removed when None)."""
    qp = st.query_params
    if code is None:
        if PROJECT_PARAM in qp:
            del qp[PROJECT_PARAM]
    elif qp.get(PROJECT_PARAM) != code:
        qp[PROJECT_PARAM] = code


def leave_detail_page() -> None:
    """On every page but 项目详情: no ``?project=`` in the URL and no pending hand-over."""
    set_project_param(None)
    st.session_state.pop(OPEN_KEY, None)
