"""总览 (leadership): one screen — how many projects, how much money, 红/黄/绿 since last round, who is behind."""
from charts.overview import overview_figures
from ui.reports import pack_section
from ui.shell import page_setup
from ui.tables import fmt_pct, fmt_wan, grade_label, show_table
from ui.cache import call
from ui.warm import overview_data
from analytics import funding, grades
import streamlit as st

ctx = page_setup("总览")

data = overview_data(ctx)  # every cached call of this page (ui.warm runs the same for a signing-in visitor)
counts, money, rollup, trend = data["counts"], data["money"], data["rollup"], data["trend"]
delta = data["delta"].set_index("grade")
overdue = int(rollup["overdue"].sum())
judged = int(rollup["on_time"].sum() + rollup["late"].sum() + rollup["overdue"].sum())

cols = st.columns(4)
cols[0].metric("项目数", int(counts["projects"].sum()), border=True)
cols[1].metric("扶贫帮扶资金（万元）", fmt_wan(money["total_wan"]), border=True)
late_codes = set(data["overdue"]["project_code"])  # not every clock: only these codes
# the project count sits under the value (grey, no arrow): "18 项（涉及 12 个项目）" was cut off at 1400 px
cols[2].metric("逾期未完成时限", f"{overdue} 项", delta=f"涉及 {len(late_codes)} 个项目", delta_color="off",
               delta_arrow="off", border=True,
               help="逾期未完成的整改时限个数；一个项目可有多个时限（1个月、3个月），下方是涉及的项目数")
cols[3].metric("按期完成率", fmt_pct(int(rollup["on_time"].sum()) / judged if judged else None),
               help="按期完成 ÷（按期完成＋逾期完成＋逾期未完成），未到期的时限不计", border=True)
for col, g in zip(st.columns(4)[:3], ["red", "yellow", "green"]):
    col.metric(f"{grade_label(g)}色项目", int(delta.loc[g, "now"]), delta=int(delta.loc[g, "delta"]),
               delta_color="normal" if g == "green" else "inverse", delta_description="较上期", border=True)

if ctx.user.role == "unit":  # a 单位 sees its own projects above, and the district's totals here
    all_counts = call(grades.grade_counts, ctx, filters=None)
    all_money = call(funding.funds_at_risk, ctx, filters=None)
    by = all_counts.set_index("grade")["projects"] if "grade" in all_counts else {}
    st.caption(f"全区合计：项目 {int(all_counts['projects'].sum())} 个，扶贫帮扶资金 {fmt_wan(all_money['total_wan'])} 万元；"
               + "、".join(f"{grade_label(g)} {int(by.get(g, 0))} 个" for g in ("red", "yellow", "green")))

figs = overview_figures(counts, trend, rollup)
left, mid, right = st.columns([1, 1.3, 1.3])
with left:
    st.subheader("风险等级分布")
    st.plotly_chart(figs["donut"], key="ov_donut")
with mid:
    st.subheader("红黄项目趋势（按报送期次）")
    st.plotly_chart(figs["trend"], key="ov_trend")
with right:
    st.subheader("最滞后的五个单位")
    st.plotly_chart(figs["lag"], key="ov_lag")
    st.caption("按逾期未完成的整改时限数排序（同数按按期完成率由低到高），范围随侧栏筛选。")

st.subheader("红色、黄色项目")
table = data["red_yellow"]  # only the 红/黄 rows leave DuckDB
ry = table[table["grade"].isin(["red", "yellow"])].copy()
ry["has_overdue"] = ry["project_code"].isin(late_codes)
ry = (ry.assign(_o=ry["grade"].map({"red": 0, "yellow": 1}))  # red first, overdue first within a grade
      .sort_values(["_o", "has_overdue", "project_code"], ascending=[True, False, True]))
show_table(ry, key="ov_red", file_name="红黄项目.xlsx",
           columns=["project_code", "name", "grade", "town", "department", "tier", "has_overdue", "tier_amount_wan"])

pack_section(ctx)  # 专题会材料: these charts as PNG + 附件3 + 通报
