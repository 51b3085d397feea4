"""charts/: figures are built as plain dicts without plotly's validation (issue #7: ~30 ms → ~1 ms a
chart, on every rerun). These tests are what the validation would have caught: every builder, on
inputs that reach each of its branches, gives exactly the figure plotly's validation makes of it, and a
bad property still raises when ``charts.VALIDATE`` is on (tests/pages/test_chart_specs.py does the same
for every chart the pages draw)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

import charts
from charts.overview import overview_figures

LONG = pd.DataFrame({"unit": ["甲", "甲", "乙", "乙"], "metric": ["a", "b", "a", "b"], "v": [1.0, 2.0, 3.0, None]})
SMALL = pd.DataFrame({"unit": ["甲", "乙", "丙"], "n": [1, 2, 3], "label": ["1项", "2项", "3项"]})
TREND = pd.DataFrame({"round_date": [date(2024, 5, 14), date(2024, 5, 29)] * 2, "grade": ["red", "red", "yellow", "yellow"],
                      "projects": [4, 3, 10, 12]})
FLOWS = pd.DataFrame({"initial_grade": ["red", "red", "yellow"], "grade": ["red", "green", "green"],
                      "projects": [2, 1, 0]})
TASKS = pd.DataFrame({"task": ["P01 红级1个月", "P02 黄级3个月"], "start": [date(2024, 1, 2), date(2024, 2, 1)],
                      "due": [date(2024, 2, 2), date(2024, 5, 1)], "status": ["overdue", "pending"]})
GRID = pd.DataFrame({"unit": ["甲", "甲", "乙"], "due": [date(2024, 5, 14), date(2024, 5, 29), date(2024, 5, 14)],
                     "status": ["on_time", "late", "missing"], "days": [0, 3, None]})

CASES = {
    "donut": lambda: charts.donut(["红", "黄"], [3, 5], codes=["red", "yellow"], grade=True, title="分布",
                                  center_text="8 个"),
    "donut plain": lambda: charts.donut(["甲", "乙"], [1.5, 2.5]),
    "stacked_bar": lambda: charts.stacked_bar(LONG, x="unit", y="v", series="metric", x_title="单位", y_title="分",
                                              names={"a": "指标A"}, legend_title="指标"),
    "stacked_bar horizontal, grades": lambda: charts.stacked_bar(
        TREND, x="round_date", y="projects", series="grade", grade=True, order=["red", "yellow", "green"],
        horizontal=True, x_title="期次", y_title="项目数", title="趋势"),
    "bar": lambda: charts.bar(SMALL, x="unit", y="n", x_title="单位", y_title="数", text="label", title="t"),
    "bar horizontal": lambda: charts.bar(SMALL, x="unit", y="n", x_title="单位", y_title="数", horizontal=True,
                                         color="#123456"),
    "bar empty": lambda: charts.bar(SMALL.iloc[:0], x="unit", y="n", x_title="单位", y_title="数"),
    "trend_lines": lambda: charts.trend_lines(TREND, x="round_date", y="projects", series="grade", grade=True,
                                              x_title="期次", y_title="项目数"),
    "sankey": lambda: charts.sankey(FLOWS, source="initial_grade", target="grade", value="projects", title="流向"),
    "gantt": lambda: charts.gantt(TASKS, task="task", start="start", end="due", status="status",
                                  names={"overdue": "逾期"}, today=date(2024, 3, 1), title="时限"),
    "gantt one status": lambda: charts.gantt(TASKS, task="task", start="start", end="due"),
    "status_heatmap": lambda: charts.status_heatmap(
        GRID, row="unit", col="due", status="status", detail="days", colors=charts.SUBMISSION_COLORS,
        codes={"on_time": "按时", "late": "逾期", "missing": "未报"}, title="报送"),
}


@pytest.fixture
def validating(monkeypatch):
    monkeypatch.setattr(charts, "VALIDATE", True)


@pytest.mark.parametrize("case", list(CASES))
def test_every_builder_gives_what_plotly_validation_makes_of_it(case, monkeypatch):
    fast = CASES[case]().to_dict()
    assert go.Figure(fast).to_dict() == fast          # validating it raises nothing and changes nothing
    monkeypatch.setattr(charts, "VALIDATE", True)
    assert CASES[case]().to_dict() == fast            # and built validated it is the same figure


def test_house_layout_on_a_figure():
    # stacked totals per unit: 甲 1+2 = 3, 乙 3+0 = 3 → whole counts ≤ 10: one tick per whole number
    lay = CASES["stacked_bar"]().to_dict()["layout"]
    assert lay["barmode"] == "stack" and lay["legend"] == {"traceorder": "normal", "title": {"text": "指标"}}
    assert lay["yaxis"] == {"rangemode": "tozero", "dtick": 1, "tick0": 0, "title": {"text": "分"}}
    assert lay["xaxis"]["title"]["text"] == "单位" and lay["height"] == 400
    assert lay["margin"] == {"l": 10, "r": 10, "t": 10, "b": 10} and lay["font"]["family"] == charts.FONT
    assert "title" not in lay or not lay["title"].get("text")
    hb = CASES["bar horizontal"]().to_dict()["layout"]
    # 3 bars: height min(380, max(200, 56*3 + 110 = 278)) = 278; axis titles swap to the value axis
    assert hb["height"] == 278 and hb["yaxis"]["autorange"] == "reversed" and hb["bargap"] == 0.45
    assert hb["xaxis"]["title"]["text"] == "数" and hb["yaxis"]["title"]["text"] == "单位"
    g = CASES["gantt"]().to_dict()["layout"]
    assert g["showlegend"] is True and g["margin"]["b"] == 30 and g["margin"]["t"] == 40
    assert g["shapes"][0]["x0"] == "2024-03-01" and g["annotations"][0]["text"] == "数据截至"


def test_a_bad_property_raises_when_validating(validating):
    with pytest.raises(ValueError):
        charts._figure([{"type": "bar", "colour": "#ff0000"}], {})
    with pytest.raises(ValueError):
        charts._figure([], {"titel": {"text": "x"}})


def test_unvalidated_figures_keep_what_they_are_given():
    # the switch is real: without validation a misspelt property is passed through untouched
    fig = charts._figure([{"type": "bar", "colour": "#ff0000"}], {})
    assert fig.to_dict()["data"][0]["colour"] == "#ff0000"


def test_overview_figures_alike_both_ways(monkeypatch):
    counts = pd.DataFrame({"grade": ["red", "yellow", "green"], "projects": [2, 3, 5]})
    rollup = pd.DataFrame({"unit": ["甲", "乙"], "overdue": [3, 1], "on_time_rate": [0.5, 0.9]})
    fast = {k: f.to_dict() for k, f in overview_figures(counts, TREND, rollup, titled=True).items()}
    monkeypatch.setattr(charts, "VALIDATE", True)
    slow = {k: f.to_dict() for k, f in overview_figures(counts, TREND, rollup, titled=True).items()}
    assert fast == slow
    assert fast["donut"]["layout"]["title"]["text"] == "风险等级分布"
