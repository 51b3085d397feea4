"""The access guard: sign-in, the signed-in user of every run, and the server-side permission checks.

A browser session signs in on the 登录 form (``ledger.auth.authenticate``: scrypt passwords, failed
sign-ins rate-limited and recorded). The session keeps only ``{"login", "seen"}`` under
``SESSION_KEY``; every run (``access_guard``) and every write callback (``current_user``) reads the
user again from the ``users`` table, so a disabled user is out at the next click, and a session idle
longer than ``session_idle_minutes`` ends. Pages re-check their own role (``require_page``, called by
``ui.shell.page_setup``) so a page opened by URL or by switching pages is refused too; write paths
call ``permit(action)``. A page reload is a new session (sign in again).
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from analytics.settings import get_settings
from ledger import auth
from ledger import db as ledger_db
from ledger.audit import record, record_file
from ui.connection import get_con

SESSION_KEY = "_auth_session"
_NOTICE = "_auth_notice"
APP_TITLE = "帮扶产业项目监管看板"


def session_record(login: str, now: datetime | None = None) -> dict:
    """What a successful sign-in leaves in the browser session (the form does exactly this)."""
    return {"login": login, "seen": now or datetime.now()}


def _client() -> str | None:
    try:
        return st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (a test)
        return None


def current_user(con=None, *, touch: bool = True) -> auth.User | None:
    """The signed-in user, re-validated against the users table (active) and the idle timeout;
    None (and the session dropped, with a notice for the sign-in page) otherwise."""
    sess = st.session_state.get(SESSION_KEY)
    if not sess:
        return None
    con = con or get_con()
    user = auth.get_user(con, sess.get("login"))
    now = datetime.now()
    if user is None or not user.active:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[_NOTICE] = "该账号已停用，请联系区工作专班"
        return None
    if auth.session_expired(sess["seen"], now, get_settings(con)):
        st.session_state.pop(SESSION_KEY, None)
        record(con, "session_expired", user=user.login, obj=user.login)
        st.session_state[_NOTICE] = "长时间未操作，已自动退出，请重新登录"
        return None
    if touch:
        sess["seen"] = now
    return user


def access_guard(on_sign_in_page=None) -> auth.User:
    """The signed-in user of this run; otherwise the sign-in page, then ``st.stop()``.
    ``on_sign_in_page()`` runs first (ui.nav registers the pages, hidden, so the URL of a deep link
    survives signing in). It must come before the form: the browser learns the page of the URL from the
    navigation message, and a visitor who submits the form before that message has arrived would be
    signed in to 总览 (seen in a real browser on a busy machine, one deep link in ten)."""
    con = get_con()
    user = current_user(con)
    if user is not None:
        return user
    if on_sign_in_page is not None:
        on_sign_in_page()
    _sign_in_page(con)
    st.stop()


def _sign_in_page(con) -> None:
    st.title(APP_TITLE)
    st.subheader("登录")
    if notice := st.session_state.pop(_NOTICE, None):
        st.warning(notice)
    demo = auth.demo_accounts(con)
    if demo:
        st.info("**演示模式**：本库由示例数据生成，可用下列演示账号登录（密码均为 "
                f"`{auth.DEMO_PASSWORD}`）：\n\n" +
                "\n".join(f"- `{u.login}`：{u.role_label}" + (f"（{u.unit}）" if u.unit else "") for u in demo) +
                "\n\n正式使用前请由工作专班在「设置」中关闭演示模式（演示账号随之停用），并用 "
                "`python -m ledger users add` 创建账号。", icon="🧪")
    elif not con.execute("SELECT count(*) FROM users WHERE active").fetchone()[0]:
        st.info("还没有可用的账号：请在服务器上运行 `python -m ledger users add 登录名 --role taskforce` "
                "创建第一个工作专班账号。")
    with st.form("signin_form"):
        login = st.text_input("登录名", key="auth_login")
        password = st.text_input("密码", type="password", key="auth_pw")
        submitted = st.form_submit_button("登录", type="primary", key="auth_submit")
    from ui.warm import mark_done, warm_browser
    if submitted:
        res = auth.authenticate(con, login, password, at=datetime.now(), settings=get_settings(con),
                                client=_client())
        if res.status == "ok":
            st.session_state[SESSION_KEY] = session_record(res.user.login)
            mark_done()   # this tab loads the pages' code now: no warm-up on its later sign-in pages
            st.rerun()
        st.error(res.message)
    warm_browser()  # the browser loads the pages' chart code, the server computes 总览, while the visitor types


def _logout() -> None:
    sess = st.session_state.pop(SESSION_KEY, None)
    if sess:
        record(get_con(), "logout", user=sess["login"], obj=sess["login"])
    st.session_state[_NOTICE] = "已退出登录"


def user_box(user: auth.User) -> None:
    """当前用户/角色 and the 退出登录 button, in the sidebar."""
    sb = st.sidebar
    unit = f"（{user.unit}）" if user.unit else ""
    sb.markdown(f"当前用户：**{user.display_name}**（{user.login}）  \n角色：{user.role_label}{unit}")
    sb.button("退出登录", key="auth_logout", on_click=_logout, icon=":material/logout:")


def _deny(user: auth.User | None, what: str, obj: str | None = None) -> str:
    msg = auth.denied_message(user, what)
    try:
        record(get_con(), "denied", user=user.login if user else "?", obj=obj or what)
    except Exception:  # noqa: BLE001 - the refusal stands even when it cannot be recorded
        pass
    return msg


def require_page(user: auth.User, title: str) -> None:
    """Stop a page the user's role may not open (a Chinese 无权限 message, no data)."""
    if not auth.can_open(user, title):
        st.error(_deny(user, f"查看「{title}」", obj=title), icon="🚫")
        st.stop()


def permit(action: str) -> auth.User | None:
    """For a write path (a button callback too): the signed-in user when allowed, else None (the
    refusal is recorded and shown on the next run)."""
    user = current_user()
    if user is None or not auth.can(user, action):
        st.session_state[_DENIED] = _deny(user, auth.ACTION_LABELS.get(action, action), obj=action)
        return None
    return user


_DENIED = "_auth_denied"


def show_denied() -> None:
    """The refusal of a write path from the last callback, if any."""
    if msg := st.session_state.pop(_DENIED, None):
        st.error(msg, icon="🚫")


def require_project(user: auth.User, con, project_code: str) -> None:
    """Stop when a 单位 asks for a project of another unit (opened by code or URL)."""
    if user.role != "unit":
        return
    where = auth.project_units(con, project_code)
    if where is None:  # unknown code: nothing to show (the page says the link is ignored)
        return
    if not auth.owns(user, *where):
        st.error(_deny(user, f"查看其他单位的项目（{project_code}）", obj=project_code), icon="🚫")
        st.stop()


# --- exports in the audit trail ----------------------------------------------------------------------
def _sha(data) -> str | None:
    import hashlib

    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest() if isinstance(data, (bytes, bytearray)) else None


def audited(make, *, file_name: str, what: str = "table"):
    """A deferred download's data callable that records the export when the file is generated (in
    the download request's thread: its own connection, ``ledger.audit.record_file``)."""
    sess = st.session_state.get(SESSION_KEY) or {}
    login, path = sess.get("login", "?"), str(ledger_db.db_path())

    def run():
        data = make()
        try:
            record_file(path, "export", user=login, obj=file_name, sha256=_sha(data), detail={"what": what})
        except Exception:  # noqa: BLE001 - the download goes ahead; a busy file loses this record only
            pass
        return data
    return run
