"""Glossary: every Chinese policy term, its stable ASCII code, and the Excel header synonyms.

This is the only module that maps Chinese to codes (column headers and formats: ledger/columns.py). The database stores codes; pages render the
Chinese labels through ``label()``. ``tests/test_glossary.py`` fails when a code has no label.

Policy terms (English identifier ← 中文):
- grade ← 风险等级 (红/黄/绿), initial grade ← 初始等级
- three_failures ← "三不" (建而不成 / 成而不用 / 用而不好)
- other risks ← 其他风险隐患; sensitive ← 敏感问题; pretreatment ← 预处理 (摘牌, 复耕复种)
- disposal ← 四个一批; plan/tasks ← 一项目一方案 / 任务分解表 (附件5)
- tier ← 分级负责 (督办层级); clock ← 整改时限; signoff ← 降级销号
- round ← 报送期次 (due 14th/29th); submission ← 报送; unit ← 单位 (乡镇/街道 或 项目主管部门)
- township ← 乡镇(街道); department ← 项目主管部门; factor ← 奖惩系数; allocation ← 衔接资金分配
- interaction ← 政企互动 (operators' 诉求 = request, 建议 = suggestion, with the 答复 = answer)
"""
from __future__ import annotations

# --- administrative units: the 15 乡镇/街道 of 八步区 with their statistical division codes ---------
TOWNS: dict[str, str] = {
    "八步街道": "451102001",
    "城东街道": "451102002",
    "江南街道": "451102003",
    "贺街镇": "451102100",
    "步头镇": "451102101",
    "莲塘镇": "451102102",
    "大宁镇": "451102103",
    "南乡镇": "451102104",
    "桂岭镇": "451102105",
    "开山镇": "451102106",
    "里松镇": "451102107",
    "仁义镇": "451102108",
    "信都镇": "451102109",
    "灵峰镇": "451102110",
    "铺门镇": "451102111",
}

# Typical 项目主管部门 [A] (DOMAIN §2). Townships also act as 主管 of their own small projects.
DEPARTMENTS: list[str] = [
    "区农业农村局",
    "区乡村振兴局",
    "区林业局",
    "区水利局",
    "区商务局",
    "区文化广电体育和旅游局",
    "区人力资源和社会保障局",
    "区供销社",
    "区发展和改革局",
    "区工业和信息化局",
]
# The district task force (区工作专班) keeps a consolidated ledger of every unit's projects; it may import
# it as a submission of its own (DOMAIN §1, §9). It is not a 主管部门 and not ranked as one.
TASK_FORCE = "区工作专班"
DEPARTMENT_ALIASES: dict[str, str] = {
    "工作专班": TASK_FORCE,
    "区专班": TASK_FORCE,
    "专班": TASK_FORCE,
    "区工作专班": TASK_FORCE,
    "帮扶产业项目工作专班": TASK_FORCE,
    "农业农村局": "区农业农村局",
    "八步区农业农村局": "区农业农村局",
    "乡村振兴局": "区乡村振兴局",
    "林业局": "区林业局",
    "水利局": "区水利局",
    "商务局": "区商务局",
    "文旅局": "区文化广电体育和旅游局",
    "文化广电体育和旅游局": "区文化广电体育和旅游局",
    "人社局": "区人力资源和社会保障局",
    "人力资源和社会保障局": "区人力资源和社会保障局",
    "供销社": "区供销社",
    "发改局": "区发展和改革局",
    "发展和改革局": "区发展和改革局",
    "工信局": "区工业和信息化局",
}

