"""The one write path of the dashboard: every write to the ledger database goes through here.

``write(con)`` holds the process-wide ``ledger.db.WRITE_LOCK`` (DuckDB connections of one process
share one database; the lock keeps two page runs from writing at once) and runs the block in one
transaction, rolled back on any error so the database is unchanged. The importer manages its own
transaction (one per file) and takes the same lock itself; ``run_import`` wraps it in ``WRITE_LOCK``.
"""
from __future__ import annotations

from contextlib import contextmanager

from ledger.db import WRITE_LOCK

__all__ = ["WRITE_LOCK", "write"]


@contextmanager
def write(con):
    """``with write(con): con.execute(...)`` — the lock, BEGIN, and COMMIT (ROLLBACK on error)."""
    with WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
