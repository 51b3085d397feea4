"""项目详情: search by 项目编号 or 名称 (or open ?project=…), then everything about one project. A 单位
sees only its own projects (the search runs under its forced filter, and every code is checked)."""
import streamlit as st

from analytics import project
from ledger import glossary
import charts
from ui.cache import call
from ui.guard import require_project
from ui.links import linked_project, set_project_param
from ui.shell import filters_note, page_setup
from ui.tables import fmt_wan, grade_label, show_table

ctx = page_setup("项目详情")
filters_note(ctx, applies="搜索结果按乡镇、部门、督办层级、类别、建设年度筛选（督办层级只有本期在册的项目才有，"
                          "筛选督办层级时不含已移出台账的项目）；选中项目的详情不受筛选影响")

linked = linked_project()  # a project row clicked on another page, or ?project= in the URL
if linked is not None:
    require_project(ctx.user, ctx.con, linked)  # a 单位 opening another unit's project: 无权限, nothing shown
    if linked in set(call(project.search_projects, ctx, q=st.session_state.get("detail_q", ""))["project_code"]):
        st.session_state["detail_pick"] = linked                 # already listed: just pick it
    elif linked in set(call(project.search_projects, ctx, q=linked)["project_code"]):
        st.session_state["detail_q"] = linked                    # search for it, then pick it
        st.session_state["detail_pick"] = linked
    else:
        st.caption(f"提示：链接中的项目 {linked} 不存在或不在当前期次与筛选范围内，已忽略。")

q = st.text_input("按项目编号或名称搜索", key="detail_q", placeholder="输入项目编号或名称中的字，如 BB2019 或 百香果")
matches = call(project.search_projects, ctx, q=q)
if matches.empty:
    set_project_param(None)
    st.info("没有匹配的项目，请换个关键词。")
    st.stop()
names = dict(zip(matches["project_code"], matches["name"]))
total = call(project.count_projects, ctx, q=q)
label = f"共 {total} 个匹配项目，显示前 {len(matches)} 个（输入更多字缩小范围）" if total > len(matches) \
    else f"匹配项目（{total} 个）"
code = st.selectbox(label, list(names), key="detail_pick", placeholder="无匹配项",
                    format_func=lambda c: f"{c}  {names[c]}")
require_project(ctx.user, ctx.con, code)  # checked at the read itself, whatever chose the code
set_project_param(code)  # ?project=CODE: this view can be bookmarked and shared
with st.expander(f"匹配项目列表（{len(matches)} 个）"):
    show_table(matches, key="detail_matches", file_name="匹配项目.xlsx",
               columns=["project_code", "name", "town", "department", "grade", "round_date"],
               labels={"grade": "最近报送等级", "round_date": "最近报送期次"})
d = call(project.project_detail, ctx, project_code=code)
p = d["project"]

if not d["in_force"]:
    st.warning("该项目不在本期在册台账中（可能已被报送单位移出），下面只显示历史记录。")
else:
    st.subheader(f"{p['project_code']} {p['name']}")
    c = st.columns([1, 1, 1.5, 1.3, 1.3])
    c[0].metric("当前等级", grade_label(p["grade"]), border=True)
    c[1].metric("初始等级", grade_label(p["initial_grade"]), border=True)
    c[2].metric("督办层级", glossary.label("tier", p["tier"]), border=True)
    c[3].metric("扶贫帮扶资金（万元）", fmt_wan(p["funds_wan"]), border=True)
    c[4].metric("总投资（万元）", fmt_wan(p["total_investment_wan"]), border=True)
    ident = [("乡镇(街道)", p["town"]), ("行政村", p["village"]), ("项目主管部门", p["department"]),
             ("报送单位", p["unit"]), ("建设年度", p["build_year"]), ("项目类别", p["category"]),
             ("资产类别", glossary.label("asset_type", p["asset_type"])), ("运营主体", p["operator"]),
             ("建设状态", glossary.label("build_status", p["build_status"])),
             ("运营状态", glossary.label("op_status", p["op_status"])),
             ("问题类型", "、".join(glossary.label("problem", x) for x in p["problems"]) or "—"),
             ("敏感问题", "、".join(glossary.label("sensitive", x) for x in p["sensitive"]) or "—"),
             ("四个一批", glossary.label("disposal", p["disposal"])),
             ("初始认定日期", p["initial_graded_on"]), ("带动农户数", p["households"]),
             ("上年经营收入(万元)", p["revenue_wan"])]
    st.dataframe({"项目": [k for k, _ in ident], "内容": ["—" if v is None else str(v) for _, v in ident]},
                 hide_index=True, placeholder="—")

    left, right = st.columns(2)
    with left:
        st.subheader("资金来源")
        show_table(d["funding"], key="detail_funding", link_project=False, file_name=f"{code}_资金.xlsx")
    with right:
        st.subheader("责任单位（分级负责）")
        show_table(d["units"], key="detail_units", link_project=False, file_name=f"{code}_责任单位.xlsx")

st.subheader("等级历史")
show_table(d["grades"], key="detail_grades", link_project=False, file_name=f"{code}_等级历史.xlsx")

st.subheader("整改时限")
clocks = d["clocks"]
if not clocks.empty:
    kinds = clocks.assign(task=[glossary.label("clock_kind", k) + f"（第{n}轮）"
                                for k, n in zip(clocks["kind"], clocks["episode_no"])])
    st.plotly_chart(charts.gantt(kinds, task="task", start="start", end="due", status="status",
                                 names=glossary.labels("clock_status"), today=ctx.as_of),
                    key="detail_gantt")
show_table(clocks, key="detail_clocks", link_project=False, file_name=f"{code}_整改时限.xlsx",
           columns=["episode_no", "kind", "start", "due", "met_on", "status", "days_left", "days_overdue"]
           if not clocks.empty else None)

st.subheader("整改任务（一项目一方案）")
show_table(d["tasks"], key="detail_tasks", link_project=False, file_name=f"{code}_整改任务.xlsx")

st.subheader("降级销号记录")
show_table(d["signoffs"], key="detail_signoffs", link_project=False, file_name=f"{code}_销号.xlsx")

st.subheader("政企互动（企业诉求与答复）")
show_table(d["interactions"], key="detail_interactions", link_project=False, table="interactions", file_name=f"{code}_政企互动.xlsx",
           columns=["raised_on", "operator", "channel", "kind", "content", "answer", "answered_on", "status",
                    "handler", "days_open", "overdue_reply", "unit"])