# --- the nine fund-source types (资金来源类型), DOMAIN §2, in policy order ---------------------------
FUND_SOURCES: dict[str, str] = {
    "poverty_special": "财政专项扶贫资金",
    "integrated_agri": "统筹整合财政涉农资金",
    "lottery": "彩票公益金",
    "gov_bond": "用于支持脱贫攻坚的政府债券",
    "industry": "行业扶贫资金",
    "linkage": "各级财政衔接推进乡村振兴补助资金",
    "guangdong": "广东帮扶广西财政协作资金",
    "central_unit": "中央单位定点帮扶无偿援助资金",
    "donation": "社会捐赠资金",
}
FUND_SOURCE_SHORT: dict[str, str] = {
    "poverty_special": "专项扶贫",
    "integrated_agri": "统筹整合",
    "lottery": "彩票公益金",
    "gov_bond": "政府债券",
    "industry": "行业扶贫",
    "linkage": "衔接资金",
    "guangdong": "粤桂协作",
    "central_unit": "定点帮扶",
    "donation": "社会捐赠",
}
# Header synonyms for each source column (short names real ledgers use).
FUND_SOURCE_SYNONYMS: dict[str, list[str]] = {
    "poverty_special": ["财政专项扶贫资金", "专项扶贫资金", "财政专项扶贫", "专项扶贫"],
    "integrated_agri": ["统筹整合财政涉农资金", "统筹整合资金", "整合资金", "统筹整合", "涉农整合资金", "整合涉农资金"],
    "lottery": ["彩票公益金", "公益金"],
    "gov_bond": ["用于支持脱贫攻坚的政府债券", "政府债券", "地方政府债券", "债券资金"],
    "industry": ["行业扶贫资金", "行业扶贫"],
    "linkage": ["各级财政衔接推进乡村振兴补助资金", "衔接推进乡村振兴补助资金", "财政衔接资金", "衔接资金",
                "衔接补助资金", "衔接补助", "乡村振兴衔接资金"],
    "guangdong": ["广东帮扶广西财政协作资金", "粤桂扶贫协作资金", "粤桂协作资金", "东西部协作资金", "粤桂协作",
                  "广东帮扶资金", "东西部协作", "东西协作资金", "粤桂资金"],
    "central_unit": ["中央单位定点帮扶无偿援助资金", "中央单位定点帮扶资金", "定点帮扶资金", "定点帮扶", "中央定点帮扶"],
    "donation": ["社会捐赠资金", "社会捐赠", "捐赠资金"],
}

# --- grades ----------------------------------------------------------------------------------------
GRADES: dict[str, str] = {"red": "红", "yellow": "黄", "green": "绿"}
GRADE_ORDER: tuple[str, ...] = tuple(GRADES)  # red, yellow, green: the order of every grade table and chart
GRADE_COLORS: dict[str, str] = {"red": "#d62728", "yellow": "#f2b701", "green": "#2ca02c"}
GRADE_SYNONYMS: dict[str, list[str]] = {
    "red": ["红", "红色", "红级", "红灯", "🔴", "red", "r", "高风险"],
    "yellow": ["黄", "黄色", "黄级", "黄灯", "🟡", "yellow", "y", "中风险"],
    "green": ["绿", "绿色", "绿级", "绿灯", "🟢", "green", "g", "低风险", "正常"],
}

# --- problems (问题类型), DOMAIN §3 ------------------------------------------------------------------
THREE_FAILURES = ("built_not_finished", "finished_not_used", "used_not_well")  # "三不"
PROBLEMS: dict[str, str] = {
    "built_not_finished": "建而不成",
    "finished_not_used": "成而不用",
    "used_not_well": "用而不好",
    "feasibility": "可行性研究/尽职调查/风险评估不符合要求",
    "intake_irregular": "项目入库程序不规范",
    "not_accepted": "完工项目未及时验收及结算",
    "rights_irregular": "资产确权登记不规范",
    "enterprise_share": "企业出资比例不足",
    "no_joint_account": "未设立共管账户",
    "fund_risk": "财政资金存在风险隐患",
    "other": "其他",
}
PROBLEM_SYNONYMS: dict[str, list[str]] = {
    "built_not_finished": ["建而不成"],
    "finished_not_used": ["成而不用"],
    "used_not_well": ["用而不好"],
    "feasibility": ["可行性研究", "尽职调查", "风险评估", "可研"],
    "intake_irregular": ["入库程序不规范", "项目入库", "入库不规范"],
    "not_accepted": ["未及时验收", "未验收", "未结算", "验收及结算"],
    "rights_irregular": ["确权登记不规范", "确权", "资产确权"],
    "enterprise_share": ["企业出资比例不足", "出资比例", "企业出资"],
    "no_joint_account": ["未设立共管账户", "共管账户"],
    "fund_risk": ["财政资金存在风险隐患", "资金风险", "资金存在风险", "风险隐患"],
    "other": ["其他", "其它"],
}

