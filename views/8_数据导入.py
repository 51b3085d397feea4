"""数据导入: upload ledgers (many files or a .zip of one round), preview a dry run (a status per file,
first rows, problems, the round's missing units), ask for the unit of files without a 填报单位, map odd
headers, confirm; blank templates to download; import history.

The flow is ``ledger.uploads.run_import`` (per file, all-or-nothing); statuses, zips and missing units are in
``ledger.batch``, units and column mappings in ``ledger.intake`` (all tested without a browser).
"""
import functools
from datetime import date, datetime

import streamlit as st

from analytics import base
from analytics.imports import import_history
from ledger import batch as B
from ledger import glossary as g
from ledger import intake as IN
from ledger import templates as T
from ledger.uploads import problems_frame, run_import
from ui.cache import bump_version, call
from ui.connection import get_con
from ui.guard import permit
from ui.shell import filters_note, page_setup, round_label
from ui.tables import show_table
from ui.warm import warm_server

_PREVIEW = "_import_preview"   # (upload signature, outcomes of the dry run)
_DONE = "_import_done"         # outcomes of the last real import (shown after the rerun)
_GEN = "_upload_gen"           # the uploader's key suffix: a new key after an import empties it (#8.14)


def _check(con, uploads, round_date, units, **kw):
    """One run_import per file, each with its own unit (the override, a unit chosen here, or auto)."""
    return [o for (name, data), u in zip(uploads, units)
            for o in run_import(con, [(name, data)], round_date=round_date, unit=u, **kw)]


def _confirm(uploads, round_date, units, allow_shrink=False) -> None:
    """The real import, as a button callback: it runs before the rerun, so the sidebar of that rerun
    already lists the new round and can be moved to the newest one. The role is checked again here
    (and the importer checks a 单位's rows again)."""
    user = permit("import")
    if user is None:
        return
    result = _check(get_con(), uploads, round_date, units, dry_run=False, with_preview=False,
                    allow_shrink=allow_shrink, imported_by=user.login, as_user=user)
    bump_version()                                   # every page recomputes from the new data
    warm_server()   # …in the background, for the pages people visited (ui.warm; once per data version)
    st.session_state.pop(_PREVIEW, None)
    st.session_state[_DONE] = result
    st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1   # the preview clears: the uploader is new
    newest = base.round_in_force(get_con(), as_of=date.max)
    if newest is not None and any(o.result.status == "accepted" for o in result):
        st.session_state["sb_round"] = newest        # the sidebar moves to the newest round


def _save_map(unit, mapping) -> None:
    user = permit("column_map")
    if user is None or (user.role == "unit" and unit != user.unit):
        return
    IN.save_column_map(get_con(), unit, {h: f for h, f in mapping.items() if f}, by=user.login,
                       at=datetime.now().replace(microsecond=0))
    bump_version()
    st.session_state.pop(_PREVIEW, None)


def _missing(con, reports) -> None:
    for d, units in B.round_missing(con, reports).items():
        st.info(f"{d} 期未报送（{len(units)} 个单位）：{'、'.join(units) if units else '无'}")


ctx = page_setup("数据导入", needs_data=False)
filters_note(ctx, applies="本页不按侧栏筛选", ignored="导入、预检和导入记录针对全部单位")
st.markdown("上传乡镇（街道）、项目主管部门或区工作专班报送的台账（附件1/2/5、降级销号表、政企互动台账，或一张表的"
            "综合台账），可多选或上传一期的 .zip。先预检，没有错误的文件确认后逐个整体导入；有错误的文件不会写入任何"
            "数据。同一单位同一期次再次导入时替换原数据。")
