"""Import ledger workbooks into the DuckDB store, all or nothing (DOMAIN §9, §11).

``import_file`` parses, validates and — only when there is no error — writes one report round of one
unit in a single transaction: the rows of that unit+round for the forms present are replaced, the
submission upserted and the import logged. The original bytes are archived content-addressed with a
JSON sidecar so ``rebuild`` can replay every accepted import in its original order.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import operator
import os
import re
import shutil
import signal
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from . import db as dbm
from . import glossary as g
from . import intake as IN
from . import normalize as N
from . import reader as R
from . import rounds as RD
from . import sandbox as SB
from . import state as ST
from . import validate as V


@dataclass
class ImportResult:
    status: str                      # 'accepted' | 'rejected' | 'unchanged'
    accepted: int = 0                # data rows written
    skipped: int = 0                 # rows skipped (group, 小计/合计, blank, footer, unit rows)
    rejected: int = 0                # data rows with at least one error
    problems: list[dict] = field(default_factory=list)
    round_date: date | None = None
    unit: str | None = None
    import_id: int | None = None
    file: str | None = None
    forms: list[str] = field(default_factory=list)
    unit_source: str = ""            # 参数 | 填报单位 | 文件名 | "各行乡镇均为…" (inferred from the rows)
    shared: int = 0                  # projects of this file another unit also reports (in force)


# --- helpers ---------------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _db_file(con) -> Path | None:
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]).resolve() if row and row[0] else None


def _archive_root(con, archive_root) -> Path:
    if archive_root:
        return Path(archive_root).resolve()
    p = _db_file(con)
    if p is None:
        raise ValueError("内存数据库需要指定 archive_root")
    return dbm.archive_dir(p)


def rejected_log_path(archive_root: Path) -> Path:
    return Path(archive_root).parent / "rejected.jsonl"


def resolve_round(sheets, path: Path) -> tuple[date | None, str]:
    """The round: a due date in a title, else a date in the file name, else 填报日期 / 报送日期 snapped."""
    for ps in sheets:
        for d in R.dates_in(ps.title):
            if RD.is_due_date(d):
                return d, "标题"
    for d in R.dates_in(path.stem):
        return (d if RD.is_due_date(d) else RD.nearest_due_date(d)), "文件名"
    for ps in sheets:
        if ps.meta.get("submitted_on"):
            return RD.nearest_due_date(ps.meta["submitted_on"]), "填报日期"
    rep = [d for ps in sheets for d in ps.column_values("reported_on") if d]
    if rep:
        return RD.nearest_due_date(max(rep)), "报送日期列"
    return None, ""


def resolve_unit(sheets, path: Path) -> tuple[str | None, str]:
    """(unit, how): the 填报单位 line, else a unit in the file name, else the one 乡镇 / 主管部门 of every
    row (``intake.infer_unit``); (None, why not) otherwise."""
    for ps in sheets:
        t = ps.meta.get("unit_text")
        if t:
            u, _e = N.parse_unit(t)
            if u:
                return u, "填报单位"
    stem = path.stem
    for t in g.TOWNS:
        base = t[:-1] if t.endswith("镇") else t[:-2]
        if t in stem or base in stem:
            return t, "文件名"
    for alias, dep in sorted({**{d: d for d in g.DEPARTMENTS}, **g.DEPARTMENT_ALIASES}.items(),
                             key=lambda kv: -len(kv[0])):
        if alias in stem:
            return dep, "文件名"
    return IN.infer_unit(sheets)


# --- Arrow frames ----------------------------------------------------------------------------------
_TYPES = {
    "text": pa.string(), "money": pa.decimal128(20, 6), "int": pa.int64(), "year": pa.int64(), "date": pa.date32(),
    "bool": pa.bool_(), "grade": pa.string(), "list": pa.list_(pa.string()),
}
_COL_TYPES = {
    "project_code": "text", "code_derived": "bool", "sheet": "text", "excel_row": "int",
    "name": "text", "town": "text", "village": "text", "department": "text", "implementer": "text",
    "operator": "text", "build_year": "year", "category": "text", "asset_type": "text", "high_concern": "bool",
    "total_investment_wan": "money", "enterprise_funds_wan": "money", "paid_wan": "money",
    "build_status": "text", "op_status": "text", "planned_completion": "date", "completion_accepted_on": "date",
    "settled": "bool", "rights_registered": "bool", "joint_account": "bool", "progress_text": "text",
    "substantive_progress": "bool", "issues_text": "text", "next_steps": "text", "reported_on": "date",
    "funds_wan": "money", "problems": "list", "problem_detail": "text", "grade": "text", "graded_on": "date",
    "sensitive": "list", "pretreatment": "list", "pretreatment_done": "bool", "disposal": "text",
    "revenue_wan": "money", "distribution_wan": "money", "linkage_mode": "text", "households": "int",
    "households_exited": "int", "households_monitored": "int", "measures": "text", "deadline": "date",
    "resp_leader": "text", "resp_unit": "text", "resp_person": "text", "patrolled": "bool",
    "signoff_status": "text", "signoff_applied_on": "date", "signoff_accepted_on": "date",
    "source": "text", "fund_year": "int", "amount_wan": "money",
    "task_seq": "int", "problem": "text", "measure": "text", "due_on": "date", "lead_leader": "text",
    "lead_unit": "text", "co_units": "text", "owner": "text", "status": "text", "done_on": "date",
    "from_grade": "text", "to_grade": "text", "applied_on": "date", "self_eval_on": "date",
    "accepted_on": "date", "accepted_by": "text", "route": "text", "evidence": "text", "checklist_json": "text",
    "seq": "int", "raised_on": "date", "channel": "text", "kind": "text", "content": "text", "answer": "text",
    "answered_on": "date", "handler": "text",
}
TABLES = {  # our key → (db table, columns)
    "progress": ("progress_rows", ["project_code", "code_derived", "sheet", "excel_row"] + V.PROGRESS_COLS),
    "funding": ("funding_rows", ["project_code", "source", "fund_year", "amount_wan"]),
    "risk": ("risk_rows", ["project_code", "code_derived", "sheet", "excel_row"] + V.RISK_COLS),
    "tasks": ("tasks", ["project_code", "task_seq"] + V.TASK_COLS),
    "signoff": ("signoffs", ["project_code"] + V.SIGNOFF_COLS),
    "interactions": ("interactions", ["project_code", "seq", "sheet", "excel_row"] + V.INTERACTION_COLS),
}
# the rows each form replaces (funding_rows are handled apart: see _replace_funding)
FORM_TABLES = {"progress": ["progress"], "risk": ["risk"], "tasks": ["tasks"], "signoff": ["signoff"],
               "interactions": ["interactions"]}


def _arrow(rows: list[dict], cols: list[str]) -> pa.Table:
    """Rows (dicts) → an Arrow table of ``cols``, column by column in C (itemgetter + one transpose; none
    for a ``validate.Rows`` that brings its columns). Money goes in as Decimal → decimal128(20, 6) exactly
    (values are already quantized to 6 places; a value that would lose digits raises instead of rounding)."""
    given = getattr(rows, "columns", None)   # validate.Rows: the same values column by column
    if given is not None and all(c in given and len(given[c]) == len(rows) for c in cols):
        columns = [given[c] for c in cols]
    elif rows and len(cols) > 1:
        try:
            columns = list(zip(*map(operator.itemgetter(*cols), rows)))
        except KeyError:   # a row without some column: None there
            columns = [[r.get(c) for r in rows] for c in cols]
    else:
        columns = [[r.get(c) for r in rows] for c in cols]
    arrays = [pa.array(vals, type=_TYPES[_COL_TYPES[c]]) for c, vals in zip(cols, columns)]
    return pa.Table.from_arrays(arrays, names=cols)


def _select_list(cols: list[str]) -> str:
    out = []
    for c in cols:
        if _COL_TYPES[c] == "money":
            out.append(f'CAST("{c}" AS DECIMAL(20,6)) AS "{c}"')
        else:
            out.append(f'"{c}"')
    return ", ".join(out)


def _fault(point: str) -> None:
    """Tests of kill-during-import (tests/ledger/test_kill.py): ``LEDGER_FAULT_AT=<point>`` makes the
    process SIGKILL itself there. Unset in normal use."""
    if os.environ.get("LEDGER_FAULT_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


# a reporting unit is a township or department name: CJK, letters, digits, brackets, middle dot
_UNIT_OK = re.compile(r"[\u4e00-\u9fffA-Za-z0-9()（）·]{2,40}")


def _round_problem(rd: date, settings: dict) -> dict | None:
    """A round far in the future (a typo such as 2099) or before the earliest round is an error: it
    would become the round in force (or an ancient one) for the whole district."""
    ahead = int(settings.get("round_max_days_ahead", 45))
    earliest = date.fromisoformat(str(settings.get("round_earliest", "2016-01-01")))
    today = date.today()
    if (rd - today).days > ahead:
        return R.problem(None, None, "", rd.isoformat(),
                         f"报送期次 {rd.isoformat()} 晚于今天（{today.isoformat()}）超过 {ahead} 天：请检查标题、文件名或"
                         "填报日期中的日期，或用 --round 指定")
    if rd < earliest:
        return R.problem(None, None, "", rd.isoformat(),
                         f"报送期次 {rd.isoformat()} 早于最早可导入的期次 {earliest.isoformat()}：请检查日期")
    return None


def _shrink_problems(con, rows, *, forms: list[str], n_records: int, round_date: date, unit: str,
                     share: float) -> list[dict]:
    """An import that has no data rows, or removes more than ``share`` of the unit's projects of a form
    (compared with its latest report on or before this round), needs explicit confirmation."""
    how = "请核对；确认无误时勾选“确认允许项目减少”后导入（命令行加 --allow-shrink）"
    out = []
    if n_records == 0:
        out.append(R.problem(None, None, "", "", f"台账只有表头、没有任何数据行：导入将清空{unit}本期的"
                             f"{'、'.join(g.label('form', f) for f in forms)}。{how}"))
        return out
    for form, table in (("progress", "progress_rows"), ("risk", "risk_rows")):
        if form not in forms:
            continue
        # identifiers from this fixed list only; values bound
        prev = con.execute(f"SELECT MAX(round_date) FROM {table} WHERE unit = ? AND round_date <= ?",
                           [unit, round_date]).fetchone()[0]
        if prev is None:
            continue
        old = {c for (c,) in con.execute(f"SELECT project_code FROM {table} WHERE unit = ? AND round_date = ?",
                                         [unit, prev]).fetchall()}
        new = set(V.column(rows[form], "project_code"))
        gone = old - new
        if old and len(gone) / len(old) > share:
            out.append(R.problem(None, None, "", f"{len(old)}→{len(new)}",
                                 f"{g.label('form', form)}：{unit}在 {prev.isoformat()} 期有 {len(old)} 个项目，本文件"
                                 f"有 {len(new)} 个，将去掉 {len(gone)} 个（{len(gone) / len(old):.0%}，超过设定的 "
                                 f"{share:.0%}）。{how}"))
    return out


# --- the import ------------------------------------------------------------------------------------
def import_file(con, path, *, round_date: date | str | None = None, unit: str | None = None,
                imported_by: str = "cli", archive_root=None, dry_run: bool = False, allow_shrink: bool = False,
                column_map: dict[str, str] | None = None, as_user=None,
                _imported_at: datetime | None = None, _replay: bool = False,
                _file_name: str | None = None, _db_name=None) -> ImportResult:
    """Import one workbook. See the module docstring; nothing is written when any error is found.

    ``column_map`` {header: field or "ignore"} maps odd headers for this file, over the unit's stored
    mapping (``intake.column_map``), which is used whenever the unit has one.
    Every failure — an unreadable or hostile file, a validation error, even an unexpected one while
    writing — comes back as a rejection with Chinese problems (and a line in rejected.jsonl), never as
    an exception. ``allow_shrink``: the user confirmed an empty ledger / a large drop in projects.
    ``as_user`` (ledger.auth.User): the signed-in user; a 单位 may import only a ledger whose rows are
    all its own (``ledger.auth.foreign_rows``). Every import and rejection is an audit record under
    ``imported_by`` (the accepted one inside the import's transaction); a rebuild's replay is not."""
    path = Path(path).resolve()
    file_name = _file_name or path.name
    res = ImportResult(status="rejected", file=file_name)

    def reject(extra: list[dict] | None = None) -> ImportResult:
        res.status = "rejected"
        res.problems.extend(extra or [])
        res.accepted = 0
        res.import_id = None
        res.rejected = len({(p["sheet"], p["row"]) for p in res.problems
                            if p["severity"] == "error" and p["row"] is not None})
        if not dry_run and not _replay:
            try:
                root = _archive_root(con, archive_root)
                log = rejected_log_path(root)
                log.parent.mkdir(parents=True, exist_ok=True)
                entry = {"file_name": file_name, "path": str(path), "at": datetime.now().isoformat(timespec="seconds"),
                         "imported_by": imported_by, "round_date": res.round_date.isoformat() if res.round_date else None,
                         "unit": res.unit, "errors": [p for p in res.problems if p["severity"] == "error"]}
                try:
                    entry["sha256"] = sha256_of(path)
                except OSError:
                    pass
                with open(log, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            except (OSError, ValueError):
                pass
        if not _replay:
            _audit_rejection(con, res, file_name=file_name, path=path, imported_by=imported_by, dry_run=dry_run)
        return res

    if as_user is not None:
        from .auth import can, denied_message
        if not can(as_user, "import"):
            return reject([R.problem(None, None, "", file_name, denied_message(as_user, "导入台账") + "文件未导入")])
    try:
        with _gc_paused():
            return _import(con, path, res, reject, file_name=file_name, round_date=round_date, unit=unit,
                           imported_by=imported_by, archive_root=archive_root, dry_run=dry_run,
                           allow_shrink=allow_shrink, column_map=column_map, _imported_at=_imported_at,
                           _replay=_replay, _db_name=_db_name, as_user=as_user)
    except _Rejected as e:   # found inside the write transaction (rolled back): a rejection like any other
        return reject(e.problems)
    except Exception:  # noqa: BLE001 - never a traceback: the file is rejected, the database unchanged
        res.problems = [p for p in res.problems if p["severity"] != "error"]
        return reject([R.problem(None, None, "", file_name,
                                 "导入时发生内部错误，文件未导入、数据库未改动。请把该文件交给系统管理员检查")])


class _Rejected(Exception):
    """Errors found after the writes began (the deferred scan's): the transaction is rolled back and the
    file rejected with ``problems``."""

    def __init__(self, problems: list[dict]):
        super().__init__("rejected")
        self.problems = problems


def _scan_problems(finish, file_name: str) -> list[dict]:
    """The deferred uncached-cell scan's problems (``reader.parse_workbook(defer_scan=True)``; it waits for
    the scan once, later calls get the same result): a scan that failed is one error with its Chinese message."""
    try:
        return finish()
    except SB.ReadError as e:
        return [R.problem(None, None, "", file_name, e.message)]


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while one import runs: it allocates a few objects per cell (millions
    for a big ledger, next to no cycles), and every full collection walks all of them again. Reference
    counting frees them as usual; the collector runs again when the import returns."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _audit_rejection(con, res: ImportResult, *, file_name, path: Path, imported_by: str, dry_run: bool) -> None:
    """The rejection as an audit record (its own small write; never raises: the rejection stands)."""
    from .audit import record

    try:
        sha = sha256_of(path)
    except OSError:
        sha = None
    errors = [p["message"] for p in res.problems if p["severity"] == "error"]
    try:
        record(con, "import_rejected", user=imported_by, obj=file_name, sha256=sha,
               detail={"dry_run": dry_run, "unit": res.unit, "round_date": res.round_date,
                       "errors": len(errors), "first_errors": errors[:5]})
    except Exception:  # noqa: BLE001 - a read-only or broken connection: the rejection itself stands
        pass


def _import(con, path: Path, res: ImportResult, reject, *, file_name, round_date, unit, imported_by, archive_root,
            dry_run, allow_shrink, column_map, _imported_at, _replay, _db_name, as_user=None) -> ImportResult:
    if isinstance(round_date, str):
        try:
            round_date = date.fromisoformat(round_date)
        except ValueError:
            return reject([R.problem(None, None, "", round_date, "报送期次格式应为 YYYY-MM-DD")])
    settings = _settings(con)
    limits = SB.limits(con)
    explicit_map = {R.header_key(h): f for h, f in (column_map or {}).items()}
    try:
        # the uncached-cell scan runs after the parse, beside validation and the writes (issue #7); its
        # problems are in before anything commits (``_scan_problems``)
        sheets, notes, finish = R.parse_workbook(path, colmap=explicit_map or None, limits=limits, defer_scan=True)
    except SB.ReadError as e:
        return reject([R.problem(None, None, "", file_name, e.message)])
    except Exception:  # noqa: BLE001 - a file the layout code cannot make sense of
        return reject([R.problem(None, None, "", file_name, "无法读取文件：文件已损坏或格式不受支持")])
    if unit:
        unit, res.unit_source = IN.unit_of_text(N.text(unit)), "参数"
    else:
        unit, res.unit_source = resolve_unit(sheets, path)
    stored = IN.column_map(con, unit) if unit else None
    if stored:  # read again with the unit's own mapping of its odd headers
        try:
            sheets, notes, finish = R.parse_workbook(path, colmap={**stored, **explicit_map}, limits=limits,
                                                     defer_scan=finish.scan)
        except SB.ReadError as e:
            return reject([R.problem(None, None, "", file_name, e.message)])
        except Exception:  # noqa: BLE001
            return reject([R.problem(None, None, "", file_name, "无法读取文件：文件已损坏或格式不受支持")])
    res.problems.extend(notes)
    if not sheets:
        return reject([R.problem(None, None, "", file_name, "文件中没有可识别的台账表格")])
    res.forms = sorted({ps.form for ps in sheets}, key=list(FORM_TABLES).index)
    res.skipped = sum(ps.skipped for ps in sheets)

    rd, how = (round_date, "参数") if round_date else resolve_round(sheets, path)
    res.round_date = rd
    res.unit = unit
    if unit and res.unit_source not in ("参数", "填报单位", "文件名"):
        res.problems.append(R.problem(None, None, "", unit, f"未填填报单位：{res.unit_source}，按{unit}导入",
                                      "warning"))
    file_errors = []
    if rd is None:
        file_errors.append(R.problem(None, None, "", file_name, "无法确定报送期次：标题、文件名和填报日期中都没有日期，请用 --round 指定"))
    else:
        if not RD.is_due_date(rd):
            res.problems.append(R.problem(None, None, "", rd.isoformat(), "报送期次不是每月14日或29日（2月为月末）", "warning"))
        bad_round = None if _replay else _round_problem(rd, settings)
        if bad_round:
            file_errors.append(bad_round)
    if not unit:
        file_errors.append(R.problem(None, None, "", file_name,
                                     IN.unknown_unit_message(file_name, res.unit_source, con)))
    elif not _UNIT_OK.fullmatch(unit):
        file_errors.append(R.problem(None, None, "", unit[:60],
                                     "填报单位名称含有不允许的字符（只能是汉字、字母、数字和括号）：请填写乡镇(街道)或主管部门名称"))
        res.unit = None
    elif unit not in g.TOWNS and unit not in g.DEPARTMENTS and unit != g.TASK_FORCE:
        res.problems.append(R.problem(None, None, "", unit, f"填报单位“{unit}”不在乡镇(街道)和常见主管部门名单中", "warning"))
    if file_errors:
        return reject(file_errors)

    known = known_projects(con, unit=unit, round_date=rd) if "interactions" in res.forms else None
    problems, rows = V.validate(sheets, round_date=rd, known=known)
    res.problems.extend(problems)
    if as_user is not None:  # a 单位 imports only its own rows (issue #12 point 6)
        from .auth import foreign_rows
        res.problems.extend(foreign_rows(con, rows, file_unit=unit, user=as_user, file_name=file_name))
    res.problems.extend(V.check_against_db(con, rows, round_date=rd, unit=unit))
    res.problems.extend(_settle_risk_funding(con, rows, forms=res.forms, round_date=rd, unit=unit))
    n_records = sum(ps.n_records for ps in sheets if not ps.companion)
    res.problems.extend(IN.replaced_by_one_sheet(con, sheets, unit=unit, round_date=rd, file_name=file_name))
    res.shared = IN.shared_projects(con, [c for k in ("progress", "risk") for c in V.column(rows[k], "project_code")],
                                    unit=unit, round_date=rd)
    if dry_run or any(p["severity"] == "error" for p in res.problems):
        res.problems.extend(_scan_problems(finish, file_name))   # a check reports everything; a rejection too
    if any(p["severity"] == "error" for p in res.problems):
        return reject()
    if not allow_shrink and not _replay:
        shrink = _shrink_problems(con, rows, forms=res.forms, n_records=n_records, round_date=rd, unit=unit,
                                  share=float(settings.get("import_shrink_share", 0.5)))
        if shrink:
            return reject(shrink + _scan_problems(finish, file_name))

    sha = sha256_of(path)
    last = con.execute(
        "SELECT sha256 FROM imports WHERE round_date = ? AND unit = ? ORDER BY import_id DESC LIMIT 1",
        [rd, unit]).fetchone()
    if last and last[0] == sha:
        res.status = "unchanged"
        res.accepted = 0
        return res
    if dry_run:
        res.status = "accepted"
        res.accepted = n_records
        return res

    submitted_on = next((ps.meta["submitted_on"] for ps in sheets if ps.meta.get("submitted_on")), None)
    if submitted_on is None:
        rep = [d for ps in sheets for d in ps.column_values("reported_on") if d]
        submitted_on = max(rep) if rep else rd

    frames = {k: _arrow(rows[k], TABLES[k][1]) for k in TABLES}   # before anything is archived
    root = _archive_root(con, archive_root)
    ext = path.suffix.lower() or ".xlsx"
    rel = f"{sha[:2]}/{sha}{ext}"
    created = False
    if not _replay:
        dest = root / rel
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_suffix(dest.suffix + ".tmp")
            shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
            created = True
    _fault("after_archive_copy")

    imported_at = _imported_at or datetime.now().replace(microsecond=0)
    warnings = [p for p in res.problems if p["severity"] != "error"]
    event = None
    try:
        with dbm.WRITE_LOCK:
            con.execute("BEGIN TRANSACTION")
            try:
                import_id = con.execute("SELECT COALESCE(MAX(import_id), 0) + 1 FROM imports").fetchone()[0]
                new_round = not con.execute("SELECT COUNT(*) FROM rounds WHERE round_date = ?", [rd]).fetchone()[0]
                before = ST.touched_codes(con, unit)
                con.execute("INSERT INTO rounds VALUES (?) ON CONFLICT DO NOTHING", [rd])
                con.execute("INSERT INTO units VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                            [unit, N.unit_kind(unit), g.TOWNS.get(unit)])
                prev = con.execute("SELECT import_id FROM submissions WHERE round_date = ? AND unit = ?",
                                   [rd, unit]).fetchone()
                _replace_funding(con, rows, forms=res.forms, round_date=rd, unit=unit)
                keys = [k for form in res.forms for k in FORM_TABLES[form]]
                if "progress" in res.forms or "risk" in res.forms:
                    keys.append("funding")
                for key in keys:
                    # identifiers come only from the fixed TABLES map (never from the file); values are bound
                    table, cols = TABLES[key]
                    if key != "funding":
                        con.execute(f"DELETE FROM {table} WHERE round_date = ? AND unit = ?", [rd, unit])
                    if frames[key].num_rows == 0:
                        continue
                    view = f"_ledger_in_{key}"
                    con.register(view, frames[key])
                    try:
                        collist = ", ".join(f'"{c}"' for c in cols)
                        con.execute(
                            f"INSERT INTO {table} (round_date, unit, import_id, {collist}) "
                            f"SELECT ?::DATE, ?, ?, {_select_list(cols)} FROM {view}",
                            [rd, unit, import_id])
                    finally:
                        con.unregister(view)
                    _fault("mid_insert")
                _check_unique(con, [TABLES[k][0] for k in keys], round_date=rd, unit=unit)
                con.execute(
                    "INSERT INTO submissions VALUES (?, ?, ?, ?) ON CONFLICT (round_date, unit) DO UPDATE "
                    "SET submitted_on = excluded.submitted_on, import_id = excluded.import_id",
                    [rd, unit, submitted_on, import_id])
                con.execute(
                    "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [import_id, file_name, sha, unit, rd, ",".join(res.forms), n_records, res.skipped, 0,
                     json.dumps(warnings, ensure_ascii=False, default=str), imported_at, imported_by, rel,
                     prev[0] if prev else None])
                # the per-round state later reads need, in the same transaction as the rows (ledger/state.py)
                ST.refresh_after_import(con, unit=unit, round_date=rd, before=before, new_round=new_round)
                if not _replay:  # the audit record commits with the import (a replay's is in the old trail)
                    from .audit import record
                    record(con, "import", user=imported_by, obj=file_name, sha256=sha, at=imported_at,
                           in_transaction=True,
                           detail={"import_id": import_id, "unit": unit, "round_date": rd, "forms": res.forms,
                                   "rows": n_records, "replaced_import_id": prev[0] if prev else None})
                _fault("before_record")
                late = _scan_problems(finish, file_name)   # its errors reject the file: rolled back below
                if any(p["severity"] == "error" for p in late):
                    raise _Rejected(late)
                if not _replay:
                    # the archive record is written inside the transaction, just before COMMIT: a committed
                    # import always has one; a crash between the two leaves a record `verify` reports as
                    # not committed and `rebuild` skips while the database knows better
                    event = {"import_id": import_id, "file_name": file_name, "sha256": sha,
                             "round_date": rd.isoformat(), "unit": unit, "imported_at": imported_at.isoformat(),
                             "imported_by": imported_by, "db": Path(str(_db_name or _db_file(con) or "")).name,
                             "committed": False}
                    _append_manifest(root, rel, event)
                _fault("before_commit")
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except Exception:  # noqa: BLE001 - the transaction may already be gone
                    pass
                raise
    except Exception:
        if event is not None:
            _remove_event(root, rel, event)
        if created and not (root / (rel + ".json")).exists():
            try:
                (root / rel).unlink()
            except OSError:
                pass
        raise
    _fault("after_commit")
    if event is not None:
        _mark_committed(root, rel, event)
    res.status = "accepted"
    res.accepted = n_records
    res.import_id = import_id
    return res


def _settings(con) -> dict:
    try:
        from analytics.settings import get_settings
        return get_settings(con)
    except Exception:  # noqa: BLE001 - a bare connection without the settings table
        from .settings import DEFAULTS
        return dict(DEFAULTS)


def known_projects(con, *, unit: str, round_date: date) -> dict:
    """The projects already in the database for a 政企互动台账 that names a project not in its own file:
    ``names`` {normalised name: code} of the projects ``unit`` reported in rounds on or before
    ``round_date`` (latest report first), ``codes`` every project code any unit reported by then."""
    names: dict[str, str] = {}
    for code, name in con.execute(
            "SELECT project_code, name FROM v_project_round WHERE unit = ? AND round_date <= ? AND name IS NOT NULL "
            "ORDER BY round_date DESC, project_code", [unit, round_date]).fetchall():
        names.setdefault(N.norm_name(name), code)
    codes = {c for (c,) in con.execute(
        "SELECT DISTINCT project_code FROM v_project_round WHERE round_date <= ?", [round_date]).fetchall()}
    return {"names": names, "codes": codes}


def _settle_risk_funding(con, rows: dict[str, list[dict]], *, forms: list[str], round_date: date,
                         unit: str) -> list[dict]:
    """Move the fund lines a 风险排查表 carries (``rows["risk_funding"]``) into ``rows["funding"]``.

    附件1 is the funding form. When the file has a 附件1, ``validate`` already kept only the projects
    without a 附件1 row. A file with 附件2 alone keeps the 附件1 of this unit and round already imported:
    its projects keep their lines, and a differing risk amount is reported (warning) instead."""
    cand = rows.pop("risk_funding", [])
    if not cand:
        return []
    if "progress" in forms:
        rows["funding"] = rows["funding"] + cand
        return []
    have: dict[str, dict[str, object]] = {}
    with dbm.code_list(con, {c["project_code"] for c in cand}) as view:
        found = con.execute(
            "SELECT p.project_code, f.source, SUM(f.amount_wan) FROM progress_rows p "
            f"SEMI JOIN {view} c ON c.project_code = p.project_code "
            "LEFT JOIN funding_rows f ON f.round_date = p.round_date AND f.unit = p.unit "
            "AND f.project_code = p.project_code "
            "WHERE p.round_date = ? AND p.unit = ? GROUP BY ALL",
            [round_date, unit]).fetchall()
    for code, src, amt in found:
        have.setdefault(code, {})
        if src is not None:
            have[code][src] = amt
    out = []
    for c in cand:
        if c["project_code"] not in have:
            rows["funding"].append(c)
            continue
        other = have[c["project_code"]].get(c["source"]) or 0
        if c["amount_wan"] != other:
            out.append(R.problem(
                c["sheet"], c["excel_row"], c["column"], N.fmt(c["amount_wan"]),
                f"项目 {c['project_code']} 的{g.FUND_SOURCES[c['source']]}与本期已导入的附件1不一致："
                f"本表 {N.fmt(c['amount_wan'])} 万元，附件1 {N.fmt(other)} 万元，以附件1为准", "warning"))
    return out


def _replace_funding(con, rows, *, forms: list[str], round_date: date, unit: str) -> None:
    """Delete the fund lines of this unit and round that the file replaces (call before progress_rows
    are replaced). Lines of a project with a 附件1 row come from 附件1, the others from 附件2, so:
    附件1 and 附件2 → all; 附件1 alone → its projects, old and new; 附件2 alone → the projects without
    a 附件1 row."""
    has_p, has_r = "progress" in forms, "risk" in forms
    where = "round_date = ? AND unit = ?"
    prog = "SELECT project_code FROM progress_rows WHERE round_date = ? AND unit = ?"
    if has_p and has_r:
        con.execute(f"DELETE FROM funding_rows WHERE {where}", [round_date, unit])
    elif has_p:
        with dbm.code_list(con, set(V.column(rows["progress"], "project_code"))) as view:
            con.execute(f"DELETE FROM funding_rows WHERE {where} AND (project_code IN ({prog}) "
                        f"OR project_code IN (SELECT project_code FROM {view}))", [round_date, unit, round_date, unit])
    elif has_r:
        con.execute(f"DELETE FROM funding_rows WHERE {where} AND project_code NOT IN ({prog})",
                    [round_date, unit, round_date, unit])


# the key of each row table without a PRIMARY KEY (db.UNKEYED_TABLES; round_date and unit are the import's)
_ROW_KEYS = {"progress_rows": "project_code", "risk_rows": "project_code",
             "funding_rows": "project_code, source, fund_year"}


def _check_unique(con, tables: list[str], *, round_date: date, unit: str) -> None:
    """Raise when the rows of (``unit``, ``round_date``) in ``tables`` repeat a key (what their PRIMARY KEY
    checked up to schema 7). validate rejects a file that repeats one, so this only catches a bug (e.g. fund
    lines kept from 附件1 plus the same lines again): the import is then rejected and rolled back. One query
    over this import's rows only (a few ms at 20,000 projects; an index cost ~0.12 s)."""
    parts = [f"SELECT count(*) FROM (SELECT 1 FROM {t} WHERE round_date = $rd AND unit = $u "  # t, keys: constants
             f"GROUP BY {_ROW_KEYS[t]} HAVING count(*) > 1)" for t in tables if t in _ROW_KEYS]
    if parts and con.execute("SELECT " + " + ".join(f"({p})" for p in parts),
                             {"rd": round_date, "u": unit}).fetchone()[0]:
        raise RuntimeError(f"repeated row key in {tables} for {unit} {round_date}")


def _append_manifest(root: Path, rel: str, event: dict) -> None:
    side = root / (rel + ".json")
    data = {"file_name": event["file_name"], "sha256": event["sha256"], "archive_path": rel, "events": []}
    if side.exists():
        data = json.loads(side.read_text(encoding="utf-8"))
    data["events"].append(event)
    _write_sidecar(side, data)


def _write_sidecar(side: Path, data: dict) -> None:
    tmp = side.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, ensure_ascii=False, indent=1))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, side)


