"""The bundled sample ledgers (data/sample/ledgers): where they are, which files, and whether a
database already holds imports (then the sample is not loaded again).

Its own module so that both ``bootstrap`` (first start) and ``cli`` (``load-sample``) use it without
importing each other.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from . import db as dbm

SAMPLE_DIR = dbm.ROOT / "data" / "sample" / "ledgers"


def sample_files(sample_dir: Path = SAMPLE_DIR) -> list[Path]:
    """Every ledger file under ``sample_dir`` in path order (Excel lock files ``~$…`` skipped)."""
    return sorted(p for p in Path(sample_dir).glob("**/*.xls*") if p.is_file() and not p.name.startswith("~$"))


def has_imports(path: Path) -> bool:
    """True when the database file exists and records at least one import."""
    if not Path(path).exists():
        return False
    con = dbm.open_file(path, wait=30.0)  # a read only: no schema applied (the caller's connect does that)
    try:
        return bool(con.execute("SELECT COUNT(*) FROM imports").fetchall()[0][0])
    except duckdb.CatalogException:  # a file without the ledger's tables holds no imports
        return False
    finally:
        con.close()
