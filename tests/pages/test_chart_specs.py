"""Every chart a page draws (the spec Streamlit sends to the browser) is the same whether charts/ builds
its figures unvalidated (what the app does: issue #7) or through plotly's validation
(``charts.VALIDATE``), which would raise on a bad property. tests/test_charts.py covers each builder's
branches; this covers the pages' real data (dates, numpy numbers, empty series)."""
from __future__ import annotations

import json

import pytest

import charts
from tests.pages.conftest import app_at, assert_ok

CHART_PAGES = ["1_总览.py", "2_风险分级.py", "3_资金投向.py", "4_整改进度.py", "5_单位排名与奖惩.py", "6_填报情况.py"]


def _specs(page: str, project: str | None = None) -> list[dict]:
    at = app_at(page)
    if project:
        at.selectbox(key="detail_pick").set_value(project).run()
    assert_ok(at)
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.parametrize("page", CHART_PAGES)
def test_page_charts_alike_validated_or_not(ledger_db, page, monkeypatch):
    fast = _specs(page)
    assert fast, f"{page} draws no chart"
    monkeypatch.setattr(charts, "VALIDATE", True)
    assert _specs(page) == fast


def test_project_gantt_alike_validated_or_not(ledger_db, monkeypatch):
    fast = _specs("7_项目详情.py", "P01")
    assert fast
    monkeypatch.setattr(charts, "VALIDATE", True)
    assert _specs("7_项目详情.py", "P01") == fast
