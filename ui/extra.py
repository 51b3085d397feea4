"""Helpers for the 整改进度 / 排名 / 填报 / 导入 pages that ui/common.py and ui/charts.py do not have.

The import flow (``run_import``) is plain Python — no Streamlit — so tests can drive it directly;
the 数据导入 page only renders its results.
"""
from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from ledger import db as dbm
from ledger import forms as F
from ledger import glossary as g
from ledger import importer
from ledger import reader

# --- 数据导入 ----------------------------------------------------------------------------------------
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_LABELS = {"accepted": "可导入", "rejected": "拒绝", "unchanged": "未变化（与上次导入相同）"}
DONE_LABELS = {"accepted": "已导入", "rejected": "拒绝（数据库未改动）", "unchanged": "未变化（与上次导入相同）"}
PROBLEM_COLUMNS = {"file": "文件", "sheet": "工作表", "row": "行", "column": "列", "value": "值",
                   "message": "问题", "severity": "严重程度"}


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
                if isinstance(v, Decimal):
                    v = float(v)
                elif isinstance(v, (list, tuple)):
                    v = "、".join(map(str, v))
                row[names.get(c, c)] = v
            rows.append(row)
        out[f"{ps.name}（{g.label('form', ps.form)}）"] = pd.DataFrame(rows)
    return out


