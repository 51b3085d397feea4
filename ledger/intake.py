"""Who sent a ledger and what its odd headers mean (DOMAIN §9, §11; issue #9).

- ``infer_unit``: a file with no 填报单位 line and no unit in its name belongs to the one 乡镇 (or the one
  项目主管部门) every row names; otherwise the unit stays unknown and ``known_units`` lists the choices.
- The 区工作专班 (``TASK_FORCE``) may send a consolidated ledger: a submission like any other;
  ``shared_projects`` counts its projects other units also report (each is in force once: the latest
  round wins, see ``project_state`` in ledger/sql/015_state.sql).
- Column mappings: per unit, {header key: field name or "ignore"} in the ``settings`` table under
  ``column_maps``, every change appended to ``column_map_log`` (who, when, before → after).
"""
from __future__ import annotations

import json
from datetime import date, datetime

from . import db as dbm
from . import forms as F
from . import glossary as g
from . import normalize as N
from . import reader as R
from .writes import write

TASK_FORCE = g.TASK_FORCE
MAPS_KEY = "column_maps"
LOG_KEY = "column_map_log"
IGNORE = R.IGNORE
IGNORE_LABELS = ("忽略", "ignore", "不导入")


# --- the reporting unit ----------------------------------------------------------------------------
def known_units(con=None) -> list[str]:
    """The 15 乡镇(街道), the usual 主管部门, any other unit already in the database, then 区工作专班."""
    out = [*g.TOWNS, *g.DEPARTMENTS]
    if con is not None:
        try:
            extra = [u for (u,) in con.execute("SELECT name FROM units ORDER BY name").fetchall()]
        except Exception:  # noqa: BLE001 - a bare connection without the schema
            extra = []
        out += [u for u in extra if u not in out and u != TASK_FORCE]
    return out + [TASK_FORCE]


def infer_unit(sheets) -> tuple[str | None, str]:
    """(unit, how) from the rows: every row of the 附件1/附件2 sheets in one 乡镇 → that 乡镇; else every
    row under one 主管部门 → that department. (None, reason) when the rows do not settle it.

    >>> from types import SimpleNamespace as S
    >>> infer_unit([S(form="progress", companion=False, records=[{"town": "贺街镇"}, {"town": "贺街镇"}])])
    ('贺街镇', '各行乡镇均为贺街镇')
    """
    rows = [rec for ps in sheets if ps.form in ("progress", "risk") and not ps.companion
            for rec in ps.records if rec.get("name") or rec.get("town")]
    n = len(rows)
    towns = {r["town"] for r in rows if r.get("town")}
    deps = {r["department"] for r in rows if r.get("department")}

    def keys(r):
        return {k for k in (r.get("project_code"), N.norm_name(r.get("name"))) if k}

    # a row that leaves the field blank still belongs when the same project is on a row that has it
    # (a separate 附件2 sheet repeating the projects of the 附件1 sheet without 乡镇)
    with_town = set().union(*(keys(r) for r in rows if r.get("town")))
    with_dep = set().union(*(keys(r) for r in rows if r.get("department")))
    no_town = any(not r.get("town") and not keys(r) & with_town for r in rows)
    no_dep = any(not r.get("department") and not keys(r) & with_dep for r in rows)
    if not n:
        return None, "文件中没有带乡镇或主管部门的项目行"
    town = next(iter(towns)) if len(towns) == 1 and not no_town else None
    dep = next(iter(deps)) if len(deps) == 1 and not no_dep else None
    if town and dep and dep != town:
        return None, f"各行乡镇均为{town}、主管部门均为{dep}，不能判断是哪个单位报送"
    if town:
        return town, f"各行乡镇均为{town}"
    if dep:
        return dep, f"各行主管部门均为{dep}"
    return None, f"各行分属{len(towns)}个乡镇、{len(deps)}个主管部门" + ("，部分行未填乡镇" if no_town else "")


def unknown_unit_message(file_name: str, reason: str, con=None) -> str:
    return (f"无法确定填报单位：表头没有“填报单位：”，文件名中也没有单位名称（{reason}）。"
            f"请用 --unit 指定，可选：{'、'.join(known_units(con))}")


def shared_projects(con, codes, *, unit: str, round_date: date) -> int:
    """How many of ``codes`` another unit also reports: in that unit's latest submission on or before
    ``round_date`` (the rows it keeps in force, whichever report wins for the project)."""
    codes = sorted(set(codes))
    if not codes:
        return 0
    with dbm.code_list(con, codes) as view:
        return con.execute(
            "WITH latest AS (SELECT unit, MAX(round_date) AS round_date FROM submissions "
            "                WHERE round_date <= ? AND unit <> ? GROUP BY unit) "
            "SELECT COUNT(DISTINCT pr.project_code) FROM v_project_round pr JOIN latest l "
            f"ON pr.unit = l.unit AND pr.round_date = l.round_date SEMI JOIN {view} c USING (project_code)",
            [round_date, unit]).fetchall()[0][0]


