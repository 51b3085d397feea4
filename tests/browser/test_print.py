"""#8.13: printing a page (the browser's print, here Chromium's print-to-PDF) leaves out the sidebar,
header and buttons, prints the whole page over several A4 landscape sheets (not just the first
screen), and keeps tables and charts whole. #8.11: the uploader's English is covered in Chinese."""
from __future__ import annotations

import io

from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, open_as
from tests.browser.test_browser import RUN_TIMEOUT, assert_no_error, wait_idle

SIDEBAR_ONLY = ("报送期次（数据截至）", "工作专班", "资金投向", "单位排名与奖惩", "已应用筛选")


def _open(page, server, path: str, title: str, *, tables: bool = True) -> None:
    """The page, its script run over and its tables and charts drawn (they load after the run: a
    skeleton stands in until their code has arrived)."""
    open_as(page, f"{server['url']}/{path}", "tf")   # a new session: sign in, land on the page
    wait_idle(page, title)
    if tables:
        page.locator('[data-testid="stDataFrame"]').first.wait_for(state="visible", timeout=RUN_TIMEOUT)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=RUN_TIMEOUT)
    page.wait_for_timeout(500)
    assert_no_error(page, title)


def _pdf_text(page, name: str) -> tuple[int, str]:
    ARTIFACTS.mkdir(exist_ok=True)
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / f"print_{name}.pdf").write_bytes(data)
    pdf = PdfReader(io.BytesIO(data))
    return len(pdf.pages), "\n".join(p.extract_text() or "" for p in pdf.pages)


def test_print_hides_sidebar_and_prints_whole_page(server, page):
    _open(page, server, "填报情况", "填报情况")
    # on screen the sidebar is there (the labels this test looks for are real)
    assert "报送期次（数据截至）" in page.locator('[data-testid="stSidebar"]').inner_text()
    n, text = _pdf_text(page, "填报情况")
    compact = "".join(text.split())
    assert "填报情况" in compact and "本期报送情况" in compact
    assert "政企互动" in compact          # the last section: the page is printed to its end, not one screen
    assert n >= 2, n
    leaked = [s for s in SIDEBAR_ONLY if s in compact]
    assert not leaked, f"sidebar text in the print: {leaked}"
    assert "下载Excel" not in compact     # buttons are not printed
    # A4 landscape: wider than high (842 × 595 pt)
    box = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages[0].mediabox
    assert float(box.width) > float(box.height) and abs(float(box.width) - 842) < 3


def test_print_keeps_tables_and_charts_whole(server, page):
    _open(page, server, "单位排名与奖惩", "单位排名与奖惩")
    n, text = _pdf_text(page, "单位排名与奖惩")
    compact = "".join(text.split())
    assert "得分怎么算" in compact and "权重敏感性" in compact and n >= 3, n   # the whole page, to its end
    assert not [s for s in ("报送期次（数据截至）", "工作专班") if s in compact]
    # under print media every table and chart is kept on one sheet, the sidebar and header are gone
    page.emulate_media(media="print")
    styles = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stDataFrame"], [data-testid="stPlotlyChart"]')].map(e => getComputedStyle(e).breakInside)""")
    assert len(styles) >= 6 and set(styles) == {"avoid"}, styles
    hidden = page.evaluate("""() => ['stSidebar', 'stHeader'].map(t => {
        const e = document.querySelector(`[data-testid="${t}"]`); return !e || getComputedStyle(e).display === 'none'; })""")
    assert hidden == [True, True]


def test_uploader_english_is_covered(server, page):
    _open(page, server, "数据导入", "数据导入", tables=False)
    got = page.evaluate("""() => {
        const z = document.querySelector('[data-testid="stFileUploaderDropzone"]');
        const label = z.querySelector('button [data-testid="stMarkdownContainer"] p');
        const ins = z.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span');
        const after = (e) => getComputedStyle(e, '::after').content;
        return [label.textContent, getComputedStyle(label).fontSize, after(label),
                ins.textContent, getComputedStyle(ins).fontSize, after(ins)];
    }""")
    # Streamlit's own English is still in the DOM but drawn at size 0; the Chinese text is drawn after it
    assert got[0] == "Upload" and got[1] == "0px" and got[2] == '"选择文件"', got
    assert "per file" in got[3] and got[4] == "0px" and got[5] == '"可拖入文件；每个文件不超过 200MB"', got
    # the icon keeps its size, and what a reader sees of the dropzone is Chinese
    icon = page.evaluate("""() => getComputedStyle(document.querySelector(
        '[data-testid="stFileUploaderDropzone"] [data-testid="stIconMaterial"]')).fontSize""")
    assert icon != "0px", icon
    page.screenshot(path=str(ARTIFACTS / "数据导入_uploader.png"))
