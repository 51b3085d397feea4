"""Shared page machinery: connection, access guard, sidebar filters, cached analytics calls, tables.

Contract used by every page (pages stay thin: widgets → ``call(analytics_fn, ctx)`` → render):

    ctx = page_setup("页面标题", needs_data=True)    # guard + sidebar + banner; st.stop() when no data
    df = call(grades.grade_counts, ctx, by="town")    # cached on (fn, data version, as_of, filters, kwargs)
    show_table(df, key="by_town")                      # Chinese headers + .xlsx download (key "dl_by_town")

How the sidebar persists across pages: with ``st.navigation`` the entrypoint ``app.py`` runs on every
rerun, before the page. It calls ``render_shell()`` which renders the sidebar widgets (their state then
survives page switches) and leaves this run's ``Ctx`` in session state; ``page_setup`` pops it. When a
page file runs on its own (served before app.py, or a test), ``page_setup`` renders the shell itself.
"""
from __future__ import annotations

import hmac
import inspect
import io
import json
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable

import numpy as np
import pandas as pd
import streamlit as st

from ui import nav as _nav

from analytics import base
from analytics.filters import Filters
from analytics.settings import get_settings
from ledger import db as ledger_db
from ledger import glossary

GRADE_ORDER = ["red", "yellow", "green"]
PASSWORD_ENV = "DASHBOARD_PASSWORD"
OPEN_WAIT = 30.0  # seconds a page waits while another process (a CLI import) holds the database
_RUN_CON_KEY = "_ledger_run_con"
BOOTSTRAP_ENV = "LEDGER_BOOTSTRAP"  # "0": never fill an empty database with the sample ledgers
EMPTY_MSG = "请先导入台账：在「数据导入」页上传乡镇（街道）或主管部门报送的台账 Excel，或用示例数据启动。"
PAGE_ROWS = 500  # long tables are shown a page at a time (the download is always the whole table)

_CTX_KEY = "_ui_ctx"
_AUTH_KEY = "_ui_authenticated"


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


# --- connection ------------------------------------------------------------------------------------
@st.cache_resource(show_spinner="正在打开台账数据库（首次启动时从样例台账建库，约需 1 分钟）…")
def _prepare(path: str) -> str:
    """Once per process and file: build from the sample on first start, apply the schema."""
    from ledger.bootstrap import ensure_database  # builds the db from data/sample on first start

    with ledger_db.WRITE_LOCK:
        if os.environ.get(BOOTSTRAP_ENV, "1") != "0":
            ensure_database(path)
        ledger_db.connect(path, wait=OPEN_WAIT).close()
    return path


def _connection(path: str):
    """A connection of this process to the ledger file (schema ready). Connections of one process
    share one DuckDB instance; each is used by one thread."""
    return ledger_db.open_file(_prepare(path), wait=OPEN_WAIT)


def get_con():
    """A cursor on this script run's connection.

    The app opens the file once per script run (~30 ms) and closes it when the run ends
    (``close_run_connection``, called by ui.nav.run_app), instead of holding it for the life of the
    process: DuckDB lets only one process open a file for writing, so a held connection would lock
    out ``python -m ledger import`` for as long as the dashboard runs, and a file swapped by
    ``rebuild`` would keep being served stale. While another process holds the file, the page waits
    up to OPEN_WAIT seconds and then says so in Chinese."""
    con = st.session_state.get(_RUN_CON_KEY)
    if con is None:
        try:
            con = _connection(str(ledger_db.db_path()))
        except ledger_db.DatabaseBusy as e:
            st.error(f"{e}")
            st.stop()
        st.session_state[_RUN_CON_KEY] = con
    return con.cursor()


def close_run_connection() -> None:
    """End of a script run: release the file so other processes (the CLI) can write it."""
    con = st.session_state.pop(_RUN_CON_KEY, None)
    if con is not None:
        con.close()


def bump_version() -> None:
    """After a write (import, settings): drop cached analytics results so every page recomputes.
    (The data version key changes too; clearing just frees the memory now.)"""
    st.cache_data.clear()


