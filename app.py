"""帮扶产业项目监管看板: the entrypoint. Run: ``streamlit run app.py``.

Page config, the access guard, the shared sidebar (report round + filters, rendered here on every
rerun so its values survive page switches) and ``st.navigation`` over the page files in pages/.
A page file that does not exist yet is left out, so the app always starts.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui.common import render_shell  # noqa: E402

SECTIONS = {
    "领导": [("1_总览.py", "总览", ":material/dashboard:")],
    "工作专班": [
        ("2_风险分级.py", "风险分级", ":material/traffic:"),
        ("4_整改进度.py", "整改进度", ":material/schedule:"),
        ("6_填报情况.py", "填报情况", ":material/fact_check:"),
        ("7_项目详情.py", "项目详情", ":material/search:"),
        ("8_数据导入.py", "数据导入", ":material/upload_file:"),
    ],
    "分析": [
        ("3_资金投向.py", "资金投向", ":material/account_balance:"),
        ("5_单位排名与奖惩.py", "单位排名与奖惩", ":material/leaderboard:"),
    ],
    "系统": [("9_设置.py", "设置", ":material/settings:")],
}

st.set_page_config(page_title="帮扶产业项目监管看板", layout="wide")
render_shell()
nav = {
    section: [
        st.Page(str(ROOT / "pages" / f), title=title, icon=icon, default=(f == "1_总览.py"))
        for f, title, icon in pages if (ROOT / "pages" / f).exists()
    ]
    for section, pages in SECTIONS.items()
}
st.navigation({s: p for s, p in nav.items() if p}).run()
