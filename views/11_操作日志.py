"""操作日志 (工作专班): the audit trail — every import, rejection, export, settings change, sign-in and
督办单 — filtered by action, user and date, and downloaded as .xlsx (ui.tables.show_table → the one
safe export writer, ledger.export.frames_xlsx)."""
from datetime import date, timedelta

import streamlit as st

from ledger import audit, glossary
from ui.shell import page_setup
from ui.tables import show_table

ctx = page_setup("操作日志", needs_data=False)
users = audit.logins(ctx.con)
c1, c2, c3 = st.columns([2, 1, 1.4])
actions = c1.multiselect("操作", list(glossary.AUDIT_ACTIONS), key="audit_actions", placeholder="全部",
                         select_all=False, format_func=lambda c: glossary.label("audit_action", c))
who = c2.selectbox("操作人", users, index=None, key="audit_user", placeholder="全部")
span = c3.date_input("日期范围", value=(date.today() - timedelta(days=30), date.today()), key="audit_dates",
                     format="YYYY-MM-DD")
d_from, d_to = (span + (None,))[:2] if isinstance(span, tuple) else (span, span)
df = audit.entries(ctx.con, actions=actions or None, user=who, date_from=d_from, date_to=d_to)
st.caption(f"共 {len(df)} 条（最新在前，最多 5000 条）。")
show_table(df, key="audit_log", table="audit", file_name=f"操作日志_{date.today().isoformat()}.xlsx")