def replaced_by_one_sheet(con, sheets, *, unit: str, round_date: date, file_name: str) -> list[dict]:
    """Warnings for a one-sheet ledger that will replace a form this unit sent in another file for the
    same round (a 一张表 fills both forms, so it replaces both): shown in the preview before confirming."""
    out = []
    for form in ("progress", "risk"):
        mine = [ps for ps in sheets if ps.form == form]
        if not mine or not all(ps.parts for ps in mine):
            continue
        row = con.execute(
            "SELECT file_name FROM imports WHERE round_date = ? AND unit = ? AND file_name <> ? "
            "AND list_contains(string_split(forms, ','), ?) ORDER BY import_id DESC LIMIT 1",
            [round_date, unit, file_name, form]).fetchone()
        if row:
            lbl = g.label("form", form)
            out.append(R.problem(mine[0].name, None, "", row[0],
                                 f"本表同时含推进梳理和风险排查的列，导入后将替换本期已导入的{lbl}（文件 {row[0]}）",
                                 "warning"))
    return out


# --- column mapping --------------------------------------------------------------------------------
def field_choices() -> dict[str, str]:
    """Field name → 中文 label (official header and form), every field of 附件1/2/5 and 政企互动台账."""
    out: dict[str, str] = {}
    for form in ("progress", "risk", "tasks", "interactions", "signoff"):
        for f in F.FORMS[form]:
            out.setdefault(f.name, f"{f.synonyms[0]}（{g.label('form', form)}）")
    return out


def resolve_field(text: str) -> str:
    """A mapping target as typed: a field name (``households``), an official header or synonym (带动农户数),
    or 忽略. Raises ValueError (Chinese) when it names no field."""
    t = (text or "").strip()
    if t.lower() in IGNORE_LABELS or t == IGNORE:
        return IGNORE
    if t in field_choices():
        return t
    key = R.norm_header(t)
    for form in ("progress", "risk", "tasks", "interactions", "signoff"):
        exact, _c = R.form_index(form)
        if key in exact:
            return exact[key].name
    raise ValueError(f"列映射“{text}”不是已知的字段（可写字段代码如 households，或表头如 带动农户数，或 忽略）")


def parse_map_options(items: list[str] | None) -> dict[str, str]:
    """``--map '原表头=字段'`` options → {header key: field}. Raises ValueError (Chinese)."""
    out: dict[str, str] = {}
    for it in items or []:
        if "=" not in it:
            raise ValueError(f"列映射“{it}”应写成 原表头=字段")
        h, f = it.rsplit("=", 1)
        if not h.strip():
            raise ValueError(f"列映射“{it}”缺少原表头")
        out[R.header_key(h.strip())] = resolve_field(f)
    return out


def _setting(con, key: str, default):
    try:
        row = con.execute("SELECT value_json FROM settings WHERE key = ?", [key]).fetchone()
    except Exception:  # noqa: BLE001
        return default
    return json.loads(row[0]) if row else default


def column_map(con, unit: str | None) -> dict[str, str]:
    """The stored mapping of ``unit`` ({} when none)."""
    if not unit:
        return {}
    return dict(_setting(con, MAPS_KEY, {}).get(unit, {}))


def save_column_map(con, unit: str, mapping: dict[str, str], *, by: str, at: datetime) -> list[dict]:
    """Merge ``mapping`` into ``unit``'s stored mapping and log each change. Returns the changes.

    Through the one write path (``ledger.writes.write``: the lock, one transaction), into the settings
    table like ``ledger.settings.set_setting`` (value JSON, updated_at, updated_by); the keys are not
    settings of the settings page, so they are kept out of its DEFAULTS (and its validation)."""
    if not unit:
        raise ValueError("保存列映射需要填报单位")
    mapping = {R.header_key(h): resolve_field(f) for h, f in mapping.items()}
    with write(con):
        maps = _setting(con, MAPS_KEY, {})
        log = _setting(con, LOG_KEY, [])
        cur = dict(maps.get(unit, {}))
        changes = [{"at": at.isoformat(timespec="seconds"), "by": by, "unit": unit, "header": h,
                    "before": cur.get(h), "after": f} for h, f in mapping.items() if cur.get(h) != f]
        if changes:
            maps[unit] = {**cur, **mapping}
            for key, val in ((MAPS_KEY, maps), (LOG_KEY, log + changes)):
                con.execute(
                    "INSERT INTO settings VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "value_json = excluded.value_json, updated_at = excluded.updated_at, "
                    "updated_by = excluded.updated_by",
                    [key, json.dumps(val, ensure_ascii=False), at, by])
    return changes


def column_map_log(con) -> list[dict]:
    return list(_setting(con, LOG_KEY, []))


def unmapped_headers(problems: list[dict]) -> list[str]:
    """The headers an import reported as 未识别的列 (in order, once each): what a user may map."""
    out: list[str] = []
    for p in problems:
        if p.get("severity") == "warning" and str(p.get("message", "")).startswith("未识别的列") \
                and p.get("value") and p["value"] not in out:
            out.append(p["value"])
    return out


def unit_of_text(text: str | None) -> str | None:
    """A unit as typed (CLI --unit, a selectbox): normalised like a 填报单位 line."""
    if not text:
        return None
    u, _e = N.parse_unit(text)
    return u or text.strip()
