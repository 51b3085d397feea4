"""Import history (the ``imports`` log written by ``ledger.importer``) for the 数据导入 page."""
from __future__ import annotations

import pandas as pd

from ._db import query


def import_history(con, *, limit: int = 200, unit: str | None = None) -> pd.DataFrame:
    """One row per accepted import, newest first (at most ``limit`` rows).

    Columns: import_id, imported_at, imported_by, file_name, unit, round_date, forms (list of form
    codes: progress/risk/tasks/signoff), rows_accepted, rows_skipped, rows_rejected, warnings (count of problems of
    severity 'warning' stored with the import; skipped-row 'info' notes are not counted), replaced_import_id (the earlier import of the same unit+round it
    replaced, else NA). Rejected files are not in the table (they leave the database unchanged).
    ``unit``: only that unit's imports (what a 单位 sees).
    """
    return query(
        con,
        """
        SELECT import_id, imported_at, imported_by, file_name, unit, round_date,
               string_split(forms, ',') AS forms,
               rows_accepted, rows_skipped, rows_rejected,
               -- warnings only: the stored list also holds 'info' notes (skipped group/合计/footer rows)
               COALESCE(len(list_filter(json_extract_string(TRY_CAST(warnings_json AS JSON), '$[*].severity'),
                                        lambda x: x = 'warning')), 0)::INTEGER AS warnings,
               replaced_import_id
        FROM imports
        WHERE ? IS NULL OR unit = ?
        ORDER BY imported_at DESC, import_id DESC
        LIMIT ?
        """,
        [unit, unit, int(limit)],
    )
