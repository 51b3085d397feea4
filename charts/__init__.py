"""Plotly figure builders (plotly.graph_objects only: ~6 ms a chart, plotly.express ~30 ms).

No Streamlit here, and nothing from ui/: the pages (views/) and the report writers (ledger/reports: the
专题会材料 PNGs) both draw with these, and ledger/ must not import ui/ (the flow is one way: Excel →
ledger → analytics → ui). ``charts.overview`` holds the three 总览 charts they share.

Every builder takes plain columns, puts Chinese axis titles on the figure, and colours grades with
``glossary.GRADE_COLORS`` (红 #d62728, 黄, 绿). Red/yellow/green are reserved for grades: any other
series takes ``NEUTRAL`` colours. Codes are turned into Chinese by the caller's ``names`` mapping
(e.g. ``glossary.labels('fund_source')``) or by ``grade=True`` for grade series.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from ledger import glossary
from ledger.columns import is_missing

GRADE_ORDER = glossary.GRADE_ORDER
GRADE_COLORS = glossary.GRADE_COLORS
NEUTRAL = ["#4c78a8", "#9ecae9", "#6b6ecf", "#b279a2", "#8c564b", "#7f7f7f", "#17becf", "#393b79",
           "#c49c94", "#aec7e8", "#5254a3", "#9c9ede"]
FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"


# Figures are built as plain dicts and wrapped once, without plotly's property-by-property validation
# (issue #7: a 20-trace bar chart took ~30 ms to build validated, ~1 ms so; every rerun of a page pays it).
# ``VALIDATE = True`` (tests/test_charts.py and the page spec test) builds them validated instead: a bad
# property raises, and the figure must equal what plotly's validation makes of it.
VALIDATE = False


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """The figure of ``data`` (trace dicts, each with its ``type``) and ``layout``: unvalidated unless
    ``VALIDATE``. (``_validate`` is plotly's own private switch, the one it loads its built-in templates
    with; plotly is pinned, and tests/test_charts.py fails if the two ways ever differ.)"""
    return go.Figure({"data": data, "layout": layout}, _validate=VALIDATE)


def _axis(layout: dict, axis: str) -> dict:
    return layout.setdefault(f"{axis}axis", {})


def _layout(layout: dict | None = None, *, title: str | None, x_title: str | None = None,
            y_title: str | None = None, height: int = 380, legend_title: str | None = None) -> dict:
    """``layout`` with the house title, height, margins, font, legend title and axis titles."""
    layout = {} if layout is None else layout
    if title:
        layout["title"] = {"text": title}
    layout["height"] = height
    layout["margin"] = {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10}
    layout["font"] = {"family": FONT}
    if legend_title:
        layout.setdefault("legend", {})["title"] = {"text": legend_title}
    if x_title is not None:
        _axis(layout, "x")["title"] = {"text": x_title}
    if y_title is not None:
        _axis(layout, "y")["title"] = {"text": y_title}
    return layout


def _count_axis(layout: dict, values, axis: str = "y") -> None:
    """Counts: start at 0 and, for small counts, one tick per whole number (no 0.5 projects)."""
    vals = [v for v in values if v is not None]
    ax = _axis(layout, axis)
    ax["rangemode"] = "tozero"
    if vals and all(float(v).is_integer() for v in vals) and max(vals) <= 10:
        ax["dtick"] = 1
        ax["tick0"] = 0


def _cat(values) -> list:
    """Dates → 'YYYY-MM-DD' strings (a categorical axis: one tick per report round, no English months)."""
    return [v.isoformat() if hasattr(v, "isoformat") else v for v in values]


def _num(values) -> list:
    return [None if is_missing(v) else float(v) for v in values]


def series_colors(keys, *, grade: bool = False) -> dict:
    """Colour per series key: grade colours for grade codes, else the neutral palette in order."""
    if grade:
        return {k: GRADE_COLORS.get(k, "#7f7f7f") for k in keys}
    return {k: NEUTRAL[i % len(NEUTRAL)] for i, k in enumerate(keys)}


def donut(names, values, *, codes=None, grade: bool = False, title: str | None = None,
          center_text: str | None = None, height: int = 320) -> go.Figure:
    """A donut. ``names``: shown labels; ``codes``: grade codes for colours when ``grade``."""
    names = list(names)
    keys = list(codes) if codes is not None else names
    cmap = series_colors(keys, grade=grade)
    pie = {"type": "pie", "labels": names, "values": _num(values), "hole": 0.55, "sort": False,
           "direction": "clockwise", "marker": {"colors": [cmap[k] for k in keys]}, "textinfo": "label+value"}
    layout = {}
    if center_text:
        layout["annotations"] = [{"text": center_text, "showarrow": False, "font": {"size": 16}}]
    return _figure([pie], _layout(layout, title=title, height=height))


def _series(df: pd.DataFrame, series: str, x: str, y: str, *, names: dict | None, grade: bool,
            order: list | None):
    """(key, its x values, its y values, Chinese label, colour) per value of ``series`` (in ``order`` if
    given): the traces of stacked_bar and trend_lines. One pass over the frame (a boolean mask per series
    cost ~0.3 ms each)."""
    rows: dict = {}
    for xv, yv, k in zip(df[x], df[y], df[series]):
        got = rows.get(k)
        if got is None:
            got = rows[k] = ([], [])
        got[0].append(xv)
        got[1].append(yv)
    keys = order if order is not None else list(rows)
    cmap = series_colors(keys, grade=grade)
    for k in keys:
        xs, ys = rows.get(k, ([], []))
        label = glossary.label("grade", k) if grade and not names else (names or {}).get(k, str(k))
        yield k, xs, ys, label, cmap[k]


def stacked_bar(df: pd.DataFrame, *, x: str, y: str, series: str, x_title: str, y_title: str,
                names: dict | None = None, grade: bool = False, order: list | None = None,
                horizontal: bool = False, title: str | None = None, legend_title: str | None = None,
                height: int = 400) -> go.Figure:
    """Long frame (x, series, y) → one stacked trace per series value (in ``order`` if given).
    ``names`` maps series codes to Chinese; ``grade`` colours series as grades."""
    data = []
    for _k, xs, ys, label, color in _series(df, series, x, y, names=names, grade=grade, order=order):
        ys = _num(ys)
        data.append({"type": "bar", "x": ys if horizontal else xs, "y": xs if horizontal else ys, "name": label,
                     "orientation": "h" if horizontal else "v", "marker": {"color": color}})
    layout = {"barmode": "stack", "legend": {"traceorder": "normal"}}
    totals: dict = {}
    for xv, yv in zip(df[x], _num(df[y])):
        totals[xv] = totals.get(xv, 0.0) + (yv or 0.0)
    _count_axis(layout, list(totals.values()), "x" if horizontal else "y")
    if horizontal:
        x_title, y_title = y_title, x_title
    return _figure(data, _layout(layout, title=title, x_title=x_title, y_title=y_title, height=height,
                                 legend_title=legend_title))


def bar(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str, horizontal: bool = False,
        color: str | None = None, text: str | None = None, title: str | None = None,
        height: int = 380) -> go.Figure:
    """Single-series bars (neutral colour unless ``color`` is given)."""
    xs, ys = list(df[x]), _num(df[y])
    trace = {"type": "bar", "x": ys if horizontal else xs, "y": xs if horizontal else ys,
             "orientation": "h" if horizontal else "v", "marker": {"color": color or NEUTRAL[0]}}
    if text:
        trace["text"] = list(df[text])
    layout: dict = {}
    _count_axis(layout, ys, "x" if horizontal else "y")
    if horizontal:
        _axis(layout, "y")["autorange"] = "reversed"
        layout["bargap"] = 0.45
        return _figure([trace], _layout(layout, title=title, x_title=y_title, y_title=x_title,
                                        height=min(height, max(200, 56 * len(xs) + 110))))
    return _figure([trace], _layout(layout, title=title, x_title=x_title, y_title=y_title, height=height))


def trend_lines(df: pd.DataFrame, *, x: str, y: str, series: str, x_title: str, y_title: str,
                names: dict | None = None, grade: bool = False, order: list | None = None,
                title: str | None = None, height: int = 340) -> go.Figure:
    """One line per series value over x (e.g. rounds)."""
    data = [{"type": "scatter", "x": _cat(xs), "y": _num(ys), "name": label, "mode": "lines+markers",
             "line": {"color": color, "width": 3}}
            for _k, xs, ys, label, color in _series(df, series, x, y, names=names, grade=grade, order=order)]
    layout = {"xaxis": {"type": "category"}}
    _count_axis(layout, _num(df[y]))
    return _figure(data, _layout(layout, title=title, x_title=x_title, y_title=y_title, height=height))


def sankey(df: pd.DataFrame, *, source: str, target: str, value: str, left_title: str = "初始",
           right_title: str = "当前", grade: bool = True, title: str | None = None,
           height: int = 360) -> go.Figure:
    """Flows source → target (e.g. initial grade → current grade). Nodes: '<left_title>红' etc."""
    df = df[[source, target, value]].copy()
    df = df[[float(v or 0) > 0 for v in df[value]]]
    left = [k for k in GRADE_ORDER if k in set(df[source])] if grade else list(dict.fromkeys(df[source]))
    right = [k for k in GRADE_ORDER if k in set(df[target])] if grade else list(dict.fromkeys(df[target]))
    name = (lambda k: glossary.label("grade", k)) if grade else str
    labels = [f"{left_title}{name(k)}" for k in left] + [f"{right_title}{name(k)}" for k in right]
    cmap = series_colors(left + right, grade=grade)
    colors = [cmap[k] for k in left] + [cmap[k] for k in right]
    trace = {"type": "sankey", "node": {"label": labels, "color": colors, "pad": 18, "thickness": 18},
             "link": {"source": [left.index(s) for s in df[source]],
                      "target": [len(left) + right.index(t) for t in df[target]],
                      "value": _num(df[value]), "color": ["rgba(127,127,127,0.35)"] * len(df)}}
    return _figure([trace], _layout(title=title, height=height))


DATE_TICKS = "%Y年%m月"  # plotly (d3) tick format for date axes: 2023年11月, never English month names
OVERDUE_COLOR = "#5b2a86"  # 逾期未完成: not a grade colour (红/黄/绿 are reserved for grades)


def gantt(df: pd.DataFrame, *, task: str, start: str, end: str, status: str | None = None,
          names: dict | None = None, today: date | None = None, x_title: str = "日期",
          y_title: str = "时限", title: str | None = None, height: int | None = None,
          legend_title: str | None = "状态") -> go.Figure:
    """Horizontal bars from ``start`` to ``end`` per ``task`` row, coloured by ``status`` (neutral
    palette; an 'overdue' status is drawn dark purple so it stands out without borrowing the grade
    red), with a dashed vertical line at ``today``."""
    data = []
    keys = list(dict.fromkeys(df[status])) if status else [None]
    cmap = series_colors(keys)
    if "overdue" in cmap:
        cmap["overdue"] = OVERDUE_COLOR
    for k in keys:
        part = df if k is None else df[df[status] == k]
        starts = pd.to_datetime(pd.Series(list(part[start])))
        ends = pd.to_datetime(pd.Series(list(part[end])))
        data.append({"type": "bar", "y": list(part[task]),
                     "x": [(e - s).total_seconds() * 1000 for s, e in zip(starts, ends)],
                     "base": [s.isoformat() for s in starts], "orientation": "h",
                     "name": (names or {}).get(k, str(k)) if k is not None else "时限", "marker": {"color": cmap[k]}})
    # dates in Chinese (2023年11月, hover 2023-11-20); the axis on top so it stays in view above a long
    # list; task labels get the room they need (automargin) instead of being clipped
    layout = {"xaxis": {"type": "date", "tickformat": DATE_TICKS, "hoverformat": "%Y-%m-%d", "side": "top",
                        "automargin": True},
              "yaxis": {"autorange": "reversed", "automargin": True}}
    if today is not None:
        layout["shapes"] = [{"type": "line", "x0": today.isoformat(), "x1": today.isoformat(), "y0": 0, "y1": 1,
                             "yref": "paper", "line": {"color": "#333333", "dash": "dash"}}]
        layout["annotations"] = [{"x": today.isoformat(), "y": 0, "yref": "paper", "text": "数据截至",
                                  "showarrow": False, "yanchor": "top"}]
    layout = _layout(layout, title=title, x_title=x_title, y_title=y_title, legend_title=legend_title,
                     height=height or max(260, 40 * len(df) + 140))
    layout["showlegend"] = True  # a legend even for one status (plotly hides it)
    layout["margin"]["b"] = 30
    return _figure(data, layout)


# colours for 按时/逾期/未报 (红黄绿 are reserved for grades)
SUBMISSION_COLORS = {"on_time": "#4c78a8", "late": "#f58518", "missing": "#9d9d9d"}


def status_heatmap(grid: pd.DataFrame, *, row: str, col: str, status: str, codes: dict[str, str],
                   colors: dict[str, str], detail: str | None = None, title: str | None = None):
    """Categorical heat-map (e.g. unit × due date coloured 按时/逾期/未报): a discrete colour scale,
    one cell per (row, col), hover text = status label (+ ``detail``). Cells absent from ``grid`` stay blank."""
    order = list(codes)
    rows = list(dict.fromkeys(grid[row]))
    cols = sorted(dict.fromkeys(grid[col]))
    idx = {c: i for i, c in enumerate(order)}
    z = [[None] * len(cols) for _ in rows]
    text = [[""] * len(cols) for _ in rows]
    ri, ci = {r: i for i, r in enumerate(rows)}, {c: i for i, c in enumerate(cols)}
    for rec in grid.to_dict("records"):
        i, j = ri[rec[row]], ci[rec[col]]
        z[i][j] = idx[rec[status]]
        extra = rec.get(detail) if detail else None
        text[i][j] = codes[rec[status]] + (f"（{extra}天）" if not is_missing(extra) and extra else "")
    n = len(order)
    scale = []
    for k, code in enumerate(order):
        scale += [[k / n, colors[code]], [(k + 1) / n, colors[code]]]
    trace = {"type": "heatmap", "z": z, "x": [str(c) for c in cols], "y": rows, "text": text,
             "texttemplate": "%{text}", "zmin": -0.5, "zmax": n - 0.5, "colorscale": scale, "xgap": 2, "ygap": 2,
             "hovertemplate": "%{y} %{x}: %{text}<extra></extra>",
             "colorbar": {"tickvals": list(range(n)), "ticktext": [codes[c] for c in order], "title": {"text": "报送"}}}
    layout = {"height": max(260, 34 * len(rows) + 120), "xaxis": {"type": "category", "title": {"text": "报送期次"}},
              "yaxis": {"autorange": "reversed", "title": {"text": "单位"}},
              "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10}}
    if title:
        layout["title"] = {"text": title}
    return _figure([trace], layout)
