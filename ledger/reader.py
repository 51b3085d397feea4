"""Read ledger workbooks (.xlsx/.xlsm/.xls) into forms (DOMAIN §11).

``read_workbook(path)`` → raw grids (python-calamine), ``parse_workbook(path)`` → one ``ParsedSheet``
per recognised sheet: which form, the column → field mapping, the meta lines (填报单位, 填报日期,
单位：万元/元), the title, the data rows (Excel row numbers, 1-based) with values already normalised
per column, and notes for every skipped row (group rows, 小计/合计, blanks, footers, unit rows) plus
problems from parsing cells and from checking 合计 rows against the rows they sum. A headed column that
maps to no field of the form (or repeats one) is a warning at its header cell: no cell is lost silently.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from . import forms as F
from . import normalize as N
from . import sandbox as SB


@dataclass
class Grid:
    name: str
    rows: list[list]                  # rows[i] is Excel row i+1; '' for empty cells
    merged: list[tuple[int, int, int, int]]  # 0-based (r1, c1, r2, c2), inclusive
    visible: str = "visible"          # 'visible' | 'hidden' | 'veryhidden'
    uncached: list[tuple[int, int, str]] = field(default_factory=list)  # 0-based cells read as empty
    #                                          that are not: (row, col, 'formula' | 'error' | 'number')


@dataclass
class Column:
    index: int                         # 0-based
    field: str
    type: str
    header: str                        # header path as written, "资金来源|衔接资金"
    yuan: bool = False

    @property
    def letter(self) -> str:
        return col_letter(self.index)


@dataclass
class ParsedSheet:
    name: str
    form: str
    title: str
    meta: dict                          # unit_text, submitted_on (date), money_unit ('wan'|'yuan'), dates
    columns: list[Column]
    header_rows: tuple[int, int]        # Excel rows (first, last)
    records: list[dict] = field(default_factory=list)   # {"_row": excel_row, field: value, ...}
    raw: dict = field(default_factory=dict)             # (excel_row, field) -> raw text for errors
    notes: list[dict] = field(default_factory=list)     # problems/notes (sheet,row,column,value,message,severity)
    skipped: int = 0
    # a one-sheet ledger carrying both 附件1 and 附件2 columns: the fields of each form (see split_combined)
    parts: dict[str, set[str]] | None = None
    companion: bool = False             # the second form read from the same rows (no notes of its own)
    # the sandbox child sends the records as columns instead (names, [column …]): they pickle in half the
    # time and unpickle in a fifth of it; the row dicts are made only when ``records`` is read (validate reads
    # a usual sheet through ``column_values``/``record_at`` and never makes them)
    record_columns: tuple | None = None

    def rows_from_columns(self) -> None:
        """``records`` from ``record_columns`` (a no-op when the sheet was parsed with row dicts). Reading
        ``records`` does this on first access, so the validator's column path (``column_values``) never
        builds the dicts of a usual sheet (issue #7: 0.07 s per 20,000-row sheet)."""
        if self.record_columns is not None:
            names, cols = self.record_columns
            self.__dict__["records"] = [dict(zip(names, t)) for t in zip(*cols)]
            self.record_columns = None

    @property
    def n_records(self) -> int:
        """How many records (without building them)."""
        if self.record_columns is not None:
            cols = self.record_columns[1]
            return len(cols[0]) if cols else 0
        return len(self.records)

    def column_values(self, fname: str) -> list:
        """``[rec.get(fname) for rec in self.records]``, straight from ``record_columns`` while the records are
        still columns (the list itself: read it, do not change it)."""
        if self.record_columns is not None:
            names, cols = self.record_columns
            try:
                return cols[names.index(fname)]
            except ValueError:
                return [None] * (len(cols[0]) if cols else 0)
        return record_column(self.records, fname)

    def record_at(self, i: int) -> dict:
        """Record ``i`` as a dict (a fresh one while the records are columns: changes to it are not kept)."""
        if self.record_columns is not None:
            names, cols = self.record_columns
            return {k: c[i] for k, c in zip(names, cols)}
        return self.records[i]

    def column_of(self, fname: str) -> Column | None:
        for c in self.columns:
            if c.field == fname:
                return c
        return None


def record_column(records: list[dict], fname: str) -> list:
    """``[rec.get(fname) for rec in records]``, in C where every record has the field (the reader gives
    each record of a sheet the same fields)."""
    try:
        return list(map(operator.itemgetter(fname), records))
    except KeyError:
        return [rec.get(fname) for rec in records]


def _get_records(self) -> list[dict]:
    if self.record_columns is not None:   # still columns (from the sandbox child): make the dicts now
        self.rows_from_columns()
    return self.__dict__["records"]


def _set_records(self, value: list[dict]) -> None:
    self.__dict__["records"] = value
    self.__dict__["record_columns"] = None


# ``records`` is a dataclass field read through a property: the dicts are built on first access
ParsedSheet.records = property(_get_records, _set_records)


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def problem(sheet, row, column, value, message, severity="error") -> dict:
    return {"sheet": sheet, "row": row, "column": column, "value": value, "message": message,
            "severity": severity}


# --- reading ---------------------------------------------------------------------------------------
def read_workbook(path: str | Path, limits: dict | None = None) -> list[Grid]:
    """The raw grids of a workbook, parsed in a resource-limited child process (``ledger.sandbox``):
    raises ``sandbox.ReadError`` (Chinese message) for a file that is unsafe or unreadable."""
    grids, uncached = SB.read_grids(Path(path), limits)
    return [Grid(name, rows, merged, vis, uncached.get(name, [])) for name, rows, merged, vis in grids]


# --- header matching -------------------------------------------------------------------------------
_UNIT_SUFFIX = re.compile(r"[(（\[【]?(?:单位[:：])?(?:万元|元|万|户|人|个|年|%|亩)[)）\]】]?$")


def norm_header(s) -> str:
    """Normalise a header: NFKC, no whitespace/newlines, ASCII brackets, no trailing unit suffix."""
    t = N.text(s)
    t = re.sub(r"\s+", "", t)
    t = t.replace("（", "(").replace("）", ")").replace("：", ":")
    t = re.sub(r"^[*※]+|[*※]+$", "", t)
    prev = None
    while prev != t:
        prev = t
        t = _UNIT_SUFFIX.sub("", t) if len(t) > 2 else t
    return t


def _header_is_yuan(s: str) -> bool:
    t = re.sub(r"\s+", "", N.text(s))
    return bool(re.search(r"(?<!万)元[)）\]】]?$", t)) or bool(re.search(r"[(（]\s*元\s*[)）]", t))


def _syn_variants(s: str) -> set[str]:
    n = norm_header(s)
    return {n, n.replace("(", "").replace(")", ""), n.replace(":", "")}


_FORM_INDEX: dict[str, tuple[dict[str, F.Field], list[tuple[str, F.Field]]]] = {}


def form_index(form: str):
    if form not in _FORM_INDEX:
        exact: dict[str, F.Field] = {}
        for f in F.FORMS[form]:
            for syn in f.synonyms:
                for v in _syn_variants(syn):
                    exact.setdefault(v, f)
        contains = sorted(((k, f) for k, f in exact.items() if len(k) >= 3), key=lambda kf: -len(kf[0]))
        _FORM_INDEX[form] = (exact, contains)
    return _FORM_INDEX[form]


def match_header(parts: list[str], form: str, strict: bool = False) -> F.Field | None:
    """Most specific first: the leaf, then parent+leaf joined, then upwards; exact then contains.

    ``strict`` (used for the second form of a one-sheet ledger): no "contains" guess, only an exact
    synonym once bracketed notes are dropped ("风险等级（红/黄/绿）" yes, "运营状态说明" no)."""
    exact, contains = form_index(form)
    if strict:
        for p in reversed(parts):
            c = re.sub(r"\([^)]*\)", "", norm_header(p))
            c = re.sub(r"^其中:?", "", c)
            if c in exact:
                return exact[c]
        return None
    cands: list[str] = []
    for i in range(len(parts) - 1, -1, -1):
        p = norm_header(parts[i])
        if i > 0:
            cands.append(norm_header(parts[i - 1]) + p)
        cands.append(p)
        cands.append(re.sub(r"^其中:?", "", p))
    for c in cands:
        if not c:
            continue
        for v in (c, c.replace("(", "").replace(")", ""), c.replace(":", "")):
            if v in exact:
                return exact[v]
    leaf = norm_header(parts[-1]) if parts else ""
    for c in ([leaf] if leaf else []) + [norm_header(p) for p in parts[:-1]][::-1]:
        for k, f in contains:
            if k in c:
                return f
    return None


# --- sheet layout ----------------------------------------------------------------------------------
_FOOTER_RE = re.compile(r"^(填表人|填报人|审核人|审核|联系电话|电话|制表|制表人|负责人|单位负责人|分管领导|主要领导|备注|说明|注[:：]|注[0-9１-９]|填表说明|领导签字|签字|盖章)")
_GROUP_RE = re.compile(r"^(?:[一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十百]+[)）])")
_TOTAL_RE = re.compile(r"(小[ \u3000]*计|合[ \u3000]*计|总[ \u3000]*计)")
# "填报单位（盖章）：XX" — an optional bracketed note may stand between the label and the colon
_META_UNIT_RE = re.compile(r"(?:填报|报送|上报)单位(?:名称)?\s*(?:[（(][^）)]{0,8}[）)])?\s*[:：]\s*([^\s:：]*?)(?=\s|填报|报送|单位[:：]|金额单位|$)")
_META_DATE_RE = re.compile(r"(?:填报|报送|上报|填表)(?:日期|时间)\s*(?:[（(][^）)]{0,8}[）)])?\s*[:：]\s*([0-9０-９年月日./\-\s]+?)(?=\s{2,}|填报|报送|单位|$)")
_MONEY_UNIT_RE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元)")
_DATE_ANY = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?|(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")


def _row_text(row) -> str:
    return "  ".join(N.text(v) for v in row if v not in ("", None))


def _filled_header(grid: Grid, r0: int, r1: int, ncols: int) -> list[list[str]]:
    """Header band rows r0..r1 (0-based) with merged cells spread over their range."""
    band = [[N.text(grid.rows[r][c]) if c < len(grid.rows[r]) else "" for c in range(ncols)]
            for r in range(r0, r1 + 1)]
    for (a, b, c, d) in grid.merged:
        if c < r0 or a > r1:
            continue
        v = N.text(grid.rows[a][b]) if a < len(grid.rows) and b < len(grid.rows[a]) else ""
        for r in range(max(a, r0), min(c, r1) + 1):
            for cc in range(b, min(d, ncols - 1) + 1):
                band[r - r0][cc] = v
    return band


def _score_row(row, form: str) -> int:
    n = 0
    for v in row:
        if isinstance(v, str) and v.strip() and len(v.strip()) <= 40:
            if match_header([v], form) is not None:
                n += 1
    return n


def _detect_form_hint(text: str) -> str | None:
    for form, hints in F.FORM_HINTS.items():
        if any(h in text for h in hints):
            return form
    return None


def _is_unit_row(row) -> bool:
    vals = [N.text(v) for v in row if v not in ("", None)]
    if not vals:
        return False
    if all(re.fullmatch(r"[(（]?(万元|元|户|人|个|年|%|亩|万)?[)）]?", v) and v for v in vals):
        return True
    nums = [v for v in row if v not in ("", None)]
    try:
        ints = [int(float(N.text(v))) for v in nums]
    except ValueError:
        return False
    return len(ints) >= 3 and ints == list(range(ints[0], ints[0] + len(ints))) and ints[0] in (0, 1)


def find_header(grid: Grid, limit: int = 40) -> tuple[int, str | None, int] | None:
    """(header row 0-based, best form by score, score)."""
    best = None
    for r in range(min(limit, len(grid.rows))):
        row = grid.rows[r]
        strs = sum(1 for v in row if isinstance(v, str) and v.strip())
        if strs < 2:
            continue
        scores = {f: _score_row(row, f) for f in F.FORMS}
        form, sc = max(scores.items(), key=lambda kv: kv[1])
        if sc >= 3:
            return r, form, sc
        if sc >= 2 and (best is None or sc > best[2]):
            best = (r, form, sc)
    return best


def layout(grid: Grid, colmap: dict | None = None) -> ParsedSheet | None:
    """Find the header band and map columns to fields; None when the sheet holds no known form.
    ``colmap`` {header key: field name or IGNORE}: the reporting unit's own mapping, before synonyms."""
    found = find_header(grid)
    if not found:
        return None
    h0, score_form, _sc = found
    ncols = max((len(r) for r in grid.rows), default=0)
    # header band: extend with vertical merges that start in the band, then with header-like rows
    h1 = h0
    changed = True
    while changed:
        changed = False
        for (a, b, c, d) in grid.merged:
            if h0 <= a <= h1 and c > h1 and c - h0 <= 3:
                h1, changed = c, True
    while h1 + 1 < len(grid.rows) and h1 - h0 < 2:
        nxt = grid.rows[h1 + 1]
        vals = [v for v in nxt if v not in ("", None)]
        if vals and all(isinstance(v, str) for v in vals) and not _is_unit_row(nxt) \
                and any(match_header([v], score_form) for v in vals) \
                and not any(_TOTAL_RE.search(v) or _GROUP_RE.match(v.strip()) for v in vals) \
                and len(vals) < len([v for v in grid.rows[h0] if v not in ("", None)]) + 1 \
                and _looks_subheader(grid, h0, h1, nxt):
            h1 += 1
        else:
            break
    title_rows = [grid.rows[r] for r in range(0, h0)]
    title_text = "\n".join(t for t in (_row_text(r) for r in title_rows) if t)
    hint = _detect_form_hint(grid.name) or _detect_form_hint(title_text)
    band = _filled_header(grid, h0, h1, ncols)
    forms_to_try = [hint] if hint else []
    forms_to_try += [f for f in F.FORMS if f not in forms_to_try]

    hrow: dict[int, int] = {}         # column → Excel row of its leaf header cell

    def mapping(form, strict=False):
        """(mapped columns, headed columns left unmapped: (index, header row, header, column it repeats),
        columns the unit's column mapping says to ignore: (index, header row, header))."""
        cols: list[Column] = []
        lost: list[tuple[int, int, str, Column | None]] = []
        ignored: list[tuple[int, int, str]] = []
        used: dict[str, Column] = {}
        fields = {f.name: f for f in F.FORMS[form]}
        for c in range(ncols):
            parts = []
            for r in range(len(band)):
                v = band[r][c]
                if v and (not parts or parts[-1] != v):
                    parts.append(v)
            if not parts:
                continue
            header = "|".join(re.sub(r"\s+", "", p) for p in parts)
            row = next(r for r in range(len(band)) if band[r][c] == parts[-1])
            hrow[c] = h0 + row + 1
            target = mapped_field(colmap, parts)
            if target == IGNORE:
                ignored.append((c, h0 + row + 1, header))
                continue
            f = fields.get(target) if target else match_header(parts, form, strict)
            if f is None or f.name in used:
                if target or not all(_decorative_header(p) for p in parts):
                    lost.append((c, h0 + row + 1, header, used.get(f.name) if f else None))
                continue
            yuan = any(_header_is_yuan(p) for p in parts)
            used[f.name] = Column(c, f.name, f.type, header, yuan)
            cols.append(used[f.name])
        return cols, lost, ignored

    if hint:
        form, (cols, lost, ignored) = hint, mapping(hint)
    else:
        best = None
        for f in F.FORMS:
            cols, lost, ignored = mapping(f)
            names = {c.field for c in cols}
            sc = len(cols) + 3 * sum(1 for fl in F.FORMS[f] if fl.required and fl.name in names)
            sc += {"risk": 2 if "grade" in names else 0,
                   "progress": 2 if any(n.startswith("fund_") for n in names) else 0,
                   "tasks": 2 if "measure" in names else 0,
                   "signoff": 2 if "from_grade" in names else 0,
                   "interactions": 2 if "raised_on" in names else 0}[f]
            if best is None or sc > best[0]:
                best = (sc, f, cols, lost, ignored)
        _sc, form, cols, lost, ignored = best
    parts, elsewhere = None, {}
    if form in ("progress", "risk"):
        # a sheet is never "one form only" when its headers say otherwise (the 一张表 ledger)
        other = "risk" if form == "progress" else "progress"
        ocols, olost, _oign = mapping(other, strict=True)
        ofields = {c.field for c in ocols}
        if ("grade" in ofields) if other == "risk" else bool(ofields & PROGRESS_ONLY):
            cols, lost, parts = _combine(form, cols, lost, ocols, olost, hrow)
        else:
            elsewhere = {c.index: c for c in ocols if c.field not in F.IDENTITY_NAMES}
    if len(cols) < 2:
        return None
    meta = read_meta(title_rows)
    ps = ParsedSheet(grid.name, form, title_text, meta, cols, (h0 + 1, h1 + 1), parts=parts)
    # no cell is lost silently: every headed column that maps to no field (or repeats one) is reported
    for c, row, header, dup in lost:
        if dup is not None:
            msg = f"重复的列“{header}”：与{dup.letter}列“{dup.header}”对应同一项，该列数据未导入"
        elif c in elsewhere and form == "progress":
            lbl = F.label_of("risk", elsewhere[c].field)
            msg = f"列“{header}”是风险排查表（附件2）的“{lbl}”，但本表没有“风险等级”列，该列数据未导入"
        else:
            msg = f"未识别的列“{header}”，该列数据未导入"
        ps.notes.append(problem(grid.name, row, f"{col_letter(c)} {header}", header, msg, "warning"))
    for c, row, header in ignored:
        ps.notes.append(problem(grid.name, row, f"{col_letter(c)} {header}", header,
                                f"按本单位的列映射忽略“{header}”列", "info"))
    return ps


PROGRESS_ONLY = frozenset(f.name for f in F.PROGRESS) - frozenset(f.name for f in F.RISK)
_SHARED_KEEP_BOTH = F.IDENTITY_NAMES | {"reported_on"}


def _combine(form, cols, lost, ocols, olost, hrow):
    """Columns of a one-sheet 附件1+附件2 ledger: (union of columns, unmapped columns, fields per form).

    Identity columns (and 报送日期) feed both forms; a column both forms know otherwise (总投资, the fund
    sources) feeds 附件1, which owns funding; where the two forms read one column as different fields the
    sheet's own form (``form``) wins."""
    pcols, rcols = (cols, ocols) if form == "progress" else (ocols, cols)
    p_by, r_by = {c.index: c for c in pcols}, {c.index: c for c in rcols}
    parts: dict[str, set[str]] = {"progress": set(), "risk": set()}
    union: list[Column] = []
    seen: dict[str, Column] = {}
    dups: list[tuple[int, int, str, Column | None]] = []
    p_names = {f.name for f in F.PROGRESS}
    for idx in sorted(set(p_by) | set(r_by)):
        cp, cr = p_by.get(idx), r_by.get(idx)
        if cp and cr and cp.field != cr.field:
            c, to = (cp, ("progress",)) if form == "progress" else (cr, ("risk",))
        else:
            c = cp or cr
            if c.field in _SHARED_KEEP_BOTH:
                to = ("progress", "risk")
            elif c.field in p_names:
                to = ("progress",)
            else:
                to = ("risk",)
        if c.field in seen:
            dups.append((idx, hrow[idx], c.header, seen[c.field]))
            continue
        seen[c.field] = c
        union.append(c)
        for t in to:
            parts[t].add(c.field)
    mapped = {c.index for c in union}
    left: dict[int, tuple] = {}
    for entry in lost + olost:
        if entry[0] not in mapped and (entry[0] not in left or left[entry[0]][3] is None):
            left[entry[0]] = entry
    for d in dups:
        left[d[0]] = d
    return union, [left[i] for i in sorted(left)], parts


def split_combined(ps: ParsedSheet, own: set[str] = frozenset()) -> list[ParsedSheet]:
    """A one-sheet ledger → its 附件1 part and its 附件2 part, from the same rows. The first part keeps
    the sheet's notes (skipped rows, unknown columns, 小计 checks) and the identity cells' parse errors;
    the 附件2 part is a ``companion``, so nothing is reported twice.

    ``own``: forms the workbook also has a sheet of its own for. That sheet wins: the other form is not
    read from this one (its columns are reported, so nothing is dropped silently)."""
    if not ps.parts:
        return [ps]
    keep = [f for f in ("progress", "risk") if f == ps.form or f not in own]
    out = []
    for i, form in enumerate(keep):
        fields = ps.parts[form]
        q = ParsedSheet(ps.name, form, ps.title, ps.meta, [c for c in ps.columns if c.field in fields],
                        ps.header_rows, parts=ps.parts, companion=i == 1)
        q.records = [{"_row": r["_row"], **{k: v for k, v in r.items() if k in fields}} for r in ps.records]
        q.raw = {k: v for k, v in ps.raw.items() if k[1] in fields and (i == 0 or k[1] not in F.IDENTITY_NAMES)}
        q.notes = ps.notes if i == 0 else []
        q.skipped = ps.skipped if i == 0 else 0
        out.append(q)
    if len(keep) == 1:
        other = "risk" if ps.form == "progress" else "progress"
        label = "风险排查表（附件2）" if other == "risk" else "推进梳理表（附件1）"
        for c in ps.columns:
            if c.field in ps.parts[other] and c.field not in ps.parts[ps.form]:
                out[0].notes.append(problem(
                    ps.name, ps.header_rows[1], f"{c.letter} {c.header}", c.header,
                    f"列“{c.header}”属于{label}，本文件另有{label}工作表，以该表为准，此列未导入", "warning"))
    return out


# --- column mapping: what a unit's odd header means (stored per unit, see ledger.intake) -------------
IGNORE = "ignore"


def header_key(s) -> str:
    """The key a column mapping stores for a header (cell text or merged path "资金来源|衔接资金")."""
    return "|".join(norm_header(p) for p in str(s).split("|"))


def mapped_field(colmap: dict | None, parts: list[str]) -> str | None:
    if not colmap:
        return None
    return colmap.get(header_key("|".join(parts))) or colmap.get(norm_header(parts[-1]))


# Header cells that carry no data of their own: numbering (栏次 "1", "(2)", "①"), 序号-like labels and
# units notes such as "（万元）" or "单位：元".
_DECORATIVE_RE = re.compile(
    r"[(（\[【]?[0-9]+[)）\]】]?|[\u2460-\u2473]+|序号|顺序号|栏次|行次|no\.?|#"
    r"|[(（\[【]?(?:(?:金额|计量)?单位[:：]?)?(?:万元|元|万|户|人|个|年|%|亩)?[)）\]】]?", re.I)


def _decorative_header(s) -> bool:
    return bool(_DECORATIVE_RE.fullmatch(re.sub(r"\s+", "", N.text(s))))


def _looks_subheader(grid: Grid, h0: int, h1: int, nxt) -> bool:
    """The next row is a header row when its texts sit under blank or horizontally repeated cells."""
    top = grid.rows[h1]
    for c, v in enumerate(nxt):
        if v in ("", None):
            continue
        above = top[c] if c < len(top) else ""
        if above not in ("", None):
            # a data row under a full header row: text under text in a plain column is data
            left = top[c - 1] if c > 0 and c - 1 < len(top) else ""
            if left not in ("", None):
                return False
    return True


def read_meta(rows) -> dict:
    meta: dict = {"unit_text": None, "submitted_on": None, "money_unit": None, "dates": []}
    for row in rows:
        t = _row_text(row)
        if not t:
            continue
        m = _META_UNIT_RE.search(t)
        if m and m.group(1) and not meta["unit_text"]:
            meta["unit_text"] = m.group(1).strip()
        m = _META_DATE_RE.search(t)
        if m and not meta["submitted_on"]:
            d, _e = N.parse_date(re.sub(r"\s", "", m.group(1)))
            if d:
                meta["submitted_on"] = d
        m = _MONEY_UNIT_RE.search(t)
        if m and not meta["money_unit"]:
            meta["money_unit"] = "yuan" if m.group(1) == "元" else "wan"
    return meta


def dates_in(text: str) -> list[date]:
    out = []
    for m in _DATE_ANY.finditer(text or ""):
        g = m.groups()
        y, mo, d = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
        try:
            out.append(date(int(y), int(mo), int(d)))
        except ValueError:
            pass
    return out


# --- rows ------------------------------------------------------------------------------------------
IDENTITY_FILL = {"town", "village", "department", "implementer", "operator", "project_code", "name",
                 "build_year", "category", "asset_type"}
_LABEL_FIELDS = ("seq", "town", "name", "village", "project_code")


def _parser(c: Column):
    if c.field == "town":
        def town(v):
            hit = N.parse_town(v)
            return (None, hit[1]) if hit[0] is None and hit[1] else hit
        return town
    if c.field == "department":
        return N.parse_department
    if c.type == "money":
        return N.money_parser(c.yuan)
    return lambda v: N.parse_field(v, c.type, yuan=c.yuan)


def _normalise_column(raw: list, c: Column, memo: dict, rec_rows: list[int], errors: dict) -> list:
    """The column's values normalised, each distinct cell value parsed once: ``memo`` holds, per parser
    (field kind, type, 元 or 万元), {cell: value} and {cell: error} (only the cells with one), shared by the workbook's sheets
    (附件1 and 附件2 repeat names, codes, villages and amounts). Parse errors go to ``errors``
    {(excel row, field): (text, message)}.

    A dict keys 1.0, 1 and True alike; 1 and 1.0 parse alike in every type, but a bool parses
    differently from the number it equals, so a column holding any bool keys by (type, value) in a
    cache of its own (the slow path): the shared caches never hold a bool key."""
    kind = ("town",) if c.field == "town" else ("department",) if c.field == "department" \
        else (c.type, c.yuan)
    uniq = dict.fromkeys(raw)
    # only a column with a value equal to True or False (1, 0, 1.0 …: they key alike) can hold a bool
    typed = (True in uniq or False in uniq) and bool in set(map(type, raw))
    parse = _parser(c)
    if typed:
        cache = memo.setdefault(kind + ("typed",), {})
        keys = [v if type(v) is str else (type(v), v) for v in raw]
        for k, v in zip(keys, raw):
            if k not in cache:
                cache[k] = parse(v)
        hits = list(map(cache.__getitem__, keys))
        if any(map(_SECOND, hits)):   # only then look for the cells
            for i, h in enumerate(hits):
                if h[1]:
                    errors[(rec_rows[i], c.field)] = (N.text(raw[i]), h[1])
        return list(map(_FIRST, hits))
    # the common path: values and errors in two caches, so the column is one lookup per cell
    cache = memo.setdefault(kind, {})
    errs = memo.setdefault(kind + ("errors",), {})
    for v in uniq:
        if v not in cache:
            val, err = parse(v)
            cache[v] = val
            if err:
                errs[v] = err
    if errs and not errs.keys().isdisjoint(uniq):
        for i, v in enumerate(raw):
            if v in errs:
                errors[(rec_rows[i], c.field)] = (N.text(v), errs[v])
    return list(map(cache.__getitem__, raw))


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)


