"""Shared fixtures. The sample database (data/sample/ledgers, 471 files) is built once per test
session through the real importer, because it takes ~40–60 s on this 2-core machine."""
from __future__ import annotations

from pathlib import Path

import os

import pytest

ROOT = Path(__file__).resolve().parents[1]
# No sign-in warm-up thread in the tests' own process (ui.warm): it would compute analytics beside a
# test that clears the caches. tests/pages/test_warm.py turns it on; the browser tests' server has it on.
os.environ["LEDGER_WARM"] = "0"


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    import os

    from ledger.bootstrap import ensure_database

    path = (tmp_path_factory.mktemp("sample") / "ledger.duckdb").resolve()
    saved = os.environ.pop("LEDGER_BOOTSTRAP", None)  # a page test may have switched bootstrapping off
    try:
        ensure_database(path)
    finally:
        if saved is not None:
            os.environ["LEDGER_BOOTSTRAP"] = saved
    return path


@pytest.fixture(scope="session")
def sample_con(sample_db_path):
    import duckdb

    con = duckdb.connect(str(sample_db_path), read_only=True)
    yield con
    con.close()