def _remove_event(root: Path, rel: str, event: dict) -> None:
    """Undo ``_append_manifest`` after a failed write (the sidecar goes when no event is left)."""
    side = root / (rel + ".json")
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    data["events"] = [e for e in data.get("events", []) if e != event]
    if data["events"]:
        _write_sidecar(side, data)
    else:
        side.unlink(missing_ok=True)


def _mark_committed(root: Path, rel: str, event: dict) -> None:
    """After COMMIT: the record is final. (A crash before this leaves ``committed: false`` on a record
    the database has: verify and rebuild go by the database then.)"""
    side = root / (rel + ".json")
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
        for e in data["events"]:
            if e == event:
                e["committed"] = True
        _write_sidecar(side, data)
    except (OSError, ValueError, KeyError):
        pass


def _event_key(ev: dict) -> tuple:
    return (ev["sha256"], str(ev["imported_at"])[:19].replace(" ", "T"), ev["unit"], str(ev["round_date"]))


def archive_events(root: Path, db_file: Path | None = None) -> list[dict]:
    """Every accepted import recorded in the archive's sidecars, in original order. Events name their
    database by file name only, so a copied or restored data folder keeps them."""
    events = []
    for side in sorted(Path(root).glob("*/*.json")):
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for ev in data.get("events", []):
            if db_file is not None and ev.get("db") and Path(ev["db"]).name != Path(db_file).name:
                continue
            events.append({**ev, "archive_path": data["archive_path"]})
    events.sort(key=lambda e: (e["imported_at"], e["import_id"]))
    return events


