"""填报情况: half-monthly submissions per unit (按时/逾期/未报, DOMAIN §9) and what changed since the last round.

Blue/orange/grey: red, yellow and green are reserved for risk grades.
"""
import streamlit as st

from analytics import compliance, interactions
from ledger import glossary as g
from ui.cache import call
from ui.reports import chase_section
from charts import SUBMISSION_COLORS, status_heatmap
from ui.shell import filters_note, page_setup
from ui.tables import show_table

CHANGE_LABELS = g.ROUND_CHANGES

ctx = page_setup("填报情况")
filters_note(ctx, applies="报送情况按侧栏的乡镇、部门选报送单位；期次变化、政企互动按全部筛选",
             ignored="督办层级、类别、建设年度不适用于报送情况（报送按单位，不按项目）；催报名单列出全区应报未报的单位，不受筛选影响")

units = [*ctx.filters.towns, *ctx.filters.departments] or None   # sidebar 乡镇/部门 → reporting units
grid = call(compliance.submission_grid, ctx, units=units)
roll = call(compliance.compliance_rollup, ctx, units=units)

now = call(compliance.round_status, ctx, units=units)
st.subheader(f"本期报送情况（第{ctx.round_no}期 {ctx.as_of.isoformat()}）")
c1, c2, c3 = st.columns(3)
for col, code in zip((c1, c2, c3), ("on_time", "late", "missing")):
    col.metric(f"本期{g.label('submission_status', code)}", f"{int((now['status'] == code).sum())} 个单位")
show_table(now.assign(status_label=[g.submission_label(s, d) for s, d in zip(now["status"], now["days_late"])],
                      contact=now["contact"].fillna("—")),
           key="round_status", table="round_status", columns=["unit", "unit_kind", "status_label", "submitted_on", "contact"],
           file_name="本期报送情况.xlsx")
st.caption("联系人/电话在「设置」中登记；“—”为未登记。")

st.subheader("累计报送情况（自第1期起）")
c1, c2, c3 = st.columns(3)
c1.metric("累计按时", f"{int((grid['status'] == 'on_time').sum())} 次")
c2.metric("累计逾期", f"{int((grid['status'] == 'late').sum())} 次")
c3.metric("累计未报", f"{int((grid['status'] == 'missing').sum())} 次")

st.markdown("**报送情况（单位 × 报送期次）**")
if grid.empty:
    st.caption("（无报送记录）")
else:
    st.plotly_chart(status_heatmap(grid, row="unit", col="due_date", status="status", detail="days_late",
                                   codes=g.labels("submission_status"), colors=SUBMISSION_COLORS),
                    key="submission_grid")
show_table(roll, key="compliance_rollup", table="submissions", file_name="报送情况汇总.xlsx")
with st.expander("逐期明细"):
    show_table(grid, key="submission_detail", file_name="报送明细.xlsx")

chase_section(ctx)  # 催报

st.subheader("与上一期相比的变化")
diff = call(compliance.round_diff, ctx)
cols = st.columns(len(CHANGE_LABELS))
for col, (code, lbl) in zip(cols, CHANGE_LABELS.items()):
    col.metric(lbl, f"{int((diff['change'] == code).sum())} 个")
if len(ctx.rounds) < 2 or ctx.round_no < 2:
    st.caption("只有一期数据，无可比较的上一期。")
show_table(diff, key="round_diff", file_name="期次变化.xlsx")

st.subheader("政企互动")
show_table(call(interactions.interaction_summary, ctx), key="interaction_summary", table="interaction_summary",
           file_name="政企互动汇总.xlsx")
late = call(interactions.interactions, ctx)
late = late[late["overdue_reply"].fillna(False).astype(bool)]
st.markdown(f"**超过 {int(ctx.settings['reply_days'])} 天未答复的诉求建议（{len(late)} 件）**")
show_table(late, key="interactions_overdue", table="interactions", file_name="逾期未答复诉求.xlsx",
           columns=["unit", "project_code", "name", "operator", "raised_on", "channel", "kind", "content", "status",
                    "handler", "days_open"])