def run_import(con, uploads: Iterable[tuple[str, bytes]], *, dry_run: bool, round_date: date | None = None,
               unit: str | None = None, imported_by: str = "dashboard", with_preview: bool = True,
               on_progress: Callable[[int, int, str], None] | None = None) -> list[UploadOutcome]:
    """Import (or, with ``dry_run``, only check) each uploaded (file name, bytes).

    Each file is written to a temp directory under its original name before ``import_file`` reads
    it. Real imports run under ``ledger.db.WRITE_LOCK``; every file is all-or-nothing on its own.
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
                                           imported_by=imported_by, dry_run=True)
            else:
                with dbm.WRITE_LOCK:
                    res = importer.import_file(con, path, round_date=round_date, unit=unit or None,
                                               imported_by=imported_by)
            outcomes.append(UploadOutcome(fname, res, preview_rows(path) if with_preview else {}))
    if on_progress:
        on_progress(len(uploads), len(uploads), "")
    return outcomes


def outcome_summary(outcomes: list[UploadOutcome], *, done: bool = False) -> pd.DataFrame:
    """One row per file: status (Chinese), unit, round, rows accepted / skipped / rejected, problems."""
    labels = DONE_LABELS if done else STATUS_LABELS
    return pd.DataFrame([{
        "文件": o.file_name,
        "结果": labels.get(o.result.status, o.result.status),
        "填报单位": o.result.unit or "",
        "报送期次": o.result.round_date,
        "表格": "、".join(g.label("form", f) for f in o.result.forms),
        "有效行": o.result.accepted,
        "跳过行": o.result.skipped,
        "错误行": o.result.rejected,
        "错误": sum(p["severity"] == "error" for p in o.result.problems),
        "警告": sum(p["severity"] == "warning" for p in o.result.problems),
    } for o in outcomes], columns=["文件", "结果", "填报单位", "报送期次", "表格", "有效行", "跳过行", "错误行",
                                   "错误", "警告"])


def problems_frame(outcomes: list[UploadOutcome]) -> pd.DataFrame:
    """Every problem of every file (errors first), with Chinese headers: 文件 工作表 行 列 值 问题 严重程度."""
    order = {"error": 0, "warning": 1, "info": 2}
    rows = [{"file": o.file_name, **{k: p.get(k) for k in ("sheet", "row", "column", "value", "message")},
             "severity": p.get("severity"), "_o": order.get(p.get("severity"), 3)}
            for o in outcomes for p in o.result.problems]
    df = pd.DataFrame(rows, columns=[*PROBLEM_COLUMNS, "_o"])
    df = df.sort_values(["_o", "file"], kind="stable").drop(columns="_o")
    df["row"] = df["row"].astype("Int64")
    df["value"] = df["value"].map(lambda v: "" if v is None else str(v))
    df["severity"] = df["severity"].map(lambda s: SEVERITY_LABELS.get(s, s))
    return df.rename(columns=PROBLEM_COLUMNS).reset_index(drop=True)


# --- 单位排名与奖惩 ------------------------------------------------------------------------------------
def read_base_shares(name: str, data: bytes) -> dict[str, Decimal]:
    """Base shares from an uploaded .xlsx/.csv with columns 单位 and 基数 (e.g. last year's 万元).

    Raises ValueError with a Chinese message when the columns are missing or a value is not a
    non-negative number.
    """
    buf = io.BytesIO(data)
    if name.lower().endswith(".csv"):
        df = pd.read_csv(buf, dtype=str, encoding="utf-8-sig")
    else:
        df = pd.read_excel(buf, dtype=str)
    df.columns = [str(c).strip() for c in df.columns]
    if not {"单位", "基数"} <= set(df.columns):
        raise ValueError("基数文件需要“单位”和“基数”两列")
    out: dict[str, Decimal] = {}
    for i, (u, b) in enumerate(zip(df["单位"], df["基数"]), start=2):
        if pd.isna(u) or not str(u).strip():
            continue
        try:
            v = Decimal(str(b).replace(",", "").strip())
        except Exception:  # noqa: BLE001
            raise ValueError(f"第{i}行基数“{b}”不是数字") from None
        if v < 0:
            raise ValueError(f"第{i}行基数不能为负数")
        out[str(u).strip()] = v
    if not out:
        raise ValueError("基数文件没有数据行")
    return out


def scenario_xlsx(params: pd.DataFrame, allocation: pd.DataFrame) -> bytes:
    """The allocation scenario as a workbook: sheet 参数 (weights, β, cap, budget...) and sheet 分配结果."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        params.to_excel(xw, sheet_name="参数", index=False)
        allocation.to_excel(xw, sheet_name="分配结果", index=False)
    return buf.getvalue()


# --- colours for 按时/逾期/未报 (红黄绿 are reserved for grades) ---------------------------------------
SUBMISSION_COLORS = {"on_time": "#4c78a8", "late": "#f58518", "missing": "#9d9d9d"}



# --- ranking metric names (DOMAIN §10) -------------------------------------------------------------
METRIC_LABELS = {
    "green_share": "绿色项目占比",
    "on_time": "整改按期完成",
    "resolved": "红黄已转绿",
    "submissions": "按时报送",
    "linkage": "联农带农（户/万元）",
    "consistency": "数据一致性",
}

CHANGE_LABELS = {"new": "新增项目", "dropped": "未再报送", "regraded": "等级变化", "amount_changed": "金额变化"}


def status_heatmap(grid: pd.DataFrame, *, row: str, col: str, status: str, codes: dict[str, str],
                   colors: dict[str, str], detail: str | None = None, title: str | None = None):
    """Categorical heat-map (e.g. unit × due date coloured 按时/逾期/未报): a discrete colour scale,
    one cell per (row, col), hover text = status label (+ ``detail``). Cells absent from ``grid`` stay blank."""
    import plotly.graph_objects as go

    order = list(codes)
    rows = list(dict.fromkeys(grid[row]))
    cols = sorted(dict.fromkeys(grid[col]))
    idx = {c: i for i, c in enumerate(order)}
    z = [[None] * len(cols) for _ in rows]
    text = [[""] * len(cols) for _ in rows]
    ri, ci = {r: i for i, r in enumerate(rows)}, {c: i for i, c in enumerate(cols)}
    for rec in grid.to_dict("records"):
        i, j = ri[rec[row]], ci[rec[col]]
        z[i][j] = idx[rec[status]]
        extra = rec.get(detail) if detail else None
        text[i][j] = codes[rec[status]] + (f"（{extra}天）" if extra is not None and not pd.isna(extra) and extra else "")
    n = len(order)
    scale = []
    for k, code in enumerate(order):
        scale += [[k / n, colors[code]], [(k + 1) / n, colors[code]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in cols], y=rows, text=text, texttemplate="%{text}", zmin=-0.5, zmax=n - 0.5,
        colorscale=scale, xgap=2, ygap=2, hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        colorbar=dict(tickvals=list(range(n)), ticktext=[codes[c] for c in order], title="报送"),
    ))
    fig.update_layout(title=title, height=max(260, 34 * len(rows) + 120), xaxis=dict(type="category", title="报送期次"),
                      yaxis=dict(autorange="reversed", title="单位"), margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return fig
