"""Sign-in and roles (issue #12 point 6), offline: users, password hashing, the role matrix, what a
单位 owns, failed-sign-in limits and session expiry. Plain Python (no Streamlit): the page guard
(ui/guard.py), the CLI (``python -m ledger users``) and the importer use it.

- Passwords: ``hashlib.scrypt`` (n=2**14, r=8, p=1, 32 bytes) with 16 random bytes of salt per user,
  compared with ``hmac.compare_digest``. Stored as ``scrypt$n$r$p$<hex>`` so the cost can be raised.
- Roles (codes → labels in ledger.glossary.ROLES): ``leader`` 领导 reads everything (no import, no
  settings, no 督办 issuing); ``taskforce`` 工作专班 everything; ``unit`` 单位 is bound to one 乡镇(街道)
  or 主管部门: the district totals plus its own projects (``unit_filters``), imports only ledgers
  whose rows are all its own (``foreign_rows``), no settings.
- A project belongs to a 乡镇 when its 乡镇(街道) is that 乡镇, to a 部门 when its 项目主管部门 is that
  部门 — the same rule as the sidebar filter the unit is held to, so lists, detail and imports agree.
- Failed sign-ins are audit records (``signin_failed``); ``signin_max_failures`` of them for one
  login within ``signin_lock_minutes`` (since its last success) lock the login until the oldest of
  them is that old. Sessions idle longer than ``session_idle_minutes`` end (``session_expired``).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import db as dbm
from . import glossary as g
from .audit import record
from .writes import write

ROLES = tuple(g.ROLES)
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2 ** 14, 8, 1, 32
LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")
MIN_PASSWORD = 8

# Pages by title (ui/nav.py SECTIONS): roles that may open them; a page not listed is open to all roles.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "数据导入": ("taskforce", "unit"),
    "设置": ("taskforce",),
    "操作日志": ("taskforce",),
}
# Write paths and other guarded actions → roles allowed.
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "import": ("taskforce", "unit"),
    "column_map": ("taskforce", "unit"),
    "settings": ("taskforce",),
    "issue_orders": ("taskforce",),
    "audit_view": ("taskforce",),
}
ACTION_LABELS = {"import": "导入台账", "column_map": "保存列映射", "settings": "修改设置",
                 "issue_orders": "签发督办单", "audit_view": "查看操作日志"}

DEMO_PASSWORD = "demo1234"
DEMO_UNIT = "贺街镇"
DEMO_ACCOUNTS = (  # login, display name, role, unit
    ("demo_leader", "演示领导", "leader", None),
    ("demo_taskforce", "演示工作专班", "taskforce", None),
    ("demo_unit", f"演示单位（{DEMO_UNIT}）", "unit", DEMO_UNIT),
)


class AuthError(ValueError):
    """Bad input to a user command (Chinese message); nothing was written."""


@dataclass(frozen=True)
class User:
    login: str
    display_name: str
    role: str
    unit: str | None
    active: bool
    demo: bool = False

    @property
    def role_label(self) -> str:
        return g.label("role", self.role)

    @property
    def unit_is_town(self) -> bool:
        return self.unit in g.TOWNS


# --- passwords -------------------------------------------------------------------------------------
def hash_password(password: str, salt: bytes | None = None) -> tuple[str, str]:
    """(stored hash, salt hex). A fresh random salt unless one is given.

    >>> h, s = hash_password("secret-1", bytes(16))
    >>> h.startswith("scrypt$16384$8$1$"), s == "00" * 16
    (True, True)
    """
    salt = secrets.token_bytes(16) if salt is None else salt
    dk = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=DKLEN)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${dk.hex()}", salt.hex()


def verify_password(password: str, stored: str, salt_hex: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    try:
        kind, n, r, p, hexd = stored.split("$")
        if kind != "scrypt":
            return False
        dk = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p),
                            dklen=len(hexd) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(dk.hex().encode(), hexd.encode())


@functools.cache
def _dummy() -> tuple[str, str]:
    """A stored hash to verify unknown logins against (same time taken); made on first use, not at import
    (scrypt costs ~0.1 s, paid by every process that imports this module otherwise)."""
    return hash_password("no such user", bytes(16))


# --- users -----------------------------------------------------------------------------------------
_USER_COLS = "login, display_name, role, unit, active, demo"


def _check_login(login: str) -> str:
    login = (login or "").strip()
    if not LOGIN_RE.fullmatch(login):
        raise AuthError(f"登录名“{login}”不合规：2—32 个小写英文字母、数字或 _ . -，以字母或数字开头")
    return login


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少 {MIN_PASSWORD} 个字符")


def _check_unit(role: str, unit: str | None) -> str | None:
    if role not in ROLES:
        raise AuthError("角色应为 " + "、".join(f"{c}（{g.label('role', c)}）" for c in ROLES))
    if role != "unit":
        if unit:
            raise AuthError("只有“单位”角色绑定单位")
        return None
    unit = (unit or "").strip()
    if unit not in g.TOWNS and unit not in g.DEPARTMENTS:
        raise AuthError(f"单位角色须绑定一个乡镇(街道)或主管部门：{'、'.join([*g.TOWNS, *g.DEPARTMENTS])}")
    return unit


def get_user(con, login: str | None) -> User | None:
    if not login:
        return None
    row = con.execute(f"SELECT {_USER_COLS} FROM users WHERE login = ?", [login]).fetchone()
    return User(*row) if row else None


def list_users(con):
    """One row per user (no hashes): login, display_name, role, unit, active, demo, created_at, updated_at."""
    return con.execute(f"SELECT {_USER_COLS}, created_at, updated_at FROM users ORDER BY login").df()


def add_user(con, login: str, password: str, *, role: str, display_name: str | None = None,
             unit: str | None = None, by: str, at: datetime | None = None, demo: bool = False) -> User:
    """Create a user (AuthError in Chinese on bad input or an existing login; nothing written then)."""
    login = _check_login(login)
    _check_password(password)
    unit = _check_unit(role, unit)
    at = (at or datetime.now()).replace(microsecond=0)
    h, salt = hash_password(password)
    with write(con):
        if con.execute("SELECT count(*) FROM users WHERE login = ?", [login]).fetchone()[0]:
            raise AuthError(f"登录名“{login}”已存在")
        con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?)",
                    [login, (display_name or login).strip(), role, unit, h, salt, demo, at, at])
        record(con, "user_add", user=by, obj=login, detail={"role": role, "unit": unit, "demo": demo}, at=at)
    return get_user(con, login)


def set_password(con, login: str, password: str, *, by: str, at: datetime | None = None) -> None:
    _check_password(password)
    at = (at or datetime.now()).replace(microsecond=0)
    h, salt = hash_password(password)
    with write(con):
        if not con.execute("SELECT count(*) FROM users WHERE login = ?", [login]).fetchone()[0]:
            raise AuthError(f"没有用户“{login}”")
        con.execute("UPDATE users SET password_hash = ?, salt = ?, updated_at = ? WHERE login = ?", [h, salt, at, login])
        record(con, "user_passwd", user=by, obj=login, at=at)


def set_active(con, login: str, active: bool, *, by: str, at: datetime | None = None) -> None:
    """Disable (or enable again) a user: a disabled user is signed out at its next click."""
    at = (at or datetime.now()).replace(microsecond=0)
    with write(con):
        if not con.execute("SELECT count(*) FROM users WHERE login = ?", [login]).fetchone()[0]:
            raise AuthError(f"没有用户“{login}”")
        con.execute("UPDATE users SET active = ?, updated_at = ? WHERE login = ?", [active, at, login])
        record(con, "user_enable" if active else "user_disable", user=by, obj=login, at=at)


def ensure_demo_accounts(con, *, at: datetime | None = None) -> list[str]:
    """The demo accounts (one per role) of a sample-built store, and ``demo_mode`` on. Returns the
    logins created (existing ones are left as they are)."""
    with write(con):
        return _insert_demo(con, at=at)


def _insert_demo(con, *, at: datetime | None = None) -> list[str]:
    """``ensure_demo_accounts`` inside the caller's transaction (the schema upgrade's)."""
    from .settings import _upsert

    at = (at or datetime.now()).replace(microsecond=0)
    made = []
    for login, name, role, unit in DEMO_ACCOUNTS:
        if con.execute("SELECT count(*) FROM users WHERE login = ?", [login]).fetchone()[0]:
            continue
        h, salt = hash_password(DEMO_PASSWORD)
        con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, TRUE, TRUE, ?, ?)",
                    [login, name, role, unit, h, salt, at, at])
        record(con, "user_add", user="bootstrap", obj=login, detail={"role": role, "unit": unit, "demo": True},
               at=at, in_transaction=True)
        made.append(login)
    if con.execute("SELECT count(*) FROM settings WHERE key = 'demo_mode'").fetchone()[0] == 0:
        _upsert(con, "demo_mode", True, at=at, by="bootstrap")
    return made


def demo_accounts(con) -> list[User]:
    """The active demo accounts while demo mode is on (shown on the sign-in page), else []."""
    import json

    row = con.execute("SELECT value_json FROM settings WHERE key = 'demo_mode'").fetchone()
    if not (row and json.loads(row[0]) is True):
        return []
    return [User(*r) for r in con.execute(
        f"SELECT {_USER_COLS} FROM users WHERE demo AND active ORDER BY login").fetchall()]


# --- sign-in ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignIn:
    status: str              # ok | failed | locked | disabled
    user: User | None
    message: str             # Chinese, for the form


def _num(settings: dict | None, key: str) -> int:
    from .settings import DEFAULTS

    return int((settings or {}).get(key, DEFAULTS[key]))


def locked_until(con, login: str, *, at: datetime, settings: dict | None = None) -> datetime | None:
    """When the login's lock ends, or None when it is not locked (see the module docstring)."""
    window = timedelta(minutes=_num(settings, "signin_lock_minutes"))
    most = _num(settings, "signin_max_failures")
    last_ok = con.execute("SELECT max(logged_at) FROM audit_log WHERE action = 'signin_ok' AND object = ?",
                          [login]).fetchone()[0]
    since = max(at - window, last_ok) if last_ok else at - window
    fails = [t for (t,) in con.execute(
        "SELECT logged_at FROM audit_log WHERE action = 'signin_failed' AND object = ? AND logged_at > ? "
        "AND logged_at <= ? ORDER BY logged_at", [login, since, at]).fetchall()]
    if most <= 0 or len(fails) < most:
        return None
    return fails[-most] + window


