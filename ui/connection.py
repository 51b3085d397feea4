"""The ledger database connection of one script run.

The app opens the file once per script run (~30 ms) and closes it when the run ends, instead of
holding it for the life of the process: DuckDB lets only one process open a file for writing, so a
held connection would lock out ``python -m ledger import`` for as long as the dashboard runs, and a
file swapped by ``rebuild`` would keep being served stale. While another process holds the file, the
page waits up to OPEN_WAIT seconds and then says so in Chinese.
"""
from __future__ import annotations

import os

import streamlit as st

from ledger import db as ledger_db

OPEN_WAIT = 30.0  # seconds a page waits while another process (a CLI import) holds the database
BOOTSTRAP_ENV = "LEDGER_BOOTSTRAP"  # "0": never fill an empty database with the sample ledgers
_RUN_CON_KEY = "_ledger_run_con"


@st.cache_resource(show_spinner="正在打开台账数据库（首次启动时从样例台账建库，约需 1 分钟）…")
def _prepare(path: str) -> str:
    """Once per process and file: build from the sample on first start, apply the schema."""
    from ledger.bootstrap import ensure_database  # builds the db from data/sample on first start

    with ledger_db.WRITE_LOCK:
        if os.environ.get(BOOTSTRAP_ENV, "1") != "0":
            ensure_database(path)
        ledger_db.connect(path, wait=OPEN_WAIT).close()
    return path


def _connection(path: str):
    """A connection of this process to the ledger file (schema ready). Connections of one process
    share one DuckDB instance; each is used by one thread."""
    return ledger_db.open_file(_prepare(path), wait=OPEN_WAIT)


def get_con():
    """A cursor on this script run's connection (opened on first use in the run)."""
    con = st.session_state.get(_RUN_CON_KEY)
    if con is None:
        try:
            con = _connection(str(ledger_db.db_path()))
        except ledger_db.DatabaseBusy as e:
            st.error(f"{e}")
            st.stop()
        st.session_state[_RUN_CON_KEY] = con
    return ledger_db.cursor(con)


def close_run_connection() -> None:
    """End of a script run: release the file so other processes (the CLI) can write it."""
    con = st.session_state.pop(_RUN_CON_KEY, None)
    if con is not None:
        con.close()
