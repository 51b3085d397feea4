"""A whole report round at once (DOMAIN §9; issue #9): a folder, a .zip (the half-month folder) or many
files → one import per file (each all-or-nothing on its own), a status per file and the round's
missing units.

Status per file: 导入 (accepted), 未变化 (unchanged: the same file was imported before), 拒绝 (rejected,
with its first problems), 单位不明 (rejected only because no 填报单位 could be found: give ``--unit``).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import pandas as pd

from . import glossary as g
from .importer import ImportResult

LEDGER_EXT = (".xlsx", ".xlsm", ".xls")
STATUS_LABELS = g.ROUND_FILE_STATUS
UNIT_UNKNOWN = "无法确定填报单位"
# a zip is opened on the server: refuse archives whose members would not fit a round's ledgers
MAX_ZIP_MEMBERS = 500
MAX_ZIP_BYTES = 200 * 1024 * 1024


@dataclass
class FileReport:
    file: str
    result: ImportResult
    status: str = ""
    problems: list[str] = field(default_factory=list)   # the first errors, as one-line Chinese text

    def as_dict(self) -> dict:
        r = self.result
        return {"file": self.file, "status": self.status, "status_label": STATUS_LABELS[self.status],
                "unit": r.unit, "unit_source": r.unit_source,
                "round_date": r.round_date.isoformat() if r.round_date else None, "forms": r.forms,
                "accepted": r.accepted, "skipped": r.skipped, "rejected": r.rejected, "shared_projects": r.shared,
                "errors": sum(p["severity"] == "error" for p in r.problems),
                "warnings": sum(p["severity"] == "warning" for p in r.problems),
                "first_problems": self.problems,
                "problems": [{k: p.get(k) for k in ("sheet", "row", "column", "value", "message", "severity")}
                             for p in r.problems]}


def status_of(res: ImportResult) -> str:
    if res.status != "rejected":
        return res.status
    errors = [p for p in res.problems if p["severity"] == "error"]
    if errors and all(str(p["message"]).startswith(UNIT_UNKNOWN) for p in errors):
        return "unit_unknown"
    return "rejected"


def problem_line(p: dict) -> str:
    where = "，".join(x for x in [p.get("sheet") or "", f"第{p['row']}行" if p.get("row") else "",
                                  f"{p['column']}列" if p.get("column") else ""] if x)
    val = f"（{p['value']}）" if p.get("value") not in (None, "") else ""
    return f"{where}：{p['message']}{val}" if where else f"{p['message']}{val}"


def report(file: str, res: ImportResult, n: int = 3) -> FileReport:
    st = status_of(res)
    first = [problem_line(p) for p in res.problems if p["severity"] == "error"][:n] if st != "accepted" else []
    return FileReport(file, res, st, first)


def imported_projects(con, import_ids) -> dict[int, int]:
    """{import_id: number of distinct projects that import wrote} over 附件1/2/5, 销号 and 政企互动 rows,
    for the page's 已导入 message (a project in several forms counts once)."""
    ids = [int(i) for i in import_ids if i is not None]
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    parts = " UNION ".join(f"SELECT import_id, project_code FROM {t} WHERE import_id IN ({marks})"
                           for t in ("progress_rows", "risk_rows", "tasks", "signoffs", "interactions"))
    rows = con.execute(f"SELECT import_id, COUNT(DISTINCT project_code) FROM ({parts}) GROUP BY import_id",
                       ids * 5).fetchall()
    return {i: 0 for i in ids} | {int(i): int(n) for i, n in rows}


# --- what to import --------------------------------------------------------------------------------
def _is_ledger(name: str) -> bool:
    base = PurePosixPath(name).name
    return base.lower().endswith(LEDGER_EXT) and not base.startswith(("~$", ".", "._"))


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Member name as the sender saw it: zips made on Chinese Windows store GBK names without the
    UTF-8 flag, which zipfile decodes as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def unzip(data: bytes, zip_name: str = "") -> list[tuple[str, bytes]]:
    """The ledgers inside a .zip as (file name, bytes), in name order; folders, __MACOSX, Office lock
    files and non-ledgers skipped. Raises ValueError (Chinese) for a broken or oversized archive."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError(f"{zip_name or '压缩包'}不是有效的 .zip 文件") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ValueError(f"{zip_name or '压缩包'}中的文件超过 {MAX_ZIP_MEMBERS} 个")
        infos = [i for i in infos if _is_ledger(_zip_name(i))]
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ValueError(f"{zip_name or '压缩包'}解压后超过 {MAX_ZIP_BYTES // (1024 * 1024)} MB")
        out = []
        for i in sorted(infos, key=_zip_name):
            with zf.open(i) as f:
                body = f.read(MAX_ZIP_BYTES + 1)
            if len(body) > MAX_ZIP_BYTES:
                raise ValueError(f"{zip_name or '压缩包'}解压后超过 {MAX_ZIP_BYTES // (1024 * 1024)} MB")
            out.append((PurePosixPath(_zip_name(i).replace("\\", "/")).name, body))
        return out


def expand_uploads(uploads: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Uploaded (name, bytes): each .zip replaced by the ledgers inside it; other files kept."""
    out: list[tuple[str, bytes]] = []
    for name, data in uploads:
        if str(name).lower().endswith(".zip"):
            out.extend(unzip(data, name))
        else:
            out.append((name, data))
    return out