def authenticate(con, login: str, password: str, *, at: datetime, settings: dict | None = None,
                 client: str | None = None) -> SignIn:
    """Check a sign-in and record it (signin_ok / signin_failed / signin_locked). ``at``: the caller's
    clock. Unknown login and wrong password get the same message."""
    login = (login or "").strip().lower()[:64]
    at = at.replace(microsecond=0)
    detail = {"client": client} if client else None
    until = locked_until(con, login, at=at, settings=settings)
    if until is not None:
        record(con, "signin_locked", user=login or "?", obj=login, detail=detail, at=at)
        return SignIn("locked", None, f"登录失败次数过多，账号已锁定，请于 {until:%H:%M} 后再试"
                                      f"（{_num(settings, 'signin_lock_minutes')} 分钟内失败 "
                                      f"{_num(settings, 'signin_max_failures')} 次即锁定）")
    row = con.execute("SELECT password_hash, salt FROM users WHERE login = ?", [login]).fetchone()
    ok = verify_password(password or "", *(row or _dummy())) and row is not None
    user = get_user(con, login) if ok else None
    if not ok:
        record(con, "signin_failed", user=login or "?", obj=login, detail=detail, at=at)
        return SignIn("failed", None, "登录名或密码不正确")
    if not user.active:
        record(con, "signin_failed", user=login, obj=login, detail={**(detail or {}), "reason": "disabled"}, at=at)
        return SignIn("disabled", None, "该账号已停用，请联系区工作专班")
    record(con, "signin_ok", user=login, obj=login, detail=detail, at=at)
    return SignIn("ok", user, "")