def db_imports(target: Path) -> list[dict] | None:
    """The imports table of the database file as event dicts, or None when the file is missing or
    cannot be opened (then the archive alone is the record)."""
    if not Path(target).exists():
        return None
    try:
        con = dbm.open_file(target, read_only=True, wait=30.0)
    except dbm.DatabaseBusy:
        raise
    except Exception:  # noqa: BLE001 - a damaged file
        return None
    try:
        rows = con.execute("SELECT import_id, file_name, sha256, unit, round_date, imported_at, imported_by, "
                           "archive_path FROM imports ORDER BY import_id").fetchall()
    except Exception:  # noqa: BLE001
        return None
    finally:
        con.close()
    return [{"import_id": r[0], "file_name": r[1], "sha256": r[2], "unit": r[3], "round_date": r[4].isoformat(),
             "imported_at": r[5].isoformat(), "imported_by": r[6], "archive_path": r[7]} for r in rows]


class RebuildRefused(RuntimeError):
    """``rebuild`` would write a database with fewer imports than the one it replaces."""


def rebuild_plan(target: Path, root: Path) -> tuple[list[dict], list[str], int | None]:
    """(imports to replay in order, notes, number of imports in the current database or None).

    The replay set is every import the current database holds (its archive record, or the database's
    own row when the record is missing) plus every committed archive record the database lacks (a
    database restored from an older copy). An archive record written just before a COMMIT that never
    happened is skipped when the database can tell (it does not have it)."""
    events = archive_events(root, target)
    have = db_imports(target)
    notes: list[str] = []
    if have is None:
        plan = list(events)
        for ev in events:
            if ev.get("committed") is False:
                notes.append(f"{ev['file_name']}：归档记录写于提交之前，且没有数据库可核对，按归档重放")
        return plan, notes, None
    by_key = {_event_key(ev): ev for ev in events}
    plan = []
    for row in have:
        ev = by_key.pop(_event_key(row), None)
        if ev is None:
            notes.append(f"导入 {row['import_id']}（{row['file_name']}）在归档中没有记录，按数据库中的导入记录重放")
            ev = row
        plan.append(ev)
    for ev in by_key.values():
        if ev.get("committed") is False:
            notes.append(f"{ev['file_name']}（{ev['imported_at']}）：导入在提交前中断，数据库中没有，未重放")
        else:
            notes.append(f"{ev['file_name']}（{ev['imported_at']}）：归档中有而数据库中没有，已重放")
            plan.append(ev)
    plan.sort(key=lambda e: (e["imported_at"], e["import_id"]))
    return plan, notes, len(have)


