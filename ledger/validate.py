"""Validate parsed ledger sheets and shape them into table rows.

Problems are dicts {"sheet","row","column","value","message","severity"}: ``row`` is the Excel row
(1-based), ``column`` the Excel column letter plus its header ("M 风险等级"), the message in Chinese.
Severity "error" rejects the whole file; "warning"/"info" are reported and the file is accepted.
"""
from __future__ import annotations

import json
import operator
from datetime import date
from functools import partial
from itertools import compress, count, repeat
from decimal import Decimal

from . import db as dbm
from . import forms as F
from . import glossary as g
from . import normalize as N
from .reader import ParsedSheet, problem
from .reader import record_column as _column

MIN_YEAR = 2013
FUND_FIELDS = [f"fund_{c}" for c in g.FUND_SOURCES]
_ERROR_TYPES = {"money", "date", "year", "int", "grade"}
# where unknown enum / multi text is kept so nothing the unit wrote is lost
_KEEP_TEXT = {"progress": "progress_text", "risk": "problem_detail", "interactions": "content"}

PROGRESS_COLS = ["name", "town", "village", "department", "implementer", "operator", "build_year", "category",
                 "asset_type", "high_concern", "total_investment_wan", "enterprise_funds_wan", "paid_wan",
                 "build_status", "op_status", "planned_completion", "completion_accepted_on", "settled",
                 "rights_registered", "joint_account", "progress_text", "substantive_progress", "issues_text",
                 "next_steps", "reported_on"]
RISK_COLS = ["name", "town", "village", "department", "implementer", "operator", "build_year", "category",
             "asset_type", "high_concern", "total_investment_wan", "funds_wan", "problems", "problem_detail",
             "grade", "graded_on", "sensitive", "pretreatment", "pretreatment_done", "disposal", "revenue_wan",
             "distribution_wan", "linkage_mode", "households", "households_exited", "households_monitored",
             "measures", "deadline", "resp_leader", "resp_unit", "resp_person", "patrolled", "signoff_status",
             "signoff_applied_on", "signoff_accepted_on", "reported_on"]
TASK_COLS = ["problem", "measure", "due_on", "lead_leader", "lead_unit", "co_units", "owner", "status", "done_on"]
INTERACTION_COLS = ["operator", "raised_on", "channel", "kind", "content", "answer", "answered_on", "status",
                    "handler"]
SIGNOFF_COLS = ["from_grade", "to_grade", "applied_on", "self_eval_on", "accepted_on", "accepted_by", "route",
                "status", "evidence", "checklist_json"]


def _col(ps: ParsedSheet, fname: str) -> str:
    c = ps.column_of(fname)
    if c is None:
        lbl = next((f.synonyms[0] for f in F.FORMS[ps.form] if f.name == fname), fname)
        return lbl
    return f"{c.letter} {c.header}"


