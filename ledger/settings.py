"""Settings [A]: every threshold, weight and date the policy does not fix (DOMAIN §4–§10).

Defaults and their Chinese labels live here; overrides are stored in the ``settings`` table (JSON
values). Writing them goes through ``ledger.writes.write`` (the lock and one transaction);
``analytics.settings.get_settings(con)`` reads defaults merged with overrides.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ledger.writes import write

DEFAULTS: dict[str, Any] = {
    # §5 tiers: amount basis 'funds' (sum of nine sources) or 'total_investment'; bounds in 万元
    "tier_amount_basis": "funds",
    "tier_lower_wan": 1000,   # 1000—3000万元(含1000万元)
    "tier_upper_wan": 3000,   # 3000万元以上(含)
    # §6 clocks
    "default_clock_start": "2023-10-15",  # where a ledger gives no 认定日期
    "red_progress_months": 1,             # 红: 1个月内问题整改有实质性进展
    "red_operation_months": 3,            # 红: 3个月内投产运营 / 产生收益且联农带农见效
    "yellow_fix_months": 1,               # 黄: 1个月内完成问题整改
    "warn_days": 7,                       # "due within 7 days" early warning
    # §9 政企互动: an operator's 诉求/建议 open longer than this many days is overdue for a reply
    "reply_days": 15,
    # §9 督办单: the reply-by date is the first report due date at least this many days after issue
    "order_reply_days": 7,
    # §4 consistency check: 用而不好 = operating with revenue <= this or no households benefiting
    "revenue_threshold_wan": 0,
    # §10 ranking weights (sum need not be 100; normalised by their sum)
    "weights": {
        "green_share": 25,       # share of projects 绿 now
        "on_time": 25,           # deadlines met on time
        "resolved": 20,          # 红/黄 resolved since first graded
        "submissions": 10,       # report submissions on time
        "linkage": 10,           # 联农带农 households per 万元
        "consistency": 10,       # data consistency (no false greens)
    },
    "penalty_overdue": 2.0,      # points off S per overdue clock (逾期未完成)
    "penalty_reopened": 5.0,     # points off S per reopened project
    # how the two penalties count: 'per_item' (each overdue clock / reopened project) or
    # 'per_100_projects' (the same points per 100 of the unit's projects in force: size-fair)
    "penalty_basis": "per_item",
    "beta": 0.5,                 # f = 1 + beta*(S - mean S)/100
    "cap": 0.2,                  # f clipped to [1-cap, 1+cap]
    "bands": {"excellent": 90, "good": 80, "fair": 60},  # 优 ≥90, 良 80–89, 中 60–79, 差 <60
    # §8 《风险销号核查标准(试行)》 checklist item codes (labels in ledger.glossary.SIGNOFF_CHECKLIST)
    "signoff_checklist": [
        "construction_accepted", "assets_registered", "operator_contract", "in_production",
        "revenue_evidenced", "linkage_ledger", "joint_account", "pretreatment_done",
    ],
    # §11 import safety (issue #12): caps checked before parsing, limits of the parsing child process
    "parse_max_file_mb": 50,           # file size
    "parse_max_uncompressed_mb": 512,  # .xlsx: all parts inflated
    "parse_max_ratio": 200,            # .xlsx: inflated / compressed size of any part over 1 MiB
    "parse_max_rows": 200000,          # rows of one sheet (declared <dimension> or read)
    "parse_max_cols": 1000,            # columns of one sheet
    "parse_max_cells": 10000000,       # rows × columns of one sheet
    "parse_memory_mb": 2048,           # address space of the parsing child
    "parse_cpu_seconds": 300,          # CPU time of the parsing child
    "parse_timeout_seconds": 600,      # wall time the importer waits for the child
    # §11 nothing lost silently: a file that removes more than this share of a unit's projects (or
    # has no data rows) is imported only with explicit confirmation (--allow-shrink / the page's box)
    "import_shrink_share": 0.5,
    # §11 a round dated more than this many days after today, or before this date, is rejected
    "round_max_days_ahead": 45,
    "round_earliest": "2016-01-01",
    # §9 填报情况: each reporting unit's 联系人/电话 line, shown in 本期报送情况 and 催报 ({unit: text})
    "unit_contacts": {},
    # §12 sign-in (issue #12 point 6, ledger/auth.py)
    "session_idle_minutes": 30,   # a session idle longer than this signs out
    "signin_max_failures": 5,     # this many failed sign-ins of one login within signin_lock_minutes locks it
    "signin_lock_minutes": 15,
    "demo_mode": False,           # the demo accounts of a sample-built store (on for those, ledger/bootstrap.py)
}

# keys whose value is one code of a fixed list (labels: ledger.glossary)
CHOICES: dict[str, tuple[str, ...]] = {
    "tier_amount_basis": ("funds", "total_investment"),
    "penalty_basis": ("per_item", "per_100_projects"),
}

LABELS: dict[str, str] = {
    "tier_amount_basis": "分级金额口径（扶贫帮扶资金合计或总投资）",
    "tier_lower_wan": "市级督办金额下限（万元，含）",
    "tier_upper_wan": "自治区督办金额下限（万元，含）",
    "default_clock_start": "未填认定日期时的时限起算日",
    "red_progress_months": "红级实质性进展时限（月）",
    "red_operation_months": "红级投产运营/产生收益时限（月）",
    "yellow_fix_months": "黄级完成整改时限（月）",
    "warn_days": "临期预警天数",
    "reply_days": "企业诉求答复时限（天，超过即为逾期未答复）",
    "order_reply_days": "督办单回复期限（签发后至少天数，顺延至下一报送日）",
    "revenue_threshold_wan": "“用而不好”收入阈值（万元，≤即视为无收益）",
    "weights": "排名指标权重",
    "penalty_overdue": "每个逾期未完成时限扣分",
    "penalty_reopened": "每个反弹（销号后重返红黄）项目扣分",
    "penalty_basis": "扣分口径（按个数，或按每百个在库项目折算）",
    "beta": "奖惩系数 β",
    "cap": "系数上下限 cap",
    "bands": "等次分数线（优/良/中）",
    "signoff_checklist": "销号核查标准条目",
    "parse_max_file_mb": "导入文件大小上限（MB）",
    "parse_max_uncompressed_mb": "导入 .xlsx 解压后大小上限（MB）",
    "parse_max_ratio": "导入 .xlsx 压缩比上限（倍）",
    "parse_max_rows": "导入工作表行数上限",
    "parse_max_cols": "导入工作表列数上限",
    "parse_max_cells": "导入工作表单元格数上限",
    "parse_memory_mb": "解析进程内存上限（MB）",
    "parse_cpu_seconds": "解析进程 CPU 时间上限（秒）",
    "parse_timeout_seconds": "解析等待时间上限（秒）",
    "import_shrink_share": "导入后项目减少超过此比例需确认（0—1）",
    "round_max_days_ahead": "报送期次最多晚于今天的天数",
    "round_earliest": "最早报送期次（YYYY-MM-DD）",
    "unit_contacts": "单位联系人（每行：单位=联系人 电话）",
    "session_idle_minutes": "登录会话空闲超时（分钟）",
    "signin_max_failures": "登录失败锁定次数",
    "signin_lock_minutes": "登录失败计数与锁定时长（分钟）",
    "demo_mode": "演示模式（示例数据的演示账号可登录）",
}


def parse_contacts(text: str) -> dict[str, str]:
    """The 设置 box's lines ``单位=联系人 电话`` (or ``单位：…``) → {unit: contact}; blank lines skipped.

    >>> parse_contacts("桂岭镇=李四 0774-1234567\\n\\n区林业局：王五 13800000000")
    {'桂岭镇': '李四 0774-1234567', '区林业局': '王五 13800000000'}
    """
    out: dict[str, str] = {}
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        sep = min((i for i in (line.find("="), line.find("："), line.find(":")) if i > 0), default=-1)
        if sep < 0:
            raise ValueError(f"联系人一行应为“单位=联系人 电话”：{line}")
        unit, contact = line[:sep].strip(), line[sep + 1:].strip()
        if unit and contact:
            out[unit] = contact
    return out


def contacts_text(contacts: dict) -> str:
    """{unit: contact} → the 设置 box's lines (inverse of ``parse_contacts``)."""
    return "\n".join(f"{u}={c}" for u, c in (contacts or {}).items())


