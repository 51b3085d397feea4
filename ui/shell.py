"""The page shell: the shared sidebar (report round + filters), the 数据截至 banner, the empty state.

Contract used by every page (pages stay thin: widgets → ``call(analytics_fn, ctx)`` → render):

    ctx = page_setup("页面标题", needs_data=True)    # guard + sidebar + banner; st.stop() when no data
    df = call(grades.grade_counts, ctx, by="town")    # ui.cache: cached on (fn, data version, as_of, ...)
    show_table(df, key="by_town")                      # ui.tables: Chinese headers + .xlsx download

How the sidebar persists across pages: with ``st.navigation`` the entrypoint ``app.py`` (ui.nav) runs
on every rerun, before the page. It calls ``render_shell()`` which renders the sidebar widgets (their
state then survives page switches) and leaves this run's ``Ctx`` in session state; ``page_setup``
pops it. When a page file runs on its own (a test), ``page_setup`` renders the shell itself. The page
files live in views/, not pages/, so Streamlit never serves them on their own (its legacy multipage
mode only looks at a folder named pages/).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

import streamlit as st

from analytics import base
from analytics.filters import Filters
from analytics.settings import get_settings
from ledger import auth
from ledger import db as ledger_db
from ledger import glossary
from ui.connection import get_con
from ui import links
from ui.guard import access_guard, require_page, show_denied, user_box

EMPTY_MSG = "请先导入台账：在「数据导入」页上传乡镇（街道）或主管部门报送的台账 Excel，或用示例数据启动。"
_CTX_KEY = "_ui_ctx"
DOWNLOAD_META = "_ui_download_meta"   # this page's round and filters, for the title rows of its downloads


@dataclass
class Ctx:
    con: Any                      # a cursor on the process-wide DuckDB connection, for this script run
    as_of: date                   # the chosen report round's date (today when there are no rounds)
    round_date: date | None       # the report round in force (None: empty database)
    round_no: int                 # 第N期: 1-based among all rounds (0 when none)
    filters: Filters = field(default_factory=Filters)
    settings: dict = field(default_factory=dict)
    version: str = ""             # ledger.db.data_version: changes on every import / settings change
    empty: bool = True            # no report rounds in the database
    rounds: list = field(default_factory=list)  # all round dates, ascending
    user: Any = None              # the signed-in ledger.auth.User (re-validated this run)


# --- sidebar ---------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def _filter_options(_con, version: str, latest: date) -> dict:
    """Choices for the sidebar, from the projects in force at the latest round."""
    c = base.filter_choices(_con, as_of=latest)
    towns_in_data = set(c["towns"])
    towns = [t for t in glossary.TOWNS if t in towns_in_data] + sorted(towns_in_data - set(glossary.TOWNS))
    depts_in_data = set(c["departments"])
    depts = [d for d in glossary.DEPARTMENTS if d in depts_in_data] + sorted(depts_in_data - set(glossary.DEPARTMENTS))
    cats = c["categories"]
    years = [y for y in (c["year_min"], c["year_max"]) if y is not None]
    return {
        "towns": towns,
        "departments": depts,
        "categories": cats,
        "year_min": min([2013] + years),
        "year_max": max(years) if years else 2013,
    }


_KEEP = "_keep_"  # sidebar values also kept outside widget state


def _restore(key: str, valid: Callable[[Any], bool]) -> None:
    """Carry a sidebar value over to this run's widget, then drop it if it no longer fits the choices.

    Re-assigning the key (the documented "interrupt widget clean-up" pattern) keeps the value when the
    widget's ID changes: AppTest runs a page file on its own or switches pages before
    st.navigation has run, so entrypoint widgets can get page-specific IDs there. The kept copy covers a key Streamlit dropped altogether."""
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
    elif _KEEP + key in st.session_state:
        st.session_state[key] = st.session_state[_KEEP + key]
    if key in st.session_state:
        try:
            ok = valid(st.session_state[key])
        except (TypeError, ValueError, IndexError):
            ok = False
        if not ok:
            del st.session_state[key]
            st.session_state.pop(_KEEP + key, None)


# --- the view in the URL ------------------------------------------------------------------------------
# ?round=2023-10-29&towns=贺街镇&towns=步头镇&depts=…&tiers=city&cats=…&years=2016-2021 (&project=P01 on
# 项目详情, ui.links); the page itself is st.navigation's url path; no round when it is the newest. Read once per session before the
# widgets (a fresh session opened from a shared link or a reload restores the view), written after them
# on every run (changing the sidebar updates the URL). Values that do not fit are dropped quietly and
# named in a 提示 caption.
URL_PARAMS = {"round": "sb_round", "towns": "sb_towns", "depts": "sb_depts", "tiers": "sb_tiers",
              "cats": "sb_cats", "years": "sb_years"}
_URL_READ = "_url_read"
_URL_IGNORED = "_url_ignored"


def parse_url(qp: dict[str, list[str]], *, rounds: list[date], lists: dict[str, list], lo: int, hi: int
              ) -> tuple[dict[str, Any], list[str]]:
    """URL parameters (name → values) → (sidebar widget key → value, ignored 'name=value' texts). Pure.

    ``rounds``: the round dates; ``lists``: widget key → allowed values; ``lo``/``hi``: the 建设年度
    slider bounds. Unknown parameter names are left alone (not ours); a list keeps its valid values."""
    out: dict[str, Any] = {}
    ignored: list[str] = []
    for name, key in URL_PARAMS.items():
        vals = [v for v in qp.get(name, []) if v != ""]
        if not vals:
            continue
        if name == "round":
            try:
                d = date.fromisoformat(vals[-1])
            except ValueError:
                d = None
            if d in rounds:
                out[key] = d
            else:
                ignored.append(f"round={vals[-1]}")
        elif name == "years":
            try:
                a, b = (int(x) for x in vals[-1].split("-"))
                ok = lo <= a <= b <= hi
            except ValueError:
                ok = False
            if ok:
                out[key] = (a, b)
            else:
                ignored.append(f"years={vals[-1]}")
        else:
            allowed = lists[key]
            good = [v for v in allowed if v in vals]  # the sidebar's order, no duplicates
            ignored += [f"{name}={v}" for v in dict.fromkeys(vals) if v not in allowed]
            if good:
                out[key] = good
    return out, ignored


def url_of(round_date: date, filters: Filters, lo: int, hi: int, latest: date | None = None
           ) -> dict[str, str | list[str]]:
    """The URL parameters of a view (the inverse of ``parse_url``); no parameter for an unused filter,
    and none for the round when it is the newest (``latest``): such a link or reload follows the data
    to the newest round after the next import, an older round stays pinned."""
    out: dict[str, str | list[str]] = {} if round_date == latest else {"round": round_date.isoformat()}
    for name, vals in (("towns", filters.towns), ("depts", filters.departments), ("tiers", filters.tiers),
                       ("cats", filters.categories)):
        if vals:
            out[name] = list(vals)
    if filters.year_from is not None or filters.year_to is not None:
        out["years"] = f"{filters.year_from or lo}-{filters.year_to or hi}"
    return out


def _read_url(rounds: list[date], lists: dict[str, list], lo: int, hi: int) -> None:
    if st.session_state.get(_URL_READ):
        return
    st.session_state[_URL_READ] = True
    qp = st.query_params
    raw = {k: qp.get_all(k) for k in qp}
    seeds, ignored = parse_url(raw, rounds=rounds, lists=lists, lo=lo, hi=hi)
    for key, v in seeds.items():
        st.session_state[key] = v
    if code := (raw.get(links.PROJECT_PARAM) or [""])[-1]:
        st.session_state[links.OPEN_KEY] = code  # the detail page checks it (and says if it is unknown)
    if ignored:
        st.session_state[_URL_IGNORED] = ignored


def _write_url(round_date: date, filters: Filters, lo: int, hi: int, latest: date) -> None:
    want = url_of(round_date, filters, lo, hi, latest)
    qp = st.query_params
    for name in URL_PARAMS:
        v = want.get(name)
        if v is None:
            if name in qp:
                del qp[name]
        elif qp.get_all(name) != ([v] if isinstance(v, str) else v):
            qp[name] = v


def filters_note(ctx: Ctx, *, applies: str, ignored: str = "") -> None:
    """One line under a page's title saying which sidebar filters this page honours and which not (and
    why), so that no filter silently fails to apply. ``applies``/``ignored``: Chinese phrases."""
    text = f"侧栏筛选：{applies}"
    if ignored:
        text += f"；{ignored}"
    if ignored and not ctx.filters.is_empty():  # a filter is set that this page (partly) does not apply
        st.info(text + "。", icon=":material/filter_alt:")
    else:
        st.caption(text + "。")


def round_label(d: date, rounds: list) -> str:
    return f"第{rounds.index(d) + 1}期 {d.isoformat()}" if d in rounds else d.isoformat()


# Injected once per run (#8.11, #8.13). Print: the sidebar, header, toolbar and buttons are not printed; the
# page flows over as many A4 landscape sheets as it needs (Streamlit's scroll containers would otherwise
# print only the first screen) and a table, chart or metric is never split across two sheets.
# Uploader: its two built-in English texts ("Upload", "200MB per file • XLSX…") cannot be set, so they are
# drawn at size 0 and a Chinese text is put after them (selectors are the data-testids Streamlit's own
# tests use; tests/browser/test_print.py fails if a Streamlit upgrade changes them).
PAGE_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "可拖入文件；每个文件不超过 200MB"; font-size: 0.875rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stFileUploader"],
  [data-testid="stElementToolbar"], [data-testid="stBottom"] { display: none !important; }
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] {
    height: auto !important; min-height: 0 !important; overflow: visible !important;
    position: static !important; }
  [data-testid="stMain"] { margin-left: 0 !important; width: 100% !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stPlotlyChart"],
  [data-testid="stMetric"], [data-testid="stAlert"], [data-testid="stExpander"],
  [data-testid="stLatex"] { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
}
</style>"""


