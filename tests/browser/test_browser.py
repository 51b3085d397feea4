"""What AppTest cannot see: every page renders in a real browser without an exception box, Chinese
glyphs come out as glyphs, a ledger goes through the upload widget into the database and shows on
总览, and a table download arrives as a valid .xlsx."""
from __future__ import annotations

import io
import subprocess

import openpyxl

from tests.browser.conftest import ARTIFACTS, PASSWORD, open_as, sign_in
from tests.ledger_book import ledger_book

# (url path, title) — url paths are what st.navigation derives from the page file names
# A deep link first: on a fresh server process Streamlit serves pages/ files directly before app.py
# has run once; the page must still come up inside the app's sectioned navigation.
PAGES = [("风险分级", "风险分级"), ("", "总览"), ("资金投向", "资金投向"), ("整改进度", "整改进度"),
         ("单位排名与奖惩", "单位排名与奖惩"), ("填报情况", "填报情况"), ("项目详情", "项目详情"),
         ("数据导入", "数据导入"), ("设置", "设置"), ("附件3汇总", "附件3 汇总表")]
RUN_TIMEOUT = 45_000  # ms for one script run to finish


def wait_idle(page, title: str) -> None:
    """The page's h1 shows ``title`` and the script run is over (no running-status widget). On a timeout
    the failure says what the browser showed instead (URL, headings, the start of the text) and leaves a
    screenshot in test-artifacts/, so that a failure that does not come back can still be read."""
    try:
        page.locator("h1", has_text=title).first.wait_for(state="visible", timeout=RUN_TIMEOUT)
    except Exception as e:   # playwright's TimeoutError: add what was on the screen
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"timeout_{title}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            heads = page.locator("h1, h2, h3").all_inner_texts()
            text = page.locator("body").inner_text()[:600]
        except Exception as inner:  # noqa: BLE001 - the page itself may be gone
            heads, text = [], f"(could not read the page: {inner})"
        raise AssertionError(f"{title}: no h1 in {RUN_TIMEOUT} ms at {page.url}; headings {heads}; "
                             f"text {text!r}; screenshot {shot}") from e
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=RUN_TIMEOUT)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=RUN_TIMEOUT)


def assert_no_error(page, where: str) -> None:
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, f"{where}: {exc.first.inner_text()[:800]}"
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, f"{where}: traceback on the page"


def test_cjk_font_installed():
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=20).stdout
    assert out.strip(), "no CJK font: install fonts-wqy-microhei (scripts/setup.sh --dev)"


def test_every_page_renders(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    for path, title in PAGES:
        open_as(page, f"{server['url']}/{path}", "tf")   # a new session per page: sign in, land on the page
        wait_idle(page, title)
        assert_no_error(page, title)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "工作专班" in nav and "单位排名与奖惩" in nav, f"{title}: navigation without sections: {nav[:200]}"
        if title == "整改进度":
            check_cjk_title(page, title)


def test_sign_in_page_warm_up_is_loaded_but_hidden(server, page):
    """ui.warm: the sign-in page draws a plotly chart (and the other element kinds) once, hidden, so the
    browser loads their code while the visitor types. A MutationObserver records whether the container was
    ever in the page and whether any of it was ever visible; the fragment's next rerun takes it off the page
    again, before the chart itself may have drawn, and the chart's code is loaded all the same."""
    page.add_init_script("""
        window.__warm = {drawn: false, visible: false};
        new MutationObserver(() => {
            for (const el of document.querySelectorAll('.st-key-signin_warm, .st-key-signin_warm *')) {
                window.__warm.drawn = true;
                const r = el.getBoundingClientRect();
                if (r.width > 0 || r.height > 0) window.__warm.visible = true;
            }
        }).observe(document, {childList: true, subtree: true});
    """)
    page.goto(server["url"], wait_until="domcontentloaded", timeout=RUN_TIMEOUT)
    page.locator('input[aria-label="登录名"]').wait_for(state="visible", timeout=RUN_TIMEOUT)
    page.wait_for_function("() => window.__warm.drawn", timeout=RUN_TIMEOUT)
    wait_chart_code(page)
    page.wait_for_timeout(1500)     # the fragment's later reruns draw nothing: the elements leave the page
    assert page.locator(".st-key-signin_warm").count() == 0
    assert not page.evaluate("window.__warm.visible")
    assert page.get_by_text("预加载").filter(visible=True).count() == 0
    sign_in(page, "leader")
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=RUN_TIMEOUT)
    assert page.locator(".st-key-signin_warm").count() == 0


