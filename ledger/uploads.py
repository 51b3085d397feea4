"""The dashboard's upload flow: import (or only check) uploaded ledger files, plain Python.

The 数据导入 page renders what ``run_import`` returns; tests drive it directly. Each file goes
through ``ledger.importer.import_file`` on its own (all-or-nothing per file); real imports go
through ``ledger.writes.write`` (the write lock).
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from ledger import columns as C
from ledger import forms as F
from ledger import glossary as g
from ledger import importer
from ledger import reader
from ledger.writes import WRITE_LOCK

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "message", "severity"]


@dataclass
class UploadOutcome:
    """One uploaded file: the importer's result plus the first rows of each recognised form."""
    file_name: str
    result: importer.ImportResult
    preview: dict[str, pd.DataFrame] = field(default_factory=dict)   # form label → first rows


def _safe_name(name: str) -> str:
    """Keep the original file name (it names the unit/round and goes in the log), minus any path."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f]", "", base).strip() or "ledger.xlsx"
    return base


def preview_rows(path: Path, n: int = 5) -> dict[str, pd.DataFrame]:
    """The first ``n`` data rows of each recognised sheet, with the form's Chinese headers."""
    out: dict[str, pd.DataFrame] = {}
    try:
        sheets, _notes = reader.parse_workbook(path)
    except Exception:  # noqa: BLE001 - the importer reports unreadable files itself
        return out
    for ps in sheets:
        names = {f.name: f.synonyms[0] for f in F.FORMS[ps.form]}
        cols = [c.field for c in ps.columns]
        rows = []
        for rec in ps.records[:n]:
            row = {"Excel行": rec.get("_row")}
            for c in cols:
                v = rec.get(c)
                spec = C.spec(c)
                if isinstance(v, bool):
                    v = "是" if v else "否"
                elif spec is not None and spec.fmt in ("code", "codes", "bool") and not C.is_missing(v):
                    v = C.render(v, spec)     # codes as the registry's Chinese labels (green → 绿), never raw
                elif isinstance(v, Decimal):
                    v = float(v)
                elif isinstance(v, (list, tuple)):
                    v = "、".join(map(str, v))
                row[names.get(c, c)] = v
            rows.append(row)
        out[f"{ps.name}（{g.label('form', ps.form)}）"] = pd.DataFrame(rows)
    return out


def run_import(con, uploads: Iterable[tuple[str, bytes]], *, dry_run: bool, round_date: date | None = None,
               unit: str | None = None, imported_by: str = "dashboard", with_preview: bool = True,
               on_progress: Callable[[int, int, str], None] | None = None,
               allow_shrink: bool = False, as_user=None) -> list[UploadOutcome]:
    """Import (or, with ``dry_run``, only check) each uploaded (file name, bytes).

    Each file is written to a temp directory under its original name before ``import_file`` reads
    it. Real imports run under ``ledger.db.WRITE_LOCK``; every file is all-or-nothing on its own.
    ``imported_by``: the signed-in user's login; ``as_user`` (ledger.auth.User): its role limits what
    it may import (a 单位: only ledgers whose rows are all its own).
    """
    uploads = list(uploads)
    outcomes: list[UploadOutcome] = []
    with tempfile.TemporaryDirectory(prefix="ledger_upload_") as tmp:
        for i, (name, data) in enumerate(uploads):
            fname = _safe_name(name)
            if on_progress:
                on_progress(i, len(uploads), fname)
            path = Path(tmp) / f"{i:03d}" / fname
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            if dry_run:
                res = importer.import_file(con, path, round_date=round_date, unit=unit or None,
                                           imported_by=imported_by, dry_run=True, allow_shrink=allow_shrink,
                                           as_user=as_user)
            else:
                with WRITE_LOCK:
                    res = importer.import_file(con, path, round_date=round_date, unit=unit or None,
                                               imported_by=imported_by, allow_shrink=allow_shrink, as_user=as_user)
            outcomes.append(UploadOutcome(fname, res, preview_rows(path) if with_preview else {}))
    if on_progress:
        on_progress(len(uploads), len(uploads), "")
    return outcomes


def outcome_summary(outcomes: list[UploadOutcome], *, done: bool = False) -> pd.DataFrame:
    """One row per file: file_name, status (code: accepted/rejected/unchanged; shown under the
    glossary kind ``import_done`` after a real import, ``import_status`` for the dry run), unit,
    round_date, forms (codes), accepted / skipped / rejected rows, errors, warnings."""
    return pd.DataFrame([{
        "file_name": o.file_name,
        "import_done" if done else "import_status": o.result.status,
        "unit": o.result.unit or "",
        "round_date": o.result.round_date,
        "forms": list(o.result.forms),
        "accepted": o.result.accepted,
        "skipped": o.result.skipped,
        "rejected": o.result.rejected,
        "errors": sum(p["severity"] == "error" for p in o.result.problems),
        "warnings": sum(p["severity"] == "warning" for p in o.result.problems),
    } for o in outcomes], columns=["file_name", "import_done" if done else "import_status", "unit", "round_date",
                                   "forms", "accepted", "skipped", "rejected", "errors", "warnings"])


def problems_frame(outcomes: list[UploadOutcome]) -> pd.DataFrame:
    """Every problem of every file (errors first): file, sheet, row, column, value (as text), message,
    severity (code: error/warning/info)."""
    order = {"error": 0, "warning": 1, "info": 2}
    rows = [{"file": o.file_name, **{k: p.get(k) for k in ("sheet", "row", "column", "value", "message")},
             "severity": p.get("severity"), "_o": order.get(p.get("severity"), 3)}
            for o in outcomes for p in o.result.problems]
    df = pd.DataFrame(rows, columns=[*PROBLEM_COLUMNS, "_o"])
    df = df.sort_values(["_o", "file"], kind="stable").drop(columns="_o")
    df["row"] = df["row"].astype("Int64")
    df["value"] = df["value"].map(lambda v: "" if v is None else str(v))
    return df.reset_index(drop=True)