def validate(sheets: list[ParsedSheet], *, as_of: date | None = None, round_date: date | None = None,
             known: dict | None = None) -> tuple[list[dict], dict[str, list[dict]]]:
    """(problems, rows by table: progress, funding, risk, tasks, signoff, interactions).

    ``known`` (from the importer: the projects already in the database, see ``importer.known_projects``)
    has ``names`` {normalised name: code} of the reporting unit's projects and ``codes`` (every code
    reported so far); a 政企互动台账 row whose project is not in the file is looked up there.

    ``funding`` holds the fund lines of 附件1; ``risk_funding`` those a 风险排查表 carries for projects
    with no 附件1 row in the file (with ``sheet``/``excel_row``/``column`` of their cell, see
    ``_shape_risk_funding``). The importer decides which of the latter are written."""
    as_of = as_of or round_date or date.today()
    max_year = as_of.year
    problems: list[dict] = []
    out: dict[str, list[dict]] = {"progress": [], "funding": Rows(), "risk": [], "risk_funding": [], "tasks": [],
                                  "signoff": [], "interactions": []}
    out["funding"].columns = {"project_code": [], "source": [], "fund_year": [], "amount_wan": []}
    name_to_code: dict[str, str] = {}   # normalised name → code, for the sheets that name projects
    first_code: dict[str, str] = {}     # raw name → the code of its first row (附件1 and 附件2 repeat names)
    sources: dict[str, int] = {}   # table → how many sheets gave it rows
    named = any(ps.form in ("tasks", "signoff", "interactions") for ps in sheets)   # sheets that name projects
    ftypes = {form: {f.name: f for f in fl} for form, fl in F.FORMS.items()}

    def add(ps, row, fname, value, msg, sev="error"):
        problems.append(problem(ps.name, row, _col(ps, fname) if fname else "", value, msg, sev))

    order = {"progress": 0, "risk": 1, "tasks": 2, "signoff": 3, "interactions": 4}
    for ps in sorted(sheets, key=lambda s: order[s.form]):
        problems.extend(ps.notes)
        # a 附件1/附件2 sheet from the sandbox holds its records column by column (``ParsedSheet.record_columns``):
        # the usual sheet is checked and shaped from the columns and its row dicts are never made (issue #7).
        # ``recs`` is None while that holds; any step that changes a record makes the dicts first (ps.records).
        recs = None if ps.form in ("progress", "risk") and ps.record_columns is not None else ps.records
        n_recs = ps.n_records
        codes = ps.column_values("project_code")
        if not _plain_codes(codes):   # look-alike codes (ＨＸ…, zero-width characters) key as one project
            recs = ps.records
            for rec, v in zip(recs, codes):
                if v and not N.is_plain_code(v):
                    rec["project_code"] = N.norm_code(v) or None
            codes = _column(recs, "project_code")
        fdefs = ftypes[ps.form]
        keep = _KEEP_TEXT.get(ps.form)
        # parse errors
        kept_text: dict[int, list[str]] = {}
        colpos = {c.field: c.index for c in ps.columns}
        for (row, fname), (raw, err) in sorted(ps.raw.items(), key=lambda kv: (kv[0][0], colpos.get(kv[0][1], 0))):
            t = fdefs[fname].type if fname in fdefs else "text"
            if fname == "town":
                add(ps, row, fname, raw, err + "（不作为新乡镇，乡镇留空）", "warning")
            elif t in _ERROR_TYPES:
                add(ps, row, fname, raw, err, "error")
            else:
                add(ps, row, fname, raw, err + ("，原文已保留在备注文字中" if keep else ""), "warning")
                if keep:
                    lbl = next(iter(fdefs[fname].synonyms), fname)
                    kept_text.setdefault(row, []).append(f"{lbl}：{raw}")
        if kept_text:   # the unparsable text goes into the row's free-text field (before it is checked)
            recs = ps.records
            for rec in recs:
                if rec["_row"] in kept_text:
                    base = rec.get(keep)
                    rec[keep] = "；".join(([base] if base else []) + kept_text[rec["_row"]])
        seen: dict[tuple, int] = {}
        # what every row is checked for, worked out once per sheet
        req_cols = [f for f in F.FORMS[ps.form] if f.required and ps.column_of(f.name) is not None
                    and not (ps.companion and f.name in F.IDENTITY_NAMES)]
        req_all = [f for f in F.FORMS[ps.form] if f.required and not (ps.companion and f.name in F.IDENTITY_NAMES)]
        req_missing = [f for f in req_all if ps.column_of(f.name) is None]
        mapped = {c.field for c in ps.columns}
        years = [(yf, hi) for yf, hi in (("build_year", max_year), ("fund_year", max_year + 1))
                 if yf in mapped and not (ps.companion and yf == "build_year")]   # funds: a year ahead
        signed = [fname for fname, fd in fdefs.items() if fd.type in ("money", "int") and fname in mapped]
        funds = [f for f in FUND_FIELDS if f in mapped]
        ident = ps.form in ("progress", "risk")
        progress, companion = ps.form == "progress", ps.companion
        raw = ps.raw
        # the record fields this sheet's checks and table rows need, read row by row in one pass and then
        # turned column by column (the records do not change below but for their _code/_derived/_no_risk).
        # A record holds exactly its sheet's columns (from the reader) and maybe the kept text (see above).
        present = [c for c in _SHAPE_COLS.get(ps.form, ()) if c in mapped or (c == keep and kept_text)]
        need = present + [f for f in dict.fromkeys([*(f.name for f in req_cols), *(yf for yf, _ in years), *signed,
                                                    *funds, "total_investment_wan"])
                          if f in mapped and f not in present]
        if recs is None:
            column = {f: ps.column_values(f) for f in need}
        else:
            values = _values(recs, need)
            column = dict(zip(need, zip(*values))) if recs else dict.fromkeys(need, ())
        # the rows with something to report, found column by column: the per-row checks below run there only
        flagged = _flagged_rows(column, req_cols, years, signed)
        if req_missing and n_recs:
            flagged.add(0)   # the first row also reports the required columns the sheet lacks
        over = _over_total(column, funds) if ident else set()

        def check(i, rec, row):
            """The checks of a flagged row (required fields, years, negative amounts)."""
            # the first row also reports the required columns the sheet lacks, in the form's field order
            for f in (req_all if req_missing and i == 0 else req_cols):
                if f in req_missing:
                    add(ps, None, "", "", f"缺少必填列：{f.synonyms[0]}")
                elif rec.get(f.name) in (None, "") and (row, f.name) not in raw:
                    if ps.companion and f.name == "grade" and not _has_risk_values(ps, rec):
                        # a 一张表 row not graded (yet): its 附件1 part stands, nothing of 附件2 to lose
                        add(ps, row, f.name, "", "未填风险等级，本行只导入推进情况（附件1）", "warning")
                        rec["_no_risk"] = True
                        continue
                    add(ps, row, f.name, "", f"缺少必填项：{f.synonyms[0]}")
            # a year out of range or a negative amount
            for yf, hi in years:
                y = rec.get(yf)
                if y is not None and not (MIN_YEAR <= y <= hi):
                    add(ps, row, yf, str(y), f"年度 {y} 超出范围（{MIN_YEAR}—{hi}年）")
            for fname in signed:
                v = rec.get(fname)
                if v is not None and v < 0:
                    add(ps, row, fname, N.fmt(v), "金额/数量不能为负数")

        def check_total(rec, row):
            srcs = [v for v in map(rec.get, funds) if v is not None]
            tot = rec.get("total_investment_wan")
            if srcs and tot is not None and sum(srcs, Decimal(0)) > tot:
                add(ps, row, "total_investment_wan", N.fmt(tot),
                    f"九类资金合计 {N.fmt(sum(srcs, Decimal(0)))} 万元大于总投资 {N.fmt(tot)} 万元")

        # the usual sheet of projects: every row named, under its own code; then _identity has nothing to
        # derive or report, the codes are set at once and only the flagged rows are looked at one by one
        if ident and not companion and "name" in column and all(column["name"]) and all(codes):
            codes = list(map(str.strip, codes))
            unique = len(set(codes)) == len(codes)
        else:
            unique = False
        if unique:
            for i in sorted(flagged | over):
                # a record of its own (columns) or the record itself: check() changes a record only for a
                # companion (_no_risk), which is never on this path
                rec = recs[i] if recs is not None else ps.record_at(i)
                if i in flagged:
                    check(i, rec, rec["_row"])
                if i in over:
                    check_total(rec, rec["_row"])
            if recs is not None:
                for rec, code in zip(recs, codes):
                    rec["_code"], rec["_derived"] = code, False
            if named:
                for name, code in zip(column["name"], codes):
                    first_code.setdefault(name, code)
        elif recs is None:
            recs = ps.records
        for i in () if unique else sorted(flagged) if not ident else range(len(recs)):
            rec = recs[i]
            row = rec["_row"]
            if i in flagged:
                check(i, rec, row)
            if ident:
                name, code = rec.get("name"), rec.get("project_code")
                if name and code and not companion:   # as in _identity, for a code not seen before
                    code = code.strip()
                    key = (code, rec.get("fund_year")) if progress else code
                if name and code and not companion and key not in seen:
                    rec["_code"], rec["_derived"] = code, False
                    first_code.setdefault(name, code)
                    seen[key] = row
                else:
                    _identity(ps, rec, add, seen, first_code)
                if rec.get("_no_risk"):
                    rec["_code"] = None
                if i in over:
                    check_total(rec, row)
        if not ident and first_code:   # the project sheets are done: key their names (normalised once each)
            for name, code in first_code.items():
                name_to_code.setdefault(N.norm_name(name), code)
            first_code.clear()
        # shape rows
        before = {t: len(v) for t, v in out.items()}
        if ident:   # each record's _code, _derived and _row, column by column
            if recs is None:   # the usual sheet, from its columns: every record under its own code
                keys = (codes, [False] * n_recs, ps.column_values("_row"))
            else:
                keys = (_column(recs, "_code"), _column(recs, "_derived"), _column(recs, "_row"))
        if ps.form == "progress":
            _shape_progress(ps, out, add, round_date, present, column, unique, keys, recs)
        elif ps.form == "risk":
            # the records with a code make the table's rows
            _add_table(out, "risk", _table(RISK_COLS, present, column, keys[0], ps.name, mapped, keys, recs))
            _shape_risk_funding(ps, out, add, round_date, keys)
        elif ps.form == "tasks":
            _shape_tasks(ps, out, add, name_to_code)
        elif ps.form == "signoff":
            _shape_signoff(ps, out, add, name_to_code)
        elif ps.form == "interactions":
            file_codes = {r["project_code"] for k in ("progress", "risk") for r in out[k]}
            _shape_interactions(ps, out, add, name_to_code, file_codes, known or {})
        for t, v in out.items():
            if len(v) > before[t]:
                sources[t] = sources.get(t, 0) + 1
    problems.extend(_cross_sheet_duplicates(out, {t for t, n in sources.items() if n > 1}))
    return problems, out


