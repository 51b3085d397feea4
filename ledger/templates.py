"""Blank ledger templates that import cleanly (DOMAIN §11; issue #9).

``template_bytes(kind)`` → an .xlsx with the official title, a 填报单位/填报日期/单位：万元 line, the
form's header (the first synonym of every field in ledger/forms.py, fund sources under a merged
资金来源（万元） group), drop-downs (data validation) for the coded columns (乡镇, 风险等级, 问题类型,
四个一批, 建设状态, 运营状态 …), input messages on the tricky ones and number/date formats on the
columns (column styles, so that no empty cell is written and the reader sees no blank rows).

Kinds: progress (附件1), risk (附件2), tasks (附件5), interactions (政企互动台账), combined (one sheet
with the 附件1 and 附件2 columns: the reader fills both forms from its rows).
"""
from __future__ import annotations

import functools
import io
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import forms as F
from . import glossary as g

KINDS: dict[str, str] = {
    "progress": "附件1 推进梳理表",
    "risk": "附件2 风险排查表",
    "tasks": "附件5 任务分解表",
    "interactions": "政企互动台账",
    "combined": "推进梳理及风险排查表（一张表）",
}
FILE_NAMES: dict[str, str] = {
    "progress": "附件1_推进梳理表_模板.xlsx",
    "risk": "附件2_风险排查表_模板.xlsx",
    "tasks": "附件5_任务分解表_模板.xlsx",
    "interactions": "政企互动台账_模板.xlsx",
    "combined": "推进梳理及风险排查表_一张表_模板.xlsx",
}
_TITLES = {
    "progress": "附件1 八步区扶贫资金帮扶资金产业项目推进梳理表",
    "risk": "附件2 八步区扶贫资金帮扶资金产业项目风险排查表",
    "tasks": "附件5 “一项目一方案”任务分解表",
    "interactions": "八步区帮扶产业项目政企互动台账",
    "combined": "八步区扶贫资金帮扶资金产业项目推进梳理及风险排查表",
}
_SHEETS = {"progress": "附件1 推进梳理表", "risk": "附件2 风险排查表", "tasks": "附件5 任务分解表",
           "interactions": "政企互动台账", "combined": "推进梳理及风险排查表"}
FUND_GROUP = "资金来源（万元）"
DATA_ROWS = 500            # rows the drop-downs and messages cover
MONEY_FORMAT = "#,##0.00####"
DATE_FORMAT = "yyyy-mm-dd"

_FUNDS = [f"fund_{c}" for c in g.FUND_SOURCES]
_RISK_ONLY = [f.name for f in F.RISK if f.name not in {x.name for x in F.PROGRESS} and f.name != "funds_wan"]


def columns(kind: str) -> list[F.Field]:
    """The fields of a template, in order."""
    if kind not in KINDS:
        raise ValueError(f"未知的模板：{kind}（可选：{'、'.join(f'{k}={v}' for k, v in KINDS.items())}）")
    if kind == "progress":
        return list(F.PROGRESS)
    if kind == "risk":
        return [f for f in F.RISK if f.name not in _FUNDS and f.name != "fund_year"]
    if kind == "tasks":
        return list(F.TASKS)
    if kind == "interactions":
        return list(F.INTERACTIONS)
    by = {f.name: f for f in F.RISK}
    prog = [f for f in F.PROGRESS if f.name != "reported_on"]
    return prog + [by[n] for n in _RISK_ONLY] + [by["reported_on"]]


