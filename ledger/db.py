"""The DuckDB ledger store: where the file is, opening it, applying the schema.

One process writes a DuckDB file at a time. Inside a process, connections to one file share one DuckDB
instance (``open_file``); take ``cursor(con)`` (not ``con.cursor()``) per thread/script run, and serialise
writes with ``WRITE_LOCK``.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = Path(__file__).resolve().parent / "sql"
DEFAULT_DB = ROOT / "data" / "ledger.duckdb"
DB_ENV = "LEDGER_DB"
ARCHIVE_ENV = "LEDGER_ARCHIVE"
SCHEMA_VERSION = "7"  # 2: interactions (030_interactions.sql); 3: materialised state (015_state.sql); 4: orders (050_orders.sql, new table only); 5: users + audit_log (060_auth.sql); 6: reopen_events (015_state.sql); 7: no PRIMARY KEY on progress_rows, funding_rows, risk_rows (010_tables.sql), narrow project_rounds (015_state.sql)

WRITE_LOCK = threading.RLock()


@contextlib.contextmanager
def code_list(con, codes, name: str = "_code_list"):
    """``codes`` (project codes) as a one-column view ``name`` (``project_code``) for a SEMI JOIN, for the
    duration of the ``with``. Binding a Python list as a LIST parameter and filtering with list_contains
    costs ~0.3 s for 100,000 codes; an Arrow table is handed over as it is (issue #7). ``name`` must be a
    constant of the caller (an identifier, never from a file)."""
    import pyarrow as pa   # not at import time: pages that never call this do not pay for pyarrow

    con.complete()   # DuckDB 2 refuses register() while a caller's fetchone() result is unfinished
    con.register(name, pa.table({"project_code": pa.array(list(codes), pa.string())}))
    try:
        yield name
    finally:
        con.unregister(name)


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db flag, else $LEDGER_DB, else data/ledger.duckdb."""
    if explicit:
        return Path(explicit).resolve()
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV]).resolve()
    return DEFAULT_DB


def archive_dir(db: Path) -> Path:
    """Where accepted originals are kept (content-addressed). $LEDGER_ARCHIVE, else
    data/archive for the default database, else <db name>.archive beside the file."""
    if os.environ.get(ARCHIVE_ENV):
        return Path(os.environ[ARCHIVE_ENV]).resolve()
    if db.resolve() == DEFAULT_DB:
        return ROOT / "data" / "archive"
    return db.parent / (db.stem + ".archive")


def schema_files() -> list[Path]:
    return sorted(SQL_DIR.glob("*.sql"))


def _migrate_3(con) -> None:
    """3: the state tables are new; derive them from the ledger tables already there."""
    from .state import refresh_all

    refresh_all(con)


def _migrate_5(con) -> None:
    """5: ``users`` and ``audit_log`` are new (060_auth.sql, created above). A file upgraded in place
    records the upgrade as the first audit entry, so the trail says from when it is complete."""
    from .audit import record
    from .auth import _insert_demo

    record(con, "schema_upgrade", user="system", obj="5", detail={"from": _version(con)}, in_transaction=True)
    # a store built from the bundled sample before sign-in existed (every import by 'bootstrap'):
    # the demo accounts, so it still opens straight in (演示模式, ledger/bootstrap.py)
    n, boot = con.execute("SELECT count(*), count(*) FILTER (WHERE imported_by = 'bootstrap') FROM imports").fetchone()
    if n and n == boot:
        _insert_demo(con)


def _migrate_6(con) -> None:
    """6: ``reopen_events`` is new (015_state.sql); derive it from the grade history already there."""
    from .state import _derive_reopen, _new_token

    _derive_reopen(con, None)
    _new_token(con)


UNKEYED_TABLES = ("progress_rows", "funding_rows", "risk_rows")  # no PRIMARY KEY from schema 7 on