def _plain_codes(codes: list) -> bool:
    """Every code empty or ``normalize.is_plain_code`` (which ``norm_code`` leaves alone), checked for the
    whole column in C."""
    try:
        given = list(filter(None, codes))
        return set(map(type, given)) <= {str} and all(map(str.isascii, given)) and all(map(str.isalnum, given))
    except TypeError:   # not text
        return False


def _values(records: list[dict], fields: list[str]) -> list[tuple]:
    """``[tuple(map(rec.get, fields)) for rec in records]``, in C where every record has the fields."""
    if len(fields) < 2:
        return list(zip(_column(records, fields[0]))) if fields else [()] * len(records)
    try:
        return list(map(operator.itemgetter(*fields), records))
    except KeyError:
        return [tuple(map(rec.get, fields)) for rec in records]


def _flagged_rows(column: dict, req_cols: list, years: list[tuple[str, int]], signed: list[str]) -> set[int]:
    """The indices of the records with a required field empty, a year outside MIN_YEAR..hi or a negative
    amount: one pass per column (over its distinct values where it can), so the per-row checks run only
    where there may be something to report. A superset is fine: those checks decide."""
    hit: set[int] = set()
    for f in req_cols:
        col = column[f.name]
        if None in col or "" in col:
            hit.update(i for i, v in enumerate(col) if v is None or v == "")
    for yf, hi in years:
        col = column[yf]
        try:
            vals = set(col)
            vals.discard(None)
            if not vals or (MIN_YEAR <= min(vals) and max(vals) <= hi):
                continue
        except TypeError:   # an unhashable value: look at every row
            pass
        hit.update(i for i, y in enumerate(col) if y is not None and not (MIN_YEAR <= y <= hi))
    for fname in signed:
        col = column[fname]
        try:
            if min(filter(None, col), default=0) >= 0:   # None and 0 are never negative
                continue
        except TypeError:
            pass
        hit.update(i for i, v in enumerate(col) if v is not None and v < 0)
    return hit


