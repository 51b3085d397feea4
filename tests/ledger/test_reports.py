"""Every export of issue #10 opened and compared, number by number, with the analytics it came from
(fixture: tests/fixture_db.py + tests/orders_fixture.py): 督办单 (.xlsx, .html, .pdf, .zip), 催报,
通报, the meeting pack (PNG, 附件3, 通报, 会议材料) and the CLI; formula-looking text stays text."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from analytics import annex3 as a3
from analytics import orders as ao
from analytics.filters import Filters
from analytics.ranking import unit_scores
from analytics.settings import get_settings
from ledger import cli, db
from ledger.reports import build, media
from ledger.reports.doc import fmt_value
from ledger.reports.safe import safe_filename, safe_text
from tests.fixture_db import R1, R4, R5, build_fixture
from tests.orders_fixture import P01_MISSING, RISKY_CONTENT, RISKY_NAME, add_order_cases, order_connection

AT = datetime(2023, 11, 30, 9, 30)
NOTE = "@请于3日内书面报告，=SUM(A1)不是公式"


@pytest.fixture
def con():
    c = order_connection(risky=True)
    yield c
    c.close()


# --- readers ---------------------------------------------------------------------------------------
def sheet_tables(ws) -> dict[str, list[list]]:
    """{heading: [header row, data rows...]} for the blocks '一、…' .. '四、…' of a sheet, plus the
    untitled table (key '') of docs without headings. A table ends at an empty row."""
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    out, cur = {}, None
    for r in rows:
        first = r[0]
        if isinstance(first, str) and re.match(r"^[一二三四五六七八九十]、|.*排名（", first) and all(v is None for v in r[1:]):
            cur = out.setdefault(first, [])
            continue
        if cur is not None:
            if all(v is None for v in r):
                cur = None
            else:
                cur.append(r)
    return out


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.heading, self.cell, self.row, self.texts = {}, "", None, None, []

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.heading = ""
            self.cell = "h2"
        elif tag == "table":
            self.tables[self.heading] = []
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "h2":
            self.cell = None
        elif tag in ("td", "th"):
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr":
            self.tables[self.heading].append(self.row)

    def handle_data(self, data):
        self.texts.append(data)
        if self.cell == "h2":
            self.heading += data
        elif self.cell is not None:
            self.cell += data


def html_tables(page: str) -> tuple[dict[str, list[list[str]]], str]:
    p = _Tables()
    p.feed(page)
    return p.tables, "".join(p.texts)


def pdf_text(data: bytes) -> str:
    return "".join("".join(pg.extract_text().split()) for pg in PdfReader(io.BytesIO(data)).pages)


def no_formulas(xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(n) and b"<f " not in z.read(n), n


def by_name(files) -> dict[str, bytes]:
    return {f.name: f.data for f in files}


# --- 督办单 ---------------------------------------------------------------------------------------
def _hejie(con, **kw):
    return build.issue(con, as_of=R5, units=["贺街镇"], issued_by="张三", at=AT, note=NOTE, **kw)


def _expected_order_rows(c):
    """The four tables of the 督办单 as the writer must show them (labels from the glossary)."""
    g = __import__("ledger.glossary", fromlist=["label"])
    p = [[r["project_code"], r["name"], r["town"], g.label("grade", r["grade"]),
          "、".join(g.label("problem", x) for x in r["problems"]), g.label("tier", r["tier"]), r["funds_wan"],
          g.label("clock_kind", r["kind"]) if r["kind"] else "—", r["due"],
          g.label("clock_status", r["status"]) if r["status"] else "时限均已完成", r["days_left"], r["days_overdue"]]
         for r in c["projects"].to_dict("records")]
    t = [[r["project_code"], r["name"], r["task_seq"], r["measure"], r["due_on"], g.label("task_status", r["status"]),
          r["owner"], r["days_overdue"]] for r in c["tasks"].to_dict("records")]
    k = [[r["project_code"], r["name"], g.label("grade", r["from_grade"]), g.label("grade", r["to_grade"]),
          r["applied_on"], g.label("signoff_status", r["status"]), "、".join(r["checklist_missing"])]
         for r in c["checklist"].to_dict("records")]
    i = [[r["project_code"], r["name"], r["operator"], r["raised_on"], g.label("interaction_kind", r["kind"]),
          r["content"], g.label("interaction_status", r["status"]), r["days_open"]]
         for r in c["interactions"].to_dict("records")]
    return p, t, k, i


def _cell_eq(got, want) -> bool:
    if want is None or (not isinstance(want, (str, list)) and pd.isna(want)):
        return got is None
    if isinstance(want, Decimal):
        return got is not None and Decimal(str(got)) == want
    if isinstance(want, date):
        return got is not None and got.date() == want
    return got == want


def test_order_xlsx_matches_analytics_and_is_official(con):
    [o] = _hejie(con)
    assert (o.number, o.reply_by) == ("八步专班督〔2023〕1号", date(2023, 12, 14))  # 11-30 + 7 = 12-07 → 12-14
    files = by_name(build.order_files(con, [o], pdf=False))
    stem = "督办单_2023-11-29_贺街镇_八步专班督〔2023〕1号"
    assert set(files) == {stem + ".xlsx", stem + ".html"}
    xlsx = files[stem + ".xlsx"]
    no_formulas(xlsx)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert (ws["A1"].value, ws["A2"].value, ws["A3"].value) == ("督  办  单", "八步专班督〔2023〕1号", "贺街镇：")
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}  # title across the 12 columns
    # 根据第5期…: red 1, yellow 1, overdue 1, pending 2, tasks 1, checklist 1, replies 0, reopened 0
    assert ws["A4"].value == ("根据第5期（2023-11-29）报送台账，你单位现有红色项目1个、黄色项目1个；逾期未完成整改时限1个、"
                              "未到期整改时限2个；超期未完成的一项目一方案任务1项；尚未销号且核查缺项的申请1件；"
                              "超过15天未答复的企业诉求建议0件；销号后反弹项目0个。")
    assert "2023-12-14前" in ws["A5"].value
    assert ws["A6"].value == f"督办要求：{NOTE}"
    c = ao.order_content(con, as_of=R5, unit="贺街镇")
    tables = sheet_tables(ws)
    for heading, want in zip(["一、红黄项目及整改时限", "二、超期未完成的一项目一方案任务", "三、销号核查缺项（尚未销号的申请）",
                              "四、超过15天未答复的企业诉求建议"], _expected_order_rows(c)):
        got = tables[heading]
        body = got[1:]
        if not want:
            assert body[0][0] == "（无）"
            continue
        assert len(body) == len(want), heading
        for g_row, w_row in zip(body, want):
            assert all(_cell_eq(gv, wv) for gv, wv in zip(g_row, w_row)), (heading, g_row, w_row)
    first = tables["一、红黄项目及整改时限"]
    assert first[1][:2] == ["P01", RISKY_NAME] and first[1][11] == 40 and first[2][10] == 21  # by eye
    assert tables["三、销号核查缺项（尚未销号的申请）"][1][6] == "、".join(P01_MISSING)
    # A4 landscape, one page wide, borders, page numbers
    assert (int(ws.page_setup.paperSize), ws.page_setup.orientation, ws.page_setup.fitToWidth) == (9, "landscape", 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and "&P" in ws.oddFooter.center.text
    hdr = next(r for r in ws.iter_rows() if r[0].value == "项目编号")
    assert all(cell.border.left.style == "thin" for cell in hdr)
    signs = [r[0].value for r in ws.iter_rows() if r[0].value]
    assert signs[-3:] == ["八步区产业帮扶工作专班", "签发人：张三　签发日期：2023-11-30", "回复期限：2023-12-14"]


def test_formula_looking_text_is_written_as_text(con):
    [o] = _hejie(con)
    xlsx = by_name(build.order_files(con, [o], pdf=False))["督办单_2023-11-29_贺街镇_八步专班督〔2023〕1号.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = [c for r in ws.iter_rows() for c in r if c.value == RISKY_NAME]
    assert len(cells) >= 3 and all(c.data_type == "s" and c.quotePrefix for c in cells)
    note = [c for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.endswith(NOTE)]
    assert note and all(c.data_type == "s" for c in note)
    # 莲塘镇's 诉求 text starts with '-'
    [o2] = build.issue(con, as_of=R5, units=["莲塘镇"], issued_by="张三", at=AT)
    x2 = by_name(build.order_files(con, [o2], pdf=False))
    ws2 = openpyxl.load_workbook(io.BytesIO(next(v for k, v in x2.items() if k.endswith(".xlsx")))).active
    hit = [c for r in ws2.iter_rows() for c in r if c.value == RISKY_CONTENT]
    assert hit and hit[0].data_type == "s" and hit[0].quotePrefix
    no_formulas(next(v for k, v in x2.items() if k.endswith(".xlsx")))
    assert safe_text(RISKY_NAME) == "'" + RISKY_NAME and safe_text("\t1") == "'\t1" and safe_text("贺街镇") == "贺街镇"


def test_order_html_and_pdf_match_analytics(con):
    [o] = _hejie(con)
    files = by_name(build.order_files(con, [o], pdf=True))
    stem = "督办单_2023-11-29_贺街镇_八步专班督〔2023〕1号"
    page = files[stem + ".html"].decode("utf-8")
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in page  # escaped, shown as text
    tables, text = html_tables(page)
    c = ao.order_content(con, as_of=R5, unit="贺街镇")
    fmts = [["text"] * 6 + ["money", "text", "date", "text", "int", "int"],
            ["text", "text", "int", "text", "date", "text", "text", "int"],
            ["text"] * 4 + ["date", "text", "text"],
            ["text"] * 3 + ["date", "text", "text", "text", "int"]]
    headings = ["一、红黄项目及整改时限", "二、超期未完成的一项目一方案任务", "三、销号核查缺项（尚未销号的申请）",
                "四、超过15天未答复的企业诉求建议"]
    pdf = pdf_text(files[stem + ".pdf"])
    for heading, want, fm in zip(headings, _expected_order_rows(c), fmts):
        body = tables[heading][1:]
        expect = [[fmt_value(v, f) for v, f in zip(row, fm)] for row in want] or [["（无）"]]
        assert body == expect, heading
        assert "".join(heading.split()) in pdf
        for row in want:  # every value is in the PDF's text too
            for v, f in zip(row, fm):
                s = "".join(fmt_value(v, f).split())
                assert s in pdf, (heading, s)
    assert text.count("八步专班督〔2023〕1号") == 1 and "回复期限：2023-12-14" in text
    assert "3,000.00" in pdf and "八步专班督〔2023〕1号" in pdf and "贺街镇：" in pdf
    assert files[stem + ".pdf"][:5] == b"%PDF-"


def test_all_lagging_units_as_one_zip(con):
    issued = build.issue(con, as_of=R5, issued_by="张三", at=AT)
    assert [(o.unit, o.number) for o in issued] == [("步头镇", "八步专班督〔2023〕1号"), ("莲塘镇", "八步专班督〔2023〕2号"),
                                                   ("贺街镇", "八步专班督〔2023〕3号")]
    z = build.orders_zip(con, issued, pdf=False)
    assert z.name == "督办单_2023-11-29_3个单位.zip"
    names = zipfile.ZipFile(io.BytesIO(z.data)).namelist()
    assert len(names) == 6 and all("2023-11-29" in n and safe_filename(n) == n for n in names)
    assert {n.rsplit("_", 1)[0] for n in names} == {"督办单_2023-11-29_步头镇", "督办单_2023-11-29_莲塘镇",
                                                    "督办单_2023-11-29_贺街镇"}
    stored = con.execute("SELECT unit, round_date, number, issued_at, issued_by, reply_by FROM orders ORDER BY seq").fetchall()
    assert stored == [(o.unit, R5, o.number, AT, "张三", date(2023, 12, 14)) for o in issued]
    # issuing the lagging units again reprints: no new numbers
    assert [o.new for o in build.issue(con, as_of=R5, issued_by="李四", at=AT)] == [False] * 3
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 3


def test_no_lagging_unit_is_a_clear_message():
    c = order_connection()
    with pytest.raises(build.ReportError, match="没有需要督办的单位"):
        build.issue(c, as_of=R1, issued_by="张三", at=AT)
    assert c.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


# --- 催报 -----------------------------------------------------------------------------------------
def test_chase_files_match_the_list(con):
    files = by_name(build.chase_files(con, as_of=R5))
    assert set(files) == {"催报名单_2023-11-29.xlsx", "催报名单_2023-11-29.txt", "催报名单_2023-11-29.html"}
    ws = openpyxl.load_workbook(io.BytesIO(files["催报名单_2023-11-29.xlsx"])).active
    assert ws["A1"].value == "催报名单" and int(ws.page_setup.paperSize) == 9  # A4
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    i = next(k for k, r in enumerate(rows) if r[0] == "单位")
    # 莲塘镇: 未报, 0 days, 0 late + 1 missing = 1 this year, of 5 due dates
    assert rows[i + 1][:4] == ["莲塘镇", "乡镇(街道)", datetime(2023, 11, 29), "未报"]
    assert rows[i + 1][5:] == [0, 0, 1, 1, 5]
    assert rows[i + 2][0] is None  # one unit only
    assert files["催报名单_2023-11-29.txt"].decode() == "单位\t情况\t逾期天数\t本年逾期或未报次数\n莲塘镇\t未报\t0\t1\n"
    tables, _ = html_tables(files["催报名单_2023-11-29.html"].decode())
    assert tables[""][1] == ["莲塘镇", "乡镇(街道)", "2023-11-29", "未报", "", "0", "0", "1", "1", "5"]
    risky = ao.chase_list(con, as_of=R5).assign(unit="=cmd|' /C calc'!A0")
    assert build.chase_text(risky).splitlines()[1].startswith("'=cmd")


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


# --- 通报 -----------------------------------------------------------------------------------------
def test_bulletin_files_match_unit_scores():
    c = order_connection()
    files = by_name(build.bulletin_files(c, as_of=R4, pdf=True))
    assert set(files) == {"通报_2023-11-14.xlsx", "通报_2023-11-14.html", "通报_2023-11-14.pdf"}
    ws = openpyxl.load_workbook(io.BytesIO(files["通报_2023-11-14.xlsx"])).active
    b = ao.bulletin(c, as_of=R4)
    tables = sheet_tables(ws)
    html, _ = html_tables(files["通报_2023-11-14.html"].decode())
    pdf = pdf_text(files["通报_2023-11-14.pdf"])
    metrics = ["green_share", "on_time", "resolved", "submissions", "linkage", "consistency"]
    for kind, title in (("department", "项目主管部门排名（奖惩得分及分项）"), ("township", "乡镇（街道）排名（奖惩得分及分项）")):
        part = b["scores"][b["scores"]["kind"] == kind]
        body, hbody = tables[title][1:], html[title][1:]
        assert len(body) == len(part) == len(hbody)
        for got, hgot, r in zip(body, hbody, part.to_dict("records")):
            nums = [r["rank"], r["score"], r["factor"], r["penalty"], *[r[f"contrib_{m}"] for m in metrics],
                    r["red_now"], r["yellow_now"]]
            assert [got[0], got[2], got[4], got[5], *got[6:12], got[12], got[14]] == pytest.approx(nums)
            assert got[1] == r["unit"]
            assert (got[13], got[15]) == (_signed(int(r["red_change"])), _signed(int(r["yellow_change"])))
            assert hgot[1] == r["unit"] and hgot[2] == f"{r['score']:.2f}" and hgot[13] == got[13]
            assert f"{r['unit']}" in pdf and f"{r['score']:.2f}" in pdf
    paras = [r[0].value for r in ws.iter_rows() if isinstance(r[0].value, str)]
    # R3 (12 projects, P02 not yet reported): red P01 P08, yellow P04, green 9; R4 (13): red P01 P05 P08,
    # yellow P02, green 9 (P04 turned green, P05 red) → +1, 0, 0
    assert "全区在用台账：红色项目3个（较上期+1），黄色项目1个（较上期0），绿色项目9个（较上期0）。" in paras
    best = b["best"]["township"]
    assert any(p.startswith("乡镇（街道）：表扬 " + "、".join(f"{u}（{s:.2f}分）" for u, s in zip(best["unit"], best["score"])))
               for p in paras)
    assert unit_scores(c, as_of=R4)["score"].tolist() == pytest.approx(b["scores"]["score"].tolist())


# --- meeting pack ----------------------------------------------------------------------------------
def _ink(img: Image.Image, box) -> int:
    """Dark pixels (text) in ``box`` of an RGB image."""
    g = img.convert("L").crop(box)
    return sum(1 for v in g.getdata() if v < 140)


def test_pack_zip_png_annex3_and_bulletin(con):
    f = Filters(towns=("贺街镇", "步头镇"))
    z = build.pack(con, as_of=R5, filters=f, pdf=True)
    assert z.name == "专题会材料_2023-11-29_筛选_乡镇：贺街镇、步头镇.zip" and safe_filename(z.name) == z.name
    zf = zipfile.ZipFile(io.BytesIO(z.data))
    names = zf.namelist()
    pngs = [n for n in names if n.endswith(".png")]
    assert pngs == ["图1_风险等级分布_2023-11-29.png", "图2_红黄项目趋势（按报送期次）_2023-11-29.png",
                    "图3_最滞后的五个单位_2023-11-29.png"]
    for n in pngs:
        img = Image.open(io.BytesIO(zf.read(n))).convert("RGB")
        assert img.size == (2000, 1040)  # 1000 × 520 at scale 2
        w, h = img.size
        colours = img.resize((200, 104)).getcolors(maxcolors=200 * 104)
        assert len(colours) > 20  # not a blank image
        assert _ink(img, (0, 0, w // 2, h // 10)) > 500  # the Chinese title is drawn in the top band
    # 附件3 in the official layout, for the filtered towns, equal to analytics
    ws = openpyxl.load_workbook(io.BytesIO(zf.read("附件3_汇总表_2023-11-29.xlsx"))).active
    want = a3.annex3(con, as_of=R5, by="town", filters=f)
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=4 + len(want))]
    assert [r[0] for r in got] == list(want["unit"]) == ["贺街镇", "步头镇", "合计"]
    for g_row, w_row in zip(got, want[a3.ANNEX3_COLUMNS].itertuples(index=False)):
        for gv, wv in zip(g_row[1:], list(w_row)[1:]):
            assert Decimal(str(gv)) == Decimal(str(wv))
    # the 会议材料 page: title with round and filters, the three charts inlined, 附件3 and 通报 tables
    page = zf.read("会议材料_2023-11-29_筛选_乡镇：贺街镇、步头镇.html").decode()
    tables, text = html_tables(page)
    assert "第5期（2023-11-29）｜乡镇：贺街镇、步头镇" in text
    assert page.count("data:image/png;base64,") == 3
    a3rows = tables["附件3 帮扶产业项目帮扶提升汇总表（按乡镇）"][1:]
    assert [r[0] for r in a3rows] == ["贺街镇", "步头镇", "合计"]
    assert a3rows[-1][2] == fmt_value(want.iloc[-1]["funds_wan"], "money")  # 合计 funds: 3000+1000+2999.99+999.99+200+5000+80
    assert want.iloc[-1]["funds_wan"] == Decimal("13279.98")
    assert "乡镇（街道）排名（奖惩得分及分项）" in tables
    pdf = pdf_text(zf.read("会议材料_2023-11-29_筛选_乡镇：贺街镇、步头镇.pdf"))
    assert "第5期（2023-11-29）｜乡镇：贺街镇、步头镇" in pdf and "13,279.98" in pdf
    assert "通报_2023-11-29.xlsx" in names


def test_chart_text_is_real_cjk_glyphs_not_tofu():
    """A missing font draws every CJK character as the same box (or a box with its code point): as
    much ink for 一 as for 疆. Real glyphs: 疆 (many strokes) has several times the ink of 一."""
    import plotly.graph_objects as go

    from charts import FONT

    def title_only(text):
        fig = go.Figure()
        fig.update_layout(title=dict(text=text, font=dict(size=40, family=FONT)), xaxis_visible=False,
                          yaxis_visible=False, plot_bgcolor="white", paper_bgcolor="white")
        return fig

    one, jiang, latin = media.figures_to_png([title_only("一一一一"), title_only("疆疆疆疆"), title_only("")],
                                             width=600, height=200, scale=1)
    ink = [_ink(Image.open(io.BytesIO(p)).convert("RGB"), (0, 0, 600, 100)) for p in (one, jiang, latin)]
    assert ink[2] == 0  # an empty title draws nothing: the ink below is the text's
    assert ink[0] > 50  # 一 is drawn
    assert ink[1] > 3 * ink[0], ink


# --- CLI -----------------------------------------------------------------------------------------
def test_cli_export_all_four(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    c = db.connect(path)
    build_fixture(c)
    add_order_cases(c)
    c.close()
    out = tmp_path / "out"
    base = ["--round", "2023-11-29", "--out", str(out), "--db", str(path), "--no-pdf"]
    assert cli.main(["export", "orders", *base, "--by", "王五", "--unit", "贺街镇"]) == 0
    assert "八步专班督〔" in capsys.readouterr().out
    for what in ("chase", "bulletin", "pack"):
        assert cli.main(["export", what, *base]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert [n for n in files if n.startswith("督办单")] == ["督办单_2023-11-29_1个单位.zip"]
    assert {"催报名单_2023-11-29.xlsx", "通报_2023-11-29.xlsx", "专题会材料_2023-11-29_全部.zip"} <= set(files)
    c = db.connect(path, read_only=True)
    assert c.execute("SELECT unit, issued_by, round_date FROM orders").fetchall() == [("贺街镇", "王五", R5)]
    c.close()
    assert cli.main(["export", "chase", "--round", "2023-11-28", "--out", str(tmp_path / "none"), "--db", str(path)]) == 1
    assert "没有报送期次" in capsys.readouterr().err and not (tmp_path / "none").exists()


def test_safe_filenames():
    assert safe_filename('督办单_贺街镇/区:1?.xlsx') == "督办单_贺街镇_区_1_.xlsx"
    assert safe_filename("NUL.zip") == "_NUL.zip" and safe_filename("a<b>|c*.txt") == "a_b__c_.txt"
    assert len(safe_filename("长" * 300 + ".xlsx")) == 120 and safe_filename("长" * 300 + ".xlsx").endswith(".xlsx")
    assert build.describe_filters(Filters()) == "全部项目（未筛选）"
    assert build.describe_filters(Filters(towns=("贺街镇",), tiers=("city",), year_from=2016)) == \
        "乡镇：贺街镇；督办层级：市级督办；建设年度：2016—"


def test_settings_know_the_reply_days():
    assert get_settings(order_connection())["order_reply_days"] == 7
    assert build.ISSUER in build.bulletin_doc(order_connection(), as_of=R4).sign
    assert build.order_stem(build.issue(order_connection(), as_of=R4, units=["贺街镇"], issued_by="x", at=AT)[0]) \
        == "督办单_2023-11-14_贺街镇_八步专班督〔2023〕1号"


def test_doctests_of_the_reports_package():
    """tests/test_doctests.py walks ledger/'s top-level modules only; the examples here run too."""
    import doctest
    import importlib

    for name in ("ledger.reports.safe", "ledger.reports.doc"):
        res = doctest.testmod(importlib.import_module(name), verbose=False)
        assert res.attempted > 0 and res.failed == 0, (name, res)
