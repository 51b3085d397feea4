"""The one write path of the dashboard: every write to the ledger database goes through here.

``write(con)`` holds the process-wide ``ledger.db.WRITE_LOCK`` (DuckDB connections of one process
share one database; the lock keeps two page runs from writing at once) and runs the block in one
transaction, rolled back on any error so the database is unchanged. The importer manages its own
transaction (one per file) and takes the same lock itself; ``run_import`` wraps it in ``WRITE_LOCK``.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from ledger.db import WRITE_LOCK

__all__ = ["WRITE_LOCK", "in_write", "write"]

_STATE = threading.local()  # how many ``write`` blocks this thread is inside (ledger.audit asks)


def in_write() -> bool:
    """True inside a ``write`` block of this thread (a record then joins its transaction)."""
    return getattr(_STATE, "depth", 0) > 0


@contextmanager
def write(con):
    """``with write(con): con.execute(...)`` — the lock, BEGIN, and COMMIT (ROLLBACK on error)."""
    with WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        _STATE.depth = getattr(_STATE, "depth", 0) + 1
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            _STATE.depth -= 1
        con.execute("COMMIT")