# --- access guard ----------------------------------------------------------------------------------
def access_guard() -> None:
    """Optional password (env DASHBOARD_PASSWORD). None set → open. Wrong/missing → form + st.stop()."""
    secret = os.environ.get(PASSWORD_ENV)
    if not secret or st.session_state.get(_AUTH_KEY):
        return
    st.title("帮扶产业项目监管看板")
    pw = st.text_input("访问密码", type="password", key="auth_pw")
    if pw and hmac.compare_digest(pw.encode("utf-8"), secret.encode("utf-8")):
        st.session_state[_AUTH_KEY] = True
        st.rerun()
    if pw:
        st.error("密码不正确")
    st.stop()


# --- sidebar ---------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def _filter_options(_con, version: str, latest: date) -> dict:
    """Choices for the sidebar, from the projects in force at the latest round."""
    df = base.projects(_con, as_of=latest)
    towns_in_data = set(df["town"].dropna())
    towns = [t for t in glossary.TOWNS if t in towns_in_data] + sorted(towns_in_data - set(glossary.TOWNS))
    depts_in_data = set(df["department"].dropna())
    depts = [d for d in glossary.DEPARTMENTS if d in depts_in_data] + sorted(depts_in_data - set(glossary.DEPARTMENTS))
    cats = sorted(set(df["category"].dropna()))
    years = [int(y) for y in df["build_year"].dropna()]
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
    widget's ID changes: a process's first run goes through the pages/ directory (MPA v1) until
    st.navigation runs, and AppTest runs every page that way, so entrypoint widgets get page-specific
    IDs there. The kept copy covers a key Streamlit dropped altogether."""
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


def round_label(d: date, rounds: list) -> str:
    return f"第{rounds.index(d) + 1}期 {d.isoformat()}" if d in rounds else d.isoformat()


def render_shell() -> Ctx:
    """Access guard + the shared sidebar; returns this run's Ctx (also left for ``page_setup``)."""
    access_guard()
    con = get_con()
    version = ledger_db.data_version(con)
    rounds = base.rounds(con)
    settings = get_settings(con)
    sb = st.sidebar
    if not rounds:
        ctx = Ctx(con=con, as_of=date.today(), round_date=None, round_no=0, filters=Filters(),
                  settings=settings, version=version, empty=True, rounds=[])
        sb.caption("尚无报送期次")
        st.session_state[_CTX_KEY] = ctx
        return ctx

    choices = list(reversed(rounds))  # newest first
    _restore("sb_round", lambda v: v in choices)
    chosen = sb.selectbox("报送期次（数据截至）", choices, key="sb_round",
                          format_func=lambda d: round_label(d, rounds))
    opts = _filter_options(con, version, rounds[-1])
    lists = {"sb_towns": opts["towns"], "sb_depts": opts["departments"], "sb_tiers": list(glossary.TIERS),
             "sb_cats": opts["categories"]}
    for k, allowed in lists.items():
        _restore(k, lambda v, allowed=allowed: set(v) <= set(allowed))
    towns = sb.multiselect("乡镇（街道）", opts["towns"], key="sb_towns", placeholder="全部")
    depts = sb.multiselect("项目主管部门", opts["departments"], key="sb_depts", placeholder="全部")
    tiers = sb.multiselect("督办层级", list(glossary.TIERS), key="sb_tiers", placeholder="全部",
                           format_func=lambda c: glossary.label("tier", c))
    cats = sb.multiselect("项目类别", opts["categories"], key="sb_cats", placeholder="全部")
    lo, hi = opts["year_min"], max(opts["year_max"], opts["year_min"] + 1)
    _restore("sb_years", lambda v: lo <= v[0] <= v[1] <= hi)
    if "sb_years" not in st.session_state:
        st.session_state["sb_years"] = (lo, hi)
    y_from, y_to = sb.slider("建设年度", min_value=lo, max_value=hi, key="sb_years")
    for k in ("sb_round", *lists, "sb_years"):
        st.session_state[_KEEP + k] = st.session_state[k]
    filters = Filters(
        towns=tuple(towns), departments=tuple(depts), tiers=tuple(tiers), categories=tuple(cats),
        # the full range means "no filter" (keeps projects without a 建设年度)
        year_from=None if y_from <= lo else int(y_from),
        year_to=None if y_to >= hi else int(y_to),
    )
    if not filters.is_empty():
        sb.caption("已应用筛选，所有页面按此筛选。")
    ctx = Ctx(con=con, as_of=chosen, round_date=chosen, round_no=rounds.index(chosen) + 1,
              filters=filters, settings=settings, version=version, empty=False, rounds=rounds)
    st.session_state[_CTX_KEY] = ctx
    return ctx


