"""风险分级 (task force): grade distribution by a dimension, initial → current flows, tiers, sensitive
projects and the consistency ("false green") check."""
import streamlit as st

from analytics import consistency, grades, sensitive, tiers
from ledger import glossary
import charts
from ledger.glossary import GRADE_ORDER
from ui.cache import call
from ui.shell import page_setup
from ui.tables import show_query_table, show_table

ctx = page_setup("风险分级")

DIMS = {"town": "乡镇", "department": "主管部门", "tier": "督办层级", "category": "项目类别",
        "build_year": "建设年度", "source": "资金来源"}
DIM_KIND = {"tier": "tier", "source": "fund_source"}  # dimensions whose values are codes

dim = st.selectbox("分布维度", list(DIMS), format_func=DIMS.get, key="risk_dim", placeholder="请选择")
by_dim = call(grades.grade_counts, ctx, by=dim)
shown = by_dim.assign(**{dim: [glossary.label(DIM_KIND[dim], v) if dim in DIM_KIND else str(v)
                               for v in by_dim[dim]]})
st.plotly_chart(charts.stacked_bar(shown, x=dim, y="projects", series="grade", grade=True, order=GRADE_ORDER,
                                   x_title=DIMS[dim], y_title="项目数", legend_title="风险等级"),
                key="risk_by_dim")
if dim == "source":
    st.caption("按资金来源统计时，一个项目计入其每一种资金来源，合计可大于项目数。")
show_table(by_dim, key="risk_by_dim", file_name=f"风险等级_按{DIMS[dim]}.xlsx", labels={dim: DIMS[dim]})

left, right = st.columns(2)
with left:
    st.subheader("初始等级 → 当前等级")
    flows = call(grades.grade_transitions, ctx)
    st.plotly_chart(charts.sankey(flows, source="initial_grade", target="grade", value="projects"),
                    key="risk_sankey")
    show_table(flows, key="risk_flows", file_name="等级变化.xlsx", labels={"grade": "当前等级"})
with right:
    st.subheader("分级负责（督办层级）")
    show_table(call(tiers.tier_counts, ctx), key="risk_tier_counts", file_name="督办层级统计.xlsx")

st.subheader("项目分级负责明细")
show_query_table(ctx, tiers.tier_table, tiers.tier_table_size, key="risk_tier_table", file_name="分级负责明细.xlsx",
                 height=320)

st.subheader("敏感问题项目及预处理")
sens = call(sensitive.sensitive_projects, ctx)
if sens.empty:
    st.caption("无涉及违法违规占用耕地或“两高两道”沿线的项目。")
show_table(sens, key="risk_sensitive", file_name="敏感问题项目.xlsx")

st.subheader("等级与事实不一致（“假绿”等）")
st.caption("报送等级与问题类型或建设运营状态不符的项目，一行一个原因。")
show_table(call(consistency.false_greens, ctx), key="risk_false_green", file_name="等级不一致.xlsx",
           columns=["project_code", "name", "unit", "town", "department", "grade", "reason_code"])