def _over_total(column: dict, funds: list[str]) -> set[int]:
    """The indices of the records whose fund sources may add up to more than 总投资 (checked row by row)."""
    tots = column.get("total_investment_wan")
    if not funds or tots is None:   # no 总投资 column: nothing to compare with
        return set()
    sums = map(sum, map(partial(filter, None), zip(*(column[f] for f in funds))))   # None and 0 add nothing
    return {i for i, s, tot in zip(count(), sums, tots) if tot is not None and s > tot}


_SHAPE_COLS = {"progress": PROGRESS_COLS, "risk": RISK_COLS}
_TABLE_KEYS = {"progress": ("project_code",), "risk": ("project_code",), "interactions": ("project_code", "seq")}
_TABLE_LABELS = {"progress": "推进梳理表", "risk": "风险排查表", "interactions": "政企互动台账"}


def _cross_sheet_duplicates(out: dict[str, list[dict]], tables: set[str]) -> list[dict]:
    """One project on two sheets of the same form (each sheet is checked on its own above): an error
    at the second row, naming the first, instead of a failed INSERT. ``tables``: those with rows from
    more than one sheet (the others cannot have any)."""
    found = []
    for table, key in _TABLE_KEYS.items():
        if table not in tables:
            continue
        first: dict[tuple, dict] = {}
        for r in out[table]:
            k = tuple(r.get(c) for c in key)
            if k in first and first[k].get("sheet") != r.get("sheet"):   # same sheet: reported above
                f = first[k]
                found.append(problem(r.get("sheet"), r.get("excel_row"), "项目编号", r["project_code"],
                                     f"项目编号 {r['project_code']} 在{_TABLE_LABELS[table]}中出现两次：与工作表"
                                     f"“{f.get('sheet')}”第{f.get('excel_row')}行重复"))
            else:
                first.setdefault(k, r)
    for table, key, lbl in (("tasks", ("project_code", "task_seq"), "整改任务表中项目 {0} 的任务序号 {1}"),
                            ("signoff", ("project_code", "from_grade", "to_grade"), "降级销号表中项目 {0} 的 {1}→{2} 记录"),
                            ("funding", ("project_code", "source", "fund_year"), "项目 {0} 的资金（{1}，{2}年度）")):
        if table not in tables:
            continue
        keys = _values(out[table], list(key))
        if len(set(keys)) == len(keys):   # no key twice: nothing to find here
            continue
        seen: set[tuple] = set()
        for r in out[table]:
            k = tuple(r.get(c) for c in key)
            if k in seen:
                found.append(problem(None, None, "", r["project_code"], lbl.format(*k) + "在多个工作表中重复出现"))
            seen.add(k)
    return found