def page_setup(title: str, needs_data: bool = True) -> Ctx:
    """Every page starts with this: guard, sidebar (reused from app.py's run), title, banner.

    With ``needs_data`` and an empty database it shows 请先导入台账 and stops the page."""
    ctx = st.session_state.pop(_CTX_KEY, None)
    if ctx is None and _nav.handing_over():
        # served directly from pages/ before app.py ran (old multipage mode): run the app's own
        # navigation, which runs this page again inside it with the shell, then stop this run.
        _nav.run_app()
        st.stop()
    if ctx is None:  # the page file runs without app.py
        try:
            st.set_page_config(page_title=f"{title} · 帮扶产业项目监管看板", layout="wide")
        except Exception:  # already set in this run
            pass
        ctx = render_shell()
        st.session_state.pop(_CTX_KEY, None)
    else:
        access_guard()  # cheap; app.py already ran it
    st.title(title)
    if ctx.round_date is not None:
        st.caption(f"数据截至 第{ctx.round_no}期（{ctx.round_date.isoformat()}）")
    if ctx.empty and needs_data:
        empty_state()
    return ctx


def empty_state(msg: str = "请先导入台账") -> None:
    """A friendly message instead of a traceback, then stop the page."""
    st.info(EMPTY_MSG if msg == "请先导入台账" else msg, icon="📥")
    st.stop()


# --- cached analytics calls ------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_call(fn_key: str, version: str, as_of, filters_key: str, settings_key: str, kwargs_key: tuple,
                 _fn, _con, _kwargs):
    return _fn(_con, **_kwargs)


def call(fn: Callable, ctx: Ctx, **kwargs):
    """``fn(_con, as_of=ctx.as_of, filters=ctx.filters, settings=ctx.settings, **kwargs)``, cached.

    filters/settings are passed only when ``fn`` accepts them; kwargs may override any of them
    (e.g. ``settings=`` with analyst weights, ``as_of=``, ``filters=None``)."""
    params = inspect.signature(fn).parameters
    kw = dict(kwargs)
    kw.setdefault("as_of", ctx.as_of)
    if "filters" in params:
        kw.setdefault("filters", ctx.filters)
    settings_key = ""
    if "settings" in params:
        if "settings" in kwargs:
            settings_key = json.dumps(kwargs["settings"], sort_keys=True, default=str)
        kw.setdefault("settings", ctx.settings)
    else:
        kw.pop("settings", None)
    if "as_of" not in params:
        kw.pop("as_of")
    rest = {k: v for k, v in kw.items() if k not in ("as_of", "filters", "settings")}
    return _cached_call(
        f"{fn.__module__}.{fn.__qualname__}", ctx.version, kw.get("as_of"), repr(kw.get("filters")),
        settings_key, tuple(sorted(rest.items())), _fn=fn, _con=ctx.con, _kwargs=kw,
    )


# --- labels and tables -----------------------------------------------------------------------------
def grade_label(code: str | None) -> str:
    return glossary.label("grade", code)