def render_shell(on_sign_in_page=None) -> Ctx:
    """Access guard + the shared sidebar; returns this run's Ctx (also left for ``page_setup``).
    A 单位 is held to its own 乡镇 / 主管部门 (``ledger.auth.unit_filter_fields``): the filter comes from
    its user record, never from a widget."""
    st.html(PAGE_CSS)
    user = access_guard(on_sign_in_page)
    con = get_con()
    user_box(user)
    forced = auth.unit_filter_fields(user)
    version = ledger_db.data_version(con)
    rounds = base.rounds(con)
    settings = get_settings(con)
    sb = st.sidebar
    if not rounds:
        ctx = Ctx(con=con, as_of=date.today(), round_date=None, round_no=0, filters=Filters(**forced),
                  settings=settings, version=version, empty=True, rounds=[], user=user)
        sb.caption("尚无报送期次")
        st.session_state[_CTX_KEY] = ctx
        return ctx

    choices = list(reversed(rounds))  # newest first
    opts = _filter_options(con, version, rounds[-1])
    lists = {"sb_towns": opts["towns"], "sb_depts": opts["departments"], "sb_tiers": list(glossary.TIERS),
             "sb_cats": opts["categories"]}
    lo, hi = opts["year_min"], max(opts["year_max"], opts["year_min"] + 1)
    _read_url(choices, lists, lo, hi)  # once per session, before the widgets: a shared/bookmarked view
    _restore("sb_round", lambda v: v in choices)
    chosen = sb.selectbox("报送期次（数据截至）", choices, key="sb_round", placeholder="请选择",
                          format_func=lambda d: round_label(d, rounds))
    for k, allowed in lists.items():
        _restore(k, lambda v, allowed=allowed: set(v) <= set(allowed))
    if forced:
        sb.caption(f"范围：{user.unit}（本单位项目；总览另列全区合计）")
        towns, depts = forced.get("towns", ()), forced.get("departments", ())
    else:
        # select_all=False: Streamlit's "Select all" option cannot be translated (empty already means 全部)
        towns = sb.multiselect("乡镇（街道）", opts["towns"], key="sb_towns", placeholder="全部", select_all=False)
        depts = sb.multiselect("项目主管部门", opts["departments"], key="sb_depts", placeholder="全部",
                               select_all=False)
    tiers = sb.multiselect("督办层级", list(glossary.TIERS), key="sb_tiers", placeholder="全部",
                           format_func=lambda c: glossary.label("tier", c), select_all=False)
    cats = sb.multiselect("项目类别", opts["categories"], key="sb_cats", placeholder="全部", select_all=False)
    _restore("sb_years", lambda v: lo <= v[0] <= v[1] <= hi)
    if "sb_years" not in st.session_state:
        st.session_state["sb_years"] = (lo, hi)
    y_from, y_to = sb.slider("建设年度", min_value=lo, max_value=hi, key="sb_years")
    for k in ("sb_round", *lists, "sb_years"):
        if k in st.session_state:  # a 单位 has no 乡镇/部门 widgets
            st.session_state[_KEEP + k] = st.session_state[k]
    filters = Filters(
        towns=tuple(towns), departments=tuple(depts), tiers=tuple(tiers), categories=tuple(cats),
        # the full range means "no filter" (keeps projects without a 建设年度)
        year_from=None if y_from <= lo else int(y_from),
        year_to=None if y_to >= hi else int(y_to),
    )
    if not filters.is_empty() and not forced:
        sb.caption("已应用筛选；不适用某项筛选的页面或表格在该页注明。")
    if ignored := st.session_state.pop(_URL_IGNORED, None):
        sb.caption("提示：链接中以下参数无效，已忽略：" + "；".join(ignored))
    ctx = Ctx(con=con, as_of=chosen, round_date=chosen, round_no=rounds.index(chosen) + 1,
              filters=filters, settings=settings, version=version, empty=False, rounds=rounds, user=user)
    _write_url(chosen, filters, lo, hi, rounds[-1])
    st.session_state[_CTX_KEY] = ctx
    return ctx