def set_setting(con, key: str, value: Any, *, by: str = "dashboard", at: datetime | None = None) -> None:
    """Store an override (validated against the default's type). ``at``: the caller's clock."""
    _check(key, value)
    with write(con):
        _upsert(con, key, value, at=at, by=by)
        _after(con, [key])
        _audit(con, {key: value}, by=by, at=at)


def reset_settings(con, keys: list[str] | None = None, *, by: str = "dashboard", at: datetime | None = None) -> None:
    """Back to defaults (all, or the given keys)."""
    with write(con):
        if keys is None:
            con.execute("DELETE FROM settings")
        else:
            for k in keys:
                con.execute("DELETE FROM settings WHERE key = ?", [k])
        _after(con, list(DEFAULTS) if keys is None else keys)
        _audit(con, {k: DEFAULTS.get(k) for k in (keys or ["*"])}, by=by, at=at, reset=True)


def save_settings(con, values: dict[str, Any], current: dict[str, Any], *, by: str = "dashboard",
                  at: datetime | None = None) -> list[str]:
    """Store every value that differs from ``current``, all in one transaction (none on error).
    Returns the keys changed, in the order of DEFAULTS."""
    changed = [k for k in DEFAULTS if k in values and values[k] != current.get(k)]
    for k in changed:
        _check(k, values[k])
    with write(con):
        for k in changed:
            _upsert(con, k, values[k], at=at, by=by)
        _after(con, changed)
        if changed:
            _audit(con, {k: values[k] for k in changed}, by=by, at=at,
                   before={k: current.get(k) for k in changed})
    return changed