def session_expired(last_seen: datetime, now: datetime, settings: dict | None = None) -> bool:
    """A session idle for longer than ``session_idle_minutes`` has ended."""
    return now - last_seen > timedelta(minutes=_num(settings, "session_idle_minutes"))


# --- the role matrix -------------------------------------------------------------------------------
def can_open(user: User | None, page_title: str) -> bool:
    return user is not None and user.role in PAGE_ROLES.get(page_title, ROLES)


def can(user: User | None, action: str) -> bool:
    return user is not None and user.role in ACTION_ROLES[action]


def denied_message(user: User | None, what: str) -> str:
    who = f"当前角色（{user.role_label}）" if user else "未登录"
    return f"无权限：{who}不能{what}。"


def unit_filter_fields(user: User) -> dict[str, tuple[str, ...]]:
    """The sidebar filter a 单位 is held to: {'towns': (u,)} or {'departments': (u,)}; {} otherwise."""
    if user.role != "unit" or not user.unit:
        return {}
    return {"towns": (user.unit,)} if user.unit_is_town else {"departments": (user.unit,)}


def owns(user: User, town: str | None, department: str | None) -> bool:
    """Whether a project (its 乡镇 and 主管部门) is visible to ``user``: every project for 领导 and
    工作专班, for a 单位 its own (same rule as ``unit_filter_fields``)."""
    if user.role != "unit":
        return True
    return (town == user.unit) if user.unit_is_town else (department == user.unit)