def test_warm_up_ends_without_disturbing_typing(server, page):
    """The sign-in page's warm-up ends its fragment's timer with one full rerun of the page (ui.warm), about
    WARM_DELAY * 2 s after the form shows. A visitor typing then keeps every character and the focus, and a
    deep link still lands on its page. The login is typed key by key from the moment the form shows, over
    that rerun (23 keys at 60 ms, then the password)."""
    page.goto(f"{server['url']}/填报情况", wait_until="domcontentloaded", timeout=RUN_TIMEOUT)
    box = page.locator('input[aria-label="登录名"]')
    box.wait_for(state="visible", timeout=RUN_TIMEOUT)
    box.press_sequentially("tf", delay=60)
    page.keyboard.type("_" * 21, delay=60)
    typed = box.input_value()
    assert typed == "tf" + "_" * 21, typed
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "登录名"
    wait_chart_code(page)
    page.wait_for_timeout(1500)
    assert box.input_value() == typed                   # nothing after the rerun took it away either
    box.fill("tf")
    pw = page.locator('input[aria-label="密码"]')
    pw.press_sequentially(PASSWORD, delay=30)
    assert pw.input_value() == PASSWORD
    page.get_by_role("button", name="登录", exact=True).click()
    wait_idle(page, "填报情况")


def wait_chart_code(page) -> None:
    """Until the browser has fetched Streamlit's plotly chunk (PlotlyChart.*.js, 4.7 MB): what the sign-in
    page's warm-up is for."""
    page.wait_for_function("""() => performance.getEntriesByType('resource')
        .some(e => /PlotlyChart[^/]*\\.js/.test(e.name))""", timeout=RUN_TIMEOUT)


def check_cjk_title(page, title: str) -> None:
    """Chinese glyphs, not boxes: screenshot, the title's text box is about one em per CJK character,
    and the CJK font is loaded for those characters."""
    page.screenshot(path=str(ARTIFACTS / f"{title}.png"), full_page=False)
    width, font_px, n = page.evaluate("""(t) => {
        const h = [...document.querySelectorAll('h1')].find(e => e.innerText.trim() === t);
        const r = document.createRange(); r.selectNodeContents(h);
        return [r.getBoundingClientRect().width, parseFloat(getComputedStyle(h).fontSize), t.length];
    }""", title)
    assert 0.8 * n * font_px <= width <= 1.3 * n * font_px, (width, font_px, n)
    assert page.evaluate("(t) => document.fonts.check('16px \"WenQuanYi Micro Hei\"', t)", title)


def test_upload_confirm_shows_on_overview_and_download(server, page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    book = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx")
    open_as(page, f"{server['url']}/数据导入", "tf")
    wait_idle(page, "数据导入")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(book))
    confirm = page.get_by_role("button", name="确认导入 1 个文件")   # enabled once the dry run passed
    confirm.wait_for(timeout=RUN_TIMEOUT)
    wait_idle(page, "数据导入")
    assert_no_error(page, "预检")
    assert confirm.is_enabled()
    confirm.click()
    page.get_by_text("已导入 1 个文件", exact=False).first.wait_for(timeout=RUN_TIMEOUT)
    wait_idle(page, "数据导入")
    assert_no_error(page, "导入")
    page.screenshot(path=str(ARTIFACTS / "数据导入.png"))

    # a table download arrives and is a real workbook (the import history, now with our file)
    with page.expect_download(timeout=RUN_TIMEOUT) as info:
        page.locator('[data-testid="stDownloadButton"]', has_text="下载 Excel").last.locator("button").click()
    dl = info.value
    target = tmp_path / (dl.suggested_filename or "download.xlsx")
    dl.save_as(str(target))
    assert target.name == "导入记录_2023-12-14.xlsx"    # the round's date in the name (#8.12)
    rows = list(openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active.values)
    assert rows[0][0] == "导入记录" and rows[1][0].startswith("数据截至 第6期（2023-12-14）")
    assert "文件名" in rows[2]
    assert rows[3][rows[2].index("文件名")] == "南乡镇_2023-12-14.xlsx"

    # the same session moves on to 总览: the banner names the new round (第6期 2023-12-14)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="总览").first.click()
    wait_idle(page, "总览")
    assert_no_error(page, "总览")
    page.get_by_text("2023-12-14", exact=False).first.wait_for(timeout=RUN_TIMEOUT)
    assert "第6期" in page.locator("body").inner_text()
    page.screenshot(path=str(ARTIFACTS / "总览.png"))


def test_blank_template_download_is_built_on_click(server, page, tmp_path):
    """数据导入's blank templates are built when one is clicked (not on the page's run): the file arrives,
    named as offered, and is the 附件1 template (its title row)."""
    from ledger import templates as T

    open_as(page, f"{server['url']}/数据导入", "tf")
    wait_idle(page, "数据导入")
    page.get_by_text("下载空白模板", exact=False).first.click()
    with page.expect_download(timeout=RUN_TIMEOUT) as info:
        page.locator('[data-testid="stDownloadButton"]', has_text="附件1 推进梳理表").first.locator("button").click()
    target = tmp_path / (info.value.suggested_filename or "download.xlsx")
    info.value.save_as(str(target))
    assert target.name == T.FILE_NAMES["progress"]
    want = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(T.template_bytes("progress"))).active.iter_rows()]
    got = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active.iter_rows()]
    assert got == want and "附件1" in str(got[0])


