"""风险分级 page against grades/tiers/consistency/sensitive computed on the same fixture database."""
from __future__ import annotations

from analytics import consistency, grades, sensitive, tiers
from analytics.filters import Filters
from tests.fixture_db import R5
from tests.pages.conftest import app_at, assert_ok, fig

PAGE = "2_风险分级.py"


def _bars(f):
    return {t["name"]: (t["x"], t["y"]) for t in f["data"]}


def test_distribution_by_department(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    at.selectbox(key="risk_dim").set_value("department").run()
    assert_ok(at)
    exp = grades.grade_counts(con, as_of=R5, by="department")
    f = fig(at, 0)
    bars = _bars(f)
    assert list(bars) == ["红", "黄", "绿"]
    assert [t["marker"]["color"] for t in f["data"]] == ["#d62728", "#f2b701", "#2ca02c"]
    red = exp[exp["grade"] == "red"]
    assert bars["红"] == (red["department"].tolist(), [float(v) for v in red["projects"]])
    # 区农业农村局: P01 P05 P08 red → 3
    assert dict(zip(*bars["红"]))["区农业农村局"] == 3.0
    assert f["layout"]["xaxis"]["title"]["text"] == "主管部门"
    assert f["layout"]["yaxis"]["title"]["text"] == "项目数"
    table = at.dataframe[0].value
    assert table.columns.tolist()[:3] == ["主管部门", "风险等级", "项目数"]
    assert table["项目数"].tolist() == exp["projects"].tolist()
    assert table["扶贫帮扶资金(万元)"].tolist() == [float(v) for v in exp["funds_wan"]]


def test_tier_dimension_labels_and_town_filter(ledger_db, con):
    at = app_at(PAGE)
    at.multiselect(key="sb_towns").set_value(["贺街镇"]).run()
    at.selectbox(key="risk_dim").set_value("tier").run()
    assert_ok(at)
    f = Filters(towns=("贺街镇",))
    exp = grades.grade_counts(con, as_of=R5, filters=f, by="tier")
    bars = _bars(fig(at, 0))
    # tier codes shown in Chinese
    assert set(bars["红"][0]) <= {"自治区督办", "市级督办", "区专班督办", "常态化监测"}
    assert sum(bars["红"][1]) == float(exp[exp["grade"] == "red"]["projects"].sum()) == 1.0  # P01
    # Sankey: initial → current flows of 贺街镇 (P01 红→红, P02 黄→黄, P03 红→绿, P04 黄→绿)
    flows = grades.grade_transitions(con, as_of=R5, filters=f)
    s = fig(at, 1)["data"][0]
    assert s["type"] == "sankey"
    assert sum(s["link"]["value"]) == float(flows["projects"].sum()) == 4.0
    # tier table and counts honour the filter
    tc = tiers.tier_counts(con, as_of=R5, filters=f)
    counts = at.dataframe[2].value
    assert counts["督办层级"].tolist() == ["自治区督办", "市级督办", "区专班督办", "常态化监测"]
    assert counts["项目数"].tolist() == tc["projects"].tolist()
    tt = tiers.tier_table(con, as_of=R5, filters=f)
    assert at.dataframe[3].value["项目编号"].tolist() == tt["project_code"].tolist()


def test_sensitive_and_false_greens(ledger_db, con):
    at = app_at(PAGE)
    assert_ok(at)
    fg = consistency.false_greens(con, as_of=R5)
    table = at.dataframe[5].value
    assert table["项目编号"].tolist() == fg["project_code"].tolist()
    assert table["不一致原因"].tolist() == fg["reason"].tolist()
    assert "P07" in table["项目编号"].tolist()  # 闲置 but green (成而不用)
    assert "P08" in table["项目编号"].tolist()  # red without a 三不 problem
    sens = sensitive.sensitive_projects(con, as_of=R5)
    assert len(at.dataframe[4].value) == len(sens) == 0  # the fixture has no sensitive flags
    assert any("两高两道" in c.value for c in at.caption)


def test_tier_table_leaves_duckdb_a_page_at_a_time_and_downloads_whole(ledger_db, con, monkeypatch):
    import io

    import openpyxl
    import streamlit as st

    from ui import tables

    monkeypatch.setattr(tables, "PAGE_ROWS", 5)
    asked, got = [], {}
    real_table, real_button = tiers.tier_table, st.download_button

    def spy(c, *, as_of, filters=None, settings=None, limit=None, offset=0):
        asked.append(limit)
        return real_table(c, as_of=as_of, filters=filters, settings=settings, limit=limit, offset=offset)

    def capture(label, data=None, file_name=None, **kw):
        got[kw.get("key")] = data
        return real_button(label, data=data, file_name=file_name, **kw)

    monkeypatch.setattr(tiers, "tier_table", spy)
    monkeypatch.setattr(st, "download_button", capture)
    at = app_at(PAGE)
    assert_ok(at)
    # 13 projects in force at R5 in tier order: P01 | P02 P03 | P04 P05 P08 | P06 P07 P09 P10 P11 P12 P13;
    # pages of 5: 5 + 5 + 3, and the picker states the true total
    picker = at.number_input(key="pg_risk_tier_table")
    assert picker.label == "第几页（共 3 页，13 行）"
    assert at.dataframe[3].value["项目编号"].tolist() == ["P01", "P02", "P03", "P04", "P05"]
    picker.set_value(3).run()
    assert_ok(at)
    assert at.dataframe[3].value["项目编号"].tolist() == ["P11", "P12", "P13"]
    assert asked and set(asked) == {5}          # only pages were asked for
    # the download is the whole table, fetched when it is asked for
    ws = openpyxl.load_workbook(io.BytesIO(got["dl_risk_tier_table"]())).active
    codes = [r[0] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert codes == tiers.tier_table(con, as_of=R5)["project_code"].tolist() and len(codes) == 13
    assert asked[-1] is None


def test_tier_table_longer_than_the_xlsx_cap_downloads_as_csv(ledger_db, con, monkeypatch):
    """Above ``XLSX_MAX_ROWS`` rows the download is a CSV of the whole table (the nation's tier table has
    991k rows: its .xlsx would take minutes). Cap 10 < the fixture's 13 projects in force at R5."""
    import csv
    import io

    import streamlit as st

    from ui import tables

    monkeypatch.setattr(tables, "XLSX_MAX_ROWS", 10)
    got, labels = {}, {}
    real_button = st.download_button

    def capture(label, data=None, file_name=None, **kw):
        got[kw.get("key")], labels[kw.get("key")] = data, (label, file_name, kw.get("mime"))
        return real_button(label, data=data, file_name=file_name, **kw)

    monkeypatch.setattr(st, "download_button", capture)
    at = app_at(PAGE)
    assert_ok(at)
    label, name, mime = labels["dl_risk_tier_table"]
    assert label == "下载 CSV" and name.endswith("_2023-11-29.csv") and mime == "text/csv"
    assert any("共 13 行，超过 Excel 下载的 10 行上限" in c.value for c in at.caption)
    data = got["dl_risk_tier_table"]()
    assert data.startswith("\ufeff".encode())                      # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "项目编号" and len(rows) == 1 + 13         # header, then every project, no title rows
    assert [r[0] for r in rows[1:]] == tiers.tier_table(con, as_of=R5)["project_code"].tolist()
    # a table within the cap stays .xlsx: the tier counts, one row per tier
    assert labels["dl_risk_tier_counts"][0] == "下载 Excel" and labels["dl_risk_tier_counts"][1].endswith(".xlsx")


def test_two_long_downloads_at_once_run_one_after_the_other(ledger_db, con, monkeypatch):
    """Two users asking for a CSV-sized download at the same moment do not build it side by side (each holds
    ~0.9 GiB at the nation scale): the second waits for the first. A spy on the CSV writer counts how many
    run at once while each sleeps 0.2 s; both files come out whole."""
    import threading
    import time

    import streamlit as st

    from ui import tables

    monkeypatch.setattr(tables, "XLSX_MAX_ROWS", 10)
    got, real_button, real_csv = {}, st.download_button, tables.to_csv_bytes
    active, most = [0], [0]
    guard = threading.Lock()

    def capture(label, data=None, file_name=None, **kw):
        got[kw.get("key")] = data
        return real_button(label, data=data, file_name=file_name, **kw)

    def slow_csv(df):
        with guard:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.2)
        with guard:
            active[0] -= 1
        return real_csv(df)

    monkeypatch.setattr(st, "download_button", capture)
    monkeypatch.setattr(tables, "to_csv_bytes", slow_csv)
    at = app_at(PAGE)
    assert_ok(at)
    make, out = got["dl_risk_tier_table"], []
    threads = [threading.Thread(target=lambda: out.append(make())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and len(out) == 2 and out[0] == out[1]
    assert out[0].decode("utf-8-sig").count("\r\n") == 1 + 13      # header + the 13 projects in force at R5