def _remade(con, tables: list[str], sql_file: str) -> None:
    """Re-create ``tables`` (constants) with their definition in ``sql_file`` and the rows they hold: each is
    renamed, created anew by the file (IF NOT EXISTS: only the renamed ones are new) and refilled with the
    columns the new definition has (same rows, same order), and the old one dropped. Views and macros
    name the tables and bind when used, so they follow."""
    for t in tables:
        con.execute(f"ALTER TABLE {t} RENAME TO _{t}_old")
    con.execute((SQL_DIR / sql_file).read_text(encoding="utf-8"))
    for t in tables:
        cols = ", ".join(c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = current_schema() AND table_name = ? ORDER BY column_index", [t]).fetchall())
        con.execute(f"INSERT INTO {t} BY NAME SELECT {cols} FROM _{t}_old")
        con.execute(f"DROP TABLE _{t}_old")


def _migrate_7(con) -> None:
    """7: ``UNKEYED_TABLES`` lose their PRIMARY KEY (010_tables.sql: the import checks their keys itself,
    importer._check_unique) and ``project_rounds`` keeps only its narrow columns (015_state.sql: the whole row
    in force is in project_state). DuckDB cannot drop a constraint or many columns at once cheaply: the
    tables are made again (``_remade``)."""
    def has(sql: str, t: str) -> bool:
        return bool(con.execute(sql + " AND database_name = current_database() AND schema_name = current_schema() "
                                "AND table_name = ?", [t]).fetchone()[0])
    _remade(con, [t for t in UNKEYED_TABLES if has(
        "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'", t)], "010_tables.sql")
    _remade(con, [t for t in ("project_rounds",) if has(
        "SELECT count(*) FROM duckdb_columns() WHERE column_name = 'village'", t)], "015_state.sql")


# Forward-only migrations: version → step run once when a file at an older version is opened for
# writing (after the .sql files have created any new tables). A fresh file skips them all.
MIGRATIONS = {3: _migrate_3, 5: _migrate_5, 6: _migrate_6, 7: _migrate_7}


def _version(con) -> int | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return None
    return int(row[0]) if row else None


def _schema_key() -> str:
    """A digest of everything ``apply_schema`` writes: the .sql files, the version and the unit lists.
    Stored in ``meta``; a file holding the current digest needs nothing applied (a page's first run in a
    process then skips ~60 ms of DDL in a write transaction)."""
    from .glossary import TOWNS, DEPARTMENTS

    h = hashlib.sha256(SCHEMA_VERSION.encode())
    for f in schema_files():
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(repr((sorted(TOWNS.items()), list(DEPARTMENTS))).encode("utf-8"))
    return h.hexdigest()


def _schema_current(con, key: str) -> bool:
    """Whether the file records this schema digest and the current version (an older program that
    rewrote the version would not have kept the digest in step: both must match)."""
    try:
        rows = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('schema_key', 'schema_version')").fetchall())
    except duckdb.CatalogException:
        return False
    return rows.get("schema_key") == key and rows.get("schema_version") == SCHEMA_VERSION


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every .sql file in order (idempotent), upgrade an older file in place (MIGRATIONS, in one
    transaction) and record the schema version. Nothing to do (and nothing done) when the file records
    the digest of the current schema (``_schema_key``)."""
    from .glossary import TOWNS, DEPARTMENTS

    con.execute("SET enable_progress_bar = false")
    key = _schema_key()
    if _schema_current(con, key):
        return
    before = _version(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for f in schema_files():
            con.execute(f.read_text(encoding="utf-8"))
        if before is not None:
            for v in sorted(MIGRATIONS):
                if before < v <= int(SCHEMA_VERSION):
                    MIGRATIONS[v](con)
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [SCHEMA_VERSION],
        )
        con.execute(
            "INSERT INTO meta VALUES ('schema_key', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key])
        con.executemany(
            "INSERT INTO units VALUES (?, 'township', ?) ON CONFLICT DO NOTHING",
            [[n, c] for n, c in TOWNS.items()],
        )
        con.executemany(
            "INSERT INTO units VALUES (?, 'department', NULL) ON CONFLICT DO NOTHING",
            [[n] for n in DEPARTMENTS],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


class DatabaseBusy(RuntimeError):
    """Another process holds the DuckDB file (DuckDB allows one writing process per file)."""


def _is_lock_error(e: Exception) -> bool:
    return isinstance(e, duckdb.IOException) and "lock" in str(e).lower()


# Rows per row group of what an import writes (DuckDB's default: 122,880). DuckDB writes a transaction's full
# row groups to the file while its INSERTs run; the rest is compressed and written by COMMIT. At the default that
# was all of a 20,000-row ledger: COMMIT took 0.20–0.22 s of a ~1.7 s import (issue #7, bench/RESULTS.md
# "Session 29"), ~0.01 s at 8,192. Smaller groups cost space (a ×150 store written at 8,192: 549 MiB instead of
# 365 MiB, at 16,384: 489 MiB; its analytics timed the same), so the bulk builders (``build_then_swap``:
# load-sample, rebuild, the first start) keep DuckDB's default (``bulk=True``) and only the rounds imported
# later are in smaller groups.
# The size is an option of ATTACH, not of the file or of duckdb.connect: the file is attached, as CATALOG, to an
# in-memory DuckDB instance named after it (``_instance``). Connections of one process to one file share that
# instance, as duckdb.connect(path) shares its own; it closes, and the file's lock goes, with the last of them.
# ``LEDGER_ROW_GROUP_SIZE`` overrides the size (0: DuckDB's default), for benchmarks.
ROW_GROUP_SIZE = int(os.environ.get("LEDGER_ROW_GROUP_SIZE", "8192"))
CATALOG = "ledger"
_OPEN_LOCK = threading.Lock()


def _instance(path: Path, read_only: bool, rows: int) -> str:
    key = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:24]
    return f":memory:ledger_{'ro' if read_only else f'rw{rows}'}_{key}"


def _attach(path: str | os.PathLike, read_only: bool, bulk: bool = False) -> duckdb.DuckDBPyConnection:
    p = Path(path).resolve()
    rows = 0 if bulk or read_only else ROW_GROUP_SIZE
    with _OPEN_LOCK:   # one ATTACH per instance, however many threads open at once
        con = duckdb.connect(_instance(p, read_only, rows))
        try:
            opts = " (READ_ONLY)" if read_only else f" (ROW_GROUP_SIZE {rows})" if rows else ""
            con.execute(f"ATTACH IF NOT EXISTS ? AS {CATALOG}{opts}", [str(p)])
            con.execute(f"USE {CATALOG}")
        except BaseException:
            con.close()
            raise
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """``con.cursor()`` on the ledger: a DuckDB cursor starts in its instance's default (in-memory) catalog,
    not in the attached file (``_attach``). Use this, never ``con.cursor()``, for another thread or script run."""
    cur = con.cursor()
    cur.execute(f"USE {CATALOG}")
    return cur


def memory() -> duckdb.DuckDBPyConnection:
    """A store in memory (tests, ``analytics`` without a file), under the same CATALOG as a file."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH ':memory:' AS {CATALOG}")
    con.execute(f"USE {CATALOG}")
    return con