def _identity(ps, rec, add, seen, first_code):
    name = rec.get("name")
    if not name:
        rec["_code"] = None
        return
    row = rec["_row"]
    code = rec.get("project_code")
    derived = False
    if not code:
        code = N.derived_code(rec.get("build_year"), rec.get("town"), name)
        derived = True
        if not ps.companion:
            add(ps, row, "project_code", "", f"未填项目编号，已按(建设年度,乡镇,项目名称)生成编号 {code}", "warning")
    code = code.strip()
    rec["_code"], rec["_derived"] = code, derived
    first_code.setdefault(name, code)
    if ps.form == "progress":
        key = (code, rec.get("fund_year"))
        if key in seen:
            if derived:
                msg = f"与第{seen[key]}行生成的编号相同（{code}）：同一建设年度、乡镇、项目名称出现两次，不能自动合并"
            elif rec.get("fund_year") is not None:
                msg = f"项目编号 {code} 与第{seen[key]}行重复（资金年度 {rec.get('fund_year')} 相同）"
            else:
                msg = f"项目编号 {code} 与第{seen[key]}行重复"
            add(ps, row, "project_code", code, msg)
        else:
            seen[key] = row
    else:
        if code in seen and ps.companion:
            # a 一张表 project on several rows (one per 资金年度): one grade, written once or repeated
            first = seen[("_rec", code)]
            if all(rec.get(k) in (None, first.get(k)) for k in _risk_fields(ps)):
                rec["_code"] = None
                return
            add(ps, row, "grade", "", f"同一项目（{code}）在第{seen[code]}行和本行的风险排查信息不一致，"
                                      "一个项目一期只能有一条风险排查记录")
            return
        if code in seen:
            msg = (f"与第{seen[code]}行生成的编号相同（{code}），不能自动合并" if derived else
                   f"同一项目在本期被评级两次：项目编号 {code} 与第{seen[code]}行重复")
            add(ps, row, "project_code", code, msg)
        else:
            seen[code] = row
            if ps.companion:
                seen[("_rec", code)] = rec


def _risk_fields(ps) -> list[str]:
    return [c.field for c in ps.columns if c.field not in F.IDENTITY_NAMES and c.field != "reported_on"]


def _has_risk_values(ps, rec) -> bool:
    return any(rec.get(k) not in (None, "", []) for k in _risk_fields(ps) if k != "grade") \
        or any((rec["_row"], k) in ps.raw for k in _risk_fields(ps))


def _shape_progress(ps, out, add, round_date, present, column, unique, keys, recs):
    """附件1 rows → progress rows (one per project: a project on several rows, one per 资金年度, takes the
    first row's values and fills what it left empty from the later ones) and its fund lines. ``unique``:
    every record has a code of its own (then no project and no fund line comes twice). ``keys``: the
    records' (_code, _derived, _row) columns; ``recs``: the records, or None while they are columns (only
    when ``unique``)."""
    first: dict[str, int] = {}   # code → index of its first record
    fund_keys: dict[tuple, int] = {}
    code_col, _derived, row_col = keys
    n = len(code_col)
    funds = [f for f in FUND_FIELDS if f in column]   # the sheet's columns (a record holds exactly those)
    srcs = [f[5:] for f in funds]
    funding = out["funding"]
    cols = funding.columns   # the same lines column by column
    to_code, to_src, to_year, to_amount = (cols[c].append for c in ("project_code", "source", "fund_year", "amount_wan"))
    none = repeat(None)
    fund_year, build_year = column.get("fund_year", none), column.get("build_year", none)   # in ``column`` if mapped
    for i, code, row, fyr, byr, amounts in zip(range(n), code_col, row_col, fund_year, build_year,
                                               zip(*(column[f] for f in funds)) if funds else repeat(())):
        if not code:
            continue
        if not unique:
            first.setdefault(code, i)
        if not any(amounts):
            continue
        fy = fyr or byr or _fund_year(ps, {"_row": row}, add, round_date)
        for src, amt in compress(zip(srcs, amounts), amounts):   # the amounts given (not 0)
            if not unique:
                k = (code, src, fy)
                if k in fund_keys:
                    add(ps, row, f"fund_{src}", N.fmt(amt),
                        f"项目 {code} 的{g.FUND_SOURCES[src]}（{fy}年度）与第{fund_keys[k]}行重复")
                    continue
                fund_keys[k] = row
            funding.append({"project_code": code, "source": src, "fund_year": fy, "amount_wan": amt})
            to_code(code)
            to_src(src)
            to_year(fy)
            to_amount(amt)
    if unique:
        kept = [True] * n
    else:
        kept = [False] * n
        for i in first.values():
            kept[i] = True
    rows = _table(PROGRESS_COLS, present, column, kept, ps.name, {c.field for c in ps.columns}, keys, recs)
    if not unique and len(first) < sum(1 for code in code_col if code):   # a project on several rows
        rows.columns = None
        by_code = dict(zip(first, rows))
        for i, rec in enumerate(recs):
            code = rec.get("_code")
            if code and first[code] != i:
                r = by_code[code]
                for k in PROGRESS_COLS:
                    if r.get(k) is None and rec.get(k) is not None:
                        r[k] = rec.get(k)
    _add_table(out, "progress", rows)


