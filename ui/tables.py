"""Tables and their downloads: an analytics frame (codes) → Chinese headers, labels and formats from
the column registry (ledger/columns.py) → ``st.dataframe`` + a 下载 Excel button.

    show_table(df, key="by_town")     # headers, codes, formats from the registry; download "dl_by_town"

No cell shows None/nan/NaT/<NA>: a missing number or date is drawn as "—" (``placeholder``), missing
text is blank, and the download has an empty cell. A column
the registry does not know is shown under its code; with LEDGER_STRICT_COLUMNS=1 (the tests) it
raises instead, so a new column cannot reach a page without its label and format.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime

import pandas as pd
import streamlit as st

from ledger import columns as C
from ledger import db as ledger_db
from ledger import glossary
from ledger.columns import Column, is_missing
from ledger.export import dated_file_name, title_lines
from ui import links
from ui.shell import DOWNLOAD_META
from ui.guard import audited
from ui.xlsx import per_value, to_csv_bytes, to_xlsx_bytes

PAGE_ROWS = 500  # long tables are shown a page at a time (the download is always the whole table)
# A table longer than this downloads as CSV, not .xlsx (issue #7): the .xlsx of a province's tier table
# (97,500 rows) takes 7-9 s to write; the nation's (991k rows, near Excel's 1,048,576-row limit) took openpyxl
# 174 s and 5.5 GiB, and would take XlsxWriter over a minute; its CSV takes 7 s (bench/bench_downloads.py).
XLSX_MAX_ROWS = 200_000
# such a download holds ~0.9 GiB while it is built (the nation's tier table): two users asking at once wait
# for each other rather than doubling the server's memory
_LONG_DOWNLOAD = threading.Lock()


def _one_at_a_time(make):
    def run():
        with _LONG_DOWNLOAD:
            return make()
    return run


STRICT_ENV = "LEDGER_STRICT_COLUMNS"


class UnregisteredColumn(KeyError):
    pass


def column_spec(code: str, table: str = "") -> Column:
    """The registered column; unknown → shown under its code as text (an error in strict mode)."""
    c = C.spec(str(code), table)
    if c is None:
        if os.environ.get(STRICT_ENV) == "1":
            raise UnregisteredColumn(f"列 {code!r} 没有在 ledger/columns.py 登记（中文列名和显示格式）")
        c = Column(str(code))
    return c


def grade_label(code: str | None) -> str:
    return glossary.label("grade", code)


def with_labels(df: pd.DataFrame, **kinds: str) -> pd.DataFrame:
    """The frame with the named code columns shown as glossary labels, for codes that several kinds share
    (``with_labels(df, status="interaction_status")``: pending is 未到期 for a clock, 待办理 here)."""
    return df.assign(**{c: df[c].map(lambda v, k=k: "" if is_missing(v) else glossary.label(k, v))
                        for c, k in kinds.items() if c in df})


def _distinct(s: pd.Series) -> list:
    """The column's distinct values (value by value when they cannot be hashed)."""
    try:
        return list(pd.unique(s))
    except TypeError:
        return list(s)


def _label_codes(s: pd.Series, col: Column) -> pd.Series:
    """Codes → labels under the first kind that knows every code of the column (a column holds one
    kind: ``pending`` is 未到期 in a clock table), else value by value."""
    codes = {str(v) for v in _distinct(s) if not is_missing(v)}
    for kind in col.kinds:
        if codes <= set(glossary.labels(kind)):
            return per_value(s, lambda v, kind=kind: "" if is_missing(v) else glossary.label(kind, str(v)))
    return per_value(s, lambda v: C.render(v, col))


def _typed(s: pd.Series, col: Column) -> pd.Series:
    """One column as the table holds it: labels for codes, numbers as int/float (sortable), dates as
    dates, text for the rest; a missing number or date stays missing (drawn as PLACEHOLDER, written
    as an empty cell), missing text is ''. Each distinct value is converted once (``ui.xlsx.per_value``)."""
    f = col.fmt
    if f == "code":
        return _label_codes(s, col)
    if f in ("int", "yuan"):
        return per_value(s, lambda v: None if is_missing(v) else int(v)).astype("Int64")
    if f in C.NUMERIC:
        return per_value(s, lambda v: float("nan") if is_missing(v) else float(v)).astype("float64")
    if f == "date":
        return per_value(s, lambda v: None if is_missing(v) else (v.date() if isinstance(v, datetime) else v))
    return per_value(s, lambda v: C.render(v, col))


