"""Pure parsing of ledger cell values (DOMAIN §11). No I/O, no database.

Every parser takes one cell value (str, int, float, bool, date, datetime or None) and returns
``(value, error)`` where ``error`` is a Chinese message or None. A blank / placeholder cell
("—", "/", "-", "无", ...) is ``(None, None)``. Money is ``decimal.Decimal`` end to end, in 万元.
"""
from __future__ import annotations

import calendar
import hashlib
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import glossary as g

WAN = Decimal(10000)
Q6 = Decimal("0.000001")
NULL_TOKENS = frozenset({
    "", "-", "--", "---", "—", "——", "–", "/", "//", "\\", "无", "暂无", "空", "n/a", "na", "none",
    "null", "nan", "#n/a", "不详", "未填", "/ ", "_",
})
EXCEL_EPOCH = date(1899, 12, 30)
# zero-width, soft hyphen, word joiners, BOM and the bidi controls (LRM/RLM/ALM, embeddings,
# overrides, isolates): invisible, so "HX2021\u200b0001" or a unit name with U+202E would look like
# another project/unit while keying differently (issue #12). Removed from every text.
_INVISIBLE_RE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
# control characters other than tab / newline / carriage return (they break .xlsx exports)
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# DECIMAL(20,6): at most 14 digits before the point
MONEY_MAX = Decimal(10) ** 14
INT_MAX = 10 ** 12
DATE_MIN = date(1990, 1, 1)
DATE_MAX = date(2100, 12, 31)


_STRIP_RE = re.compile(_INVISIBLE_RE.pattern[:-1] + _CONTROL_RE.pattern[1:])   # the two classes as one


def strip_invisible(s: str) -> str:
    """Remove zero-width / bidi-control characters and control characters (not tab/newline)."""
    return _STRIP_RE.sub("", s)


def is_plain_code(v) -> bool:
    """Plain ASCII letters and digits: what ``norm_code`` returns as it is (NFKC, the invisible characters
    and the spaces leave them alone)."""
    return type(v) is str and v.isascii() and v.isalnum()


def norm_code(v) -> str:
    """A project code for comparing and storing: NFKC (ＨＸ → HX), no invisible characters, no spaces."""
    if is_plain_code(v):
        return v
    return re.sub(r"\s+", "", strip_invisible(unicodedata.normalize("NFKC", str(v or ""))))


def text(v) -> str:
    """Cell as normalised text: NFKC (full-width → half-width), trimmed, inner newlines kept."""
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        s = repr(round(v, 6))
        return s[:-2] if s.endswith(".0") else s
    if isinstance(v, (datetime, date)):
        return v.isoformat()[:10] if isinstance(v, date) and not isinstance(v, datetime) else v.isoformat(" ")
    s = unicodedata.normalize("NFKC", str(v)).replace("\u3000", " ").replace("\xa0", " ")
    return strip_invisible(s).strip()