class Rows:
    """A table's rows: dicts, or the same values column by column (``columns``: name → list), or both.

    The usual 附件1/附件2 sheet is shaped column by column and its rows exist only as ``columns`` (issue #7:
    building 20,000 row dicts per sheet cost more than all the checks). Whatever reads rows (iterating,
    indexing, ``append``) makes the dicts once, from the columns, and from then on the dicts are the rows;
    ``columns`` still serves ``importer._arrow`` and ``column`` while its length agrees with the rows
    (appending a row makes it disagree, unless the caller appends to the columns too, as the fund lines
    do). Read-only by convention: a row dict changed in place is not seen by ``columns``."""
    __slots__ = ("columns", "_rows")
    __hash__ = None

    def __init__(self, rows: list[dict] | None = None, columns: dict[str, list] | None = None):
        self.columns = columns
        self._rows = rows if rows is not None else [] if columns is None else None

    def _list(self) -> list[dict]:
        if self._rows is None:
            names = list(self.columns)
            self._rows = [dict(zip(names, t)) for t in zip(*self.columns.values())]
        return self._rows

    def __len__(self) -> int:
        if self._rows is not None:
            return len(self._rows)
        return len(next(iter(self.columns.values()), ()))

    def __iter__(self):
        return iter(self._list())

    def __getitem__(self, i):
        return self._list()[i]

    def __eq__(self, other) -> bool:
        return self._list() == (other._list() if isinstance(other, Rows) else other)

    def __add__(self, other) -> Rows:
        return Rows([*self._list(), *other])

    def __radd__(self, other) -> Rows:
        return Rows([*other, *self._list()])

    def __repr__(self) -> str:
        return f"Rows({self._list()!r})"

    def append(self, row: dict) -> None:
        self._list().append(row)

    def extend(self, rows) -> None:
        self._list().extend(rows)

    def column(self, name: str) -> list:
        """Every row's ``name`` (None where it has none), from the columns while they hold."""
        cols = self.columns
        if cols is not None and name in cols and len(cols[name]) == len(self):
            return cols[name]
        return [r.get(name) for r in self._list()]


def column(rows, name: str) -> list:
    """``[r.get(name) for r in rows]`` for a table's rows (a ``Rows`` answers from its columns)."""
    return rows.column(name) if isinstance(rows, Rows) else [r.get(name) for r in rows]


_EXTRA = ("project_code", "code_derived", "sheet", "excel_row")


def _table(cols, present, column, kept, sheet, mapped, keys, recs) -> Rows:
    """The table rows of the records where ``kept`` is true: their ``cols`` plus project_code,
    code_derived, sheet and excel_row (``keys``: the records' _code, _derived and _row columns), column by
    column (``column``: the sheet's columns ``mapped``, ``present`` those of ``cols`` the records have).
    ``recs``: the records, which then make the row dicts at once (each a copy of its record without the
    fields the table does not take); None while the records are columns (the rows are only columns)."""
    if all(kept):
        def pick(col):
            return col
    else:
        def pick(col):
            return list(compress(col, kept))
    code_col, derived_col, row_col = keys
    columns = {c: (pick(column[c]) if c in present else None) for c in cols}
    columns["project_code"], columns["code_derived"] = pick(code_col), pick(derived_col)
    columns["excel_row"] = pick(row_col)
    n = len(columns["excel_row"])
    columns["sheet"] = [sheet] * n
    for c in cols:
        if columns[c] is None:
            columns[c] = [None] * n
    if recs is None:
        return Rows(columns=columns)
    # a row is a copy of its record (_row and the sheet's columns, from the reader; _code and _derived)
    # without the fields the table does not take, which is cheaper than building it key by key; a record
    # with other fields (or without these) is shaped key by key instead
    keys = {*cols, *_EXTRA}
    drop = [k for k in dict.fromkeys(("_row", *mapped, "_code", "_derived")) if k not in keys]
    absent = [c for c in cols if c not in mapped]   # None, or the kept text validate added to the record
    size = len(keys)
    rows = []
    append = rows.append
    for rec, code, derived, row in zip(pick(recs), columns["project_code"], columns["code_derived"],
                                       columns["excel_row"]):
        r = rec.copy()
        try:
            for k in drop:
                del r[k]
        except KeyError:
            r = None
        else:
            for c in absent:
                r.setdefault(c, None)
            r["project_code"], r["code_derived"], r["sheet"], r["excel_row"] = code, derived, sheet, row
        if r is None or len(r) != size:
            r = dict(zip(cols, map(rec.get, cols)))
            r.update(project_code=code, code_derived=derived, sheet=sheet, excel_row=row)
        append(r)
    return Rows(rows, columns)


