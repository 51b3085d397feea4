"""Issuing 督办单 (supervision orders): the one write behind them (table ``orders``, 050_orders.sql).

Numbers are 八步专班督〔YYYY〕N号, N counting from 1 within the year of issue, without gaps or
repeats. The next N is read and the rows inserted in one DuckDB transaction while holding
``ledger.db.WRITE_LOCK`` (``ledger.writes.write``, the one write path): two sessions of the dashboard
in one process serialise on the lock; two processes cannot hold the file for writing at once
(DuckDB's own file lock). ``UNIQUE (year, seq)``
and ``UNIQUE (unit, round_date)`` in the table are the last guard: a violation rolls everything back.
An order already issued to a unit for a round is returned again (a reprint keeps its number).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from .audit import record
from .writes import write

NUMBER_FORMAT = "八步专班督〔{year}〕{seq}号"


def order_number(year: int, seq: int) -> str:
    """The 文号 of the ``seq``-th order of ``year``.

    >>> order_number(2024, 7)
    '八步专班督〔2024〕7号'
    """
    return NUMBER_FORMAT.format(year=year, seq=seq)


@dataclass(frozen=True)
class IssuedOrder:
    order_id: int
    number: str
    year: int
    seq: int
    unit: str
    round_date: date
    reply_by: date
    issued_at: datetime
    issued_by: str
    note: str | None
    new: bool  # False: it had been issued before (a reprint)


_COLS = "order_id, number, year, seq, unit, round_date, reply_by, issued_at, issued_by, note"


def issue_orders(con, *, round_date: date, units: list[str], reply_by: date, issued_by: str, at: datetime,
                 note: str | None = None, summaries: dict[str, dict] | None = None,
                 audit_user: str | None = None) -> list[IssuedOrder]:
    """Issue one order per unit (in the given order) for ``round_date``; returns them in that order.

    ``at``: the caller's clock (the year of the number is ``at.year``); ``summaries``: per unit, the
    counts printed on the order (kept as JSON for the record); ``audit_user``: who issues it in the
    audit trail (the signed-in user; default ``issued_by``, the name printed). Units already sent an order for this
    round get their existing order back (``new=False``, its reply-by date and note unchanged).
    Raises ValueError (Chinese) on bad input; the database is unchanged then.
    """
    units = list(dict.fromkeys(u for u in units))
    if not units or any(not isinstance(u, str) or not u.strip() for u in units):
        raise ValueError("请选择要签发督办单的单位")
    if not issued_by or not str(issued_by).strip():
        raise ValueError("请填写签发人")
    if reply_by < round_date:
        raise ValueError(f"回复期限 {reply_by} 不能早于报送期次 {round_date}")
    out: list[IssuedOrder] = []
    with write(con):  # WRITE_LOCK + one transaction, rolled back on any error (ledger/writes.py)
        if con.execute("SELECT count(*) FROM rounds WHERE round_date = ?", [round_date]).fetchone()[0] == 0:
            raise ValueError(f"没有报送期次 {round_date}")
        next_seq = con.execute("SELECT COALESCE(max(seq), 0) + 1 FROM orders WHERE year = ?", [at.year]).fetchone()[0]
        next_id = con.execute("SELECT COALESCE(max(order_id), 0) + 1 FROM orders").fetchone()[0]
        for u in units:
            row = con.execute(f"SELECT {_COLS} FROM orders WHERE unit = ? AND round_date = ?",
                              [u, round_date]).fetchone()
            if row:
                out.append(IssuedOrder(*row, new=False))
                continue
            number = order_number(at.year, next_seq)
            summary = json.dumps((summaries or {}).get(u, {}), ensure_ascii=False, sort_keys=True, default=str)
            con.execute(f"INSERT INTO orders ({_COLS}, summary_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        [next_id, number, at.year, next_seq, u, round_date, reply_by, at, issued_by.strip(),
                         note, summary])
            record(con, "order_issued", user=audit_user or issued_by.strip(), obj=number, at=at.replace(microsecond=0),
                   detail={"order_id": next_id, "unit": u, "round_date": round_date, "reply_by": reply_by})
            out.append(IssuedOrder(next_id, number, at.year, next_seq, u, round_date, reply_by, at,
                                   issued_by.strip(), note, new=True))
            next_seq += 1
            next_id += 1
    return out
