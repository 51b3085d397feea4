"""First start: make sure a database exists, building it from the sample ledgers when it is empty."""
from __future__ import annotations

import os
from pathlib import Path

from . import db as dbm
from . import importer
from .sample import SAMPLE_DIR, has_imports, sample_files


def ensure_database(path=None, *, progress=None) -> Path:
    """The database path; when the file is missing or has no imports, build it from
    data/sample/ledgers into a temp file (archiving into the real archive) and move it into place.

    ``progress(done, total, file_name)`` is called after each file. Set LEDGER_BOOTSTRAP=0 to start
    with an empty database instead (nothing is imported). A sample file that is rejected is a bug in
    the bundled data: the build stops with RuntimeError and the target is left untouched. A store built
    from the sample gets the demo accounts and ``demo_mode`` on (ledger.auth.ensure_demo_accounts)."""
    target = dbm.db_path(path)
    with dbm.WRITE_LOCK:
        if has_imports(target) or os.environ.get("LEDGER_BOOTSTRAP", "1") == "0":
            return target
        archive = dbm.archive_dir(target)
        with dbm.build_then_swap(target, ".bootstrap.tmp") as con:
            files = sample_files(SAMPLE_DIR)
            for i, f in enumerate(files, 1):
                res = importer.import_file(con, f, imported_by="bootstrap", archive_root=archive, _db_name=target)
                if res.status == "rejected":
                    errs = [p["message"] for p in res.problems if p["severity"] == "error"][:3]
                    raise RuntimeError(f"样例台账 {f.name} 被拒绝：{errs}")
                if progress:
                    progress(i, len(files), f.name)
            # 演示模式: one demo account per role, listed on the sign-in page until demo_mode is off
            from .auth import ensure_demo_accounts
            ensure_demo_accounts(con)
    return target
