"""A department ledger in a layout the sample never uses: "填报单位（盖章）：" with the seal note before the
colon, "单位：元" for every amount, a three-row header (项目基本情况 / 资金情况 → 资金来源 → sources),
"（一）贺街镇" group rows, 小计 per group, a 合计 row, merged 乡镇 cells, no 项目编号 column."""
from __future__ import annotations

from decimal import Decimal

import openpyxl

from ledger import db, importer
from ledger.reader import read_meta


def _write(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "推进梳理表"
    ws.append(["附件1"])
    ws.append(["区水利局扶贫资金帮扶资金产业项目推进梳理表（截至2024年1月14日）"])
    ws.append(["填报单位（盖章）：八步区水利局", None, None, None, None, None, None, "单位：元"])
    ws.append(["序号", "项目基本情况", None, None, None, "资金情况", None, None, None, "建设状态", "运营状态", "计划完成时间"])
    ws.append([None, "乡镇（街道）", "项目名称", "建设年度", "项目类别", "总投资", "资金来源", None, "已支付", None, None, None])
    ws.append([None, None, None, None, None, None, "财政专项扶贫资金", "社会捐赠", None, None, None, None])
    for rng in ["A4:A6", "B4:E4", "F4:I4", "J4:J6", "K4:K6", "L4:L6", "B5:B6", "C5:C6", "D5:D6", "E5:E6",
                "F5:F6", "G5:H5", "I5:I6"]:
        ws.merge_cells(rng)
    ws.append(["（一）贺街镇"])
    ws.append([1, "贺街镇", "测试灌溉渠", "2016", "种植", "500000", "400000", "50000.01", "450000", "已验收", "正常运营", "2017.6.30"])
    ws.append([2, None, "测试鱼塘", 2018, "养殖", "1,000,000.00", "800000", None, "—", "在建", "未运营", 43465])
    ws.merge_cells("B8:B9")
    ws.append(["小计", None, None, None, None, 1500000, 1200000, 50000.01, 450000])
    ws.append(["（二）步头镇"])
    ws.append([3, "步头", "测试果园", "2020年", "种植", 300000, "/", 300000, 300000, "已完工", "试运营", "2021年3月1日"])
    ws.append(["小计", None, None, None, None, 300000, 0, 300000, 300000])
    ws.append(["合计", None, None, None, None, 1800000, 1200000, 350000.01, 750000])
    ws.append(["填表人：王五     联系电话：13800000000"])
    wb.save(path)
    return path


def test_seal_note_before_the_colon_names_the_unit():
    meta = read_meta([["填报单位（盖章）：八步区水利局", None, "填报日期(年月日)：2024年1月13日"]])
    assert meta["unit_text"] == "八步区水利局"
    assert str(meta["submitted_on"]) == "2024-01-13"


def test_unseen_department_layout_imports_to_the_cent(tmp_path):
    path = _write(tmp_path / "sl.xlsx")
    con = db.connect(tmp_path / "u.duckdb")
    res = importer.import_file(con, path, archive_root=tmp_path / "archive")
    assert res.status == "accepted" and res.unit == "区水利局" and str(res.round_date) == "2024-01-14"
    # three derived keys (no 项目编号 column) → three warnings; group rows, 小计 ×2, 合计, footer skipped
    assert sum(p["severity"] == "warning" for p in res.problems) == 3
    s = importer.summary(con)
    # 专项: 400,000 + 800,000 元 = 1,200,000 元 = 120 万元; 捐赠: 50,000.01 + 300,000 元 = 35.000001 万元
    assert Decimal(str(s["funds_wan"]["财政专项扶贫资金"])) == Decimal("120")
    assert Decimal(str(s["funds_wan"]["社会捐赠资金"])) == Decimal("35.000001")
    assert Decimal(str(s["total_funds_wan"])) == Decimal("155.000001")
    rows = con.execute("SELECT town, name, build_year, total_investment_wan, paid_wan, build_status, op_status, "
                       "planned_completion FROM progress_rows ORDER BY excel_row").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("贺街镇", "测试灌溉渠", 2016), ("贺街镇", "测试鱼塘", 2018),
                                                  ("步头镇", "测试果园", 2020)]  # merged 乡镇 filled down
    assert [r[3] for r in rows] == [Decimal("50"), Decimal("100"), Decimal("30")]  # 元 → 万元
    assert [r[4] for r in rows] == [Decimal("45"), None, Decimal("30")]             # "—" → empty
    assert [r[5] for r in rows] == ["accepted", "under_construction", "completed"]
    assert [str(r[7]) for r in rows] == ["2017-06-30", "2018-12-31", "2021-03-01"]  # 43465 = Excel serial
