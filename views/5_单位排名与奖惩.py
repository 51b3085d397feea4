"""单位排名与奖惩: unit scores with each metric's contribution, weight/β/cap sliders (not saved), the
衔接资金 allocation simulator and a weight-sensitivity chart (DOMAIN §10, every rule [A])."""
from decimal import Decimal

import pandas as pd
import streamlit as st

from analytics import ranking
from ledger import glossary as g
import charts
from ledger.base_shares import read_base_shares
from ui.cache import call
from ui.reports import bulletin_section
from ui.guard import audited
from ledger.export import dated_file_name, title_lines
from ui.score_explainer import score_explainer
from ui.shell import filters_note, page_setup
from ui.tables import formats, show_table
from ui.xlsx import scenario_xlsx

METRIC_LABELS = g.RANKING_METRICS

ctx = page_setup("单位排名与奖惩")
SCOPE = "全区各单位（排名与分配不按侧栏筛选）"  # what the downloads' title says (#8.4, #8.12)
filters_note(ctx, applies="本页只用侧栏的报送期次",
             ignored="乡镇、部门、督办层级、类别、建设年度筛选不适用：排名、奖惩系数和资金分配在全区所有单位、"
                     "所有项目之间比较（系数以全区平均分为基准）")
W_KEYS = {m: f"w_{m}" for m in ranking.METRICS}


def _defaults() -> dict:
    s = ctx.settings
    return {**{k: int(s["weights"].get(m, 0)) for m, k in W_KEYS.items()},
            "beta": float(s["beta"]), "cap": float(s["cap"]), "p_overdue": float(s["penalty_overdue"]),
            "p_reopened": float(s["penalty_reopened"]), "p_basis": s["penalty_basis"]}


def _reset() -> None:
    st.session_state.update(_defaults())


for k, v in _defaults().items():        # first visit: sliders start at the saved settings
    st.session_state.setdefault(k, v)

with st.expander("权重与奖惩参数（仅用于本页模拟，不保存；保存请到「设置」）", expanded=True):
    cols = st.columns(3)
    for i, (m, k) in enumerate(W_KEYS.items()):
        cols[i % 3].slider(f"权重：{METRIC_LABELS[m]}", 0, 50, step=1, key=k)
    c1, c2, c3 = st.columns([2, 2, 1])
    c1.slider("奖惩系数 β", 0.0, 2.0, step=0.05, key="beta")
    c2.slider("系数上下限 cap", 0.0, 0.5, step=0.01, key="cap")
    c3.button("恢复默认", key="reset_weights", on_click=_reset)
    p1, p2, p3 = st.columns([2, 2, 2])
    p1.slider("每个逾期未完成时限扣分", 0.0, 20.0, step=0.5, key="p_overdue")
    p2.slider("每个反弹项目扣分", 0.0, 20.0, step=0.5, key="p_reopened")
    p3.radio("扣分口径", list(ranking.PENALTY_BASES), key="p_basis", format_func=g.PENALTY_BASIS.get,
             help="按每百个在库项目折算：扣分乘以 100÷单位在库项目数，项目多的单位不因规模大而被扣到 0 分")

settings = {**ctx.settings, "weights": {m: st.session_state[k] for m, k in W_KEYS.items()},
            "beta": st.session_state["beta"], "cap": st.session_state["cap"],
            "penalty_overdue": st.session_state["p_overdue"], "penalty_reopened": st.session_state["p_reopened"],
            "penalty_basis": st.session_state["p_basis"]}
if not sum(settings["weights"].values()):
    st.warning("权重不能全为 0。")
    st.stop()
scores = call(ranking.unit_scores, ctx, settings=settings)

SCORE_COLS = ["rank", "unit", "score", "band", "factor", "penalty", "projects", "overdue", "reopened",
              *[f"contrib_{m}" for m in ranking.METRICS]]
for kind, title in (("department", "项目主管部门排名"), ("township", "乡镇（街道）排名")):
    part = scores[scores["kind"] == kind]
    st.subheader(title)
    if part.empty:
        st.caption("（无数据）")
        continue
    long = part.melt(id_vars=["unit"], value_vars=[f"contrib_{m}" for m in ranking.METRICS],
                     var_name="metric", value_name="points")
    st.plotly_chart(charts.stacked_bar(
        long, x="unit", y="points", series="metric", x_title="单位", y_title="得分（分项贡献）",
        names={f"contrib_{m}": METRIC_LABELS[m] for m in ranking.METRICS}, legend_title="指标",
        height=360), key=f"contrib_{kind}")
    show_table(part, key=f"scores_{kind}", columns=SCORE_COLS, file_name=f"{title}.xlsx", scope=SCOPE)

score_explainer(scores, settings)  # the formulas with the current values, and "why this score" for one unit

bulletin_section(ctx)  # 通报 and the 专题会 pack

# --- allocation simulator ------------------------------------------------------------------------
st.subheader("衔接资金分配模拟")
c1, c2, c3, c4 = st.columns(4)
kind = c1.radio("分配对象", ["department", "township"], key="alloc_kind", horizontal=True,
                format_func=lambda k: g.label("unit_kind", k))