def rebuild(db_path=None, *, archive_root=None, force: bool = False, notes: list | None = None) -> Path:
    """Rebuild the database from the archive: replay every accepted import (see ``rebuild_plan``) in
    its original order into a temp file (same round, unit, who and when), copy the settings over, then
    atomically replace the database file. Refuses (RebuildRefused, the old file untouched) to write
    fewer imports than the current database has, unless ``force``. Close other connections first."""
    target = dbm.db_path(db_path)
    root = Path(archive_root).resolve() if archive_root else dbm.archive_dir(target)
    notes = notes if notes is not None else []
    plan, plan_notes, old_count = rebuild_plan(target, root)
    notes.extend(plan_notes)
    settings, kept = [], {}
    if target.exists():
        try:
            old = dbm.open_file(target, read_only=True, wait=30.0)
            try:
                settings = old.execute("SELECT key, value_json, updated_at, updated_by FROM settings").fetchall()
                kept = _kept_tables(old)
            finally:
                old.close()
        except dbm.DatabaseBusy:
            raise
        except Exception:  # noqa: BLE001 - a damaged database: rebuild without its settings
            notes.append("现有数据库无法打开，设置未能复制")
    with dbm.build_then_swap(target, ".rebuild.tmp") as con:
        if settings:
            con.executemany("INSERT INTO settings VALUES (?, ?, ?, ?)", [list(s) for s in settings])
        for table, (cols, rows) in kept.items():   # users and the audit trail are not in the archive
            if rows:
                con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                [list(r) for r in rows])
        done = 0
        for ev in plan:
            src = root / ev["archive_path"]
            why = None
            if not src.exists():
                why = "归档文件缺失"
            elif sha256_of(src) != ev["sha256"]:
                why = "归档文件已被改动（sha256 不符）"
            else:
                res = import_file(con, src, round_date=date.fromisoformat(ev["round_date"]), unit=ev["unit"],
                                  imported_by=ev["imported_by"], archive_root=root,
                                  _imported_at=datetime.fromisoformat(ev["imported_at"]), _replay=True,
                                  _file_name=ev["file_name"])
                if res.status == "rejected":
                    errs = "；".join(p["message"] for p in res.problems if p["severity"] == "error")[:200]
                    why = f"重放时被拒绝：{errs}"
                else:
                    done += 1
            if why:
                msg = f"{ev['file_name']}（导入 {ev['import_id']}）{why}"
                if not force:
                    raise RebuildRefused(f"重建中止，数据库未改动：{msg}。确认要舍弃该导入时加 --force")
                notes.append(msg + "，已跳过")
        if old_count is not None and done < old_count and not force:
            raise RebuildRefused(f"重建中止，数据库未改动：重建后只有 {done} 个导入，少于现有数据库的 {old_count} 个。"
                                 "确认时加 --force")
    return target