def _lists() -> dict[str, tuple[list[str], bool, str]]:
    """Field → (choices, strict, input message). ``strict`` False lets a cell hold other text
    (several 问题类型, a department not in the list)."""
    yn = ["是", "否"]
    return {
        "town": (list(g.TOWNS), True, "从下拉列表选择乡镇（街道）"),
        "department": ([*g.DEPARTMENTS, *g.TOWNS], False, "从下拉列表选择，或填写其他主管部门全称"),
        "asset_type": (list(g.ASSET_TYPES.values()), True, "经营性 / 公益性 / 到户类"),
        "build_status": (list(g.BUILD_STATUS.values()), True, "从下拉列表选择建设状态"),
        "op_status": (list(g.OP_STATUS.values()), True, "从下拉列表选择运营状态"),
        "grade": (list(g.GRADES.values()), True, "红：疑似“三不”；黄：其他风险；绿：正常运营或已整改到位"),
        "problems": (list(g.PROBLEMS.values()), False, "可选一项；多项时用“、”分隔，如：建而不成、未设立共管账户"),
        "sensitive": (list(g.SENSITIVE.values()), False, "无则留空；多项用“、”分隔"),
        "pretreatment": (list(g.PRETREATMENT.values()), False, "摘牌 / 复耕复种，多项用“、”分隔"),
        "disposal": (list(g.DISPOSAL.values()), True, "四个一批：巩固 / 提升 / 盘活 / 另起炉灶"),
        "signoff_status": (list(g.SIGNOFF_STATUS.values()), True, "降级销号办理情况"),
        "status": ([], True, ""),  # per form below
        **{f.name: (yn, True, "是 / 否") for f in [*F.PROGRESS, *F.RISK] if f.type == "bool"},
    }


_FORM_STATUS = {"tasks": (list(g.TASK_STATUS.values()), "未开始 / 推进中 / 已完成"),
                "interactions": (list(g.INTERACTION_STATUS.values()), "办理状态")}
_MESSAGES = {
    "project_code": "项目库编号；没有编号时留空（按建设年度+乡镇+项目名称生成）",
    "name": "必填：项目全称，与上期一致",
    "build_year": "四位年份，如 2021",
    "fund_year": "资金下达年度，如 2021；同一项目多个年度的资金分行填写",
    "households": "整数（户）",
    "households_exited": "整数（户）",
    "households_monitored": "整数（户）",
    "graded_on": "日期，如 2023-10-15",
    "measure": "必填：工作任务或具体措施",
    "raised_on": "必填：反映日期，如 2024-01-10",
    "content": "必填：诉求或建议的内容",
    "kind": "诉求 / 建议",
}


def _header_rows(kind: str, cols: list[F.Field]) -> tuple[list[list], list[str]]:
    """(header rows, merged ranges). Two rows when the fund sources are grouped, else one."""
    grouped = any(f.name in _FUNDS for f in cols)
    top = [f.synonyms[0] for f in cols]
    if not grouped:
        return [top], []
    sub = [None] * len(cols)
    merges = []
    first = next(i for i, f in enumerate(cols) if f.name in _FUNDS)
    last = max(i for i, f in enumerate(cols) if f.name in _FUNDS)
    for i, f in enumerate(cols):
        if first <= i <= last:
            sub[i] = f.synonyms[0]
            top[i] = FUND_GROUP if i == first else None
        else:
            merges.append(f"{get_column_letter(i + 1)}4:{get_column_letter(i + 1)}5")
    merges.append(f"{get_column_letter(first + 1)}4:{get_column_letter(last + 1)}4")
    return [top, sub], merges