budget_wan = c2.number_input("预算总额（万元）", min_value=0.0, value=1000.0, step=10.0, format="%.2f", key="budget")
units = scores[scores["kind"] == kind]
bottom_k = c3.number_input("末位扣减单位数 k", min_value=0, max_value=max(len(units) // 2, 0), value=0, step=1,
                           key="bottom_k")
cut_wan = c4.number_input("每个末位单位扣减（万元）", min_value=0.0, value=0.0, step=1.0, format="%.2f", key="cut")
upload = st.file_uploader("基数（可选：含“单位”“基数”两列的 .xlsx/.csv，如上年分配额；不上传则平均分配）",
                          type=["xlsx", "csv"], key="base_upload", help="把文件拖到框内，或点“选择文件”；第一行为表头。")
base_shares = None
if upload is not None:
    try:
        base_shares = read_base_shares(upload.name, upload.getvalue())
        base_shares = {u: v for u, v in base_shares.items() if u in set(units["unit"])} or None
    except ValueError as e:
        st.error(str(e))
budget_yuan = int((Decimal(str(budget_wan)) * 10000).to_integral_value())  # 万元 → 元, exact
cut_yuan = int((Decimal(str(cut_wan)) * 10000).to_integral_value())
try:
    alloc = ranking.simulate_allocation(units, budget_yuan=budget_yuan, base_shares=base_shares,
                                        beta=settings["beta"], cap=settings["cap"],
                                        bottom_k=int(bottom_k), cut_yuan=cut_yuan)
except ValueError as e:
    st.error(f"无法模拟：{e}")
    st.stop()

who = "部门" if kind == "department" else "乡镇（街道）"
if len(alloc) and alloc["change_yuan"].min() < 0:
    loser = alloc.loc[alloc["change_yuan"].idxmin()]
    st.markdown(f"按当前权重，减少最多的{who}：**{loser['unit']}**（−{-int(loser['change_yuan']) / 10000:,.2f} 万元）")
else:
    st.markdown(f"按当前权重，没有{who}减少。")
st.plotly_chart(charts.bar(alloc.assign(change_wan=alloc["change_yuan"] / 10000), x="unit", y="change_wan",
                           x_title="单位", y_title="较基数变化（万元）", height=340), key="alloc_change")
ALLOC_COLS = ["rank", "unit", "score", "factor", "base_share", "base_yuan", "alloc_yuan", "adjust_yuan",
              "change_yuan", "change_pct"]
shown = show_table(alloc, key="allocation", columns=ALLOC_COLS, file_name="分配结果.xlsx", scope=SCOPE)
st.caption(f"合计分配 {int(alloc['alloc_yuan'].sum()):,} 元 = 预算 {budget_yuan:,} 元")

params = pd.DataFrame(
    [(f"权重：{METRIC_LABELS[m]}", settings["weights"][m]) for m in ranking.METRICS]
    + [("每个逾期未完成时限扣分", settings["penalty_overdue"]), ("每个反弹项目扣分", settings["penalty_reopened"]),
       ("扣分口径", g.PENALTY_BASIS[settings["penalty_basis"]]),
       ("奖惩系数 β", settings["beta"]), ("系数上下限 cap", settings["cap"]), ("分配对象", who),
       ("预算总额（元）", budget_yuan), ("基数", "上传" if base_shares else "平均"),
       ("末位扣减单位数 k", int(bottom_k)), ("每个末位单位扣减（元）", cut_yuan),
       ("数据截至", ctx.as_of.isoformat())], columns=["参数", "值"])
st.download_button("下载本方案（Excel：参数 + 分配结果）", key="dl_scenario", on_click="ignore",
                   data=audited(lambda: scenario_xlsx(params, shown, formats=formats(alloc, columns=ALLOC_COLS),
                                                      title=title_lines("衔接资金分配模拟方案", round_no=ctx.round_no,
                                                                        round_date=ctx.as_of, scope=SCOPE)),
                                file_name=(scen_name := dated_file_name("分配模拟方案.xlsx", ctx.as_of)), what="scenario"),
                   file_name=scen_name,
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# --- sensitivity -----------------------------------------------------------------------------------
st.subheader("权重敏感性")
metric = st.selectbox("变动哪个指标的权重", list(ranking.METRICS), key="sens_metric", placeholder="请选择",
                      format_func=lambda m: METRIC_LABELS[m])
sens = call(ranking.weight_sensitivity, ctx, metric=metric, settings=settings)
sens = sens[sens["kind"] == kind]
st.plotly_chart(charts.trend_lines(sens, x="weight", y="score", series="unit", x_title=f"{METRIC_LABELS[metric]}权重",
                                   y_title="得分S"), key="sensitivity")
st.plotly_chart(charts.trend_lines(sens, x="weight", y="rank", series="unit", x_title=f"{METRIC_LABELS[metric]}权重",
                                   y_title="排名（1=最好）"), key="sensitivity_rank")