def _add_table(out, table, rows: Rows) -> None:
    """Append a sheet's rows to ``out[table]`` (and their columns to its columns, while both have them)."""
    have = out[table]
    if not have:
        out[table] = rows
        return
    if not isinstance(have, Rows):
        out[table] = have = Rows(list(have))
    both = have.columns is not None and rows.columns is not None and len(have.columns[next(iter(have.columns))]) == len(have)
    cols = {c: [*v, *rows.columns[c]] for c, v in have.columns.items()} if both else None
    have.extend(rows)
    have.columns = cols


def _fund_year(ps, rec, add, round_date):
    """资金年度, else 建设年度, else the round's year (with a warning)."""
    fy = rec.get("fund_year") or rec.get("build_year")
    if fy is None:
        fy = round_date.year if round_date else date.today().year
        add(ps, rec["_row"], "fund_year", "", f"未填资金年度和建设年度，资金按报送期次年度 {fy} 记入", "warning")
    return fy


def _shape_risk_funding(ps, out, add, round_date, keys):
    """Fund lines from a 风险排查表 that carries the source columns (资金来源|衔接资金 …).

    附件1 is the funding form: for a project with a 附件1 row in the same file its lines stand, and a
    risk row whose amounts differ from them (per source, summed over 附件1's fund years) gets a warning
    at its cell. Otherwise the risk row's amounts become the project's fund lines (``risk_funding``)."""
    if not any(ps.column_of(f) for f in FUND_FIELDS):
        return
    prog_rows = {r["project_code"]: r for r in out["progress"]}
    prog_funds: dict[str, dict[str, Decimal]] = {}
    for fr in out["funding"]:
        by_src = prog_funds.setdefault(fr["project_code"], {})
        by_src[fr["source"]] = by_src.get(fr["source"], Decimal(0)) + fr["amount_wan"]
    for rec, code in zip(ps.records, keys[0]):   # ``keys``: the records' (_code, _derived, _row)
        if not code or all(rec.get(f) is None for f in FUND_FIELDS):
            continue
        if code in prog_rows:
            p = prog_rows[code]
            theirs = prog_funds.get(code, {})
            for src in g.FUND_SOURCES:
                mine = rec.get(f"fund_{src}")
                other = theirs.get(src, Decimal(0))
                if mine is not None and mine != other:
                    add(ps, rec["_row"], f"fund_{src}", N.fmt(mine),
                        f"项目 {code} 的{g.FUND_SOURCES[src]}与附件1（{p['sheet']}第{p['excel_row']}行）不一致："
                        f"本表 {N.fmt(mine)} 万元，附件1 {N.fmt(other)} 万元，以附件1为准", "warning")
            continue
        amounts = [(f[5:], rec.get(f)) for f in FUND_FIELDS if rec.get(f)]
        if not amounts:
            continue
        fy = _fund_year(ps, rec, add, round_date)
        for src, amt in amounts:
            c = ps.column_of(f"fund_{src}")
            out["risk_funding"].append({"project_code": code, "source": src, "fund_year": fy, "amount_wan": amt,
                                        "sheet": ps.name, "excel_row": rec["_row"],
                                        "column": f"{c.letter} {c.header}"})


def _code_for(ps, rec, add, name_to_code):
    code = rec.get("project_code")
    if code:
        return code.strip()
    name = rec.get("name")
    if name:
        k = N.norm_name(name)
        if k in name_to_code:
            return name_to_code[k]
        # task sheets often add a suffix such as "（黄级）": the longest known name contained in it
        hits = [kn for kn in name_to_code if len(kn) >= 4 and (kn in k or k in kn)]
        if hits:
            return name_to_code[max(hits, key=len)]
    add(ps, rec["_row"], "project_code", name or "", "缺少项目编号，且项目名称在本文件的台账中找不到")
    return None


def _shape_tasks(ps, out, add, name_to_code):
    seqs: dict[str, int] = {}
    seen: dict[tuple, int] = {}
    for rec in ps.records:
        code = _code_for(ps, rec, add, name_to_code)
        if not code or not rec.get("measure"):
            continue
        seq = rec.get("task_seq")
        if seq is None:
            seq = seqs.get(code, 0) + 1
        seqs[code] = max(seqs.get(code, 0), seq)
        if (code, seq) in seen:
            add(ps, rec["_row"], "task_seq", str(seq), f"项目 {code} 的任务序号 {seq} 与第{seen[(code, seq)]}行重复")
            continue
        seen[(code, seq)] = rec["_row"]
        r = {k: rec.get(k) for k in TASK_COLS}
        r["status"] = r["status"] or ("done" if rec.get("done_on") else "not_started")
        r.update(project_code=code, task_seq=seq)
        out["tasks"].append(r)


