"""资金投向 (analysts): nine fund sources × year, money by unit, money at risk, outcome by build year."""
import streamlit as st

from analytics import funding
from ledger import glossary
import charts
from ledger.glossary import GRADE_ORDER
from ui.cache import call
from ui.shell import page_setup
from ui.tables import fmt_pct, fmt_wan, show_table

ctx = page_setup("资金投向")
SOURCES = glossary.FUND_SOURCE_SHORT

risk = call(funding.funds_at_risk, ctx)
c = st.columns(4)
c[0].metric("扶贫帮扶资金（万元）", fmt_wan(risk["total_wan"]), border=True)
c[1].metric("红色项目资金（万元）", fmt_wan(risk["red_wan"]), border=True)
c[2].metric("黄色项目资金（万元）", fmt_wan(risk["yellow_wan"]), border=True)
c[3].metric("风险资金占比", fmt_pct(risk["at_risk_share"]), help="（红＋黄）项目资金 ÷ 全部资金", border=True)

st.subheader("九类资金来源 × 资金年度（2013年以来）")
by_year = call(funding.funding_by_source_year, ctx)
st.plotly_chart(charts.stacked_bar(by_year, x="fund_year", y="amount_wan", series="source", names=SOURCES,
                                   x_title="资金年度", y_title="金额（万元）", legend_title="资金来源"),
                key="fund_source_year")
wide = by_year.pivot(index="fund_year", columns="source", values="amount_wan").reset_index()
srcs = [s for s in by_year["source"].drop_duplicates() if s in wide]
wide = wide[["fund_year"] + srcs].rename(columns={s: f"{s}_wan" for s in srcs})  # _wan: shown as money
show_table(wide, key="fund_source_year", file_name="资金来源_年度.xlsx")

UNIT_BY = {"town": "乡镇", "department": "主管部门", "tier": "督办层级", "category": "项目类别"}
st.subheader("资金按单位分布")
by = st.selectbox("分组", list(UNIT_BY), format_func=UNIT_BY.get, key="fund_by", placeholder="请选择")
units = call(funding.funding_by_unit, ctx, by=by)
shown = units.assign(**{by: [glossary.label("tier", v) if by == "tier" else v for v in units[by]]})
left, right = st.columns([1.4, 1])
with left:
    st.plotly_chart(charts.stacked_bar(shown, x=by, y="amount_wan", series="source", names=SOURCES,
                                       horizontal=True, x_title=UNIT_BY[by], y_title="金额（万元）",
                                       legend_title="资金来源", height=max(320, 36 * shown[by].nunique() + 120)),
                    key="fund_by_unit")
with right:
    show_table(units, key="fund_by_unit", file_name=f"资金_按{UNIT_BY[by]}.xlsx", labels={by: UNIT_BY[by]},
               height=360)

left, right = st.columns([1, 1.6])
with left:
    st.subheader("资金风险构成")
    parts = {"red": risk["red_wan"], "yellow": risk["yellow_wan"],
             "green": risk["total_wan"] - risk["at_risk_wan"]}
    st.plotly_chart(charts.donut([f"{glossary.label('grade', g)}色项目" for g in GRADE_ORDER],
                                 [parts[g] for g in GRADE_ORDER], codes=GRADE_ORDER, grade=True,
                                 center_text="万元"), key="fund_risk_donut")
with right:
    st.subheader("各建设年度项目现状")
    outcome = call(funding.outcome_by_year, ctx)
    long = outcome[["build_year", *GRADE_ORDER]].melt(id_vars="build_year", var_name="grade", value_name="projects")
    st.plotly_chart(charts.stacked_bar(long, x="build_year", y="projects", series="grade", grade=True,
                                       order=GRADE_ORDER, x_title="建设年度", y_title="项目数",
                                       legend_title="当前等级"), key="fund_outcome")
show_table(outcome, key="fund_outcome", file_name="建设年度_项目现状.xlsx")
