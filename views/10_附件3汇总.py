"""附件3 汇总表: the per-乡镇 (or per-部门) summary the task force sends to the city, with 合计."""
import streamlit as st

from analytics import annex3
from ledger.export import annex3_xlsx
from ui.cache import call
from ui.guard import audited
from ui.shell import page_setup
from ui.tables import show_table

ctx = page_setup("附件3 汇总表")

BY = {"town": "乡镇(街道)", "department": "项目主管部门"}
by = st.radio("汇总口径", list(BY), format_func=BY.get, key="annex3_by", horizontal=True)
table = call(annex3.annex3, ctx, by=by)
st.caption("按侧栏筛选汇总；合计行为上方各行之和。已销号不含销号后又转回红/黄的项目（计入“反弹”）。")
show_table(table, key="annex3", table="annex3", file_name=f"附件3汇总表_{BY[by]}.xlsx")
st.download_button(
    "下载附件3（正式格式：标题、填报单位、合计行）",
    data=audited(lambda: annex3_xlsx(table, annex3.ANNEX3_LABELS, as_of=ctx.as_of, round_no=ctx.round_no,
                                     by_label=BY[by], filters=ctx.filters),
                 file_name=(name := f"附件3_帮扶产业项目帮扶提升汇总表_{ctx.as_of.isoformat()}_{BY[by]}.xlsx"),
                 what="annex3"),
    file_name=name, on_click="ignore",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_annex3_official",
)
