"""The three charts of 总览, built once for the page and for the meeting pack's PNGs (no Streamlit).

Input frames come from analytics: ``grades.grade_counts``, ``grades.grade_trend`` and
``clocks.clock_rollup(by="unit")``, all for the same round and filters.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

import charts
from ledger import glossary

TITLES = {"donut": "风险等级分布", "trend": "红黄项目趋势（按报送期次）", "lag": "最滞后的五个单位"}


def most_lagging(rollup: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` units with the most 逾期未完成 clocks (ties: lower on-time rate first, then name)."""
    return rollup.sort_values(["overdue", "on_time_rate", "unit"], ascending=[False, True, True],
                              na_position="last").head(n)


def overview_figures(counts: pd.DataFrame, trend: pd.DataFrame, rollup: pd.DataFrame, *,
                     titled: bool = False) -> dict[str, go.Figure]:
    """{"donut", "trend", "lag"} → figure; ``titled`` puts TITLES on the figures (the page shows them
    as subheaders instead)."""
    t = (lambda k: TITLES[k]) if titled else (lambda k: None)
    return {
        "donut": charts.donut([glossary.label("grade", g) for g in counts["grade"]], counts["projects"],
                              codes=counts["grade"], grade=True, title=t("donut")),
        "trend": charts.trend_lines(trend, x="round_date", y="projects", series="grade", grade=True,
                                    order=["red", "yellow"], x_title="报送期次", y_title="项目数", title=t("trend")),
        "lag": charts.bar(most_lagging(rollup), x="unit", y="overdue", horizontal=True, x_title="单位",
                          y_title="逾期未完成时限数", title=t("lag")),
    }