def page_setup(title: str, needs_data: bool = True) -> Ctx:
    """Every page starts with this: guard, sidebar (reused from app.py's run), title, banner.

    With ``needs_data`` and an empty database it shows 请先导入台账 and stops the page."""
    ctx = st.session_state.pop(_CTX_KEY, None)
    if ctx is None:  # the page file runs without app.py (a test running one page file)
        try:
            st.set_page_config(page_title=f"{title} · 帮扶产业项目监管看板", layout="wide")
        except Exception:  # already set in this run
            pass
        ctx = render_shell()
        st.session_state.pop(_CTX_KEY, None)
    else:
        ctx.user = access_guard()  # cheap (one row); app.py already ran it
    require_page(ctx.user, title)  # a page opened by URL or by switching pages is checked here too
    st.title(title)
    st.session_state[DOWNLOAD_META] = (ctx.round_no, ctx.round_date, ctx.filters)
    show_denied()
    if ctx.round_date is not None:
        st.caption(f"数据截至 第{ctx.round_no}期（{ctx.round_date.isoformat()}）")
    if ctx.empty and needs_data:
        empty_state()
    return ctx


def empty_state(msg: str = "请先导入台账") -> None:
    """A friendly message instead of a traceback, then stop the page."""
    st.info(EMPTY_MSG if msg == "请先导入台账" else msg, icon="📥")
    st.stop()
