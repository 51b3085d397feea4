"""Report buttons for the pages (issue #10): 督办单 (整改进度), 催报 (填报情况), 通报 and the 专题会
meeting pack (单位排名与奖惩, 总览). Each section is one call from a page; the work is in
``analytics.orders`` and ``ledger.reports.build``.

Generating a file is a button (it may take seconds: PDF and PNG go through Chromium); its files are
kept in session state for that round and filter set and offered as download buttons until either
changes.
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from ledger import auth
from ui.cache import bump_version, call
from ui.guard import audited, permit
from ui.tables import show_table

_FILES = "_report_files_"
# analytics.orders and ledger.reports.build are imported by the section that uses them: 总览 shows only the
# meeting-pack button, and a process's first page run should not pay for every report builder's imports


def _build():
    from ledger.reports import build

    return build


def _ao():
    from analytics import orders as ao

    return ao

def _tag(ctx) -> str:
    return f"{ctx.as_of}|{ctx.filters!r}"


def _offer(ctx, key: str) -> None:
    """Download buttons for the files last generated under ``key`` (same round and filters only)."""
    kept = st.session_state.get(_FILES + key)
    if not kept or kept[0] != _tag(ctx):
        return
    for i, f in enumerate(kept[1]):
        st.download_button(f"下载 {f.name}", data=audited(lambda f=f: f.data, file_name=f.name, what=key),
                           file_name=f.name, mime=f.mime, key=f"dl_{key}_{i}", on_click="ignore",
                           icon=":material/download:")


def _generate(ctx, key: str, label: str, make) -> None:
    """A button that runs ``make() -> list[OutFile]`` and keeps the files for ``_offer``."""
    if st.button(label, key=f"gen_{key}"):
        build = _build()
        try:
            with st.spinner("正在生成…"):
                st.session_state[_FILES + key] = (_tag(ctx), make())
        except (build.ReportError, build.MediaError, ValueError) as e:
            st.error(str(e))
    _offer(ctx, key)


def orders_section(ctx) -> None:
    """督办单: the units to supervise (with last round's order follow-up), issue one or all, download."""
    st.subheader("督办单")
    ao, build = _ao(), _build()
    lag = call(ao.lagging_units, ctx)
    st.caption("需督办：有逾期未完成时限、超期任务、超过答复时限的企业诉求或销号后反弹项目的填报单位。"
               "回复情况：单位在回复期限前报来下一期台账即为已回复。")
    shown = lag.assign(followup=lag["followup"].map(lambda v: build.FOLLOWUP_LABELS.get(v, "") if v else ""))
    show_table(shown, key="order_units", table="order_units", file_name=f"督办对象_{ctx.as_of}.xlsx")
    lagging = list(lag.loc[lag["lagging"], "unit"])
    if not len(lag):
        st.caption("本期没有需要督办的单位。")
        return
    choices = (["__all__"] if lagging else []) + list(lag["unit"])
    c1, c2, c3 = st.columns(3)
    unit = c1.selectbox("督办单位", choices, key="order_unit", placeholder="请选择",
                        format_func=lambda u: f"全部需督办单位（{len(lagging)}个，打包 .zip）" if u == "__all__" else u)
    by = c2.text_input("签发人", value="区工作专班", key="order_by")
    reply_by = c3.date_input("回复期限", value=ao.default_reply_by(datetime.now().date(), settings=ctx.settings),
                             key="order_reply_by", format="YYYY-MM-DD")
    note = st.text_input("督办要求（可选，印在督办单上）", key="order_note")

    if not auth.can(ctx.user, "issue_orders"):  # 领导 and 单位 see the list, cannot issue
        st.caption("签发督办单由区工作专班办理。")
        return

    def make():
        if permit("issue_orders") is None:  # checked again at the write (a stale page, a disabled user)
            raise ValueError(auth.denied_message(ctx.user, "签发督办单"))
        units = lagging if unit == "__all__" else [unit]
        issued = build.issue(ctx.con, as_of=ctx.as_of, units=units, issued_by=by, at=datetime.now(),
                             reply_by=reply_by, note=note, settings=ctx.settings, audit_user=ctx.user.login)
        bump_version()  # the orders table changed: the table above shows the new numbers on the next run
        st.success("；".join(f"{o.unit} {o.number}" + ("" if o.new else "（已签发过，重印）") for o in issued))
        if unit == "__all__":
            return [build.orders_zip(ctx.con, issued, settings=ctx.settings)]
        return build.order_files(ctx.con, issued, settings=ctx.settings)

    _generate(ctx, "orders", "签发并生成督办单（Excel、HTML、PDF）", make)


def chase_section(ctx) -> None:
    """催报名单 of the round: table, copy text, download."""
    st.subheader("催报名单")
    ao, build = _ao(), _build()
    df = call(ao.chase_list, ctx)
    show_table(df, key="chase", table="chase", file_name=f"催报名单_{ctx.as_of}.xlsx")
    if len(df):
        st.caption("复制（点右上角的复制按钮）：")
        st.code(build.chase_text(df), language=None)
    _generate(ctx, "chase", "生成催报名单（正式格式 Excel、HTML）",
              lambda: build.chase_files(ctx.con, as_of=ctx.as_of))


def bulletin_section(ctx) -> None:
    build = _build()
    st.subheader("通报与专题会材料")
    st.caption("通报按「设置」中保存的权重排名（不用本页滑块的模拟值）；专题会材料含总览图表（PNG）、"
               "附件3 和通报，按侧栏的报送期次与筛选生成。")
    c1, c2 = st.columns(2)
    with c1:
        _generate(ctx, "bulletin", "生成通报（Excel、HTML、PDF）",
                  lambda: build.bulletin_files(ctx.con, as_of=ctx.as_of, settings=ctx.settings))
    with c2:
        pack_section(ctx)


def pack_section(ctx) -> None:
    _generate(ctx, "pack", "生成专题会材料（.zip）",
              lambda: [_build().pack(ctx.con, as_of=ctx.as_of, filters=ctx.filters, settings=ctx.settings)])