# Column headers for analytics columns the glossary does not name (render-time labels only).
EXTRA_LABELS: dict[str, str] = {
    "projects": "项目数",
    "share": "占比",
    "red": "红", "yellow": "黄", "green": "绿",
    "red_wan": "红(万元)", "yellow_wan": "黄(万元)", "green_wan": "绿(万元)",
    "green_share": "绿色占比",
    "tier_grade": "定级等级",
    "tier_amount_wan": "分级金额(万元)",
    "tier_supervisor": "督办", "tier_owner": "整治落实", "tier_acceptance": "验收",
    "initial_graded_on": "初始认定日期",
    "problems": "问题类型", "problem_detail": "问题描述",
    "sensitive": "敏感问题", "pretreatment": "预处理方式", "pretreatment_done": "预处理完成",
    "reason": "不一致原因", "reason_code": "原因代码",
    "kind": "类型", "status": "状态", "start": "起算日", "due": "到期日", "met_on": "完成日",
    "days_left": "剩余天数", "days_overdue": "逾期天数", "due_within_warn": "临期预警",
    "episode_no": "风险轮次",
    "on_time": "按期", "late": "逾期完成", "overdue": "逾期未完成", "pending": "未到期", "total": "合计",
    "on_time_rate": "按期完成率",
    "now": "本期", "previous": "上期", "delta": "变化",
    "from_grade": "原等级", "to_grade": "申请等级", "applied_on": "申请日期", "self_eval_on": "县自评日期",
    "accepted_on": "验收日期", "accepted_by": "验收单位", "route": "验收路径",
    "checklist_passed": "核查通过项", "checklist_total": "核查项数", "checklist_missing": "缺项",
    "task_seq": "序号", "measure": "工作任务/具体措施", "issue": "存在问题", "due_on": "时间节点",
    "done_on": "完成日期", "lead": "责任领导", "lead_unit": "牵头单位", "assist_units": "配合单位",
    "person": "责任人", "problem": "存在问题", "lead_leader": "责任领导", "co_units": "配合单位",
    "owner": "责任人",
    "score": "得分S", "rank": "排名", "band": "等次", "factor": "奖惩系数f", "penalty": "扣分",
    "alloc_yuan": "分配额(元)", "base_yuan": "基数(元)", "change_yuan": "变化(元)", "change_pct": "变化率",
    "enterprise_funds_wan": "企业出资(万元)", "paid_wan": "已拨付(万元)", "distribution_wan": "分红(万元)",
    "households_exited": "带动脱贫户数", "households_monitored": "带动监测户数",
    "planned_completion": "计划完工日期", "high_concern": "社会关注度高",
    "signoff_status": "销号状态", "linkage_mode": "联农带农方式", "patrolled": "已巡查",
    "resp_leader": "责任领导", "resp_unit": "责任单位", "resp_person": "责任人",
    "at_risk_wan": "风险资金(万元)", "at_risk_share": "风险资金占比",
    "seq": "序号", "raised_on": "反映日期", "channel": "方式", "content": "内容", "answer": "答复情况",
    "answered_on": "答复日期", "handler": "承办单位", "days_open": "已办理天数", "overdue_reply": "逾期未答复",
    "open": "未答复", "answered": "已答复",
}

# Columns holding codes → glossary kind (tried in order; the first whose codes cover the values wins).
CODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "grade": ("grade",), "initial_grade": ("grade",), "current_grade": ("grade",), "tier_grade": ("grade",),
    "start_grade": ("grade",), "from_grade": ("grade",), "to_grade": ("grade",),
    "grade_before": ("grade",), "grade_after": ("grade",),
    "tier": ("tier",), "source": ("fund_source",), "disposal": ("disposal",),
    "build_status": ("build_status",), "op_status": ("op_status",), "asset_type": ("asset_type",),
    "unit_kind": ("unit_kind",), "band": ("band",), "pretreatment": ("pretreatment",),
    "signoff_status": ("signoff_status",),
    "status": ("clock_status", "task_status", "submission_status", "signoff_status"),
    "kind": ("clock_kind", "unit_kind", "interaction_kind"),
    "problems": ("problem",), "sensitive": ("sensitive",), "checklist_missing": ("signoff_checklist",),
    "forms": ("form",),
}


def with_labels(df: pd.DataFrame, **kinds: str) -> pd.DataFrame:
    """The frame with the named code columns shown as glossary labels, for codes that several kinds share
    (``with_labels(df, status="interaction_status")``: pending is 未到期 for a clock, 待办理 here)."""
    return df.assign(**{c: df[c].map(lambda v, k=k: "" if _is_missing(v) else glossary.label(k, v))
                        for c, k in kinds.items() if c in df})


def _is_missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, (list, tuple, dict, np.ndarray)):
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _label_codes(s: pd.Series, kinds: tuple[str, ...]) -> pd.Series:
    vals = [v for v in s if not _is_missing(v)]
    if vals and all(isinstance(v, (list, tuple, np.ndarray)) for v in vals):
        kind = kinds[0]
        return s.map(lambda v: "" if _is_missing(v) else "、".join(glossary.label(kind, str(x)) for x in list(v)))
    codes = {str(v) for v in vals}
    for kind in kinds:
        if codes <= set(glossary.labels(kind)):
            return s.map(lambda v: "" if _is_missing(v) else glossary.label(kind, str(v)))
    return s


