"""#8.8 in a real browser: clicking a project row (the selection box at the start of the row, drawn on the
data grid's canvas) opens that project's 项目详情, and a shared URL reopens the same round + filter view.

Fixture (tests/fixture_db.py) at R5 2023-11-29: 总览's 红色、黄色项目 lists P01 (红, overdue), P05, P08 (红),
P02 (黄); at R3 2023-10-29 贺街镇 has P01, P03, P04 in force (P02 is new in R4).
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

from playwright.sync_api import expect

from tests.browser.conftest import open_as
from tests.browser.test_browser import assert_no_error, wait_idle

HEADER_PX = 35  # st.dataframe's header row and data rows are 35 px high; the selection box sits ~18 px in
ROW_PX = 35


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def _click_row(page, grid, row: int) -> None:
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + HEADER_PX + ROW_PX * row + ROW_PX // 2)


def test_clicking_a_red_project_row_opens_its_detail(server, page):
    open_as(page, f"{server['url']}/")  # a new session: sign in there
    wait_idle(page, "总览")
    grid = page.locator('[data-testid="stDataFrame"]').first  # 红色、黄色项目 (the page's first table)
    _click_row(page, grid, 2)                                   # the third row: P08 莲塘镇食用菌基地
    wait_idle(page, "项目详情")
    assert_no_error(page, "项目详情 from 总览")
    assert unquote(urlparse(page.url).path).endswith("/项目详情")
    assert _query(page.url) == {"project": ["P08"]}  # R5 is the newest round: no round parameter
    page.locator("h3", has_text="P08 莲塘镇食用菌基地").first.wait_for(state="visible")


def test_a_shared_url_reopens_round_and_filters(server, page):
    open_as(page, f"{server['url']}/?round=2023-10-29&towns=贺街镇")  # a new session: sign in there
    wait_idle(page, "总览")
    assert_no_error(page, "总览 from a shared URL")
    assert "数据截至 第3期（2023-10-29）" in page.locator('[data-testid="stMain"]').inner_text()
    # the 乡镇 filter holds the URL's town. Just after the run, its element is briefly out of the DOM while the
    # browser swaps it for the one with the URL's value (1–3 reads in 12 missed it, before session 27 and after):
    # wait for it rather than read once
    towns = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]', has_text="乡镇（街道）")
    expect(towns).to_contain_text("贺街镇", timeout=10_000)
    card = page.locator('[data-testid="stMetric"]', has_text="项目数").first
    assert card.locator('[data-testid="stMetricValue"]').inner_text().strip() == "3"  # P01 P03 P04
    # moving to another page keeps the view in the URL (the shell writes it on every run)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="整改进度").first.click()
    wait_idle(page, "整改进度")
    page.wait_for_function("() => location.search.includes('round=')", timeout=30_000)
    q = _query(page.url)
    assert q["round"] == ["2023-10-29"] and q["towns"] == ["贺街镇"]
    # … and that URL, opened in a fresh session, is the same view
    again = page.context.new_page()
    open_as(again, page.url)  # a new session: sign in there
    wait_idle(again, "整改进度")
    assert "数据截至 第3期（2023-10-29）" in again.locator('[data-testid="stMain"]').inner_text()
    assert _query(again.url) == q
    again.close()


def test_a_project_url_reopens_its_detail(server, page):
    open_as(page, f"{server['url']}/项目详情?round=2023-11-29&project=P05")  # a new session: sign in there
    wait_idle(page, "项目详情")
    assert_no_error(page, "项目详情 from a shared URL")
    page.locator("h3", has_text="P05 步头镇扶贫车间").first.wait_for(state="visible")
    assert _query(page.url)["project"] == ["P05"]