def test_cli_import_while_dashboard_runs(server, page, tmp_path):
    """The dashboard opens the database per page run, so an admin's `python -m ledger import` into
    the same file works while it is running, and the next page run shows the new round."""
    import json
    import sys

    from tests.browser.conftest import ROOT

    open_as(page, f"{server['url']}/", "tf")
    wait_idle(page, "总览")
    book = ledger_book(tmp_path / "大宁镇_2023-12-29.xlsx", unit="大宁镇", round_label="2023年12月29日",
                       submitted="2023年12月29日")
    # the book's two projects replace all of 大宁镇's earlier ones: a shrink the admin confirms (issue #12)
    out = subprocess.run([sys.executable, "-m", "ledger", "import", str(book), "--db", str(server["db"]), "--json",
                          "--allow-shrink"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout)["accepted"] == 4  # 2 projects × (附件1 row + 附件2 row)
    page.reload(wait_until="domcontentloaded", timeout=RUN_TIMEOUT)
    sign_in(page, "tf")                      # a reload is a new session
    wait_idle(page, "总览")
    page.get_by_text("2023-12-29", exact=False).first.wait_for(timeout=RUN_TIMEOUT)
    assert_no_error(page, "总览 after CLI import")


def test_role_matrix_unit_refused_another_units_project_by_url(server, page):
    """A 单位 (贺街镇) opening 步头镇's project P05 by URL gets 无权限 and no data; its own P02 opens; its
    navigation has no 设置; a 领导 has no 数据导入 and a deep link to it lands on 总览."""
    open_as(page, f"{server['url']}/项目详情?project=P05", "unit_hj")
    page.get_by_text("无权限", exact=False).first.wait_for(timeout=RUN_TIMEOUT)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=RUN_TIMEOUT)
    body = page.locator("body").inner_text()
    assert "不能查看其他单位的项目（P05）" in body
    assert page.locator('[data-testid="stMetric"]').count() == 0 and "步头镇" not in body.split("无权限")[1]
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "数据导入" in nav and "设置" not in nav and "操作日志" not in nav
    assert "当前用户" in body and "角色：单位（贺街镇）" in body

    open_as(page, f"{server['url']}/项目详情?project=P02", "unit_hj")
    wait_idle(page, "项目详情")
    assert_no_error(page, "项目详情 P02")
    assert "无权限" not in page.locator("body").inner_text()
    page.get_by_text("P02", exact=False).first.wait_for(timeout=RUN_TIMEOUT)

    open_as(page, f"{server['url']}/数据导入", "leader")
    wait_idle(page, "总览")
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "数据导入" not in nav and "设置" not in nav and "风险分级" in nav
    page.get_by_role("button", name="退出登录").click()
    page.locator('input[aria-label="登录名"]').wait_for(state="visible", timeout=RUN_TIMEOUT)


def test_deep_links_survive_signing_in_on_a_busy_machine(server, page):
    """A deep link opened in a fresh session and signed into at once lands on its page, also when the machine
    is busy. The browser sends the page it shows with the 登录 click; it learns that page from the server's
    navigation message. That message came after the sign-in form (ui.guard drew the form first), so on a busy
    machine a quick click could go out before it and land on 总览. Two busy processes stand in for the busy
    machine: with the old order, every run of this loop on the 2-core machine lost one to two of its 20 deep
    links (11 of 11 runs); with the navigation first, none."""
    import subprocess
    import sys

    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    lost = []
    try:
        for path, title in [p for p in PAGES if p[0]] * 2:
            open_as(page, f"{server['url']}/{path}", "tf")
            page.locator("h1").first.wait_for(state="visible", timeout=RUN_TIMEOUT)
            page.wait_for_timeout(500)     # the page's own run draws its h1 after the shell
            if title not in page.locator("h1").all_inner_texts():
                lost.append((path, page.url))
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert not lost, lost


def test_deep_link_survives_the_warm_up(server, page):
    """A visitor who opens a deep link and takes a few seconds to type lands on that page, not 总览: the
    sign-in page's warm-up fragment (ui.warm, WARM_DELAY s after the form) reruns before the click, and
    its reruns must not reset the page the URL asked for."""
    from ui.warm import WARM_DELAY

    page.goto(f"{server['url']}/整改进度", wait_until="domcontentloaded", timeout=RUN_TIMEOUT)
    page.locator('input[aria-label="登录名"]').wait_for(state="visible", timeout=RUN_TIMEOUT)
    wait_chart_code(page)
    page.wait_for_timeout(int(WARM_DELAY * 2500))   # two more of the fragment's reruns
    sign_in(page, "tf")
    wait_idle(page, "整改进度")
    assert page.url.endswith("/%E6%95%B4%E6%94%B9%E8%BF%9B%E5%BA%A6") or page.url.endswith("/整改进度"), page.url