def _latest_units(con, codes: list[str]) -> dict[str, tuple]:
    """{project code: (乡镇, 主管部门)} as its latest report gives them (codes never reported are absent)."""
    if not codes:
        return {}
    with dbm.code_list(con, set(codes)) as view:
        return {code: (town, dep) for code, town, dep in con.execute(
            "SELECT project_code, arg_max(town, round_date), arg_max(department, round_date) FROM v_project_round "
            f"SEMI JOIN {view} USING (project_code) GROUP BY project_code").fetchall()}


def project_units(con, project_code: str) -> tuple | None:
    """(乡镇, 主管部门) of a project from its latest report, or None for an unknown code."""
    return _latest_units(con, [project_code]).get(project_code)


def foreign_rows(con, rows: dict, *, file_unit: str | None, user: User, file_name: str) -> list[dict]:
    """Errors (importer problems) for a 单位's ledger that is not all its own: a 填报单位 other than its
    unit, or any row whose project is another unit's — by the file's 乡镇/主管部门 for that project (any
    附件1/附件2 row of it) or by the database's latest report of it (a known code cannot be claimed by
    writing one's own 乡镇 next to it); a project known nowhere is not its own."""
    from .reader import problem

    if user.role != "unit":
        return []
    if file_unit != user.unit:
        return [problem(None, None, "", file_unit or file_name,
                        f"无权限：本账号只能导入{user.unit}的台账，此文件的填报单位是{file_unit or '未知'}，未导入")]
    from .validate import column   # the table rows column by column (validate.Rows: no row dicts made)
    tables = ("progress", "risk", "tasks", "signoff", "interactions")
    cols = {k: [column(rows.get(k, []), c) for c in ("project_code", "town", "department", "sheet", "excel_row")]
            for k in tables}
    in_file: dict[str, list[tuple]] = {}
    for k in ("progress", "risk"):
        for code, town, dep, _s, _r in zip(*cols[k]):
            if town or dep:
                in_file.setdefault(code, []).append((town, dep))
    codes = sorted({code for k in tables for code in cols[k][0] if code})
    in_db = _latest_units(con, codes)
    out: list[dict] = []
    for k in tables:
        for code, _t, _d, sheet, excel_row in zip(*cols[k]):
            claims = in_file.get(code, []) + ([in_db[code]] if code in in_db else [])
            bad = next((w for w in claims if not owns(user, *w)), None)
            if claims and bad is None:
                continue
            whose = (bad[0] if user.unit_is_town else bad[1]) if bad else None
            out.append(problem(sheet, excel_row, "", code,
                               f"无权限：项目 {code} 属于{whose or '未知单位'}，不是{user.unit}的项目；"
                               f"本账号只能导入本单位的项目，文件未导入"))
    return out