def display_frame(df: pd.DataFrame, *, columns=None, labels: dict | None = None, table: str = "") -> pd.DataFrame:
    """The table as it is downloaded: Chinese headers, codes → labels, lists joined, booleans 是/否,
    money and shares as numbers, missing values blank. ``labels`` renames headers for one page."""
    view = df[list(columns)] if columns is not None else df
    out = {}
    for code in view.columns:
        col = column_spec(code, table)
        header = (labels or {}).get(code, col.label)
        out[header] = _typed(view[code], col)
    return pd.DataFrame(out, index=view.index).reset_index(drop=True)


def formats(df: pd.DataFrame, *, columns=None, labels: dict | None = None, table: str = "") -> dict[str, Column]:
    """Shown header → registered column (its format), for the screen and the .xlsx number formats."""
    codes = list(columns) if columns is not None else list(df.columns)
    return {(labels or {}).get(c, column_spec(c, table).label): column_spec(c, table) for c in codes}


PLACEHOLDER = "—"  # what a missing number or date shows on screen (Streamlit's default is "None")
_SCREEN_FORMAT = {"int": "%d", "yuan": "%d", "wan": "%.2f", "share": "percent", "pct": "%.2f%%"}


def column_config(specs: dict[str, Column]) -> dict:
    """st.dataframe column_config from the registered formats (header → Column)."""
    cfg = {}
    for header, col in specs.items():
        if col.fmt in C.NUMERIC:
            cfg[header] = st.column_config.NumberColumn(format=_SCREEN_FORMAT.get(col.fmt, f"%.{col.digits}f"))
        elif col.fmt == "date":
            cfg[header] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return cfg


def _selected_project(event, part: pd.DataFrame, key: str) -> str | None:
    """The project code of the row just selected in a linked table (None when no new selection).
    The last handled selection is remembered so that a table on 项目详情 itself does not loop."""
    rows = list(((event or {}).get("selection") or {}).get("rows") or [])
    seen = f"_sel_{key}"
    if rows == st.session_state.get(seen, []):
        return None
    st.session_state[seen] = rows
    if not rows or not 0 <= rows[0] < len(part):
        return None
    code = part["project_code"].iloc[rows[0]]
    return None if is_missing(code) else str(code)


def show_table(df: pd.DataFrame, *, key: str, columns=None, labels: dict | None = None, table: str = "",
               file_name: str | None = None, height=None, title: str | None = None,
               scope: str | None = None, link_project: bool | None = None) -> pd.DataFrame:
    """st.dataframe with Chinese headers/codes plus a 下载 Excel button (key ``dl_{key}``) for the
    whole filtered table. Long tables are paged (PAGE_ROWS a page). Returns the rendered page.

    The download (#8.12) opens with the table's name (``title``, default the file name) and
    数据截至 第N期（date）with the sidebar filters (``scope`` says it in other words, e.g. for a table
    the filters do not apply to); its file name carries the round's date.

    ``link_project`` (default: when the table has a ``project_code`` column, shown or not): a row can
    be selected (the box left of the row), and selecting it opens that project's 项目详情 with the
    round and filters carried over (ui.links.open_project). The table's selection key is ``tbl_{key}``.
    A table of every project in force: ``show_query_table`` (only the page shown leaves DuckDB)."""
    src = df[list(columns)] if columns is not None else df
    rows = _page_rows(len(src), key)
    return _render(df.iloc[rows], lambda: src, key=key, columns=columns, labels=labels, table=table,
                   file_name=file_name, height=height, title=title, scope=scope, link_project=link_project,
                   total=len(src))


def show_query_table(ctx, fn, size, *, key: str, columns=None, labels: dict | None = None, table: str = "",
                     file_name: str | None = None, height=None, title: str | None = None,
                     scope: str | None = None, link_project: bool | None = None, **kwargs) -> pd.DataFrame:
    """``show_table`` of a table too long to fetch whole (one row per project in force: a million at the
    nation bench): ``size(con, …)`` counts its rows and ``fn(con, …, limit=, offset=)`` gives one page of
    them, both through ui.cache with ``kwargs``; only the page shown leaves DuckDB and is cached (the whole
    tier table took 0.7 s and a few hundred MB per filter choice at a million projects). The download runs
    ``fn`` for the whole table when it is asked for, on a connection of its own (the download request's
    thread, as ``ui.guard.audited`` records it)."""
    from ui.cache import arguments, call

    total = call(size, ctx, **kwargs)
    rows = _page_rows(total, key)
    part = call(fn, ctx, limit=PAGE_ROWS, offset=rows.start or 0, **kwargs)
    path = str(ledger_db.db_path())
    whole_kw = arguments(fn, ctx, **kwargs)   # what call() passes fn, without limit/offset

    def whole() -> pd.DataFrame:
        from ui.connection import OPEN_WAIT
        con = ledger_db.open_file(path, wait=OPEN_WAIT)
        try:
            df = fn(con, **whole_kw)
        finally:
            con.close()
        return df[list(columns)] if columns is not None else df

    return _render(part, whole, key=key, columns=columns, labels=labels, table=table, file_name=file_name,
                   height=height, title=title, scope=scope, link_project=link_project, total=total)