def parse_sheet(grid: Grid, colmap: dict | None = None, memo: dict | None = None,
                as_columns: bool = False) -> ParsedSheet | None:
    """One sheet → ParsedSheet (see the module docstring). ``memo``: parse caches shared by the sheets
    of one workbook (``_normalise_column``). ``as_columns``: leave the records in ``record_columns``
    (the sandbox child; reading ``ParsedSheet.records`` makes the row dicts)."""
    ps = layout(grid, colmap)
    if ps is None:
        return None
    rows = grid.rows
    h_last = ps.header_rows[1]  # Excel row of the last header row == 0-based index of first body row
    col_idx = [c.index for c in ps.columns]
    by_field = {c.field: c for c in ps.columns}
    if ps.meta.get("money_unit") == "yuan":
        for c in ps.columns:
            if c.type == "money" and "万元" not in c.header:
                c.yuan = True
    # fill vertically merged identity cells in the body
    fill_cols = {c.index for c in ps.columns if c.field in IDENTITY_FILL}
    fills: dict[tuple[int, int], object] = {}
    for (a, b, c, d) in grid.merged:
        if a >= h_last and c > a:
            for cc in range(b, d + 1):
                if cc in fill_cols:
                    v = rows[a][b]
                    for r in range(a + 1, c + 1):
                        fills[(r, cc)] = v
    row_fills: dict[int, list[tuple[int, object]]] = {}   # the same, by row: most rows have none
    for (r, cc), v in fills.items():
        row_fills.setdefault(r, []).append((cc, v))
    label_cols = [by_field[f].index for f in _LABEL_FIELDS if f in by_field]
    first_cols = sorted(set(label_cols) | set(range(min(3, len(rows[0]) if rows else 0))))
    money_cols = [c for c in ps.columns if c.type == "money"]

    sheet = ps.name
    group_town = None
    group_members: list[int] = []   # indices into ps.records since the last group/小计
    totals_to_check: list[tuple[int, list, list[int]]] = []  # (excel_row, raw row, member indices)
    all_members: list[int] = []
    rec_rows: list[int] = []          # Excel row of each data record
    src_rows: list[list] = []         # the row itself (after merged-cell fill)
    town_fill: dict[int, object] = {}  # record index -> town from the enclosing "一、XX镇" group row
    unit_row_checked = False
    footer_seen = False
    nfirst = max(first_cols) + 1 if first_cols else 0
    for r in range(h_last, len(rows)):
        row = rows[r]
        excel_row = r + 1
        filled = row_fills.get(r) if row_fills else None
        if filled:
            own = None
            for cc, v in filled:
                if cc >= len(row) or row[cc] in ("", None):
                    if own is None:
                        own = row = list(row)
                    if cc >= len(row):
                        row.extend([""] * (cc + 1 - len(row)))
                    row[cc] = v
        first = None
        for v in row:
            if v != "" and v is not None:
                first = v
                break
        if first is None:
            ps.notes.append(problem(sheet, excel_row, "", "", "空行，已跳过", "info"))
            ps.skipped += 1
            continue
        if not unit_row_checked:
            unit_row_checked = True
            if _is_unit_row(row):
                for c in ps.columns:
                    if c.type == "money" and c.index < len(row) and N.text(row[c.index]) in ("元", "(元)"):
                        c.yuan = True
                ps.notes.append(problem(sheet, excel_row, "", _row_text(row)[:60], "表头下的单位/栏次行，已跳过", "info"))
                ps.skipped += 1
                continue
        first_txt = first.strip() if isinstance(first, str) else ""
        if footer_seen or (first_txt and _FOOTER_RE.match(first_txt)):
            footer_seen = footer_seen or first_txt[:2] in ("填表", "填报", "审核", "制表")
            ps.notes.append(problem(sheet, excel_row, "", _row_text(row)[:60], "表尾说明行，已跳过", "info"))
            ps.skipped += 1
            continue
        label = "".join([v for v in row[:nfirst] if isinstance(v, str)])
        m = _TOTAL_RE.search(label) if label else None
        if m:
            kind = m.group(1).replace(" ", "").replace("\u3000", "")
            members = group_members if kind == "小计" else all_members
            totals_to_check.append((excel_row, row, list(members), kind))
            if kind == "小计":
                group_members = []
            ps.notes.append(problem(sheet, excel_row, "", kind, f"{kind}行，已跳过", "info"))
            ps.skipped += 1
            continue
        if first_txt and _GROUP_RE.match(first_txt) and sum(1 for v in row if v != "" and v is not None) <= 2:
            t, _e = N.parse_town(_GROUP_RE.sub("", N.text(first_txt)))
            group_town = t
            group_members = []
            ps.notes.append(problem(sheet, excel_row, "", first_txt, "分组标题行，已跳过", "info"))
            ps.skipped += 1
            continue
        idx = len(rec_rows)
        rec_rows.append(excel_row)
        src_rows.append(row)
        if group_town:
            town_fill[idx] = group_town
        group_members.append(idx)
        all_members.append(idx)

    # columns of the data rows in one C-level transpose (rows are padded to the widest mapped column)
    width = max(col_idx) + 1 if col_idx else 0
    padded = src_rows if not src_rows or min(map(len, src_rows)) >= width else \
        [r if len(r) >= width else list(r) + [""] * (width - len(r)) for r in src_rows]
    by_index = list(zip(*padded)) if padded else [()] * width
    raw_cols: dict[int, list] = {}
    for c in ps.columns:
        col = list(by_index[c.index]) if padded else []
        if c.field == "town" and town_fill:
            for i, t in town_fill.items():
                if col[i] in ("", None):
                    col[i] = t
        raw_cols[c.index] = col

    # normalise per column over its unique values (shared across the workbook's sheets, see ``memo``)
    n = len(rec_rows)
    values: dict[str, list] = {}
    memo = {} if memo is None else memo
    for c in ps.columns:
        values[c.field] = _normalise_column(raw_cols[c.index], c, memo, rec_rows, ps.raw)
    names = ["_row", *values]
    if as_columns:
        ps.record_columns = (names, [rec_rows, *values.values()])
    else:
        ps.records = [dict(zip(names, t)) for t in zip(rec_rows, *values.values())] if n else []

    # check 小计/合计 rows against the rows they sum
    for excel_row, row, members, kind in totals_to_check:
        for c in money_cols:
            v = row[c.index] if c.index < len(row) else None
            tot, err = N.parse_money(v, c.yuan)
            if tot is None or err or not members:
                continue
            s = sum(filter(None, map(values[c.field].__getitem__, members)), Decimal(0))  # None/0 add nothing
            written = N.text(v)
            num = re.sub(r"[^0-9.]", "", written)
            decs = len(num.split(".")[1]) if "." in num else 0
            tol = Decimal(5).scaleb(-decs - 1)
            if c.yuan and "万" not in written:
                tol = tol / N.WAN
            tol = max(tol, Decimal("0.0000005"))
            if abs(s - tot) > tol:
                first_r = rec_rows[members[0]]
                last_r = rec_rows[members[-1]]
                ps.notes.append(problem(
                    sheet, excel_row, f"{c.letter} {c.header}", written,
                    f"{kind}行与第{first_r}至{last_r}行的数据之和不符：填报 {N.fmt(tot)}，各行合计 "
                    f"{N.fmt(s)}（万元）", "warning"))
    return ps