def is_null(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return text(v).lower() in NULL_TOKENS
    if isinstance(v, float) and v != v:
        return True
    return False


def clean_text(v) -> tuple[str | None, str | None]:
    """Free text: trimmed, None when blank/placeholder."""
    if type(v) is float and v.is_integer():   # a number in a text column (序号, a code): as is_null + below
        return str(int(v)), None
    if type(v) is str:
        s = strip_invisible(v).replace("\u3000", " ").strip()
        if not s or (len(s) <= 5 and text(s).lower() in NULL_TOKENS):
            return None, None
        return s, None
    if is_null(v):
        return None, None
    if isinstance(v, float) and v == int(v):
        return str(int(v)), None
    s = text(v) if not isinstance(v, str) else strip_invisible(str(v)).replace("\u3000", " ").strip()
    return (s or None), None


# --- numbers ---------------------------------------------------------------------------------------
_NUM_RE = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$")


def _decimal_and_unit(v) -> tuple[Decimal | None, str | None, str | None]:
    """(number, unit, error). unit is 'wan' / 'yuan' when the text says so ("120万元", "500元")."""
    if is_null(v):
        return None, None, None
    if isinstance(v, bool):
        return None, None, f"不是数字：{v}"
    if isinstance(v, int):
        return Decimal(v), None, None
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return None, None, None
        return Decimal(str(round(v, 6))), None, None
    if isinstance(v, Decimal):
        return v, None, None
    if isinstance(v, (date, datetime)):
        return None, None, f"不是数字：{text(v)}"
    s = text(v)
    s = s.replace(",", "").replace(" ", "").replace("\n", "")
    unit = None
    for suf, u in (("万元", "wan"), ("万", "wan"), ("元", "yuan")):
        if s.endswith(suf):
            s, unit = s[: -len(suf)], u
            break
    for suf in ("户", "人", "个", "年", "次", "项"):
        if s.endswith(suf):
            s = s[: -len(suf)]
            break
    if s.lower() in NULL_TOKENS:
        return None, None, None
    m = _NUM_RE.match(s)
    if not m:
        return None, None, f"无法识别的数字：{text(v)}"
    try:
        return Decimal(s), unit, None
    except InvalidOperation:
        return None, None, f"无法识别的数字：{text(v)}"


def parse_decimal(v) -> tuple[Decimal | None, str | None]:
    d, _u, err = _decimal_and_unit(v)
    return d, err


def parse_money(v, yuan: bool = False) -> tuple[Decimal | None, str | None]:
    """Money in 万元 (Decimal, 6 decimals). ``yuan`` = the column is in 元. A unit written in the
    cell ("120万元", "3500元") wins over the column's unit."""
    d, unit, err = _decimal_and_unit(v)
    if d is None:
        return None, err
    if unit == "yuan" or (unit is None and yuan):
        d = d / WAN
    if abs(d) >= MONEY_MAX:
        return None, f"金额超出范围（绝对值须小于 10^14 万元）：{text(v)[:40]}"
    return d.quantize(Q6, rounding=ROUND_HALF_UP), None


def money_parser(yuan: bool = False):
    """``parse_field(v, "money", yuan=yuan)`` as one function, with the common cell (a finite float,
    what Excel stores for a number) parsed inline: the same steps as ``_decimal_and_unit`` and
    ``parse_money`` take for it, without their type dispatch (the reader parses every distinct amount
    of a workbook through this; issue #7). Anything else, and an amount out of range, goes the long way."""
    if yuan:
        def money(v):
            if type(v) is float and v - v == 0.0:       # finite (inf - inf and nan - nan are nan)
                d = Decimal(repr(round(v, 6))) / WAN
                if -MONEY_MAX < d < MONEY_MAX:
                    return d.quantize(Q6, rounding=ROUND_HALF_UP), None
            return parse_field(v, "money", yuan=yuan)
        return money

    def money_wan(v):
        # a 万元 amount below 10^9 in size: "%.6f" rounds the float's exact binary value to 6 places, as
        # round(v, 6) does, and writes every digit, so Decimal() of it is the quantized value (no exponent,
        # no second rounding; -0.0 gives -0.000000 as before). Below 10^9 that decimal has at most 15
        # significant digits, so it is also repr(round(v, 6)), the shortest text of that float: the slow
        # path's value exactly (above, the float is coarser than 6 places and the two differ, e.g.
        # 99999999999999.98). One format + one Decimal instead of round, repr, Decimal and quantize
        # (the reader's most frequent cell; issue #7).
        if type(v) is float and -1e9 < v < 1e9:     # finite; nan compares False
            return Decimal("%.6f" % v), None
        return parse_field(v, "money", yuan=False)
    return money_wan


def parse_int(v) -> tuple[int | None, str | None]:
    d, _u, err = _decimal_and_unit(v)
    if d is None:
        return None, err
    if d != d.to_integral_value():
        return None, f"应为整数：{text(v)}"
    if abs(d) >= INT_MAX:
        return None, f"数值超出范围：{text(v)[:40]}"
    return int(d), None


def parse_year(v) -> tuple[int | None, str | None]:
    """2019, 2019.0, "2019", "2019年", "2019年度", "2019.0", a date → its year."""
    if is_null(v):
        return None, None
    if isinstance(v, (date, datetime)):
        return v.year, None
    if isinstance(v, bool):
        return None, f"无法识别的年度：{v}"
    if isinstance(v, (int, float)):
        if float(v) == int(v) and 1900 <= int(v) <= 2100:
            return int(v), None
        return None, f"无法识别的年度：{text(v)}"
    s = text(v).replace(" ", "")
    m = re.match(r"^(\d{4})(?:\.0+)?(?:年度?|年)?$", s)
    if m:
        return int(m.group(1)), None
    d, err = parse_date(v)
    if d is not None:
        return d.year, None
    return None, f"无法识别的年度：{text(v)}"


# --- dates -----------------------------------------------------------------------------------------
_DATE_RE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(?:底|末)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _mk_date(y: int, m: int, d: int, raw) -> tuple[date | None, str | None]:
    try:
        return date(y, m, d), None
    except ValueError:
        return None, f"无效的日期：{text(raw)}"


def parse_date(v) -> tuple[date | None, str | None]:
    """date/datetime objects, 2023-09-15, 2023.9.15, 2023/9/15, 2023年9月15日, 20230915, Excel serials.
    A month only ("2023年12月", "2023.12") means the last day of that month."""
    d, err = _parse_date(v)
    if d is not None and not (DATE_MIN <= d <= DATE_MAX):
        return None, f"日期超出范围（{DATE_MIN.year}—{DATE_MAX.year}年）：{text(v)[:40]}"
    return d, err


def _parse_date(v) -> tuple[date | None, str | None]:
    if is_null(v):
        return None, None
    if isinstance(v, datetime):
        return v.date(), None
    if isinstance(v, date):
        return v, None
    if isinstance(v, bool):
        return None, f"无法识别的日期：{v}"
    if isinstance(v, (int, float)):
        x = float(v)
        if 19000101 <= x <= 21001231 and x == int(x):
            s = str(int(x))
            return _mk_date(int(s[:4]), int(s[4:6]), int(s[6:]), v)
        if 1 <= x < 80000:
            return EXCEL_EPOCH + timedelta(days=int(x)), None
        return None, f"无法识别的日期：{text(v)}"
    s = text(v)
    m = _DATE_RE.match(s)
    if m:
        return _mk_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), v)
    m = _COMPACT_RE.match(s)
    if m:
        return _mk_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), v)
    m = _MONTH_RE.match(s)
    if m and ("月" in s or "." in s or "-" in s or "/" in s):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            return date(y, mo, calendar.monthrange(y, mo)[1]), None
    if re.match(r"^\d+(\.\d+)?$", s):
        return _parse_date(float(s))
    return None, f"无法识别的日期：{s}"