def expand_paths(args: list[str | Path], tmp: Path) -> list[Path]:
    """CLI arguments → ledger files: a folder gives its ledgers (recursively, name order), a .zip is
    unpacked into ``tmp`` (one sub-folder per member, so equal names cannot collide)."""
    out: list[Path] = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            out.extend(sorted((f for f in p.rglob("*") if f.is_file() and _is_ledger(f.name)),
                              key=lambda f: str(f.relative_to(p))))
        elif p.suffix.lower() == ".zip":
            for name, body in unzip(p.read_bytes(), p.name):
                dest = tmp / f"{len(list(tmp.iterdir())):04d}" / _safe(name)
                dest.parent.mkdir(parents=True)
                dest.write_bytes(body)
                out.append(dest)
        else:
            out.append(p)
    return out


def _safe(name: str) -> str:
    base = PurePosixPath(str(name).replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f]", "", base).strip() or "ledger.xlsx"


# --- the round's missing units ---------------------------------------------------------------------
def expected_units(con, round_date: date) -> list[str]:
    """Who should report for a round: the 15 乡镇(街道) and every other unit that has reported for a
    round on or before it (the 区工作专班 excepted: its consolidated ledger is not owed)."""
    seen = [u for (u,) in con.execute("SELECT DISTINCT unit FROM submissions WHERE round_date <= ? ORDER BY unit",
                                      [round_date]).fetchall()]
    out = list(g.TOWNS)
    out += [d for d in g.DEPARTMENTS if d in seen]
    out += [u for u in seen if u not in out]
    return [u for u in out if u != g.TASK_FORCE]


def missing_units(con, round_date: date, also_submitted=()) -> list[str]:
    """Expected units with no submission for ``round_date`` (``also_submitted``: units a dry run would add)."""
    have = {u for (u,) in con.execute("SELECT unit FROM submissions WHERE round_date = ?", [round_date]).fetchall()}
    have |= set(also_submitted)
    return [u for u in expected_units(con, round_date) if u not in have]


def round_missing(con, reports: list[FileReport]) -> dict[date, list[str]]:
    """{round: missing units} for every round a file of this batch was (or would be) imported into."""
    by_round: dict[date, set[str]] = {}
    for r in reports:
        if r.status in ("accepted", "unchanged") and r.result.round_date:
            by_round.setdefault(r.result.round_date, set()).add(r.result.unit)
    return {d: missing_units(con, d, by_round[d]) for d in sorted(by_round)}


SUMMARY_COLUMNS = ["file_name", "unit", "unit_source", "round_date", "forms", "accepted", "skipped", "rejected",
                   "errors", "warnings", "shared_projects", "first_problems"]


def summary_frame(reports: list[FileReport], *, done: bool = False) -> pd.DataFrame:
    """One row per file for the status table (codes; labels from ledger.columns, table
    ``import_outcome``): file_name, import_status (dry run) or import_done (after the import) with
    accepted/unchanged/rejected/unit_unknown, unit, unit_source (参数/填报单位/文件名/how it was
    inferred/why not), round_date, forms, accepted/skipped/rejected rows, errors, warnings,
    shared_projects (the file's projects another unit also reports), first_problems."""
    status = "import_done" if done else "import_status"
    cols = ["file_name", status, *SUMMARY_COLUMNS[1:]]
    return pd.DataFrame([{
        "file_name": r.file, status: r.status, "unit": r.result.unit or "", "unit_source": r.result.unit_source,
        "round_date": r.result.round_date, "forms": list(r.result.forms), "accepted": r.result.accepted,
        "skipped": r.result.skipped, "rejected": r.result.rejected,
        "errors": sum(p["severity"] == "error" for p in r.result.problems),
        "warnings": sum(p["severity"] == "warning" for p in r.result.problems),
        "shared_projects": r.result.shared, "first_problems": "；".join(r.problems)} for r in reports], columns=cols)