def _after(con, keys: list[str]) -> None:
    """Keep the materialised state in step with the settings it was derived with (ledger/state.py)."""
    from .state import CLOCK_SETTINGS, refresh_clocks

    if set(keys) & set(CLOCK_SETTINGS):
        refresh_clocks(con)
    if "demo_mode" in keys:  # the demo accounts sign in only while demo mode is on
        row = con.execute("SELECT value_json FROM settings WHERE key = 'demo_mode'").fetchone()
        on = bool(json.loads(row[0])) if row else DEFAULTS["demo_mode"]
        con.execute("UPDATE users SET active = ?, updated_at = now()::TIMESTAMP WHERE demo", [on])


def _audit(con, values: dict, *, by: str, at: datetime | None, before: dict | None = None,
           reset: bool = False) -> None:
    from .audit import record

    detail = {"values": values, **({"before": before} if before else {}), **({"reset": True} if reset else {})}
    record(con, "settings_change", user=by, obj="、".join(values), detail=detail,
           at=at.replace(microsecond=0) if at else None)


def _check(key: str, value: Any) -> None:
    """A value of the default's type, for a known key (KeyError / TypeError in Chinese otherwise)."""
    if key not in DEFAULTS:
        raise KeyError(f"未知设置项: {key}")
    default = DEFAULTS[key]
    if isinstance(default, dict) and not isinstance(value, dict):
        raise TypeError(f"{key} 应为字典")
    if isinstance(default, (int, float)) and not isinstance(default, bool) and not isinstance(value, (int, float)):
        raise TypeError(f"{key} 应为数字")
    if key in CHOICES and value not in CHOICES[key]:
        raise ValueError(f"{LABELS.get(key, key)} 只能取：{'、'.join(CHOICES[key])}")


_UPSERT = ("INSERT INTO settings VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
           "value_json = excluded.value_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by")


def _upsert(con, key: str, value: Any, *, at: datetime | None, by: str) -> None:
    con.execute(_UPSERT, [key, json.dumps(value, ensure_ascii=False), at, by])