# --- booleans --------------------------------------------------------------------------------------
_TRUE = {"是", "已", "√", "✓", "✔", "有", "y", "yes", "true", "1", "对", "已完成", "完成", "已设立", "已结算", "已确权"}
_FALSE = {"否", "未", "×", "✗", "✘", "x", "无", "没有", "n", "no", "false", "0", "未完成", "未设立", "未结算",
          "未确权", "不是"}


def parse_bool(v) -> tuple[bool | None, str | None]:
    if v is None:
        return None, None
    if isinstance(v, bool):
        return v, None
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v), None
    s = text(v).lower().replace(" ", "")
    if s in _TRUE:
        return True, None
    if s in _FALSE:
        return False, None
    if s in NULL_TOKENS:
        return None, None
    if s[:1] in ("已", "是", "有", "√"):
        return True, None
    if s[:1] in ("未", "否", "无", "没", "×", "不"):
        return False, None
    return None, f"无法识别的是/否：{text(v)}"


# --- codes via synonyms ----------------------------------------------------------------------------
def _key(s: str) -> str:
    return re.sub(r"[\s\"“”'‘’]", "", text(s)).lower()


def _index(syn: dict[str, list[str]]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    for code, words in syn.items():
        exact.setdefault(_key(code), code)
        for w in words:
            exact.setdefault(_key(w), code)
    contains = sorted(((k, c) for k, c in exact.items() if len(k) >= 2 or not k.isascii()),
                      key=lambda kc: -len(kc[0]))
    return exact, contains


_ENUMS: dict[str, dict[str, list[str]]] = {
    "build_status": g.BUILD_STATUS_SYNONYMS,
    "op_status": g.OP_STATUS_SYNONYMS,
    "asset_type": g.ASSET_TYPE_SYNONYMS,
    "disposal": g.DISPOSAL_SYNONYMS,
    "task_status": g.TASK_STATUS_SYNONYMS,
    "signoff_status": g.SIGNOFF_STATUS_SYNONYMS,
    "interaction_kind": g.INTERACTION_KIND_SYNONYMS,
    "interaction_status": g.INTERACTION_STATUS_SYNONYMS,
}
_ENUM_LABEL = {"build_status": "建设状态", "op_status": "运营状态", "asset_type": "资产类别", "disposal": "四个一批",
               "task_status": "完成情况", "signoff_status": "降级销号状态", "interaction_kind": "诉求类型",
               "interaction_status": "办理状态"}
_IDX: dict[str, tuple[dict[str, str], list[tuple[str, str]]]] = {}


def _idx(kind: str):
    if kind not in _IDX:
        if kind == "grade":
            syn = g.GRADE_SYNONYMS
        elif kind == "problems":
            syn = g.PROBLEM_SYNONYMS
        elif kind == "sensitive":
            syn = g.SENSITIVE_SYNONYMS
        elif kind == "pretreatment":
            syn = {c: [lbl, *(["摘除", "摘牌"] if c == "delisting" else ["复耕", "复种"])]
                   for c, lbl in g.PRETREATMENT.items()}
        else:
            syn = _ENUMS[kind]
        syn = {c: list(w) + [lbl] for c, w in syn.items()
               for lbl in [g._ALL_LABELS.get(kind if kind != "problems" else "problem", {}).get(c, c)]}
        _IDX[kind] = _index(syn)
    return _IDX[kind]


def parse_enum(v, kind: str) -> tuple[str | None, str | None]:
    """One code of ``kind`` (build_status, op_status, asset_type, disposal, task_status, signoff_status).
    Exact synonym first, then the longest synonym contained in the text."""
    if is_null(v):
        return None, None
    k = _key(v)
    exact, contains = _idx(kind)
    if k in exact:
        return exact[k], None
    for w, code in contains:
        if w in k:
            return code, None
    return None, f"无法识别的{_ENUM_LABEL.get(kind, kind)}：{text(v)}"


_GRADE_CHARS = {"红": "red", "黄": "yellow", "绿": "green", "🔴": "red", "🟡": "yellow", "🟢": "green"}


def parse_grade(v) -> tuple[str | None, str | None]:
    """红/红色/红级/红灯/🔴/red … → 'red'|'yellow'|'green'."""
    if v is None or (isinstance(v, str) and not text(v)):
        return None, None
    k = _key(v)
    exact, _c = _idx("grade")
    if k in exact:
        return exact[k], None
    found = {code for ch, code in _GRADE_CHARS.items() if ch in k}
    if len(found) == 1:
        return found.pop(), None
    return None, f"无法识别的风险等级：{text(v)}"


_SPLIT_RE = re.compile(r"[、,，;；/\n\r|]+")


def parse_multi(v, kind: str) -> tuple[list[str] | None, str | None]:
    """Multi-valued codes (problems, sensitive, pretreatment): split on 、,，;；/ and newlines, match
    each part by substring. Blank → None; "无" → []. Unknown parts → error text (the caller decides)."""
    if v is None or (isinstance(v, str) and not text(v)):
        return None, None
    if is_null(v):
        return [], None
    _exact, contains = _idx(kind)
    codes: list[str] = []
    unknown: list[str] = []
    for part in _SPLIT_RE.split(text(v)):
        p = _key(re.sub(r"^\s*[\d①-⑩]+[.、)]?\s*", "", part))
        if not p or p in NULL_TOKENS:
            continue
        hit = False
        for w, code in contains:
            if w in p:
                hit = True
                if code not in codes:
                    codes.append(code)
        if not hit:
            unknown.append(part.strip())
    if unknown:
        lbl = {"problems": "问题类型", "sensitive": "敏感问题", "pretreatment": "预处理情况"}.get(kind, kind)
        return codes, f"无法识别的{lbl}：{'、'.join(unknown)}"
    return codes, None


def parse_problems(v):
    return parse_multi(v, "problems")


# --- units -----------------------------------------------------------------------------------------
_PREFIXES = ("广西壮族自治区", "广西", "贺州市", "八步区")
_SUFFIXES = ("人民政府", "办事处", "政府", "党委")


def _strip_admin(s: str) -> str:
    s = re.sub(r"\s", "", text(s))
    s = re.sub(r"[(\[【][^)\]】]*(盖章|公章|章)[^)\]】]*[)\]】]|盖章$", "", s) or s
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p) and len(s) > len(p) and not s.startswith("八步街道"):
                s, changed = s[len(p):], True
        for suf in _SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                s, changed = s[: -len(suf)], True
    return s