def parse_workbook(path: str | Path, colmap: dict | None = None, limits: dict | None = None,
                   *, defer_scan: "bool | SB.PendingScan" = False):
    """All recognised sheets of a workbook (a one-sheet 附件1+附件2 ledger gives one of each, see
    ``split_combined``) and notes about the sheets that were not recognised. Raises
    ``sandbox.ReadError`` for a file that cannot be read safely (see ``read_workbook``).

    ``defer_scan`` (the importer): the scan for cells that read as empty although they are not (formulas
    without a cached value, error values; ``sandbox._uncached_formulas``) runs after the parse, in its own
    sandboxed child, while the caller goes on; a third item ``finish()`` waits for it and returns its
    problems (errors, one per faulty data cell; raises ``sandbox.ReadError`` if the scan failed). Without
    it the same problems are in the sheets' notes, as before. ``finish.scan`` is the running scan: given as
    ``defer_scan`` to a second parse of the same file (other column mappings), it is used, not started again."""
    parsed, notes, named = [], [], []
    items, uncached = SB.parse_sheets(Path(path), limits, colmap, defer_scan=defer_scan)   # in the sandbox
    for name, vis, ps in items:
        if isinstance(ps, str):          # "empty": nothing in its first 50 rows
            continue
        if ps is None:
            notes.append(problem(name, None, "", "", "未识别为任何台账表格（附件1/2/5/销号表/政企互动台账），已跳过", "info"))
            continue
        _hidden_note(name, vis, ps)
        if not defer_scan:
            ps.notes.extend(_uncached_notes(name, uncached.get(name, []), ps))
        parsed.append(ps)
        named.append((name, ps))
    own = {ps.form for ps in parsed if not ps.parts}
    sheets = [q for ps in parsed for q in split_combined(ps, own)]
    if not defer_scan:
        return sheets, notes

    def finish() -> list[dict]:
        found = uncached.result()
        return [p for name, ps in named for p in _uncached_notes(name, found.get(name, []), ps)]
    finish.scan = uncached
    return sheets, notes, finish


