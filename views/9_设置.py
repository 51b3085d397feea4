"""设置: every [A] assumption (DOMAIN), visible and editable by the task force. Saving changes the data
version, so every page recomputes."""
from datetime import date, datetime

import pandas as pd
import streamlit as st

from ledger import glossary
from ledger.settings import CHOICES, DEFAULTS, LABELS, contacts_text, parse_contacts, reset_settings, save_settings
from ui.cache import bump_version
from ui.guard import permit, show_denied
from ui.shell import filters_note, page_setup
from ui.tables import show_table

ctx = page_setup("设置", needs_data=False)
filters_note(ctx, applies="本页不按侧栏筛选", ignored="设置对全区所有页面生效")
cur = ctx.settings
WEIGHT_LABELS = glossary.RANKING_METRICS  # the same names as on 单位排名与奖惩
BAND_LABELS = {k: glossary.label("band", k) for k in DEFAULTS["bands"]}
BASIS = {**glossary.AMOUNT_BASIS, **glossary.PENALTY_BASIS}  # the coded choices, shown by their labels


def show(v):
    if isinstance(v, dict) and (not v or set(v) - set(WEIGHT_LABELS) - set(BAND_LABELS)):  # unit_contacts
        return "；".join(f"{k}：{x}" for k, x in v.items()) or "（未登记）"
    if isinstance(v, dict):
        return "；".join(f"{WEIGHT_LABELS.get(k, BAND_LABELS.get(k, k))}={x}" for k, x in v.items())
    if isinstance(v, list):
        return "、".join(glossary.label("signoff_checklist", x) for x in v)
    return BASIS.get(v, str(v)) if isinstance(v, str) else str(v)


st.subheader("当前设置")
overview = [{"item": LABELS.get(k, k), "value": show(cur[k]), "default": show(DEFAULTS[k]),
             "changed": "是" if cur[k] != DEFAULTS[k] else ""} for k in DEFAULTS]
show_table(pd.DataFrame(overview), key="set_overview", table="settings", file_name="设置.xlsx")

st.subheader("修改")
new = {}
with st.form("settings_form"):
    a, b = st.columns(2)
    with a:
        new["tier_amount_basis"] = st.selectbox(
            LABELS["tier_amount_basis"], ["funds", "total_investment"], key="set_tier_amount_basis",
            index=["funds", "total_investment"].index(cur["tier_amount_basis"]),
            format_func=BASIS.get, placeholder="请选择")
        for k in ("tier_lower_wan", "tier_upper_wan"):
            new[k] = st.number_input(LABELS[k], min_value=0, value=int(cur[k]), step=100, key=f"set_{k}")
        new["default_clock_start"] = st.date_input(
            LABELS["default_clock_start"], value=date.fromisoformat(cur["default_clock_start"]),
            key="set_default_clock_start", format="YYYY-MM-DD").isoformat()
        for k in ("red_progress_months", "red_operation_months", "yellow_fix_months", "warn_days", "reply_days",
                  "order_reply_days"):
            new[k] = st.number_input(LABELS[k], min_value=0, value=int(cur[k]), step=1, key=f"set_{k}")
        new["revenue_threshold_wan"] = st.number_input(LABELS["revenue_threshold_wan"],
                                                       value=float(cur["revenue_threshold_wan"]),
                                                       step=1.0, key="set_revenue_threshold_wan")
        if float(new["revenue_threshold_wan"]).is_integer():
            new["revenue_threshold_wan"] = int(new["revenue_threshold_wan"])
    with b:
        st.markdown(f"**{LABELS['weights']}**")
        new["weights"] = {m: st.number_input(WEIGHT_LABELS.get(m, m), min_value=0, value=int(w), step=5,
                                             key=f"set_w_{m}") for m, w in cur["weights"].items()}
        for k, step in (("penalty_overdue", 0.5), ("penalty_reopened", 0.5), ("beta", 0.05), ("cap", 0.05)):
            new[k] = st.number_input(LABELS[k], min_value=0.0, value=float(cur[k]), step=step, key=f"set_{k}")
        new["penalty_basis"] = st.selectbox(
            LABELS["penalty_basis"], list(CHOICES["penalty_basis"]), key="set_penalty_basis",
            index=list(CHOICES["penalty_basis"]).index(cur["penalty_basis"]), format_func=BASIS.get,
            placeholder="请选择", help="按个数：每个逾期时限、每个反弹项目扣固定分；按每百个在库项目折算：同样的分数乘以"
                                     "100÷单位在库项目数，项目多的单位不因规模大而被扣到 0 分。")
        st.markdown(f"**{LABELS['bands']}**")
        new["bands"] = {k: st.number_input(BAND_LABELS[k], min_value=0, max_value=100, value=int(v),
                                           key=f"set_b_{k}") for k, v in cur["bands"].items()}
    st.markdown("**登录与演示模式**")
    d1, d2, d3, d4 = st.columns(4)
    for col, k in zip((d1, d2, d3), ("session_idle_minutes", "signin_max_failures", "signin_lock_minutes")):
        new[k] = col.number_input(LABELS[k], min_value=1, value=int(cur[k]), step=1, key=f"set_{k}")
    new["demo_mode"] = d4.checkbox(LABELS["demo_mode"], value=bool(cur["demo_mode"]), key="set_demo_mode",
                                   help="关闭后演示账号停用、登录页不再列出")
    new["signoff_checklist"] = st.multiselect(
        LABELS["signoff_checklist"], list(glossary.SIGNOFF_CHECKLIST), default=cur["signoff_checklist"],
        format_func=lambda c: glossary.label("signoff_checklist", c), key="set_signoff_checklist",
        placeholder="请选择", select_all=False)
    contacts = st.text_area(LABELS["unit_contacts"], value=contacts_text(cur["unit_contacts"]), key="set_unit_contacts",
                            placeholder="桂岭镇=张三 0774-0000000", help="显示在「填报情况」的本期报送情况中；未登记的单位显示“—”。")
    saved = st.form_submit_button("保存设置", type="primary", key="set_save")

if saved and (user := permit("settings")) is not None:  # checked again at the write
    try:
        new["unit_contacts"] = parse_contacts(contacts)
    except ValueError as e:
        st.error(str(e))
        st.stop()
    changed = save_settings(ctx.con, new, cur, by=user.login, at=datetime.now())
    bump_version()
    st.session_state["_set_msg"] = f"已保存 {len(changed)} 项设置。" if changed else "设置没有变化。"
    st.rerun()

if st.button("全部恢复默认", key="set_reset") and (user := permit("settings")) is not None:
    reset_settings(ctx.con, by=user.login, at=datetime.now())
    bump_version()
    for k in [k for k in st.session_state if str(k).startswith("set_")]:
        del st.session_state[k]
    st.session_state["_set_msg"] = "已恢复默认设置。"
    st.rerun()

if msg := st.session_state.pop("_set_msg", None):
    st.success(msg)
show_denied()
