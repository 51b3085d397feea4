"""Schema 7 (the import's write phase, #7): no PRIMARY KEY on progress_rows / funding_rows / risk_rows (the
import checks the keys it writes: importer._check_unique) and a narrow project_rounds; a version-6 file is
upgraded in place with the same rows and the same state."""
from __future__ import annotations

from datetime import date

import pytest

from ledger import db as dbm
from ledger import importer
from tests.fixture_db import build_fixture
from tests.test_state import mismatches, state_tables

R1 = date(2023, 9, 29)


def _pk_tables(con) -> list[str]:
    return sorted(t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
        "AND table_name IN ('progress_rows', 'funding_rows', 'risk_rows')").fetchall())


def _columns(con, t: str) -> list[str]:
    return [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                      "ORDER BY column_index", [t]).fetchall()]


def test_check_unique_finds_a_repeated_key_of_this_import_only():
    con = dbm.connect(":memory:")
    build_fixture(con)
    # the fixture's R1 rows of 贺街镇: P01–P04 once each in progress_rows and risk_rows, fund lines unique
    importer._check_unique(con, ["progress_rows", "risk_rows", "funding_rows"], round_date=R1, unit="贺街镇")
    # P01's first fund line again (same source and fund year) → the key (P01, source, year) appears twice
    con.execute("INSERT INTO funding_rows SELECT * FROM funding_rows WHERE round_date = ? AND unit = '贺街镇' "
                "AND project_code = 'P01' LIMIT 1", [R1])
    with pytest.raises(RuntimeError):
        importer._check_unique(con, ["funding_rows"], round_date=R1, unit="贺街镇")
    # another unit's rows of the round, and a table not asked for, are not its business
    importer._check_unique(con, ["funding_rows"], round_date=R1, unit="步头镇")
    importer._check_unique(con, ["progress_rows"], round_date=R1, unit="贺街镇")


def test_version_6_file_upgrades_to_7_in_place(tmp_path):
    path = tmp_path / "v6.duckdb"
    con = dbm.connect(path)
    build_fixture(con)
    want_rows = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
                 for t in ("progress_rows", "funding_rows", "risk_rows")}
    want_state = state_tables(con)
    narrow = _columns(con, "project_rounds")
    assert _pk_tables(con) == []
    # make it look like a version-6 file: the three tables with their PRIMARY KEY, a wide project_rounds
    keys = {"progress_rows": "round_date, unit, project_code", "risk_rows": "round_date, unit, project_code",
            "funding_rows": "round_date, unit, project_code, source, fund_year"}
    for t, k in keys.items():
        ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = ?", [t]).fetchone()[0]
        con.execute(f"ALTER TABLE {t} RENAME TO _old")
        con.execute(ddl.rstrip().rstrip(";").rstrip()[:-1] + f", PRIMARY KEY ({k}));")
        con.execute(f"INSERT INTO {t} SELECT * FROM _old")
        con.execute("DROP TABLE _old")
    con.execute("ALTER TABLE project_rounds ADD COLUMN village VARCHAR")
    con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    assert _pk_tables(con) == ["funding_rows", "progress_rows", "risk_rows"]
    con.close()

    con = dbm.connect(path)   # opened for writing: migration 7
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == dbm.SCHEMA_VERSION == "7"
    assert _pk_tables(con) == []
    assert _columns(con, "project_rounds") == narrow
    assert {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in want_rows} == want_rows
    assert state_tables(con) == want_state
    assert mismatches(con) == []
