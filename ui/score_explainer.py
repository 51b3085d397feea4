"""单位排名与奖惩 explains itself (#8.10): the score S, β, cap and 等次 as formulas with the values in use
(the page's sliders, which start at the saved 设置), the weight total and how weights are normalised,
and for one chosen unit "why this score" (``analytics.ranking.explain_score``)."""
from __future__ import annotations

import streamlit as st

from analytics import ranking
from ledger import columns as C
from ledger import glossary as g
from ui.tables import show_table


def _num(x: float) -> str:
    """12.0 → '12', 0.05 → '0.05', 78.375 → '78.375' (formula values as a reader would write them)."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def _raw_text(part: str, raw) -> str:
    if C.is_missing(raw):
        return "—"
    if part in ("penalty_overdue", "penalty_reopened"):
        return f"{int(raw)} 个"
    if part == "linkage":
        return f"{raw:.4f} 户/万元"
    return C.render(raw, C.COLUMNS["share"])


def score_explainer(scores, settings: dict) -> None:
    st.subheader("得分怎么算")
    w = settings["weights"]
    total = sum(float(v) for v in w.values())
    bands = settings["bands"]
    st.markdown(
        "每个单位在本类（项目主管部门、乡镇（街道）分别排名）内计分。各指标先化为 0—1 的计分值 $x_m$"
        "（占比类即原值；暂无可评价数据的按 1 计；联农带农按本类最小—最大值归一），再按权重加权：")
    per_100 = settings.get("penalty_basis", "per_item") == "per_100_projects"
    pen = (r"\bigl(p_{\text{逾期}}\,n_{\text{逾期}}+p_{\text{反弹}}\,n_{\text{反弹}}\bigr)\times\frac{100}{n_{\text{项目}}}"
           if per_100 else r"p_{\text{逾期}}\,n_{\text{逾期}}\;-\;p_{\text{反弹}}\,n_{\text{反弹}}")
    st.latex(r"S=\min\Bigl(100,\ \max\bigl(0,\ \sum_m \frac{w_m}{\sum w}\times 100\times x_m"
             r"\;-\;" + pen + r"\bigr)\Bigr)")
    shares = "，".join(f"{g.RANKING_METRICS[m]} {_num(float(w.get(m, 0)))}（{float(w.get(m, 0)) / total:.1%}）"
                      for m in ranking.METRICS)
    st.markdown(
        f"当前权重合计 $\\sum w = {_num(total)}$（不必等于 100：每项权重除以合计，占比之和总是 100%）：{shares}。"
        f"扣分：每个逾期未完成时限 $p_{{\\text{{逾期}}}} = {_num(float(settings['penalty_overdue']))}$ 分，"
        f"每个销号后反弹项目 $p_{{\\text{{反弹}}}} = {_num(float(settings['penalty_reopened']))}$ 分"
        + ("，再乘以 100 ÷ 本单位在库项目数 $n_{\\text{项目}}$（按每百个在库项目折算，项目多的单位与项目少的单位可比）。"
           if per_100 else "（按个数扣分）。"))
    beta, cap = float(settings["beta"]), float(settings["cap"])
    st.latex(rf"f=\min\Bigl({_num(1 + cap)},\ \max\bigl({_num(1 - cap)},\ 1+{_num(beta)}\times"
             r"\frac{S-\bar S}{100}\bigr)\Bigr)\qquad(\beta=" + _num(beta) + r",\ \text{cap}=" + _num(cap) + ")")
    st.markdown(
        f"$\\bar S$ 为本类单位得分的平均值。等次：优 $S \\ge {_num(float(bands['excellent']))}$；"
        f"良 ${_num(float(bands['good']))} \\le S < {_num(float(bands['excellent']))}$；"
        f"中 ${_num(float(bands['fair']))} \\le S < {_num(float(bands['good']))}$；差 $S < {_num(float(bands['fair']))}$。"
        "以上为本页当前取值（滑块默认即「设置」中保存的值）。")

    if scores.empty:
        return
    keys = list(zip(scores["kind"], scores["unit"]))
    chosen = st.selectbox("为什么是这个得分：选择单位", keys, key="explain_unit", placeholder="请选择",
                          format_func=lambda k: f"{k[1]}（{g.label('unit_kind', k[0])}）")
    if chosen is None:
        return
    parts, s = ranking.explain_score(scores, unit=chosen[1], kind=chosen[0], settings=settings)
    shown = parts.assign(raw_text=[_raw_text(p, r) for p, r in zip(parts["part"], parts["raw"])])
    show_table(shown, key="score_explain", table="score_explain",
               columns=["part", "raw_text", "basis", "norm", "weight", "weight_share", "max_points", "points"],
               file_name=f"得分说明_{chosen[1]}.xlsx")
    per100_note = (f"（{s['projects']} 个在库项目，按每百个折算：扣分 × 100 ÷ {s['projects']}）"
                   if s["penalty_basis"] == "per_100_projects" and s["projects"] else "")
    terms = " + ".join(_num(round(p, 4)) for p in parts["points"][: len(ranking.METRICS)])
    clip = "" if s["unclipped"] == s["score"] else f"，限定在 0—100 之间 → {_num(round(s['score'], 4))}"
    st.markdown(
        f"**{s['unit']}**：{terms} = {_num(round(s['subtotal'], 4))} 分，扣 {_num(round(s['penalty'], 4))} 分{per100_note} → "
        f"{_num(round(s['unclipped'], 4))}{clip}，即 S = **{_num(round(s['score'], 4))}**（{g.label('band', s['band'])}，"
        f"本类第 {s['rank']} 名 / {s['units_in_kind']} 个）。本类平均 $\\bar S$ = {_num(round(s['mean'], 4))}，"
        f"f = 1 + {_num(s['beta'])} × ({_num(round(s['score'], 4))} − {_num(round(s['mean'], 4))}) / 100 = "
        f"{s['factor_unclipped']:.4f}" + ("" if s["factor"] == s["factor_unclipped"] else f"，限定后 {s['factor']:.4f}") + "。")
