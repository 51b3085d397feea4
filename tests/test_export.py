"""附件3 export in the official layout, on the hand-written fixture (tests/fixture_db.py)."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from analytics import annex3
from ledger.export import annex3_xlsx
from tests.fixture_db import AS_OF, fixture_connection


def test_annex3_workbook_layout_and_exact_totals():
    df = annex3.annex3(fixture_connection(), as_of=AS_OF)
    data = annex3_xlsx(df, annex3.ANNEX3_LABELS, as_of=AS_OF, round_no=5, by_label="乡镇(街道)")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "附件3"
    assert rows[1][0] == "帮扶产业项目帮扶提升汇总表（截至第5期 2023-11-30，按乡镇(街道)）"
    assert rows[2][0].startswith("填报单位：") and rows[2][-1] == "单位：个、万元、户"
    header = rows[3]
    assert header == list(annex3.ANNEX3_LABELS.values())
    body = rows[4:4 + len(df)]
    # towns in division-code order: 贺街镇 100, 步头镇 101, 莲塘镇 102, 大宁镇 103, 南乡镇 104, then 合计
    assert [r[0] for r in body] == ["贺街镇", "步头镇", "莲塘镇", "大宁镇", "南乡镇", "合计"]
    total = dict(zip(header, body[-1]))
    # 合计 funds: 3000 + 1000 + 2999.99 + 999.99 + 200 + 5000 + 80 + 150 + 60 + 300 + 300 + 0 + 600 = 14689.98
    assert Decimal(str(total["扶贫帮扶资金(万元)"])) == Decimal("14689.98")
    assert total["项目个数"] == 13
    # red now: P01 (贺街), P05 (步头), P08 (莲塘) → 3; yellow: P02 → 1; green 9
    assert (total["红色(个)"], total["黄色(个)"], total["绿色(个)"]) == (3, 1, 9)
    assert ws.cell(row=4 + len(df), column=1).font.bold
    assert rows[-1][0] == "填表人："


def test_filtered_annex3_title_states_the_filters():
    # #8.7: a table of 贺街镇's projects only must not read like the district's
    from analytics.filters import Filters

    f = Filters(towns=("贺街镇",), tiers=("city",))
    df = annex3.annex3(fixture_connection(), as_of=AS_OF, filters=f)
    data = annex3_xlsx(df, annex3.ANNEX3_LABELS, as_of=AS_OF, round_no=5, by_label="乡镇(街道)", filters=f)
    title = openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value
    assert title == ("帮扶产业项目帮扶提升汇总表（截至第5期 2023-11-30，按乡镇(街道)；"
                     "筛选范围：乡镇：贺街镇；督办层级：市级督办（非全区汇总））")
    # an empty filter set is the district table: no scope in the title
    data = annex3_xlsx(df, annex3.ANNEX3_LABELS, as_of=AS_OF, round_no=5, by_label="乡镇(街道)", filters=Filters())
    assert "筛选" not in openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value