_TOWN_BASE = {t: (t[:-1] if t.endswith("镇") else t[:-2]) for t in g.TOWNS}


def parse_town(v) -> tuple[str | None, str | None]:
    """"贺街", "贺街镇人民政府", "八步区贺街镇", "八步街道办事处" → one of the 15 names; unknown → (None, msg)."""
    if is_null(v):
        return None, None
    s = _strip_admin(v)
    if s in g.TOWNS:
        return s, None
    for t, base in _TOWN_BASE.items():
        if s == base or s in (base + "镇", base + "乡", base + "街道", base + "街道办"):
            return t, None
    for t, base in sorted(_TOWN_BASE.items(), key=lambda kv: -len(kv[1])):
        if s.startswith(t):
            return t, None
    return None, f"未知的乡镇(街道)：{text(v)}"


def parse_department(v) -> tuple[str | None, str | None]:
    """Department via glossary.DEPARTMENT_ALIASES; a township government as 主管 → the township name.
    An unknown department is kept as written (departments are a setting, not a closed list)."""
    if is_null(v):
        return None, None
    raw = re.sub(r"\s", "", text(v))
    raw = re.sub(r"[(\[【][^)\]】]*(盖章|公章|章)[^)\]】]*[)\]】]|盖章$", "", raw) or raw
    if raw in g.DEPARTMENTS:
        return raw, None
    if raw in g.DEPARTMENT_ALIASES:
        return g.DEPARTMENT_ALIASES[raw], None
    s = raw
    for p in ("广西壮族自治区", "广西", "贺州市"):
        if s.startswith(p):
            s = s[len(p):]
    if s.startswith("八步区"):
        s = "区" + s[3:]
    if s in g.DEPARTMENTS:
        return s, None
    bare = s[1:] if s.startswith("区") else s
    if bare in g.DEPARTMENT_ALIASES:
        return g.DEPARTMENT_ALIASES[bare], None
    if ("区" + bare) in g.DEPARTMENTS:
        return "区" + bare, None
    if any(x in raw for x in ("镇", "街道", "乡")) and not raw.endswith("局"):
        t, _err = parse_town(raw)
        if t:
            return t, None
    return raw, None