SENSITIVE: dict[str, str] = {"farmland": "违法违规占用耕地", "roadside": "“两高两道”沿线"}
SENSITIVE_SYNONYMS: dict[str, list[str]] = {
    "farmland": ["占用耕地", "耕地"],
    "roadside": ["两高两道", "沿线"],
}
PRETREATMENT: dict[str, str] = {"delisting": "摘牌", "recultivation": "复耕复种"}

DISPOSAL: dict[str, str] = {  # 四个一批
    "consolidate": "巩固一批",
    "upgrade": "提升一批",
    "revitalise": "盘活一批",
    "restart": "另起炉灶一批",
}
DISPOSAL_SYNONYMS: dict[str, list[str]] = {
    "consolidate": ["巩固"],
    "upgrade": ["提升"],
    "revitalise": ["盘活"],
    "restart": ["另起炉灶"],
}

BUILD_STATUS: dict[str, str] = {
    "not_started": "未开工",
    "under_construction": "在建",
    "suspended": "停工",
    "completed": "已完工",
    "accepted": "已验收",
}
BUILD_STATUS_SYNONYMS: dict[str, list[str]] = {
    "not_started": ["未开工", "未动工"],
    "under_construction": ["在建", "建设中", "施工中", "正在建设"],
    "suspended": ["停工", "停建", "暂停"],
    "completed": ["已完工", "完工", "已建成", "建成"],
    "accepted": ["已验收", "竣工验收", "验收"],
}
OP_STATUS: dict[str, str] = {
    "not_operating": "未运营",
    "trial": "试运营",
    "normal": "正常运营",
    "halted": "停产",
    "idle": "闲置",
}
OP_STATUS_SYNONYMS: dict[str, list[str]] = {
    "not_operating": ["未运营", "未投产", "未运行"],
    "trial": ["试运营", "试运行", "试生产"],
    "normal": ["正常运营", "运营", "正常", "运行良好", "正常生产"],
    "halted": ["停产", "停业", "停运"],
    "idle": ["闲置", "荒废", "空置"],
}
ASSET_TYPES: dict[str, str] = {"operating": "经营性", "public": "公益性", "household": "到户类"}
ASSET_TYPE_SYNONYMS: dict[str, list[str]] = {
    "operating": ["经营性"],
    "public": ["公益性"],
    "household": ["到户类", "到户"],
}
TASK_STATUS: dict[str, str] = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成"}
TASK_STATUS_SYNONYMS: dict[str, list[str]] = {
    "not_started": ["未开始", "未启动"],
    "in_progress": ["推进中", "进行中", "正在推进", "整改中"],
    "done": ["已完成", "完成", "已整改"],
}
# 降级销号 status (DOMAIN §8)
SIGNOFF_STATUS: dict[str, str] = {
    "none": "未申请",
    "applied": "已申请",
    "self_evaluated": "县自评",
    "accepted": "已验收",
    "signed_off": "已销号",
    "rejected": "未通过",
}
SIGNOFF_STATUS_SYNONYMS: dict[str, list[str]] = {
    "none": ["未申请", "无"],
    "applied": ["已申请", "申请中"],
    "self_evaluated": ["县自评", "已自评", "自评"],
    "accepted": ["已验收", "验收通过", "市验收"],
    "signed_off": ["已销号", "销号", "已降级"],
    "rejected": ["未通过", "不通过", "退回"],
}
# 《风险销号核查标准(试行)》 checklist items [A: editable in settings]
SIGNOFF_CHECKLIST: dict[str, str] = {
    "construction_accepted": "建设完成并竣工验收",
    "assets_registered": "资产确权登记并移交",
    "operator_contract": "运营主体及合同落实",
    "in_production": "投产运营",
    "revenue_evidenced": "收益及分红有佐证",
    "linkage_ledger": "联农带农台账齐全",
    "joint_account": "设立共管账户",
    "pretreatment_done": "敏感问题预处理完成",
}

