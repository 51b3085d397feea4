"""整改进度: deadline clocks (精准施策 时限, DOMAIN §6), 一项目一方案 task progress, 降级销号 (§8)."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from analytics import clocks, patrol, signoff
from ledger import glossary as g
import charts
from ui.cache import call
from ui.reports import orders_section
from ui.shell import filters_note, page_setup
from ui.tables import show_table

ctx = page_setup("整改进度")

grades = st.multiselect("当前风险等级", ["red", "yellow", "green"], key="clock_grade", placeholder="全部", select_all=False,
                        format_func=lambda c: g.label("grade", c))
# the page's 当前风险等级 joins the sidebar filters, so every table below honours both (e.g. 红 only with the
# sidebar's 乡镇: "the overdue red projects of one township")
f = replace(ctx.filters, grades=tuple(grades))
filters_note(ctx, applies="本页各表均按侧栏筛选和上面的当前风险等级统计",
             ignored="督办单（页末）按全区单位列出，不受筛选影响")
clk = call(clocks.clocks, ctx, filters=f)
CLOCK_COLS = ["project_code", "name", "unit", "tier", "grade", "kind", "start", "due", "met_on", "status",
              "days_left", "days_overdue"]

# 逾期未完成 and 临期 first: what the task force chases today.
overdue = clk[clk["status"] == "overdue"]
due_soon = clk[clk["due_within_warn"].fillna(False).astype(bool)]
warn_days = ctx.settings.get("warn_days", 7)
c1, c2, _ = st.columns([1, 1, 2])
c1.metric("逾期未完成", f"{len(overdue)} 项", border=True)
c2.metric(f"{warn_days}日内到期", f"{len(due_soon)} 项", border=True)
st.markdown("**逾期未完成的整改时限**")
show_table(overdue, key="clocks_overdue", file_name="逾期未完成.xlsx",
           columns=["kind", "due", "days_overdue", "project_code", "name", "town", "grade", "unit"])
st.markdown(f"**{warn_days}日内到期的整改时限**")
show_table(due_soon, key="clocks_due_soon", file_name="临期预警.xlsx",
           columns=["kind", "due", "days_left", "project_code", "name", "town", "grade", "unit"])

pc = call(patrol.patrol_coverage, ctx, filters=f)
st.metric("巡回排查覆盖率（红/黄项目）", "—" if pc["coverage"] is None else f"{pc['coverage']:.0%}",
          help=f"已巡查 {pc['patrolled']} / 应巡查 {pc['due']}（侧栏筛选范围内的红、黄项目）")
if len(pc["missing"]):
    with st.expander(f"尚未巡查的红/黄项目（{len(pc['missing'])} 个）"):
        show_table(pc["missing"], key="patrol_missing", file_name="未巡查红黄项目.xlsx")

st.subheader("整改时限时间轴")
status = st.selectbox("按状态筛选", ["all", *clocks.STATUSES], key="clock_status", placeholder="请选择",
                      format_func=lambda c: "全部" if c == "all" else g.label("clock_status", c))
shown = call(clocks.clocks_by_urgency, ctx, filters=f, status=None if status == "all" else status)
if shown.empty:
    st.caption("（无整改时限）")
else:
    top = st.number_input("时间轴显示最紧迫的前 N 个时限（可调大查看更多）", min_value=1, max_value=len(shown),
                          value=min(20, len(shown)), step=10, key="clock_topn")
    st.caption(f"共 {len(shown)} 个时限，时间轴按紧迫程度显示前 {min(top, len(shown))} 个（逾期最久的在前）；"
               "下表列出全部。")
    urgent = shown.head(int(top))
    bars = urgent.assign(task=[f"{n}｜{g.label('clock_kind', k)}" for n, k in zip(urgent["name"], urgent["kind"])])
    st.plotly_chart(charts.gantt(bars, task="task", start="start", end="due", status="status",
                                 names=g.labels("clock_status"), today=ctx.as_of, y_title="项目｜时限"),
                    key="clock_timeline")
show_table(shown, key="clocks_all", columns=CLOCK_COLS, file_name="整改时限.xlsx")

st.subheader("按期完成率")
cols = st.columns(2)
for col, by, title in ((cols[0], "unit", "按单位"), (cols[1], "tier", "按督办层级")):
    roll = call(clocks.clock_rollup, ctx, by=by, filters=f)
    roll = roll[roll["total"] > 0]
    bars = roll.assign(
        label=[g.label("tier", v) for v in roll[by]] if by == "tier" else roll[by],
        rate_pct=[None if pd.isna(v) else float(v) * 100 for v in roll["on_time_rate"]],
        judged=[f"{a}/{a + b + c}" for a, b, c in zip(roll["on_time"], roll["late"], roll["overdue"])],
    )
    with col:
        st.plotly_chart(charts.bar(bars, x="label", y="rate_pct", text="judged", title=title,
                                   x_title="单位" if by == "unit" else "督办层级", y_title="按期完成率(%)",
                                   height=320), key=f"on_time_{by}")
        show_table(roll, key=f"rollup_{by}", file_name=f"按期完成率_{title}.xlsx")

st.subheader("一项目一方案 任务进度")
show_table(call(clocks.task_progress, ctx, filters=f), key="task_progress", file_name="任务进度.xlsx")

st.subheader("降级销号")
show_table(call(signoff.signoff_records, ctx, filters=f), key="signoff", file_name="降级销号.xlsx")
st.markdown("**销号后反弹（重返红/黄）**")
show_table(call(signoff.reopened, ctx, filters=f), key="reopened", file_name="销号后反弹.xlsx")

orders_section(ctx)  # 督办单: issue, number, download