def _is_money(col: str) -> bool:
    return col.endswith("_wan") or col.endswith("_yuan")


def _is_share(col: str) -> bool:
    if col.startswith(("contrib_", "norm_")):  # points and 0..1 scores, not shares
        return False
    return col == "share" or col.endswith("_share") or col.endswith("_rate") or col == "change_pct"


def display_frame(df: pd.DataFrame, *, columns=None, labels: dict | None = None) -> pd.DataFrame:
    """Codes → Chinese, money → float (display only), lists joined, headers in Chinese."""
    view = df[list(columns)] if columns is not None else df
    view = view.copy()
    for col in view.columns:
        s = view[col]
        if col in CODE_COLUMNS:
            view[col] = _label_codes(s, CODE_COLUMNS[col])
        elif _is_money(col) or _is_share(col) or isinstance(s.dtype, pd.ArrowDtype):
            try:
                view[col] = pd.to_numeric(s.map(lambda v: None if _is_missing(v) else float(v)), errors="coerce")
            except (TypeError, ValueError):
                pass
        elif s.dtype == object and any(isinstance(v, (list, tuple, np.ndarray)) for v in s):
            view[col] = s.map(lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
        elif str(s.dtype) == "boolean" or s.dtype == bool:
            view[col] = s.map(lambda v: "" if _is_missing(v) else ("是" if v else "否"))
    names = {**glossary.COLUMN_LABELS, **EXTRA_LABELS, **(labels or {})}
    return view.rename(columns={c: names.get(c, c) for c in view.columns})


def _column_config(df: pd.DataFrame, labels: dict | None) -> dict:
    names = {**glossary.COLUMN_LABELS, **EXTRA_LABELS, **(labels or {})}
    cfg = {}
    for col in df.columns:
        shown = names.get(col, col)
        if _is_money(col):
            cfg[shown] = st.column_config.NumberColumn(format="%.2f" if col.endswith("_wan") else "%d")
        elif _is_share(col):
            cfg[shown] = st.column_config.NumberColumn(format="percent")
    return cfg


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "数据") -> bytes:
    """The frame as an .xlsx workbook (headers as given; Decimal money written as numbers)."""
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.ArrowDtype):
            out[col] = out[col].map(lambda v: None if _is_missing(v) else float(v))
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: float(v) if isinstance(v, Decimal) else v)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        out.to_excel(xw, index=False, sheet_name=sheet_name[:31])
        ws = xw.sheets[sheet_name[:31]]
        for i, col in enumerate(out.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in out[col].head(200)]) * 1.6 + 2
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(width, 50)
    return buf.getvalue()


def show_table(df: pd.DataFrame, *, key: str, columns=None, labels: dict | None = None,
               file_name: str | None = None, height=None) -> pd.DataFrame:
    """st.dataframe with Chinese headers/codes plus a 下载 Excel button (key ``dl_{key}``) for the
    whole filtered table. Long tables are paged (PAGE_ROWS a page). Returns the displayed frame."""
    src = df[list(columns)] if columns is not None else df
    view = display_frame(src, labels=labels)
    shown = view
    if len(view) > PAGE_ROWS:
        pages = (len(view) - 1) // PAGE_ROWS + 1
        page = st.number_input(f"第几页（共 {pages} 页，{len(view)} 行）", min_value=1, max_value=pages,
                               value=1, step=1, key=f"pg_{key}")
        shown = view.iloc[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
    if view.empty:
        st.caption("（无数据）")
    st.dataframe(shown, hide_index=True, height=height if height is not None else "auto",
                 column_config=_column_config(src, labels))
    st.download_button(
        "下载 Excel", data=lambda: to_xlsx_bytes(view), file_name=file_name or f"{key}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"dl_{key}", on_click="ignore", icon=":material/download:",
    )
    return view


def fmt_wan(x) -> str:
    """Money for a metric card: 1234.5 → '1,234.50'."""
    return f"{float(x or 0):,.2f}"


def fmt_pct(x) -> str:
    return "—" if x is None or _is_missing(x) else f"{float(x) * 100:.1f}%"
