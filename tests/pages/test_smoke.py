"""Every page (mine and the other pages in pages/) runs without an exception on the fixture data,
and shows the friendly 请先导入台账 (not a traceback) on an empty database."""
from __future__ import annotations

import pytest

from tests.pages.conftest import ROOT, app_at, assert_ok, data_shown, signed_in

PAGES = sorted(p.name for p in (ROOT / "views").glob("*.py"))
NO_DATA_OK = {"8_数据导入.py", "9_设置.py", "11_操作日志.py"}  # pages that work without any report round


def test_pages_found():
    assert "1_总览.py" in PAGES and "9_设置.py" in PAGES


def test_app_starts_on_overview(ledger_db):
    at = app_at()
    assert_ok(at)
    assert at.title[0].value == "总览"
    assert any("数据截至 第5期（2023-11-29）" in c.value for c in at.caption)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_fixture(ledger_db, page):
    at = app_at(page)
    assert_ok(at)
    assert at.title, page


@pytest.mark.parametrize("page", PAGES)
def test_page_on_empty_db(empty_db, page):
    at = app_at(page)
    assert_ok(at)
    if page not in NO_DATA_OK:
        assert any("请先导入台账" in i.value for i in at.info), [i.value for i in at.info]


def test_page_file_alone_renders_sidebar(ledger_db):
    """A page served before app.py ran still guards, renders the sidebar and the banner."""
    from streamlit.testing.v1 import AppTest

    at = signed_in(AppTest.from_file(str(ROOT / "views" / "2_风险分级.py"), default_timeout=60)).run()
    assert_ok(at)
    assert at.multiselect(key="sb_towns") is not None
    assert any("数据截至" in c.value for c in at.caption)


def test_page_file_alone_asks_to_sign_in(ledger_db):
    """…and without a session it shows the 登录 form, not the page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "views" / "2_风险分级.py"), default_timeout=60).run()
    assert_ok(at)
    assert at.text_input(key="auth_login") is not None
    assert not data_shown(at, "dataframe") and not data_shown(at, "metric")


def test_display_frame_and_xlsx_roundtrip():
    """Codes → Chinese, money as numbers, Chinese headers; the .xlsx holds exactly the shown table."""
    import io
    from decimal import Decimal

    import openpyxl
    import pandas as pd
    import pyarrow as pa

    from ui.tables import display_frame
    from ui.xlsx import to_xlsx_bytes

    df = pd.DataFrame({
        "project_code": ["P01", "P04"],
        "grade": ["red", "green"],
        "tier": ["region", "district"],
        "sensitive": [["roadside", "farmland"], []],
        "pretreatment_done": pd.array([False, None], dtype="boolean"),
        "funds_wan": pd.array([Decimal("3000.00"), Decimal("999.99")], dtype=pd.ArrowDtype(pa.decimal128(20, 6))),
        "status": ["overdue", "pending"],
    })
    view = display_frame(df)
    assert view.columns.tolist() == ["项目编号", "风险等级", "督办层级", "敏感问题", "预处理完成",
                                     "扶贫帮扶资金(万元)", "状态"]
    assert view["风险等级"].tolist() == ["红", "绿"]
    assert view["督办层级"].tolist() == ["自治区督办", "区专班督办"]
    assert view["敏感问题"].tolist() == ["“两高两道”沿线、违法违规占用耕地", ""]
    assert view["预处理完成"].tolist() == ["否", ""]
    assert view["扶贫帮扶资金(万元)"].tolist() == [3000.0, 999.99]
    assert view["状态"].tolist() == ["逾期未完成", "未到期"]
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(view))).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == view.columns.tolist()
    assert rows[1][:3] == ["P01", "红", "自治区督办"] and rows[2][5] == 999.99
