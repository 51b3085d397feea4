"""Small ledger workbooks (openpyxl) for the page and browser tests: headers are the first synonyms
of ledger/forms.py, laid out like a real 附件 (title row, 填报单位/日期 line, header, data)."""
from __future__ import annotations

from pathlib import Path

import openpyxl

PROGRESS_HEADER = ["序号", "乡镇(街道)", "项目编号", "项目名称", "建设年度", "项目主管部门", "总投资",
                   "各级财政衔接推进乡村振兴补助资金", "资金年度", "建设状态", "运营状态", "报送日期"]
RISK_HEADER = ["序号", "乡镇(街道)", "项目编号", "项目名称", "建设年度", "项目主管部门", "扶贫资金帮扶资金",
               "问题类型", "风险等级", "认定日期", "带动农户数", "报送日期"]

# (code, name, year, department, total, linkage funds, build, op, problems, grade, graded_on, households)
DEFAULT_PROJECTS = [
    ("P13", "南乡镇茶叶加工", 2021, "区水利局", "600", "600", "已验收", "正常运营", "", "绿", "", 65),
    ("P14", "南乡镇肉牛养殖", 2022, "区农业农村局", "150", "120", "已完工", "闲置", "成而不用", "红",
     "2023年12月10日", 0),
]


def ledger_book(path: Path, *, unit: str = "南乡镇", round_label: str = "2023年12月14日",
                submitted: str = "2023年12月14日", projects=None, grade_override: dict | None = None) -> Path:
    """附件1 + 附件2 for one unit and one round. ``grade_override`` {row index: grade text} breaks rows."""
    projects = DEFAULT_PROJECTS if projects is None else projects
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    p = wb.create_sheet("附件1 推进梳理表")
    p.append([f"附件1 八步区帮扶产业项目推进梳理表（{round_label}）"])
    p.append([f"填报单位：{unit}    填报日期：{submitted}    单位：万元"])
    p.append(PROGRESS_HEADER)
    for i, (code, name, year, dept, total, funds, bs, ops, _pr, _g, _go, _hh) in enumerate(projects, 1):
        p.append([i, unit, code, name, year, dept, total, funds, year, bs, ops, submitted])
    r = wb.create_sheet("附件2 风险排查表")
    r.append([f"附件2 八步区帮扶产业项目风险排查表（{round_label}）"])
    r.append([f"填报单位：{unit}    填报日期：{submitted}    单位：万元"])
    r.append(RISK_HEADER)
    for i, (code, name, year, dept, _t, funds, _bs, _ops, pr, grade, graded_on, hh) in enumerate(projects, 1):
        grade = (grade_override or {}).get(i - 1, grade)
        r.append([i, unit, code, name, year, dept, funds, pr, grade, graded_on, hh, submitted])
    wb.save(path)
    return path