with st.expander("下载空白模板（带下拉选项，填好即可导入）"):
    for col, (kind, label) in zip(st.columns(len(T.KINDS)), T.KINDS.items()):
        col.download_button(label, functools.partial(T.template_bytes, kind), file_name=T.FILE_NAMES[kind], key=f"tpl_{kind}",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")

files = st.file_uploader("上传台账 Excel（.xlsx / .xls，可多选）或一期的 .zip", type=["xlsx", "xls", "xlsm", "zip"],
                         accept_multiple_files=True, key=f"upload_{st.session_state.get(_GEN, 0)}",
                         help="把文件拖到框内，或点按钮选择文件；每个文件不超过 200MB。")
known = IN.known_units(ctx.con) if ctx.user.role != "unit" else [ctx.user.unit]  # a 单位 sends its own only
c1, c2 = st.columns(2)
with c1:
    round_override = st.date_input("指定报送期次（可选，默认从标题/文件名/填报日期识别）", value=None,
                                   key="round_override", min_value=date(2013, 1, 1), format="YYYY-MM-DD")
with c2:
    unit_override = st.selectbox("指定填报单位（可选，默认从“填报单位”、文件名或各行的乡镇/主管部门识别）", known,
                                 index=None, key="unit_override", placeholder="自动识别")

allow_shrink = st.checkbox("确认允许项目减少（台账没有数据行，或本单位项目比上期减少较多时需勾选）", value=False,
                           key="allow_shrink")

done = st.session_state.pop(_DONE, None)
if done:
    ok = [o for o in done if o.result.status == "accepted"]
    if ok:
        rounds = "、".join(sorted({o.result.round_date.isoformat() for o in ok}))
        n_proj = B.imported_projects(ctx.con, [o.result.import_id for o in ok])
        lines = [f"- {o.file_name}：{o.result.unit}，{round_label(o.result.round_date, ctx.rounds)}，"
                 f"{n_proj.get(o.result.import_id, 0)} 个项目（{o.result.accepted} 行）" for o in ok]
        st.success(f"已导入 {len(ok)} 个文件（报送期次 {rounds}），各页面已更新：\n" + "\n".join(lines))
    reports = [B.report(o.file_name, o.result) for o in done]
    show_table(B.summary_frame(reports, done=True), key="import_result", table="import_outcome",
               file_name="导入结果.xlsx")
    _missing(ctx.con, reports)

if files:
    try:
        uploads = B.expand_uploads([(f.name, f.getvalue()) for f in files])
    except ValueError as e:
        st.error(str(e))
        st.stop()
    chosen = [unit_override or st.session_state.get(f"unit_for_{i}") for i in range(len(uploads))]
    sig = (tuple((f.file_id, f.name, f.size) for f in files), round_override, tuple(chosen), allow_shrink)
    cached = st.session_state.get(_PREVIEW)
    if cached is None or cached[0] != sig:
        with st.spinner("正在解析台账…"):
            outcomes = _check(ctx.con, uploads, round_override, chosen, dry_run=True, allow_shrink=allow_shrink,
                              imported_by=ctx.user.login, as_user=ctx.user)
        st.session_state[_PREVIEW] = (sig, outcomes)
    else:
        outcomes = cached[1]
    reports = [B.report(o.file_name, o.result) for o in outcomes]

    st.subheader("预检结果")
    show_table(B.summary_frame(reports), key="import_preview", table="import_outcome", file_name="预检结果.xlsx")
    for i, ((name, _d), r) in enumerate(zip(uploads, reports)):
        if r.status == "unit_unknown" or st.session_state.get(f"unit_for_{i}"):
            st.selectbox(f"{name}：没有“填报单位”，请选择报送单位", known, index=None, key=f"unit_for_{i}",
                         placeholder="选择单位")
        heads = IN.unmapped_headers(r.result.problems)
        if heads and r.result.unit:
            with st.expander(f"{name}：{len(heads)} 个未识别的列，可对应到字段（为{r.result.unit}保存，以后自动使用）"):
                choices = IN.field_choices()
                opts = ["", IN.IGNORE, *choices]
                mapping = {h: st.selectbox(h, opts, key=f"map_{i}_{h}", placeholder="请选择",
                                           format_func=lambda v: {"": "（不处理）", IN.IGNORE: "忽略"}.get(v, choices.get(v, v)))
                           for h in heads}
                st.button("保存列映射并重新预检", key=f"map_save_{i}", on_click=_save_map,
                          args=(r.result.unit, mapping), disabled=not any(mapping.values()))
    _missing(ctx.con, reports)
    for o in outcomes:
        with st.expander(f"{o.file_name}：前几行", expanded=False):
            for sheet, df in o.preview.items():
                st.caption(sheet)
                st.dataframe(df, hide_index=True, placeholder="—")
    for r in reports:   # one message per file that will not be imported, each saying why (#8.14)
        if r.status == "unchanged":
            st.info(f"{r.file}：与上次导入的文件相同（{r.result.unit or ''} {r.result.round_date or ''} 已导入过完全相同的文件），"
                    "无需再导入。", icon="ℹ️")
        elif r.status == "rejected":
            st.error(f"{r.file}：有错误，不能导入（数据库未改动）。" + ("首要问题：" + "；".join(r.problems) if r.problems else ""))
        elif r.status == "unit_unknown":
            st.warning(f"{r.file}：无法确定填报单位，请在上面选择报送单位。")
    probs = problems_frame(outcomes)
    errors = probs[probs["severity"] == "error"]
    notes = probs[probs["severity"] != "error"]
    st.subheader(f"问题清单（错误 {len(errors)} 条）")
    if len(errors):
        show_table(errors, key="import_problems", file_name="导入错误清单.xlsx")
    else:
        st.caption("没有错误。")
    n_warn, n_info = int((notes["severity"] == "warning").sum()), int((notes["severity"] == "info").sum())
    with st.expander(f"警告与提示（警告 {n_warn} 条，提示 {n_info} 条）", expanded=False):
        sev = st.multiselect("显示", ["warning", "info"], default=["warning", "info"], key="import_note_sev",
                             format_func=lambda c: g.label("severity", c), placeholder="请选择严重程度",
                             select_all=False)
        show_table(notes[notes["severity"].isin(sev)], key="import_notes", file_name="导入警告与提示.xlsx")

    ready = [(u, c) for u, c, o in zip(uploads, chosen, outcomes) if o.result.status == "accepted"]
    st.button(f"确认导入 {len(ready)} 个文件", key="confirm_import", type="primary", disabled=not ready,
              on_click=_confirm, args=([u for u, _c in ready], round_override, [c for _u, c in ready], allow_shrink))

st.subheader("导入记录")
hist = call(import_history, ctx, limit=200, unit=ctx.user.unit if ctx.user.role == "unit" else None)
show_table(hist, key="import_history", file_name="导入记录.xlsx")
