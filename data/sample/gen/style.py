"""Each unit's own way of filling the forms: header variants, layout depth, how money, dates, years, grades
and empty cells are written (data/README.md lists the quirks per unit), and ``Fmt`` that applies them.

Over 300 lines for a reason: most of it is the header-variant table (HEAD), which reads best whole.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from typing import Any

from . import vocab as g
from .base import SEED, SOURCES, UNITS, cn_date


# Header variants per field: only synonyms listed in ledger/forms.py (first = official).
HEAD: dict[str, list[str]] = {
    "seq": ["序号"],
    "town": ["乡镇(街道)", "乡镇（街道）", "所属乡镇", "乡镇", "乡镇街道", "所在乡镇"],
    "village": ["行政村", "所在村", "村(社区)", "行政村(社区)"],
    "project_code": ["项目编号", "项目编码", "项目代码", "项目库编号"],
    "name": ["项目名称"],
    "build_year": ["建设年度", "实施年度", "项目年度", "立项年度"],
    "category": ["项目类别", "项目类型", "产业类别"],
    "asset_type": ["资产类别", "资产类型", "资产性质"],
    "department": ["项目主管部门", "主管部门", "主管单位", "行业主管部门", "项目主管单位"],
    "implementer": ["实施单位", "项目实施单位", "建设单位"],
    "operator": ["运营主体", "经营主体", "运营单位"],
    "high_concern": ["社会关注度高", "是否社会关注度高"],
    "total_investment_wan": ["总投资", "项目总投资", "投资总额"],
    **{f"fund_{c}": list(v) for c, v in g.FUND_SOURCE_SYNONYMS.items()},
    "fund_year": ["资金年度", "资金下达年度", "资金安排年度"],
    "enterprise_funds_wan": ["企业出资", "企业自筹", "企业投入"],
    "paid_wan": ["已支付", "已拨付", "累计支付", "已拨付资金"],
    "build_status": ["建设状态", "建设情况", "项目建设状态"],
    "op_status": ["运营状态", "运营情况", "经营状态"],
    "planned_completion": ["计划完成时间", "计划完工时间", "计划竣工时间"],
    "completion_accepted_on": ["竣工验收日期", "竣工验收时间"],
    "settled": ["是否结算", "是否完成结算"],
    "rights_registered": ["是否确权", "是否完成确权"],
    "joint_account": ["是否设立共管账户", "共管账户"],
    "substantive_progress": ["是否实质性进展", "有无实质性进展"],
    "progress_text": ["本期进展情况", "工作进展", "本期进展"],
    "issues_text": ["存在问题", "存在的问题", "主要问题"],
    "next_steps": ["下步措施", "下一步措施", "下步工作措施"],
    "reported_on": ["报送日期", "填报日期"],
    "funds_wan": ["扶贫资金帮扶资金", "帮扶资金", "使用扶贫资金帮扶资金"],
    "problems": ["问题类型", "存在问题类型", "问题分类"],
    "problem_detail": ["具体问题", "问题描述", "存在的具体问题"],
    "grade": ["风险等级", "风险级别", "预警等级", "风险等级(红黄绿)"],
    "graded_on": ["认定日期", "认定时间", "定级日期", "标识日期"],
    "sensitive": ["敏感问题", "重点敏感问题", "敏感类型"],
    "pretreatment": ["预处理情况", "预处理措施"],
    "pretreatment_done": ["预处理是否完成", "是否完成预处理"],
    "disposal": ["四个一批", "处置方式", "四个一批分类"],
    "revenue_wan": ["上年经营收入", "上年度经营收入", "上年收入"],
    "distribution_wan": ["收益分配", "收益分配金额", "分红金额"],
    "linkage_mode": ["联农带农方式", "利益联结方式", "带农方式"],
    "households": ["带动农户数", "带动农户", "受益农户数", "联农带农户数"],
    "households_exited": ["其中脱贫户", "脱贫户", "脱贫户数"],
    "households_monitored": ["监测户", "其中监测户", "监测户数"],
    "measures": ["整改措施", "整治措施"],
    "deadline": ["整改时限", "整改期限"],
    "resp_leader": ["责任领导"],
    "resp_unit": ["责任单位"],
    "resp_person": ["责任人"],
    "patrolled": ["是否巡查", "是否已巡查"],
    "signoff_status": ["降级销号情况", "降级销号状态", "销号状态"],
    "signoff_applied_on": ["销号申请日期"],
    "signoff_accepted_on": ["销号验收日期", "验收通过日期"],
    # 附件5 / 降级销号核查表
    "task_seq": ["任务序号", "任务编号"],
    "problem": ["存在问题", "问题"],
    "measure": ["工作任务/具体措施", "具体措施", "工作任务"],
    "due_on": ["时间节点", "完成时限"],
    "lead_leader": ["责任领导"],
    "lead_unit": ["牵头单位"],
    "co_units": ["配合单位"],
    "owner": ["责任人"],
    "status": ["完成情况", "完成状态"],
    "done_on": ["完成日期", "实际完成时间"],
    "from_grade": ["原风险等级", "原等级", "降级前等级"],
    "to_grade": ["申请等级", "拟降为", "降级后等级"],
    "applied_on": ["申请日期", "申请时间"],
    "self_eval_on": ["自评日期", "县自评日期"],
    "accepted_on": ["验收日期", "验收时间"],
    "accepted_by": ["验收单位"],
    "route": ["验收程序", "验收方式"],
    "signoff_state": ["销号状态", "审核结果"],
    "evidence": ["佐证材料", "佐证材料清单"],
    **{f"check_{c}": [lbl] for c, lbl in g.SIGNOFF_CHECKLIST.items()},
}

G_BASIC, G_FUNDS, G_BUILD, G_PUSH = "项目基本情况", "资金来源", "建设运营情况", "整改推进"
IDENT = ["town", "village", "project_code", "name", "build_year", "category", "asset_type", "department",
         "implementer", "operator", "high_concern"]
PROGRESS_COLS = (["seq"] + IDENT + ["total_investment_wan"] + [f"fund_{c}" for c in SOURCES]
                 + ["fund_year", "enterprise_funds_wan", "paid_wan", "build_status", "op_status",
                    "planned_completion", "completion_accepted_on", "settled", "rights_registered", "joint_account",
                    "substantive_progress", "progress_text", "issues_text", "next_steps", "reported_on"])
RISK_IDENT = ["town", "village", "project_code", "name", "build_year", "category", "asset_type", "department",
              "operator"]
RISK_COLS = (["seq"] + RISK_IDENT + ["total_investment_wan", "funds_wan", "problems", "problem_detail", "grade",
                                     "graded_on", "sensitive", "pretreatment", "pretreatment_done", "disposal",
                                     "revenue_wan", "distribution_wan", "linkage_mode", "households",
                                     "households_exited", "households_monitored", "measures", "deadline",
                                     "resp_leader", "resp_unit", "resp_person", "patrolled", "signoff_status",
                                     "signoff_applied_on", "signoff_accepted_on", "reported_on"])
TASK_COLS = ["seq", "project_code", "name", "task_seq", "problem", "measure", "due_on", "lead_leader", "lead_unit",
             "co_units", "owner", "status", "done_on"]
SIGNOFF_COLS = (["seq", "project_code", "name", "from_grade", "to_grade", "applied_on", "self_eval_on",
                 "accepted_on", "accepted_by", "route", "signoff_state", "evidence"]
                + [f"check_{c}" for c in g.SIGNOFF_CHECKLIST])
MONEY = {"total_investment_wan", "enterprise_funds_wan", "paid_wan", "funds_wan", "revenue_wan",
         "distribution_wan", *[f"fund_{c}" for c in SOURCES]}
INTS = {"households", "households_exited", "households_monitored"}
DATES = {"planned_completion", "completion_accepted_on", "reported_on", "graded_on", "deadline",
         "signoff_applied_on", "signoff_accepted_on", "due_on", "done_on", "applied_on", "self_eval_on",
         "accepted_on"}
BOOLS = {"high_concern", "settled", "rights_registered", "joint_account", "substantive_progress",
         "pretreatment_done", "patrolled"}
GRADE_WORDS = {"red": ["红", "红色", "红级", "🔴"], "yellow": ["黄", "黄色", "黄级", "🟡"],
               "green": ["绿", "绿色", "绿级", "🟢"]}
SUM_COLS = MONEY | INTS


def progress_group(f: str, depth: int) -> tuple[str, ...]:
    """Header path of a 附件1 column for a 1/2/3-row header."""
    if depth == 1 or f in ("seq", "reported_on"):
        return ()
    if f in IDENT:
        return (G_BASIC,)
    if f.startswith("fund_") and f != "fund_year":
        return ("投资情况（万元）", G_FUNDS) if depth == 3 else (G_FUNDS,)
    if f in ("total_investment_wan", "fund_year", "enterprise_funds_wan", "paid_wan"):
        return ("投资情况（万元）",) if depth == 3 else ()
    if f in ("substantive_progress", "progress_text", "issues_text", "next_steps"):
        return (G_PUSH,)
    return (G_BUILD,)


def risk_group(f: str, depth: int) -> tuple[str, ...]:
    if depth == 1:
        return ()
    if f in RISK_IDENT:
        return (G_BASIC,)
    for grp, fs in [("风险认定", ("problems", "problem_detail", "grade", "graded_on")),
                    ("敏感问题处置", ("sensitive", "pretreatment", "pretreatment_done")),
                    ("经营收益（万元）", ("revenue_wan", "distribution_wan")),
                    ("联农带农情况", ("linkage_mode", "households", "households_exited", "households_monitored")),
                    ("整改落实", ("measures", "deadline", "resp_leader", "resp_unit", "resp_person", "patrolled")),
                    ("降级销号进展", ("signoff_status", "signoff_applied_on", "signoff_accepted_on"))]:
        if f in fs:
            return (grp,)
    return ()


def signoff_group(f: str, depth: int) -> tuple[str, ...]:
    return ("核查标准（是/否）",) if f.startswith("check_") and depth > 1 else ()


@dataclass
class Style:
    """How one unit writes its ledger (stable over rounds)."""
    unit: str
    ext: str = ".xlsx"
    depth: int = 2                 # header rows of 附件1
    risk_depth: int = 2
    money: str = "num"             # num / text_wan ("120万元") / text_comma ("1,234.5")
    paid_yuan: bool = False        # 已支付 column in 元: header "已支付（元）"
    empty: str = ""                # "", "—", "/"
    year: str = "int"              # int / cn ("2019年")
    date: str = "real"             # real / cn ("2023年9月15日") / dot ("2023.9.15") / iso
    grade: int = 0                 # index into GRADE_WORDS
    town_form: str = "canon"       # canon / loose ("八步区贺街镇") / short ("贺街")
    dept_form: str = "canon"       # canon / alias ("农业农村局")
    wrap_headers: bool = False     # headers with line breaks ("项目\n名称")
    merge_tasks: bool = False      # 附件5: 项目编号/名称 merged over a project's task rows
    sep: str = "、"                # separator of multi-valued cells
    heads: dict[str, str] = field(default_factory=dict)
    late: bool = False
    missing: tuple[int, ...] = ()

    def label(self, seal: bool = False) -> str:
        if self.unit in g.TOWNS:
            return self.unit + ("办事处" if self.unit.endswith("街道") else "人民政府") + ("（盖章）" if seal else "")
        return "八步区" + self.unit[1:] + ("  （盖章）" if seal else "")

    def head(self, f: str, form: str = "progress") -> str:
        h = self.heads.get(f) or HEAD[f][0]
        syn = FORM_SYNONYMS[form].get("status" if f == "signoff_state" else f, ())
        if h not in syn:   # a variant valid in 附件1/2 but not in this form: use the form's official header
            h = syn[0] if syn else h
        if f == "paid_wan" and self.paid_yuan:
            h += "（元）"
        if self.wrap_headers and len(h) >= 5 and "/" not in h:
            h = h[: len(h) // 2] + "\n" + h[len(h) // 2:]
        return h


FORM_SYNONYMS = g.FORM_HEADERS
LATE_UNITS = ("桂岭镇", "开山镇", "区林业局")
MISSING = {"信都镇": (2, 12), "区商务局": (7, 18)}   # round indexes not submitted at all


def make_styles(seed: int = SEED) -> dict[str, Style]:
    rng = random.Random(seed + 1)
    styles: dict[str, Style] = {}
    for n, u in enumerate(UNITS):
        st = Style(u)
        st.empty = rng.choice(["", "", "—", "/"])
        st.year = rng.choice(["int", "int", "cn"])
        st.date = rng.choice(["real", "real", "cn", "dot", "iso"])
        st.grade = rng.choice([0, 0, 1, 2])
        st.sep = rng.choice(["、", "、", "；", "，"])
        st.merge_tasks = rng.random() < 0.4
        st.risk_depth = 1 if rng.random() < 0.15 else 2
        for f, vs in HEAD.items():
            if len(vs) > 1 and rng.random() < 0.3:
                st.heads[f] = rng.choice(vs[1:])
        if rng.random() < 0.3:  # short fund-source names
            for c in SOURCES:
                st.heads[f"fund_{c}"] = g.FUND_SOURCE_SHORT[c]
        st.late = u in LATE_UNITS
        st.missing = MISSING.get(u, ())
        styles[u] = st
    # the planted quirks, by unit (README lists them)
    styles["南乡镇"].ext = ".xls"
    styles["区供销社"].ext = ".xls"
    styles["区农业农村局"].depth = 3
    styles["区水利局"].paid_yuan = True
    styles["步头镇"].money = styles["区林业局"].money = "text_wan"
    styles["莲塘镇"].money = styles["区商务局"].money = "text_comma"
    styles["大宁镇"].grade = 3
    styles["贺街镇"].grade, styles["贺街镇"].date, styles["贺街镇"].year = 1, "cn", "cn"
    styles["仁义镇"].date, styles["区文化广电体育和旅游局"].date = "dot", "dot"
    styles["区乡村振兴局"].town_form = "loose"
    styles["里松镇"].town_form = "short"
    styles["区人力资源和社会保障局"].dept_form = styles["八步街道"].dept_form = "alias"
    styles["灵峰镇"].wrap_headers = True
    styles["桂岭镇"].heads.update(town="所属乡镇", department="主管单位", project_code="项目编码")
    styles["区农业农村局"].heads.update(town="所属乡镇", project_code="项目编码")
    for c in SOURCES:
        styles["开山镇"].heads[f"fund_{c}"] = g.FUND_SOURCE_SHORT[c]
    for u in ("南乡镇", "区供销社"):   # .xls: no emoji
        styles[u].grade = min(styles[u].grade, 2)
    return styles


DEPT_ALIAS = {}
for _a, _c in g.DEPARTMENT_ALIASES.items():
    if _c not in DEPT_ALIAS or len(_a) < len(DEPT_ALIAS[_c]):
        DEPT_ALIAS[_c] = _a


class Fmt:
    """Turns canonical values into what a unit writes in its cells."""

    def __init__(self, st: Style):
        self.st = st

    def empty(self) -> Any:
        return self.st.empty or None

    def money(self, v: D | None, *, yuan: bool = False) -> Any:
        if v is None:
            return self.empty()
        if yuan:
            v = (v * 10000).quantize(D("0.01"))
        txt = format(v, "f")
        if "." in txt:
            txt = txt.rstrip("0").rstrip(".")
        if self.st.money == "text_wan" and not yuan:
            return txt + "万元"
        if self.st.money == "text_comma":
            ip, _, fp = txt.partition(".")
            ip = f"{int(ip):,}"
            return ip + ("." + fp if fp else "")
        return float(v) if "." in txt else int(v)

    def date(self, d: date | None) -> Any:
        if d is None:
            return self.empty()
        return {"real": d, "cn": cn_date(d), "dot": f"{d.year}.{d.month}.{d.day}",
                "iso": d.isoformat()}[self.st.date]

    def text_date(self, d: date) -> str:
        return {"dot": f"{d.year}.{d.month}.{d.day}", "iso": d.isoformat()}.get(self.st.date, cn_date(d))

    def year(self, y: int | None) -> Any:
        if y is None:
            return self.empty()
        return f"{y}年" if self.st.year == "cn" else y

    def grade(self, code: str) -> str:
        return GRADE_WORDS[code][self.st.grade]

    def bool(self, b: bool | None) -> Any:
        return self.empty() if b is None else ("是" if b else "否")

    def town(self, t: str) -> str:
        if self.st.town_form == "loose":
            return "八步区" + t
        if self.st.town_form == "short":
            return t[:-2] if t.endswith("街道") else t[:-1]
        return t

    def dept(self, d: str) -> str:
        if self.st.dept_form == "alias" and d in DEPT_ALIAS:
            return DEPT_ALIAS[d]
        return d

    def text(self, s: str | None) -> Any:
        return s if s else self.empty()


# -- row builders (canonical dicts → cells) ------------------------------------------------------