def _page_rows(total: int, key: str) -> slice:
    """The rows of the page chosen in the table's page picker (key ``pg_{key}``; shown when the table
    has more than PAGE_ROWS rows, with the true total)."""
    if total <= PAGE_ROWS:
        return slice(0, total)
    pages = (total - 1) // PAGE_ROWS + 1
    page = st.number_input(f"第几页（共 {pages} 页，{total} 行）", min_value=1, max_value=pages,
                           value=1, step=1, key=f"pg_{key}")
    return slice((page - 1) * PAGE_ROWS, min(page * PAGE_ROWS, total))


def _render(part: pd.DataFrame, whole, *, key: str, columns, labels, table, file_name, height, title, scope,
            link_project, total: int | None = None) -> pd.DataFrame:
    """Draw ``part`` (the page's rows, every column) and the download of ``whole()`` (the table's shown
    columns, all rows)."""
    link = ("project_code" in part.columns) if link_project is None else (link_project and "project_code" in part.columns)
    shown_part = part[list(columns)] if columns is not None else part
    specs = formats(shown_part, labels=labels, table=table)
    # only the page shown is rendered now; the whole table is rendered when the download is asked for
    shown = display_frame(shown_part, labels=labels, table=table)
    if not len(part) and not total:
        st.caption("（无数据）")
    if link and len(part):
        event = st.dataframe(shown, hide_index=True, height=height if height is not None else "auto",
                             column_config=column_config(specs), placeholder=PLACEHOLDER, key=f"tbl_{key}",
                             on_select="rerun", selection_mode="single-row")
        st.caption("勾选行首的方框，打开该项目的项目详情。")
        code = _selected_project(event, part, key)
        if code is not None:
            links.open_project(code)
    else:
        st.dataframe(shown, hide_index=True, height=height if height is not None else "auto",
                     column_config=column_config(specs), placeholder=PLACEHOLDER)
    name = title or (file_name or key).removesuffix(".xlsx")
    round_no, round_date, filters = st.session_state.get(DOWNLOAD_META) or (None, None, None)
    head = title_lines(name, round_no=round_no, round_date=round_date, filters=filters, scope=scope)
    xlsx_name = dated_file_name(file_name or f"{key}.xlsx", round_date)
    n = total if total is not None else len(part)
    if n > XLSX_MAX_ROWS:
        # too long for an .xlsx in reasonable time: the same table as CSV (no title rows: a CSV is data)
        csv_name = xlsx_name.removesuffix(".xlsx") + ".csv"
        st.download_button(
            "下载 CSV", data=audited(_one_at_a_time(lambda: to_csv_bytes(display_frame(whole(), labels=labels, table=table))),
                                   file_name=csv_name, what=key),
            file_name=csv_name, mime="text/csv", key=f"dl_{key}", on_click="ignore", icon=":material/download:",
        )
        st.caption(f"共 {n:,} 行，超过 Excel 下载的 {XLSX_MAX_ROWS:,} 行上限，改为 CSV 下载（UTF-8，Excel 和 WPS "
                   f"可直接打开；第一行即列名，不含标题行，数据截至日期见文件名）。")
        return shown
    st.download_button(
        "下载 Excel", data=audited(lambda: to_xlsx_bytes(display_frame(whole(), labels=labels, table=table), formats=specs,
                                                 title=head),
                                 file_name=xlsx_name, what=key),
        file_name=xlsx_name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"dl_{key}", on_click="ignore", icon=":material/download:",
    )
    return shown


def fmt_wan(x) -> str:
    """Money for a metric card: 1234.5 → '1,234.50'."""
    return f"{float(x or 0):,.2f}"


def fmt_pct(x) -> str:
    """A share for a metric card: 0.25 → '25.0%'; missing → '—'."""
    return "—" if is_missing(x) else f"{float(x) * 100:.1f}%"