# 政企互动 (DOMAIN §9): what an operator (企业/合作社) raised with the task force, and how it was handled.
INTERACTION_KIND: dict[str, str] = {"request": "诉求", "suggestion": "建议"}
INTERACTION_KIND_SYNONYMS: dict[str, list[str]] = {
    "request": ["诉求", "企业诉求", "困难诉求", "反映问题", "困难"],
    "suggestion": ["建议", "意见建议", "意见", "提议"],
}
INTERACTION_STATUS: dict[str, str] = {
    "pending": "待办理",
    "in_progress": "办理中",
    "answered": "已答复",
    "closed": "已办结",
}
INTERACTION_STATUS_SYNONYMS: dict[str, list[str]] = {
    "pending": ["待办理", "未办理", "待答复", "未答复", "未处理", "待处理"],
    "in_progress": ["办理中", "正在办理", "处理中", "正在处理", "跟进中"],
    "answered": ["已答复", "已回复", "已反馈", "答复"],
    "closed": ["已办结", "办结", "已解决", "已落实", "完结"],
}

TIERS: dict[str, str] = {
    "region": "自治区督办",
    "city": "市级督办",
    "district": "区专班督办",
    "monitor": "常态化监测",
}
CLOCK_STATUS: dict[str, str] = {
    "on_time": "按期完成",
    "late": "逾期完成",
    "overdue": "逾期未完成",
    "pending": "未到期",
}
CLOCK_KINDS: dict[str, str] = {
    "red_1m": "红级1个月实质性进展",
    "red_3m": "红级3个月投产运营/产生收益",
    "yellow_1m": "黄级1个月完成整改",
}
SUBMISSION_STATUS: dict[str, str] = {"on_time": "按时", "late": "逾期", "missing": "未报"}


def submission_label(status: str | None, days_late=None) -> str:
    """One round's report in words: 按时 / 逾期N天 / 未报 (本期报送情况).

    >>> submission_label("late", 1), submission_label("on_time"), submission_label("missing")
    ('逾期1天', '按时', '未报')
    """
    if status == "late" and days_late is not None and days_late == days_late:
        return f"逾期{int(days_late)}天"
    return SUBMISSION_STATUS.get(status, status or "")

UNIT_KINDS: dict[str, str] = {"township": "乡镇(街道)", "department": "项目主管部门"}
FORMS: dict[str, str] = {
    "progress": "附件1 推进梳理表",
    "risk": "附件2 风险排查表",
    "tasks": "附件5 任务分解表",
    "signoff": "降级销号核查表",
    "interactions": "政企互动台账",
}
BANDS: dict[str, str] = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}
# 单位排名 metrics (DOMAIN §10): the same names on the ranking page, its weights in 设置 and the exports.
RANKING_METRICS: dict[str, str] = {
    "green_share": "绿色项目占比",
    "on_time": "整改按期完成",
    "resolved": "红黄已转绿",
    "submissions": "按时报送",
    "linkage": "联农带农（户/万元）",
    "consistency": "数据一致性",
}
# 单位排名 "why this score" (analytics.ranking.explain_score): the parts of S and how each value was taken.
SCORE_PARTS: dict[str, str] = {**RANKING_METRICS, "penalty_overdue": "扣分：逾期未完成时限",
                               "penalty_reopened": "扣分：销号后反弹项目"}
SCORE_BASIS: dict[str, str] = {"measured": "按实际值", "neutral": "无可评价数据，按满分计",
                               "median": "无资金，取同类单位中位数", "penalty": "扣分项",
                               "penalty_per_100": "扣分项（按每百个在库项目折算）"}
# 扣分口径 (settings.penalty_basis, analytics.ranking)
PENALTY_BASIS: dict[str, str] = {"per_item": "按个数（每个逾期时限、每个反弹项目扣分）",
                                 "per_100_projects": "按每百个在库项目折算（大小单位可比）"}
# Why a project's grade disagrees with its facts (analytics.consistency, "假绿" and the like).
CONSISTENCY_REASONS: dict[str, str] = {
    "three_failures_not_red": "存在“三不”问题但未标红",
    "red_without_three_failures": "标红但未列“三不”问题",
    "problems_but_green": "存在其他风险问题但标绿",
    "status_built_not_finished": "逾期未建成（建而不成）但未标红",
    "status_finished_not_used": "已建成但未运营/停产/闲置（成而不用）但未标红",
    "status_used_not_well": "运营但无收益或未带动农户（用而不好）但未标红",
}
# A project's change between the previous round and this one (analytics.compliance.round_diff).
ROUND_CHANGES: dict[str, str] = {"new": "新增项目", "dropped": "未再报送", "regraded": "等级变化",
                                 "amount_changed": "金额变化"}