def _shape_signoff(ps, out, add, name_to_code):
    seen: dict[tuple, int] = {}
    for rec in ps.records:
        code = _code_for(ps, rec, add, name_to_code)
        if not code or not rec.get("from_grade") or not rec.get("to_grade"):
            continue
        k = (code, rec["from_grade"], rec["to_grade"])
        if k in seen:
            add(ps, rec["_row"], "project_code", code, f"降级销号记录与第{seen[k]}行重复")
            continue
        seen[k] = rec["_row"]
        checks = {c: rec.get(f"check_{c}") for c in g.SIGNOFF_CHECKLIST if ps.column_of(f"check_{c}")}
        r = {k2: rec.get(k2) for k2 in SIGNOFF_COLS if k2 != "checklist_json"}
        r["status"] = r["status"] or ("accepted" if rec.get("accepted_on") else "applied")
        r["checklist_json"] = json.dumps(checks, ensure_ascii=False, sort_keys=True) if checks else None
        r["project_code"] = code
        out["signoff"].append(r)


def _interaction_code(ps, rec, add, name_to_code, file_codes, known):
    """The project of a 政企互动 row: its 项目编号 (a project of this file or one reported before), else its
    name among the file's projects, else among the unit's projects already in the database."""
    row = rec["_row"]
    code = (rec.get("project_code") or "").strip()
    if code:
        if code in file_codes or code in known.get("codes", ()):
            return code
        add(ps, row, "project_code", code, f"项目编号 {code} 在本文件和已导入的台账中都找不到")
        return None
    name = rec.get("name")
    if name:
        k = N.norm_name(name)
        for names in (name_to_code, known.get("names", {})):
            if k in names:
                return names[k]
            hits = [kn for kn in names if len(kn) >= 4 and (kn in k or k in kn)]
            if hits:
                return names[max(hits, key=len)]
    add(ps, row, "name" if name else "project_code", name or "",
        "缺少项目编号，且项目名称在本文件和本单位已导入的台账中都找不到")
    return None


def _shape_interactions(ps, out, add, name_to_code, file_codes, known):
    """One row per 诉求/建议. 序号 numbers a row (else its place among the data rows); status defaults to
    已答复 when an 答复日期 is given, else 待办理."""
    seen: dict[tuple, int] = {}
    for n, rec in enumerate(ps.records, start=1):
        row = rec["_row"]
        code = _interaction_code(ps, rec, add, name_to_code, file_codes, known)
        raised, answered = rec.get("raised_on"), rec.get("answered_on")
        if raised and answered and answered < raised:
            add(ps, row, "answered_on", answered.isoformat(),
                f"答复日期 {answered.isoformat()} 早于反映日期 {raised.isoformat()}")
        status = rec.get("status") or ("answered" if answered else "pending")
        if status in ("answered", "closed") and not rec.get("answer"):
            add(ps, row, "status", g.INTERACTION_STATUS[status],
                f"办理状态为“{g.INTERACTION_STATUS[status]}”，但未填答复情况", "warning")
        if not code or not raised or not rec.get("content"):
            continue
        seq = rec.get("seq") if rec.get("seq") is not None else n
        if (code, seq) in seen:
            add(ps, row, "seq", str(seq), f"项目 {code} 的序号 {seq} 与第{seen[(code, seq)]}行重复")
            continue
        seen[(code, seq)] = row
        r = {k: rec.get(k) for k in INTERACTION_COLS}
        r.update(project_code=code, seq=seq, status=status, sheet=ps.name, excel_row=row)
        out["interactions"].append(r)


def check_against_db(con, rows: dict[str, list[dict]], *, round_date: date, unit: str) -> list[dict]:
    """A project already graded by ANOTHER unit in the same round → error. The 区工作专班's consolidated
    ledger repeats the units' projects by design: no error on either side of it."""
    risk = rows.get("risk") or []
    if not risk or unit == g.TASK_FORCE:
        return []
    with dbm.code_list(con, set(column(risk, "project_code"))) as view:
        found = con.execute(
            f"SELECT project_code, unit FROM risk_rows SEMI JOIN {view} USING (project_code) "
            "WHERE round_date = ? AND unit <> ? AND unit <> ? ORDER BY project_code, unit",
            [round_date, unit, g.TASK_FORCE]).fetchall()
    other = {}
    for code, u in found:
        other.setdefault(code, u)
    out = []
    for r in risk if other else ():   # the rows only when there is something to report
        if r["project_code"] in other:
            out.append(problem(r.get("sheet"), r.get("excel_row"), "项目编号", r["project_code"],
                               f"项目 {r['project_code']} 本期（{round_date.isoformat()}）已由{other[r['project_code']]}"
                               f"评级，同一项目一期只能评级一次"))
    return out