_KEPT = {  # tables a rebuild copies from the database it replaces (fixed names, never from a file)
    "users": ["login", "display_name", "role", "unit", "password_hash", "salt", "active", "demo", "created_at",
              "updated_at"],
    "audit_log": ["audit_id", "logged_at", "user_login", "action", "object", "detail_json", "sha256"],
}


def _kept_tables(old) -> dict:
    """{table: (columns, rows)} of the tables in ``_KEPT`` the old file has (an older schema has none)."""
    out = {}
    for table, cols in _KEPT.items():
        try:
            out[table] = (cols, old.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall())
        except duckdb.CatalogException:
            pass
    return out


# --- summary ---------------------------------------------------------------------------------------
def summary(con, round_date: date | str | None = None) -> dict:
    """Headline numbers of the ledger in force at the latest round (or the one given)."""
    if isinstance(round_date, str):
        round_date = date.fromisoformat(round_date)
    if round_date is None:
        round_date = con.execute("SELECT MAX(round_date) FROM rounds").fetchone()[0]
    funds = {lbl: 0.0 for lbl in g.FUND_SOURCES.values()}
    out = {"rounds": 0, "projects": 0,
           "total_funds_wan": 0.0, "funds_wan": funds, "grades": {"red": 0, "yellow": 0, "green": 0}}
    if round_date is None:
        return out
    out["rounds"] = con.execute("SELECT COUNT(*) FROM rounds WHERE round_date <= ?", [round_date]).fetchone()[0]
    n, tot = con.execute("SELECT COUNT(*), COALESCE(SUM(funds_wan), 0) FROM inforce(?::DATE)",
                         [round_date]).fetchone()
    out["projects"] = n
    out["total_funds_wan"] = _num(tot)
    for src, amt in con.execute("SELECT source, SUM(amount_wan) FROM inforce_funding(?::DATE) GROUP BY source",
                                [round_date]).fetchall():
        if src in g.FUND_SOURCES:
            funds[g.FUND_SOURCES[src]] = _num(amt)
    for grade, cnt in con.execute("SELECT row_grade, COUNT(*) FROM inforce(?::DATE) WHERE row_grade IS NOT NULL "
                                  "GROUP BY row_grade", [round_date]).fetchall():
        out["grades"][grade] = cnt
    return out


def _num(d) -> float:
    from decimal import Decimal
    if d is None:
        return 0.0
    return float(round(Decimal(d), 6))