# Import problems (ledger.importer)
SEVERITY: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
# 数据导入: a file's result in the dry run (预检) and after the real import
# (unit_unknown: rejected only because no 填报单位 could be found, see ledger.batch)
IMPORT_STATUS: dict[str, str] = {"accepted": "可导入", "rejected": "拒绝", "unchanged": "未变化（与上次导入相同）",
                                 "unit_unknown": "单位不明"}
IMPORT_DONE: dict[str, str] = {"accepted": "已导入", "rejected": "拒绝（数据库未改动）",
                               "unchanged": "未变化（与上次导入相同）", "unit_unknown": "单位不明（未导入）"}
# A file's status in a round imported at once (python -m ledger import DIR|ZIP)
ROUND_FILE_STATUS: dict[str, str] = {"accepted": "导入", "unchanged": "未变化", "rejected": "拒绝",
                                     "unit_unknown": "单位不明"}
# 分级金额口径 (settings.tier_amount_basis)
AMOUNT_BASIS: dict[str, str] = {"funds": "扶贫帮扶资金合计", "total_investment": "总投资"}

# Sign-in roles (issue #12 point 6; ledger/auth.py): 领导 read everything; 工作专班 everything;
# 单位 one 乡镇(街道) or 主管部门 (district totals plus its own projects, imports of its own rows).
ROLES: dict[str, str] = {"leader": "领导", "taskforce": "工作专班", "unit": "单位"}
# Audit trail actions (issue #12 point 7; ledger/audit.py, table audit_log)
AUDIT_ACTIONS: dict[str, str] = {
    "import": "导入台账",
    "import_rejected": "拒绝导入",
    "export": "导出/下载",
    "settings_change": "修改设置",
    "signin_ok": "登录成功",
    "signin_failed": "登录失败",
    "signin_locked": "登录锁定",
    "logout": "退出登录",
    "session_expired": "会话超时",
    "order_issued": "签发督办单",
    "denied": "无权限操作被拒绝",
    "user_add": "新增用户",
    "user_passwd": "修改密码",
    "user_disable": "停用用户",
    "user_enable": "启用用户",
    "column_map": "保存列映射",
    "schema_upgrade": "数据库升级",
}

_ALL_LABELS: dict[str, dict[str, str]] = {
    "grade": GRADES,
    "fund_source": FUND_SOURCES,
    "problem": PROBLEMS,
    "sensitive": SENSITIVE,
    "pretreatment": PRETREATMENT,
    "disposal": DISPOSAL,
    "build_status": BUILD_STATUS,
    "op_status": OP_STATUS,
    "asset_type": ASSET_TYPES,
    "task_status": TASK_STATUS,
    "signoff_status": SIGNOFF_STATUS,
    "signoff_checklist": SIGNOFF_CHECKLIST,
    "tier": TIERS,
    "clock_status": CLOCK_STATUS,
    "clock_kind": CLOCK_KINDS,
    "submission_status": SUBMISSION_STATUS,
    "unit_kind": UNIT_KINDS,
    "form": FORMS,
    "band": BANDS,
    "interaction_kind": INTERACTION_KIND,
    "interaction_status": INTERACTION_STATUS,
    "ranking_metric": RANKING_METRICS,
    "score_part": SCORE_PARTS,
    "score_basis": SCORE_BASIS,
    "consistency_reason": CONSISTENCY_REASONS,
    "round_change": ROUND_CHANGES,
    "severity": SEVERITY,
    "import_status": IMPORT_STATUS,
    "import_done": IMPORT_DONE,
    "round_file_status": ROUND_FILE_STATUS,
    "amount_basis": AMOUNT_BASIS,
    "penalty_basis": PENALTY_BASIS,
    "role": ROLES,
    "audit_action": AUDIT_ACTIONS,
}


def label(kind: str, code: str | None) -> str:
    """Chinese label of a code, e.g. label('grade', 'red') == '红'. Unknown codes come back as-is."""
    if code is None:
        return ""
    return _ALL_LABELS[kind].get(code, code)


def labels(kind: str) -> dict[str, str]:
    """Every code of a kind → its label, in the glossary's order."""
    return dict(_ALL_LABELS[kind])


def kinds() -> list[str]:
    """The names of every kind of code (``label(kind, code)``)."""
    return list(_ALL_LABELS)
