"""The access guard: an optional password (env DASHBOARD_PASSWORD) asked once per browser session."""
from __future__ import annotations

import hmac
import os

import streamlit as st

PASSWORD_ENV = "DASHBOARD_PASSWORD"
_AUTH_KEY = "_ui_authenticated"


def access_guard() -> None:
    """None set → open. Wrong/missing → the password form, then ``st.stop()``."""
    secret = os.environ.get(PASSWORD_ENV)
    if not secret or st.session_state.get(_AUTH_KEY):
        return
    st.title("帮扶产业项目监管看板")
    pw = st.text_input("访问密码", type="password", key="auth_pw")
    if pw and hmac.compare_digest(pw.encode("utf-8"), secret.encode("utf-8")):
        st.session_state[_AUTH_KEY] = True
        st.rerun()
    if pw:
        st.error("密码不正确")
    st.stop()
