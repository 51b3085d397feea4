"""First start: make sure a database exists, building it from the sample ledgers when it is empty."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import db as dbm


def _has_imports(path: Path) -> bool:
    if not path.exists():
        return False
    con = dbm.connect(path)
    try:
        return bool(con.execute("SELECT COUNT(*) FROM imports").fetchone()[0])
    finally:
        con.close()


def ensure_database(path=None) -> Path:
    """The database path; when the file is missing or has no imports, build it from
    data/sample/ledgers into a temp file (archiving into the real archive) and move it into place."""
    from .cli import SAMPLE_DIR, sample_files
    from . import importer

    target = dbm.db_path(path)
    with dbm.WRITE_LOCK:
        if _has_imports(target):
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".bootstrap.tmp")
        for p in (tmp, Path(str(tmp) + ".wal")):
            if p.exists():
                p.unlink()
        archive = dbm.archive_dir(target)
        con = dbm.connect(tmp)
        try:
            for f in sample_files(SAMPLE_DIR):
                importer.import_file(con, f, imported_by="bootstrap", archive_root=archive, _db_name=target)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
        wal = Path(str(target) + ".wal")
        if wal.exists():
            wal.unlink()
    return target