def _hidden_note(name: str, visible: str, ps: ParsedSheet) -> None:
    """Issue #12: a hidden sheet is imported only with a warning naming it."""
    if visible != "visible":
        kind = "深度隐藏（veryHidden）" if visible == "veryhidden" else "隐藏"
        ps.notes.append(problem(name, None, "", name,
                                f"工作表“{name}”在 Excel 中是{kind}的，其中的数据已一并导入，请核对", "warning"))


def _uncached_notes(name: str, uncached: list, ps: ParsedSheet) -> list[dict]:
    """Issue #12: a formula with no cached value (or an error value, or a numeric cell that is not a
    number) in a data cell is an error: it would read as empty."""
    out = []
    if uncached:
        rows = set(ps.column_values("_row"))
        cols = {c.index: c for c in ps.columns}
        for r0, c0, kind in sorted(uncached):
            if r0 + 1 in rows and c0 in cols:
                c = cols[c0]
                out.append(problem(name, r0 + 1, f"{c.letter} {c.header}", "", _FAULTS[kind]))
    return out


_FAULTS = {
    "formula": "单元格是公式但没有计算结果（文件未经 Excel 计算保存）：请在 Excel 中打开、保存后重新导入",
    "error": "单元格是 Excel 错误值（如 #DIV/0!、#REF!），不是有效数据",
    "number": "单元格数值无效：数字单元格中的内容不是数字",
}