def parse_unit(v) -> tuple[str | None, str | None]:
    """A reporting unit: a township (normalised) or a department."""
    if is_null(v):
        return None, None
    t, _e = parse_town(v)
    if t:
        return t, None
    d, _e = parse_department(v)
    return d, None


def unit_kind(name: str) -> str:
    return "township" if name in g.TOWNS else "department"


# --- identity --------------------------------------------------------------------------------------
def norm_name(name: str | None) -> str:
    """Project name for keying: NFKC, no whitespace or punctuation, lower-case."""
    s = strip_invisible(unicodedata.normalize("NFKC", name or ""))
    return re.sub(r"[\s\"'“”‘’()（）\[\]【】《》<>,，.。、:：;；\-—_]", "", s).lower()


def derived_code(build_year, town, name) -> str:
    """Stable key where a ledger has no 项目编号: "K" + sha1(year|town|normalised name)[:12]."""
    y = "" if build_year is None else str(build_year)
    src = f"{y}|{town or ''}|{norm_name(name)}"
    return "K" + hashlib.sha1(src.encode("utf-8")).hexdigest()[:12]


_NONFINITE = frozenset({"inf", "+inf", "-inf", "infinity", "-infinity", "+infinity", "#num!", "#div/0!", "#value!",
                        "#ref!", "#name?", "#null!"})


def parse_field(v, type_: str, *, yuan: bool = False):
    """Dispatch on a forms.Field type. A numeric cell holding inf/NaN (only a crafted or broken file
    has one) is an error in every column: it would otherwise read as an empty value."""
    if isinstance(v, float) and not math.isfinite(v):
        return None, f"单元格数值无效（{'非数字 NaN' if v != v else '无穷大'}）"
    if isinstance(v, str) and type_ in ("money", "int", "year") and text(v).lower() in _NONFINITE:
        return None, f"单元格数值无效：{text(v)}"
    if type_ == "text":
        return clean_text(v)
    if type_ == "money":
        return parse_money(v, yuan)
    if type_ == "int":
        return parse_int(v)
    if type_ == "year":
        return parse_year(v)
    if type_ == "date":
        return parse_date(v)
    if type_ == "bool":
        return parse_bool(v)
    if type_ == "grade":
        return parse_grade(v)
    if type_ in ("problems", "sensitive", "pretreatment"):
        return parse_multi(v, type_)
    if type_.startswith("enum:"):
        return parse_enum(v, type_[5:])
    raise ValueError(type_)


def fmt(d) -> str:
    """A Decimal as plain text without trailing zeros ("21", "0.000001")."""
    if d is None:
        return ""
    if isinstance(d, Decimal):
        s = format(d, "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s
    return text(d)
