"""The ledger file attached to a per-file in-memory DuckDB instance (ledger/db.py, ROW_GROUP_SIZE): what an
import writes goes into row groups of ROW_GROUP_SIZE rows, a bulk build (build_then_swap) keeps DuckDB's own,
connections of one process share the file, cursors start on it, and the last close releases its lock."""
from __future__ import annotations

import subprocess
import sys

import duckdb

from ledger import db


def _row_groups(con, table: str) -> list[int]:
    """Rows in each row group of ``table`` (from DuckDB's storage info: one row per column segment)."""
    return [n for (n,) in con.execute(
        "SELECT max(start + count) - min(start) FROM pragma_storage_info(?) WHERE column_name = 'i' "
        "GROUP BY row_group_id ORDER BY row_group_id", [table]).fetchall()]


def test_writes_go_into_row_groups_of_row_group_size(tmp_path):
    con = db.connect(tmp_path / "s.duckdb")
    n = 2 * db.ROW_GROUP_SIZE + 100
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(?)", [n])
    con.close()
    # reopened by plain DuckDB: the groups are in the file. 2 × size + 100 rows = two full groups and one of 100
    plain = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert _row_groups(plain, "t") == [db.ROW_GROUP_SIZE, db.ROW_GROUP_SIZE, 100]
    plain.close()


def test_a_bulk_build_keeps_duckdbs_row_groups(tmp_path):
    target = tmp_path / "b.duckdb"
    with db.build_then_swap(target, ".tmp") as con:
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(?)", [2 * db.ROW_GROUP_SIZE + 100])
    plain = duckdb.connect(str(target), read_only=True)
    assert _row_groups(plain, "t") == [2 * db.ROW_GROUP_SIZE + 100]   # one group: fewer than DuckDB's 122,880
    plain.close()


def test_connections_share_the_file_and_the_last_close_releases_it(tmp_path):
    path = tmp_path / "s.duckdb"
    a = db.connect(path)
    b = db.open_file(path)
    a.execute("INSERT INTO rounds VALUES (DATE '2024-01-14')")
    cur = db.cursor(b)       # another thread's cursor: on the ledger, not on the instance's empty catalog
    assert cur.execute("SELECT count(*) FROM rounds").fetchone()[0] == 1
    probe = [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r}).close()"]
    a.close()
    assert subprocess.run(probe, capture_output=True).returncode != 0   # b and its cursor still hold it
    cur.close()
    b.close()
    assert subprocess.run(probe, capture_output=True).returncode == 0   # all closed: another process may write


def test_a_memory_store_has_the_same_catalog():
    con = db.connect(":memory:")
    assert con.execute("SELECT current_database()").fetchone()[0] == db.CATALOG
    assert db.cursor(con).execute("SELECT count(*) FROM rounds").fetchone()[0] == 0