def build(kind: str) -> openpyxl.Workbook:
    cols = columns(kind)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _SHEETS[kind]
    n = len(cols)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([_TITLES[kind]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(n, 8))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位：", None, None, "填报日期：", None, None, "单位：万元"])
    ws["B2"].fill = ws["E2"].fill = PatternFill("solid", fgColor="FFF2CC")
    ws["E2"].number_format = DATE_FORMAT
    ws.append([])
    heads, merges = _header_rows(kind, cols)
    for h in heads:
        ws.append(h)
    for m in merges:
        ws.merge_cells(m)
    h_last = 3 + len(heads)
    for r in range(4, h_last + 1):
        for c in range(1, n + 1):
            cell = ws.cell(r, c)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.border = box
    ws.freeze_panes = ws.cell(h_last + 1, 3)

    first, last = h_last + 1, h_last + DATA_ROWS
    lists = _lists()
    units = [*g.TOWNS, *g.DEPARTMENTS, g.TASK_FORCE]
    _add_list(ws, "B2", units, strict=False, prompt="从下拉列表选择填报单位（乡镇、主管部门或区工作专班）")
    dv = DataValidation(type="date", operator="greaterThan", formula1="36526", showErrorMessage=True,
                        errorStyle="warning", promptTitle="填报日期", prompt="日期，如 2024-01-13",
                        showInputMessage=True)
    dv.add("E2")
    ws.add_data_validation(dv)
    for i, f in enumerate(cols, start=1):
        L = get_column_letter(i)
        rng = f"{L}{first}:{L}{last}"
        dim = ws.column_dimensions[L]
        dim.width = max(10, min(28, 2.2 * len(f.synonyms[0]) + 2))
        choices, strict, msg = lists.get(f.name, (None, True, ""))
        if f.name == "status" and kind in _FORM_STATUS:
            choices, msg = _FORM_STATUS[kind]
        if f.name == "kind" and kind == "interactions":
            choices = list(g.INTERACTION_KIND.values())
        msg = _MESSAGES.get(f.name, msg)
        if choices:
            _add_list(ws, rng, choices, strict=strict, prompt=msg, title=f.synonyms[0])
        elif f.type == "money":
            dim.number_format = MONEY_FORMAT
            _add_rule(ws, rng, "decimal", "greaterThanOrEqual", "0", f.synonyms[0],
                      msg or "金额，单位万元（数字，如 12.5）")
        elif f.type == "date":
            dim.number_format = DATE_FORMAT
            _add_rule(ws, rng, "date", "greaterThan", "36526", f.synonyms[0], msg or "日期，如 2023-10-15")
        elif f.type in ("year",):
            dim.number_format = "0"
            _add_rule(ws, rng, "whole", "between", "2013", "2100", f.synonyms[0], msg)
        elif f.type == "int":
            dim.number_format = "0"
            _add_rule(ws, rng, "whole", "greaterThanOrEqual", "0", f.synonyms[0], msg or "整数")
        elif msg:
            dv = DataValidation(promptTitle=f.synonyms[0][:32], prompt=msg[:255], showInputMessage=True)
            dv.add(rng)
            ws.add_data_validation(dv)
        if f.type == "text":
            dim.number_format = "@"
    return wb


def _add_list(ws, rng, choices, *, strict, prompt, title=None):
    formula = '"' + ",".join(choices) + '"'
    if len(formula) > 257:  # Excel's limit for an inline list is 255 characters
        raise ValueError(f"下拉列表过长：{title}")
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                        showErrorMessage=strict, errorStyle="stop" if strict else "information",
                        error="请从下拉列表中选择" if strict else None,
                        promptTitle=(title or "")[:32] or None, prompt=(prompt or "")[:255] or None,
                        showInputMessage=bool(prompt))
    dv.add(rng)
    ws.add_data_validation(dv)


def _add_rule(ws, rng, type_, operator, f1, *rest):
    f2 = None
    if operator == "between":
        f2, title, msg = rest
    else:
        title, msg = rest
    dv = DataValidation(type=type_, operator=operator, formula1=f1, formula2=f2, allow_blank=True,
                        showErrorMessage=True, errorStyle="warning", error="格式不对，请检查",
                        promptTitle=title[:32], prompt=(msg or title)[:255], showInputMessage=True)
    dv.add(rng)
    ws.add_data_validation(dv)


@functools.lru_cache(maxsize=None)
def template_bytes(kind: str) -> bytes:
    """The blank template as .xlsx bytes, built once per process (openpyxl, ~0.1 s; it depends on nothing
    stored). 数据导入 offers it as a deferred download: built on the first click, not on a page run."""
    buf = io.BytesIO()
    build(kind).save(buf)
    return buf.getvalue()


def write_template(kind: str, out: str | Path) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise ValueError("模板文件名应以 .xlsx 结尾")
    data = template_bytes(kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
