"""The audit trail (issue #12 point 7): who did what, when, to which file (table ``audit_log``,
060_auth.sql). One call from each existing write path:

    record(con, "import", user="zhangsan", obj="贺街镇_2023-12-14.xlsx", detail={...}, sha256=sha)

Inside a transaction (the import's, ``ledger.writes.write``'s) the record commits or rolls back with
the work it describes. Outside one it is written on its own through ``ledger.writes.write``.
Action codes and their labels: ``ledger.glossary.AUDIT_ACTIONS``. Never raises on a bad detail:
anything not JSON-serialisable is written with ``str``.
"""
from __future__ import annotations

import getpass
import json
from datetime import datetime

from . import glossary as g

ACTIONS = tuple(g.AUDIT_ACTIONS)


def cli_user() -> str:
    """Who runs a command line: ``cli:<os user>``."""
    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        name = "unknown"
    return f"cli:{name}"


def record(con, action: str, *, user: str, obj: str | None = None, detail: dict | None = None,
           sha256: str | None = None, at: datetime | None = None, in_transaction: bool | None = None) -> None:
    """Append one audit record. ``at``: the caller's clock (default now, to the second).
    ``in_transaction``: True when the caller holds a transaction of its own (the importer's); None:
    inside a ``ledger.writes.write`` block of this thread, else False (a transaction of its own)."""
    if action not in g.AUDIT_ACTIONS:
        raise ValueError(f"未登记的操作类型: {action}")
    at = at or datetime.now().replace(microsecond=0)
    args = [at, str(user or "unknown")[:200], action, None if obj is None else str(obj)[:500],
            None if detail is None else json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
            sha256]
    sql = ("INSERT INTO audit_log (audit_id, logged_at, user_login, action, object, detail_json, sha256) "
           "SELECT COALESCE(max(audit_id), 0) + 1, ?, ?, ?, ?, ?, ? FROM audit_log")
    from .writes import in_write, write

    from .db import WRITE_LOCK

    inside = in_write() if in_transaction is None else in_transaction
    if inside:
        with WRITE_LOCK:  # the caller holds it already (re-entrant); max + 1 needs it
            con.execute(sql, args)
        return
    with write(con):
        con.execute(sql, args)


def record_file(db_path, action: str, **kw) -> None:
    """``record`` from a thread without the page's connection (a deferred download): opens the
    database file for this one record and closes it."""
    from . import db as dbm

    con = dbm.open_file(db_path, wait=10.0)
    try:
        record(con, action, in_transaction=False, **kw)
    finally:
        con.close()


def logins(con) -> list[str]:
    """Every user name in the trail, sorted (the 操作人 filter)."""
    return [u for (u,) in con.execute("SELECT DISTINCT user_login FROM audit_log ORDER BY 1").fetchall()]


def entries(con, *, actions=None, user: str | None = None, date_from=None, date_to=None,
            limit: int | None = 5000):
    """The audit log, newest first, as a DataFrame: audit_id, logged_at, user_login, action (code),
    object, detail (JSON text), sha256. Filters: action codes, a user login (exact), dates inclusive."""
    import pandas as pd

    conds, params = ["TRUE"], []
    if actions:
        conds.append("action IN (SELECT unnest(?))")
        params.append(list(actions))
    if user:
        conds.append("user_login = ?")
        params.append(user)
    if date_from is not None:
        conds.append("CAST(logged_at AS DATE) >= ?")
        params.append(date_from)
    if date_to is not None:
        conds.append("CAST(logged_at AS DATE) <= ?")
        params.append(date_to)
    lim = "" if limit is None else f" LIMIT {int(limit)}"
    df = con.execute(
        "SELECT audit_id, logged_at, user_login, action, object, detail_json AS detail, sha256 FROM audit_log "
        f"WHERE {' AND '.join(conds)} ORDER BY audit_id DESC{lim}", params).df()
    return df if len(df) else pd.DataFrame(columns=["audit_id", "logged_at", "user_login", "action", "object",
                                                    "detail", "sha256"])
