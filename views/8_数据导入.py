"""数据导入: upload ledgers, preview a dry run (counts, first rows, problems), confirm, import history.

Works on an empty database. The flow itself is ``ledger.uploads.run_import`` (tested without a browser).
"""
from datetime import date

import streamlit as st

from analytics import base
from analytics.imports import import_history
from ledger import glossary as g
from ledger.uploads import outcome_summary, problems_frame, run_import
from ui.cache import bump_version, call
from ui.connection import get_con
from ui.shell import page_setup
from ui.tables import show_table

_PREVIEW = "_import_preview"   # (upload signature, outcomes of the dry run)
_DONE = "_import_done"         # outcomes of the last real import (shown after the rerun)


def _confirm(uploads, round_date, unit) -> None:
    """The real import, as a button callback: it runs before the rerun, so the sidebar of that rerun
    already lists the new round and can be moved to the newest one."""
    result = run_import(get_con(), uploads, dry_run=False, round_date=round_date, unit=unit, with_preview=False)
    bump_version()                                   # every page recomputes from the new data
    st.session_state.pop(_PREVIEW, None)
    st.session_state[_DONE] = result
    newest = base.round_in_force(get_con(), as_of=date.max)
    if newest is not None and any(o.result.status == "accepted" for o in result):
        st.session_state["sb_round"] = newest        # the sidebar moves to the newest round


ctx = page_setup("数据导入", needs_data=False)
st.markdown("上传乡镇（街道）或项目主管部门报送的台账（附件1/2/5、降级销号表、政企互动台账）。先预检，没有错误的文件"
            "确认后整体导入；有错误的文件不会写入任何数据。同一单位同一期次再次导入时替换原数据。")

files = st.file_uploader("上传台账 Excel（.xlsx / .xls，可多选）", type=["xlsx", "xls"],
                         accept_multiple_files=True, key="upload")
c1, c2 = st.columns(2)
with c1:
    round_override = st.date_input("指定报送期次（可选，默认从标题/文件名/填报日期识别）", value=None,
                                   key="round_override", min_value=date(2013, 1, 1))
with c2:
    unit_override = st.selectbox("指定填报单位（可选，默认从“填报单位”识别）", [*g.TOWNS, *g.DEPARTMENTS],
                                 index=None, key="unit_override", placeholder="自动识别")

done = st.session_state.pop(_DONE, None)
if done:
    ok = [o for o in done if o.result.status == "accepted"]
    if ok:
        rounds = "、".join(sorted({o.result.round_date.isoformat() for o in ok}))
        st.success(f"已导入 {len(ok)} 个文件（报送期次 {rounds}），各页面已更新。")
    show_table(outcome_summary(done, done=True), key="import_result", table="import_outcome", file_name="导入结果.xlsx")

if files:
    sig = (tuple((f.file_id, f.name, f.size) for f in files), round_override, unit_override)
    cached = st.session_state.get(_PREVIEW)
    if cached is None or cached[0] != sig:
        with st.status("正在解析台账…", expanded=True) as box:
            bar = st.progress(0.0, text="开始")

            def _progress(i, n, name):
                bar.progress(i / n if n else 1.0, text=f"{i}/{n} {name}" if name else "完成")

            outcomes = run_import(ctx.con, [(f.name, f.getvalue()) for f in files], dry_run=True,
                                  round_date=round_override, unit=unit_override, on_progress=_progress)
            box.update(label="解析完成", state="complete", expanded=False)
        st.session_state[_PREVIEW] = (sig, outcomes)
    else:
        outcomes = cached[1]

    st.subheader("预检结果")
    show_table(outcome_summary(outcomes), key="import_preview", table="import_outcome", file_name="预检结果.xlsx")
    for o in outcomes:
        with st.expander(f"{o.file_name}：前几行", expanded=False):
            for sheet, df in o.preview.items():
                st.caption(sheet)
                st.dataframe(df, hide_index=True)
    probs = problems_frame(outcomes)
    st.subheader(f"问题清单（{len(probs)} 条）")
    show_table(probs, key="import_problems", file_name="导入问题清单.xlsx")

    ready = [f for f, o in zip(files, outcomes) if o.result.status == "accepted"]
    if len(ready) < len(files):
        st.warning(f"{len(files) - len(ready)} 个文件不会导入（有错误，或与上次导入的文件相同）。")
    st.button(f"确认导入 {len(ready)} 个文件", key="confirm_import", type="primary", disabled=not ready,
              on_click=_confirm, args=([(f.name, f.getvalue()) for f in ready], round_override, unit_override))

st.subheader("导入记录")
hist = call(import_history, ctx, limit=200)
show_table(hist, key="import_history", file_name="导入记录.xlsx")
