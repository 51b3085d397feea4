"""The column registry: every column code a table shows or exports → its Chinese header and its
display format, declared once here and used by the screen (ui.tables) and the downloads alike.

This module is long because it is the list itself (one line per column); the logic is the last 60 lines.

Analytics return codes (``funds_wan``, ``on_time_rate``, ``grade`` = "red"); nothing guesses a
format from a column's name. ``tests/test_columns.py`` renders every page and fails when a column
shown there has no entry, or when an entry names an unknown format or glossary kind.

Formats (``Column.fmt``):

========== ======================================================= ===============================
fmt        value                                                   shown as
========== ======================================================= ===============================
text       any text                                                as is
int        a whole number (counts, days, years, ranks)             1234
num        a decimal number (scores, factors)                      12.35 (``digits`` decimals)
wan        money in 万元 (Decimal)                                 1,234.50
yuan       money in 元 (whole)                                     1,234,500
share      a fraction 0..1                                         8.3%
pct        already in percent points (8.27 means 8.27 %)           8.27%
date       a date                                                  2023-11-29
datetime   a timestamp                                             2023-11-29 14:05
bool       True / False                                            是 / 否
code       a glossary code (``kinds``: tried in order)             its Chinese label
codes      a list of glossary codes (``kinds[0]``)                 labels joined by 、
========== ======================================================= ===============================

A missing value is shown blank (never None/nan/NaT/<NA>): ``render(None, c) == ""``.

>>> render(0.0827, COLUMNS["on_time_rate"])
'8.3%'
>>> render(8.27, COLUMNS["change_pct"])
'8.27%'
>>> render(None, COLUMNS["days_left"])
''
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledger import glossary

FORMATS = ("text", "int", "num", "wan", "yuan", "share", "pct", "date", "datetime", "bool", "code", "codes")
NUMERIC = ("int", "num", "wan", "yuan", "share", "pct")


@dataclass(frozen=True)
class Column:
    label: str
    fmt: str = "text"
    kinds: tuple[str, ...] = ()   # glossary kinds for fmt code/codes
    digits: int = 2               # decimals for fmt num


def _c(label: str, fmt: str = "text", *kinds: str, digits: int = 2) -> Column:
    return Column(label, fmt, tuple(kinds), digits)


COLUMNS: dict[str, Column] = {
    # --- project identity (one row per project) ---
    "project_code": _c("项目编号"),
    "name": _c("项目名称"),
    "town": _c("乡镇(街道)"),
    "village": _c("行政村"),
    "department": _c("项目主管部门"),
    "implementer": _c("实施单位"),
    "operator": _c("运营主体"),
    "build_year": _c("建设年度", "int"),
    "category": _c("项目类别"),
    "asset_type": _c("资产类别", "code", "asset_type"),
    "unit": _c("单位"),
    "unit_kind": _c("单位类型", "code", "unit_kind"),
    "kind": _c("类型", "code", "clock_kind", "unit_kind", "interaction_kind"),
    "round_date": _c("报送期次", "date"),
    "fund_year": _c("资金年度", "int"),
    "source": _c("资金来源", "code", "fund_source"),
    "build_status": _c("建设状态", "code", "build_status"),
    "op_status": _c("运营状态", "code", "op_status"),
    "disposal": _c("四个一批", "code", "disposal"),
    "planned_completion": _c("计划完工日期", "date"),
    "high_concern": _c("社会关注度高", "bool"),
    "linkage_mode": _c("联农带农方式"),
    "patrolled": _c("已巡查", "bool"),
    # --- money (万元, exact Decimal) ---
    "total_investment_wan": _c("总投资(万元)", "wan"),
    "funds_wan": _c("扶贫帮扶资金(万元)", "wan"),
    "amount_wan": _c("金额(万元)", "wan"),
    "revenue_wan": _c("上年经营收入(万元)", "wan"),
    "enterprise_funds_wan": _c("企业出资(万元)", "wan"),
    "paid_wan": _c("已拨付(万元)", "wan"),
    "distribution_wan": _c("分红(万元)", "wan"),
    "tier_amount_wan": _c("分级金额(万元)", "wan"),
    "red_wan": _c("红色项目资金(万元)", "wan"),
    "yellow_wan": _c("黄色项目资金(万元)", "wan"),
    "green_wan": _c("绿色项目资金(万元)", "wan"),
    "at_risk_wan": _c("风险资金(万元)", "wan"),
    **{f"{s}_wan": _c(f"{short}(万元)", "wan") for s, short in glossary.FUND_SOURCE_SHORT.items()},
    "funds_before_wan": _c("上期资金(万元)", "wan"),
    "funds_after_wan": _c("本期资金(万元)", "wan"),
    # --- grades and tiers ---
    "grade": _c("风险等级", "code", "grade"),
    "initial_grade": _c("初始等级", "code", "grade"),
    "current_grade": _c("当前等级", "code", "grade"),
    "tier_grade": _c("定级等级", "code", "grade"),
    "start_grade": _c("起始等级", "code", "grade"),
    "graded_on": _c("认定日期", "date"),
    "initial_graded_on": _c("初始认定日期", "date"),
    "tier": _c("督办层级", "code", "tier"),
    "tier_supervisor": _c("督办"),
    "tier_owner": _c("整治落实"),
    "tier_acceptance": _c("验收"),
    "projects": _c("项目数", "int"),
    "households": _c("带动农户数", "int"),
    "households_exited": _c("带动脱贫户数", "int"),
    "households_monitored": _c("带动监测户数", "int"),
    "share": _c("占比", "share"),
    "red": _c("红", "int"), "yellow": _c("黄", "int"), "green": _c("绿", "int"),
    "green_share": _c("绿色项目占比", "share"),
    "at_risk_share": _c("风险资金占比", "share"),
    "now": _c("本期", "int"), "previous": _c("上期", "int"), "delta": _c("较上期变化", "int"),
    "problems": _c("问题类型", "codes", "problem"),
    "problem_detail": _c("问题描述"),
    "sensitive": _c("敏感问题", "codes", "sensitive"),
    "pretreatment": _c("预处理方式", "code", "pretreatment"),
    "pretreatment_done": _c("预处理完成", "bool"),
    "reason_code": _c("不一致原因", "code", "consistency_reason"),
    "has_overdue": _c("有逾期未完成时限", "bool"),
    # --- deadline clocks (整改时限) ---
    "episode_no": _c("风险轮次", "int"),
    "status": _c("状态", "code", "clock_status", "task_status", "submission_status", "signoff_status"),
    "start": _c("起算日", "date"),
    "due": _c("到期日", "date"),
    "met_on": _c("完成日", "date"),
    "days_left": _c("剩余天数", "int"),
    "days_overdue": _c("逾期天数", "int"),
    "due_within_warn": _c("临期预警", "bool"),
    "on_time": _c("按期完成", "int"),
    "late": _c("逾期完成", "int"),
    "overdue": _c("逾期未完成", "int"),
    "pending": _c("未到期", "int"),
    "total": _c("合计", "int"),
    "on_time_rate": _c("按期完成率", "share"),
    # --- 一项目一方案 tasks ---
    "task_seq": _c("序号", "int"),
    "measure": _c("工作任务/具体措施"),
    "issue": _c("存在问题"),
    "problem": _c("存在问题"),
    "due_on": _c("时间节点", "date"),
    "done_on": _c("完成日期", "date"),
    "lead": _c("责任领导"), "lead_leader": _c("责任领导"), "resp_leader": _c("责任领导"),
    "lead_unit": _c("牵头单位"),
    "resp_unit": _c("责任单位"),
    "assist_units": _c("配合单位"), "co_units": _c("配合单位"),
    "person": _c("责任人"), "owner": _c("责任人"), "resp_person": _c("责任人"),
    "tasks": _c("任务数", "int"),
    "done": _c("已完成", "int"),
    "in_progress": _c("推进中", "int"),
    "not_started": _c("未开始", "int"),
    "overdue_tasks": _c("超期任务", "int"),
    "done_share": _c("完成比例", "share"),
    # --- 降级销号 ---
    "from_grade": _c("原等级", "code", "grade"),
    "to_grade": _c("申请等级", "code", "grade"),
    "applied_on": _c("申请日期", "date"),
    "self_eval_on": _c("县自评日期", "date"),
    "accepted_on": _c("验收日期", "date"),
    "accepted_by": _c("验收单位"),
    "route": _c("验收路径"),
    "signoff_status": _c("销号状态", "code", "signoff_status"),
    "checklist_passed": _c("核查通过项", "int"),
    "checklist_total": _c("核查项数", "int"),
    "checklist_missing": _c("缺项", "codes", "signoff_checklist"),
    "green_round": _c("转绿期次", "date"),
    "reopened_round": _c("反弹期次", "date"),
    # --- 报送 (compliance) ---
    "due_date": _c("报送期次", "date"),
    "submitted_on": _c("填报日期", "date"),
    "days_late": _c("逾期天数", "int"),
    "missing": _c("未报", "int"),
    "change": _c("变化", "code", "round_change"),
    "grade_before": _c("上期等级", "code", "grade"),
    "grade_after": _c("本期等级", "code", "grade"),
    # --- 单位排名与奖惩 ---
    "rank": _c("排名", "int"),
    "score": _c("得分S", "num"),
    "band": _c("等次", "code", "band"),
    "factor": _c("奖惩系数f", "num", digits=4),
    "penalty": _c("扣分", "num"),
    "reopened": _c("反弹项目", "int"),
    **{f"contrib_{m}": _c(f"{label}得分", "num") for m, label in (
        ("green_share", "绿色项目占比"), ("on_time", "整改按期完成"), ("resolved", "红黄已转绿"),
        ("submissions", "按时报送"), ("linkage", "联农带农（户/万元）"), ("consistency", "数据一致性"))},
    "base_share": _c("基数份额", "share"),
    "base_yuan": _c("基数(元)", "yuan"),
    "alloc_yuan": _c("分配额(元)", "yuan"),
    "adjust_yuan": _c("末位扣减调整(元)", "yuan"),
    "change_yuan": _c("变化(元)", "yuan"),
    "change_pct": _c("变化率", "pct"),
    # --- 政企互动 ---
    "seq": _c("序号", "int"),
    "raised_on": _c("反映日期", "date"),
    "channel": _c("方式"),
    "content": _c("内容"),
    "answer": _c("答复情况"),
    "answered_on": _c("答复日期", "date"),
    "handler": _c("承办单位"),
    "days_open": _c("已办理天数", "int"),
    "overdue_reply": _c("逾期未答复", "bool"),
    "open": _c("未答复", "int"),
    "answered": _c("已答复", "int"),
    # --- project detail: responsible units ---
    "role": _c("职责"),
    # --- import history ---
    "import_id": _c("导入编号", "int"),
    "imported_at": _c("导入时间", "datetime"),
    "imported_by": _c("导入人"),
    "file_name": _c("文件名"),
    "forms": _c("表格", "codes", "form"),
    "rows_accepted": _c("导入行数", "int"),
    "rows_skipped": _c("跳过行数", "int"),
    "rows_rejected": _c("错误行数", "int"),
    "warnings": _c("警告数", "int"),
    "replaced_import_id": _c("替换的导入编号", "int"),
    # --- 数据导入: per file and per problem ---
    "file": _c("文件"),
    "sheet": _c("工作表"),
    "row": _c("行", "int"),
    "column": _c("列"),
    "value": _c("值"),
    "message": _c("问题"),
    "severity": _c("严重程度", "code", "severity"),
    "import_status": _c("结果", "code", "import_status"),
    "import_done": _c("结果", "code", "import_done"),
    "accepted": _c("有效行", "int"),
    "skipped": _c("跳过行", "int"),
    "rejected": _c("错误行", "int"),
    "errors": _c("错误", "int"),
    "unit_source": _c("单位来源"),
    "shared_projects": _c("他单位也报送", "int"),
    "first_problems": _c("首要问题"),
}

# 附件3 汇总表: the official form's own headers (units in the header, as the city's template has them).
ANNEX3: dict[str, Column] = {
    "unit": _c("单位"),
    "projects": _c("项目个数", "int"),
    "funds_wan": _c("扶贫帮扶资金(万元)", "wan"),
    "red": _c("红色(个)", "int"),
    "yellow": _c("黄色(个)", "int"),
    "green": _c("绿色(个)", "int"),
    "red_funds_wan": _c("红色资金(万元)", "wan"),
    "yellow_funds_wan": _c("黄色资金(万元)", "wan"),
    "green_funds_wan": _c("绿色资金(万元)", "wan"),
    "built_not_finished": _c("建而不成(个)", "int"),
    "finished_not_used": _c("成而不用(个)", "int"),
    "used_not_well": _c("用而不好(个)", "int"),
    "consolidate": _c("巩固一批(个)", "int"),
    "upgrade": _c("提升一批(个)", "int"),
    "revitalise": _c("盘活一批(个)", "int"),
    "restart": _c("另起炉灶一批(个)", "int"),
    "region": _c("自治区督办(个)", "int"),
    "city": _c("市级督办(个)", "int"),
    "district": _c("区专班督办(个)", "int"),
    "monitor": _c("常态化监测(个)", "int"),
    "downgraded": _c("已降级(个)", "int"),
    "signed_off": _c("已销号(个)", "int"),
    "households": _c("带动农户数(户)", "int"),
    "households_exited": _c("其中脱贫户(户)", "int"),
    "households_monitored": _c("其中监测户(户)", "int"),
}

# Tables where a code means something else than in COLUMNS (a count of reports, not a deadline).
SUBMISSIONS: dict[str, Column] = {
    "on_time": _c("按时", "int"), "late": _c("逾期", "int"), "missing": _c("未报", "int"),
    "due": _c("应报次数", "int"), "on_time_rate": _c("按时率", "share"),
}
INTERACTIONS: dict[str, Column] = {
    "status": _c("办理状态", "code", "interaction_status"),
    "kind": _c("类型", "code", "interaction_kind"),
    "operator": _c("经营主体"),
    "total": _c("诉求建议数", "int"),
    "overdue_reply": _c("逾期未答复", "bool"),
}
INTERACTION_SUMMARY: dict[str, Column] = {**INTERACTIONS, "overdue_reply": _c("逾期未答复", "int")}
IMPORT_OUTCOME: dict[str, Column] = {"file_name": _c("文件"), "unit": _c("填报单位"), "warnings": _c("警告", "int")}
SETTINGS: dict[str, Column] = {"item": _c("设置项"), "value": _c("当前值"), "default": _c("默认值"),
                               "changed": _c("已修改")}

# 督办对象 (analytics.orders.lagging_units) and 催报名单 (analytics.orders.chase_list), issue #10.
ORDER_UNITS: dict[str, Column] = {
    "lagging": _c("需督办", "bool"), "overdue_clocks": _c("逾期未完成时限", "int"),
    "overdue_tasks": _c("超期任务", "int"), "overdue_replies": _c("逾期未答复诉求", "int"),
    "reopened": _c("销号后反弹", "int"), "checklist_gaps": _c("销号核查缺项", "int"),
    "order_number": _c("本期督办单"), "last_order_number": _c("上期督办单"),
    "last_order_round": _c("上期督办期次", "date"), "last_reply_by": _c("回复期限", "date"),
    "followup": _c("回复情况"),
}
# 本期报送情况 (analytics.compliance.round_status; status_label = glossary.submission_label)
ROUND_STATUS: dict[str, Column] = {
    "status_label": _c("本期报送情况"), "due_date": _c("应报日期", "date"), "submitted_on": _c("填报日期", "date"),
    "contact": _c("联系人/电话"),
}
# 单位排名 "why this score" (analytics.ranking.explain_score; raw_text rendered on the page)
SCORE_EXPLAIN: dict[str, Column] = {
    "part": _c("指标/扣分项", "code", "score_part"), "raw_text": _c("原始值"), "basis": _c("取值说明", "code", "score_basis"),
    "norm": _c("计分值x(0—1)", "num", digits=4), "weight": _c("权重w/每项扣分", "num", digits=1), "weight_share": _c("权重占比w/Σw", "share"),
    "max_points": _c("满分", "num"), "points": _c("得分", "num"),
}
CHASE: dict[str, Column] = {
    "status": _c("情况", "code", "submission_status"), "late_this_year": _c("本年逾期次数", "int"),
    "missing_this_year": _c("本年未报次数", "int"), "times_this_year": _c("本年合计", "int"),
    "due_this_year": _c("本年应报次数", "int"),
}

# 操作日志 (ledger.audit.entries) and the users list (ledger.auth.list_users), issue #12 points 6-7.
AUDIT: dict[str, Column] = {
    "audit_id": _c("序号", "int"), "logged_at": _c("时间", "datetime"), "user_login": _c("操作人"),
    "action": _c("操作", "code", "audit_action"), "object": _c("对象"), "detail": _c("详情"),
    "sha256": _c("文件 SHA-256"),
}
USERS: dict[str, Column] = {
    "login": _c("登录名"), "display_name": _c("姓名"), "role": _c("角色", "code", "role"),
    "unit": _c("所属单位"), "active": _c("启用", "bool"), "demo": _c("演示账号", "bool"),
    "created_at": _c("创建时间", "datetime"), "updated_at": _c("修改时间", "datetime"),
}

TABLES: dict[str, dict[str, Column]] = {
    "": COLUMNS, "annex3": ANNEX3, "submissions": SUBMISSIONS, "interactions": INTERACTIONS,
    "interaction_summary": INTERACTION_SUMMARY, "import_outcome": IMPORT_OUTCOME, "settings": SETTINGS,
    "order_units": ORDER_UNITS, "chase": CHASE, "round_status": ROUND_STATUS,
    "score_explain": SCORE_EXPLAIN,
    "audit": AUDIT, "users": USERS,
}


def spec(code: str, table: str = "") -> Column | None:
    """The registered column (of ``table``'s own headers, else the common ones), or None.

    >>> spec("due").label, spec("due", "submissions").label
    ('到期日', '应报次数')
    """
    return TABLES[table].get(code) or COLUMNS.get(code)


def is_missing(v) -> bool:
    """None, NaN, NaT, pd.NA → True; anything else (0, "", a list, an array) → False.

    >>> [is_missing(x) for x in (None, float("nan"), 0, "", [])]
    [True, True, False, False, False]
    """
    if v is None:
        return True
    if isinstance(v, (str, list, tuple, dict, set)) or getattr(v, "ndim", 0):
        return False
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def render(v, col: Column) -> str:
    """One value as text in the column's format (codes → labels); missing → ''.

    >>> from decimal import Decimal
    >>> render(Decimal("1234.5"), COLUMNS["funds_wan"])
    '1,234.50'
    >>> render(["roadside", "farmland"], COLUMNS["sensitive"])
    '“两高两道”沿线、违法违规占用耕地'
    """
    if isinstance(v, (list, tuple)) or type(v).__name__ == "ndarray":
        items = list(v)
        if col.fmt == "codes":
            return "、".join(glossary.label(col.kinds[0], str(x)) for x in items)
        return "、".join(map(str, items))
    if is_missing(v):
        return ""
    f = col.fmt
    if f == "int":
        return str(int(v))
    if f == "num":
        return f"{float(v):.{col.digits}f}"
    if f == "wan":
        return f"{float(v):,.2f}"
    if f == "yuan":
        return f"{int(v):,}"
    if f == "share":
        return f"{float(v) * 100:.1f}%"
    if f == "pct":
        return f"{float(v):.2f}%"
    if f == "date":
        return v.date().isoformat() if isinstance(v, datetime) else (v.isoformat() if isinstance(v, date) else str(v)[:10])
    if f == "datetime":
        return v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else str(v)
    if f == "bool":
        return "是" if v else "否"
    if f == "code":
        return code_label(v, col)
    return str(v)


def code_label(v, col: Column) -> str:
    """A code's label under the first of the column's kinds that knows it."""
    for kind in col.kinds:
        if str(v) in glossary.labels(kind):
            return glossary.label(kind, str(v))
    return str(v)
