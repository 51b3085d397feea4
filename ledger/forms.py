"""The ledger forms (附件1/2/5, the 降级销号 sheet and the 政企互动台账): canonical columns, types and header synonyms.

A header cell matches a field when, after normalising (strip spaces/newlines/brackets, full-width →
half-width), it equals one of the field's synonyms, or the leaf of a merged header path does
(e.g. "资金来源|衔接资金"). Money fields are in 万元 unless the header (or the sheet's "单位：元" line)
says 元; the parser converts 元 → 万元 exactly.

Field types:
  text, int (counts), year (建设年度, 2013..now), money (万元 decimal), date, bool (是/否),
  grade, problems (multi), sensitive (multi), pretreatment (multi), and enum:<glossary kind>.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import glossary as g


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    synonyms: tuple[str, ...]
    required: bool = False


def _f(name: str, type_: str, *syn: str, required: bool = False) -> Field:
    return Field(name, type_, tuple(syn), required)


IDENTITY: list[Field] = [
    _f("seq", "text", "序号", "编号序号"),
    _f("town", "text", "乡镇(街道)", "乡镇（街道）", "乡镇", "所属乡镇", "乡镇街道", "所在乡镇", "镇(街道)", "乡镇名称",
       "街道"),
    _f("village", "text", "行政村", "村", "所在村", "村(社区)", "行政村(社区)", "实施地点"),
    _f("project_code", "text", "项目编号", "项目编码", "项目代码", "项目库编号", "入库编号"),
    _f("name", "text", "项目名称", "项目名", "名称", required=True),
    _f("build_year", "year", "建设年度", "实施年度", "项目年度", "年度", "立项年度"),
    _f("category", "text", "项目类别", "项目类型", "产业类别", "类别"),
    _f("asset_type", "enum:asset_type", "资产类别", "资产类型", "资产性质"),
    _f("department", "text", "项目主管部门", "主管部门", "主管单位", "行业主管部门", "项目主管单位"),
    _f("implementer", "text", "实施单位", "项目实施单位", "建设单位"),
    _f("operator", "text", "运营主体", "经营主体", "运营单位", "经营单位"),
    _f("high_concern", "bool", "社会关注度高", "是否社会关注度高", "社会关注"),
]

# the nine sources: one field each, named fund_<code>, plus the year the funds were allocated (附件1 and,
# when a 风险排查表 carries them under "资金来源", 附件2 too)
FUND_FIELDS: list[Field] = [
    *[Field(f"fund_{code}", "money", tuple(syn)) for code, syn in g.FUND_SOURCE_SYNONYMS.items()],
    _f("fund_year", "year", "资金年度", "资金下达年度", "资金安排年度"),
]

PROGRESS: list[Field] = IDENTITY + [
    _f("total_investment_wan", "money", "总投资", "项目总投资", "总投资额", "投资总额", "合计投资"),
    *FUND_FIELDS,
    _f("enterprise_funds_wan", "money", "企业出资", "企业自筹", "企业投入", "自筹资金"),
    _f("paid_wan", "money", "已支付", "已拨付", "已支付资金", "累计支付", "已拨付资金"),
    _f("build_status", "enum:build_status", "建设状态", "建设情况", "项目建设状态"),
    _f("op_status", "enum:op_status", "运营状态", "运营情况", "经营状态", "项目运营状态"),
    _f("planned_completion", "date", "计划完成时间", "计划完工时间", "计划竣工时间", "计划完成日期"),
    _f("completion_accepted_on", "date", "竣工验收日期", "竣工验收时间", "验收日期", "验收时间"),
    _f("settled", "bool", "是否结算", "结算情况", "是否完成结算"),
    _f("rights_registered", "bool", "是否确权", "确权情况", "是否完成确权", "资产确权"),
    _f("joint_account", "bool", "是否设立共管账户", "共管账户", "是否设立共管帐户"),
    _f("progress_text", "text", "本期进展情况", "进展情况", "推进情况", "工作进展", "本期进展"),
    _f("substantive_progress", "bool", "是否实质性进展", "实质性进展", "有无实质性进展"),
    _f("issues_text", "text", "存在问题", "存在的问题", "主要问题"),
    _f("next_steps", "text", "下步措施", "下一步措施", "下步工作措施", "下步打算"),
    _f("reported_on", "date", "报送日期", "填报日期", "报送时间"),
]

RISK: list[Field] = IDENTITY + [
    _f("total_investment_wan", "money", "总投资", "项目总投资", "投资总额"),
    _f("funds_wan", "money", "扶贫资金帮扶资金", "帮扶资金", "扶贫资金", "财政资金", "使用扶贫资金帮扶资金"),
    *FUND_FIELDS,
    _f("problems", "problems", "问题类型", "存在问题类型", "问题分类", "风险类型", "问题类别", "风险问题类型", "三不问题"),
    _f("problem_detail", "text", "具体问题", "问题描述", "具体问题描述", "存在的具体问题"),
    _f("grade", "grade", "风险等级", "风险级别", "等级", "预警等级", "风险等级(红黄绿)", "风险等次", "评定等级", "风险研判等级", required=True),
    _f("graded_on", "date", "认定日期", "认定时间", "定级日期", "标识日期"),
    _f("sensitive", "sensitive", "敏感问题", "重点敏感问题", "是否敏感项目", "敏感类型"),
    _f("pretreatment", "pretreatment", "预处理情况", "预处理措施", "预处理"),
    _f("pretreatment_done", "bool", "预处理是否完成", "是否完成预处理", "预处理完成"),
    _f("disposal", "enum:disposal", "四个一批", "处置方式", "四个一批分类", "处置类别", "处置类型", "分类处置", "处置分类", "四个一批处置方式"),
    _f("revenue_wan", "money", "上年经营收入", "上年度经营收入", "经营收入", "年经营收入", "上年收入"),
    _f("distribution_wan", "money", "收益分配", "收益分配金额", "分红金额", "分红"),
    _f("linkage_mode", "text", "联农带农方式", "联农带农机制", "带农方式", "利益联结方式"),
    _f("households", "int", "带动农户数", "带动农户", "联农带农户数", "受益农户数", "带动户数", "受益户数", "带动农户总数", "联结农户数", "带动群众户数"),
    _f("households_exited", "int", "其中脱贫户", "脱贫户", "带动脱贫户", "其中:脱贫户", "脱贫户数"),
    _f("households_monitored", "int", "监测户", "其中监测户", "监测对象", "其中:监测户", "监测户数"),
    _f("measures", "text", "整改措施", "整治措施", "整改举措"),
    _f("deadline", "date", "整改时限", "整改期限", "完成时限"),
    _f("resp_leader", "text", "责任领导"),
    _f("resp_unit", "text", "责任单位"),
    _f("resp_person", "text", "责任人"),
    _f("patrolled", "bool", "是否巡查", "巡回排查", "是否已巡查", "巡查情况"),
    _f("signoff_status", "enum:signoff_status", "降级销号情况", "降级销号状态", "销号情况", "销号状态", "降级销号"),
    _f("signoff_applied_on", "date", "销号申请日期", "申请日期", "申请时间"),
    _f("signoff_accepted_on", "date", "销号验收日期", "销号日期", "验收通过日期"),
    _f("reported_on", "date", "报送日期", "填报日期"),
]

TASKS: list[Field] = [
    _f("seq", "text", "序号"),
    _f("project_code", "text", "项目编号", "项目编码", "项目代码"),
    _f("name", "text", "项目名称", "项目名"),
    _f("task_seq", "int", "任务序号", "任务编号"),
    _f("problem", "text", "存在问题", "问题"),
    _f("measure", "text", "工作任务/具体措施", "工作任务", "具体措施", "整改措施", required=True),
    _f("due_on", "date", "时间节点", "完成时限", "完成时间节点", "时限"),
    _f("lead_leader", "text", "责任领导"),
    _f("lead_unit", "text", "牵头单位"),
    _f("co_units", "text", "配合单位"),
    _f("owner", "text", "责任人"),
    _f("status", "enum:task_status", "完成情况", "进展情况", "完成状态"),
    _f("done_on", "date", "完成日期", "实际完成时间", "完成时间"),
]

SIGNOFF: list[Field] = [
    _f("seq", "text", "序号"),
    _f("project_code", "text", "项目编号", "项目编码"),
    _f("name", "text", "项目名称"),
    _f("from_grade", "grade", "原风险等级", "原等级", "降级前等级", required=True),
    _f("to_grade", "grade", "申请等级", "拟降为", "降级后等级", "申请降为", required=True),
    _f("applied_on", "date", "申请日期", "申请时间"),
    _f("self_eval_on", "date", "自评日期", "县自评日期"),
    _f("accepted_on", "date", "验收日期", "验收时间"),
    _f("accepted_by", "text", "验收单位", "验收人"),
    _f("route", "text", "验收程序", "验收方式"),
    _f("status", "enum:signoff_status", "销号状态", "状态", "审核结果"),
    _f("evidence", "text", "佐证材料", "佐证材料清单"),
    *[Field(f"check_{code}", "bool", (lbl,)) for code, lbl in g.SIGNOFF_CHECKLIST.items()],
]

# 政企互动台账 (DOMAIN §9): 诉求/建议 an operator raised (面谈, 电话, 座谈会, 来信 …) and the answer given.
INTERACTIONS: list[Field] = [
    _f("seq", "int", "序号"),
    _f("project_code", "text", "项目编号", "项目编码", "项目代码", "项目库编号"),
    _f("name", "text", "项目名称", "项目名"),
    _f("operator", "text", "经营主体", "运营主体", "运营单位", "经营单位", "企业(合作社)名称", "企业名称", "反映主体"),
    _f("raised_on", "date", "反映日期", "反映时间", "提出日期", "诉求日期", "收到日期", required=True),
    _f("channel", "text", "方式", "反映方式", "互动方式", "沟通方式", "反映渠道"),
    _f("kind", "enum:interaction_kind", "类型", "诉求类型", "互动类型", "类别"),
    _f("content", "text", "内容", "诉求内容", "诉求或建议内容", "反映内容", "具体内容", "诉求建议内容", required=True),
    _f("answer", "text", "答复情况", "答复内容", "答复意见", "回复情况", "办理情况"),
    _f("answered_on", "date", "答复日期", "答复时间", "回复日期", "办结日期"),
    _f("status", "enum:interaction_status", "办理状态", "状态", "办理进度", "办结情况"),
    _f("handler", "text", "承办单位", "办理单位", "承办部门", "责任单位"),
]

IDENTITY_NAMES: frozenset[str] = frozenset(f.name for f in IDENTITY)

FORMS: dict[str, list[Field]] = {"progress": PROGRESS, "risk": RISK, "tasks": TASKS, "signoff": SIGNOFF,
                                 "interactions": INTERACTIONS}

# Words in a sheet name or title that tell which form a sheet is.
FORM_HINTS: dict[str, tuple[str, ...]] = {
    "progress": ("附件1", "推进梳理", "梳理表"),
    "risk": ("附件2", "风险排查", "排查表"),
    "tasks": ("附件5", "任务分解", "方案任务"),
    "signoff": ("降级销号", "销号核查", "附件6"),
    "interactions": ("政企互动", "企业诉求", "诉求"),
}


def label_of(form: str, name: str) -> str:
    """The official header (first synonym) of a field of ``form``; the name itself when unknown."""
    return next((f.synonyms[0] for f in FORMS.get(form, []) if f.name == name), name)