def open_file(path: str | os.PathLike, *, read_only: bool = False, wait: float = 0.0,
              bulk: bool = False) -> duckdb.DuckDBPyConnection:
    """The file attached as CATALOG (see ROW_GROUP_SIZE), waiting up to ``wait`` seconds while another process holds the file's lock
    (the dashboard between two page runs, or a CLI import), then raises DatabaseBusy with a
    Chinese message. No schema is applied: use ``connect`` for that."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return _attach(path, read_only, bulk)
        except duckdb.IOException as e:
            if not _is_lock_error(e):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"台账数据库正被另一个程序占用：{path}。请稍后重试（看板页面刷新时会短暂占用；"
                    f"命令行导入期间看板也会等待）。详情：{str(e).splitlines()[0][:200]}") from e
            time.sleep(0.2)


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            wait: float = 0.0, bulk: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the ledger database and make sure the schema is there."""
    if str(path) == ":memory:":
        con = memory()
    else:
        p = db_path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        if read_only and p.exists():
            return open_file(p, read_only=True, wait=wait)
        con = open_file(p, wait=wait, bulk=bulk)
    with WRITE_LOCK:
        apply_schema(con)
    return con


@contextlib.contextmanager
def build_then_swap(target: Path, suffix: str):
    """Build a database in ``<target><suffix>`` and, only if the block succeeds, checkpoint it and
    atomically move it over ``target`` (the old file stays untouched on failure). Yields the
    connection to the temp file. Close every other connection to ``target`` first: DuckDB keeps
    serving a swapped-out file's old contents to connections that were open."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + suffix)
    for p in (tmp, Path(str(tmp) + ".wal")):
        if p.exists():
            p.unlink()
    con = connect(tmp, bulk=True)   # DuckDB's own row groups for a whole store (see ROW_GROUP_SIZE)
    try:
        yield con
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        for p in (tmp, Path(str(tmp) + ".wal")):
            if p.exists():
                p.unlink()
        raise
    con.close()
    os.replace(tmp, target)
    wal = Path(str(target) + ".wal")
    if wal.exists():
        wal.unlink()


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A key that changes whenever an import lands: use it as a st.cache_data argument."""
    row = con.execute(
        "SELECT COUNT(*), COALESCE(MAX(import_id), 0) FROM imports"
    ).fetchone()
    srow = con.execute(
        "SELECT COUNT(*), COALESCE(md5(string_agg(key || '=' || value_json, ';' ORDER BY key)), '') FROM settings"
    ).fetchone()
    return f"{row[0]}-{row[1]}-{srow[0]}-{srow[1]}"
