"""Rendering: canonical row dicts → the cells of 附件1/附件2/附件5/降级销号核查表 in a unit's style, and the
official layout around them (title, 填报单位 line, merged multi-row headers, 小计/合计, footer)."""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D
from typing import Any

from . import vocab as g
from .base import TOWNS, cn_date, cn_ordinal
from .model import Project, Signoff, Task
from .names import person
from .style import (BOOLS, DATES, INTS, MONEY, PROGRESS_COLS, RISK_COLS, SIGNOFF_COLS, SUM_COLS, TASK_COLS, Fmt,
                    progress_group, risk_group, signoff_group)
from .xlwriter import Sheet


def identity(p: Project) -> dict[str, Any]:
    return dict(town=p.town, village=p.village, project_code=p.code, name=p.name, build_year=p.build_year,
                category=p.category, asset_type=p.asset_type, department=p.supervisor,
                implementer=p.implementer, operator=p.operator, high_concern=p.high_concern or None)


def progress_rows(p: Project, i: int, s: dict[str, Any], filed: date) -> list[dict[str, Any]]:
    """One row per fund year (two rows with the same 项目编号 when funded in two years)."""
    lines = p.lines_at(i)
    years = sorted({y for _, y, _ in lines})
    funds = p.funds_at(i)
    rows = []
    for y in years:
        r = identity(p)
        r.update(total_investment_wan=p.total_at(i), fund_year=y,
                 enterprise_funds_wan=p.enterprise if p.enterprise else None,
                 paid_wan=(funds * p.paid_ratio).quantize(D("0.01")) if s["build_status"] != "not_started" else D(0))
        for c, fy, a in lines:
            if fy == y:
                r[f"fund_{c}"] = r.get(f"fund_{c}", D(0)) + a
        for k in ("build_status", "op_status", "planned_completion", "completion_accepted_on", "settled",
                  "rights_registered", "joint_account", "substantive_progress", "progress_text", "issues_text",
                  "next_steps"):
            r[k] = s.get(k)
        r["reported_on"] = filed
        rows.append(r)
    return rows


def risk_row(p: Project, i: int, s: dict[str, Any], filed: date) -> dict[str, Any]:
    r = identity(p)
    hh = s["households"] or 0
    resp = s.get("resp") or (None, None, None)
    r.update(total_investment_wan=p.total_at(i), funds_wan=p.funds_at(i), problems=s["problems"],
             problem_detail=s.get("issues_text"), grade=s["grade"], graded_on=s.get("graded_on"),
             sensitive=s.get("sensitive"), pretreatment=s.get("pretreatment"),
             pretreatment_done=s.get("pretreatment_done"), disposal=s["disposal"], revenue_wan=s["revenue_wan"],
             distribution_wan=s["distribution_wan"], linkage_mode=p.linkage_mode if hh else None,
             households=hh, households_exited=int(hh * 0.6), households_monitored=int(hh * 0.08),
             measures=s.get("measures"), deadline=s.get("deadline"), resp_leader=resp[0], resp_unit=resp[1],
             resp_person=resp[2], patrolled=s.get("patrolled"), signoff_status=s.get("signoff_status"),
             signoff_applied_on=s.get("signoff_applied_on"), signoff_accepted_on=s.get("signoff_accepted_on"),
             reported_on=filed)
    return r


def cell(fmt: Fmt, f: str, v: Any) -> Any:
    if f in MONEY:
        return fmt.money(v, yuan=(f == "paid_wan" and fmt.st.paid_yuan))
    if f in DATES:
        return fmt.date(v)
    if f in BOOLS:
        return fmt.bool(v)
    if f == "build_year" or f == "fund_year":
        return fmt.year(v)
    if f in INTS or f == "task_seq":
        return v if v is not None else fmt.empty()
    if f in ("grade", "from_grade", "to_grade"):
        return fmt.grade(v)
    if f == "town":
        return fmt.town(v) if v else None
    if f == "department":
        return fmt.dept(v)
    if f == "asset_type":
        return g.ASSET_TYPES[v]
    if f == "build_status":
        return g.BUILD_STATUS[v] if v else fmt.empty()
    if f == "op_status":
        return g.OP_STATUS[v] if v else fmt.empty()
    if f == "disposal":
        return g.DISPOSAL[v] if v else fmt.empty()
    if f in ("signoff_status", "signoff_state"):
        return g.SIGNOFF_STATUS[v] if v else fmt.empty()
    if f == "status":
        return g.TASK_STATUS[v]
    if f == "problems":
        return fmt.st.sep.join(g.PROBLEMS[c] for c in v) if v else fmt.empty()
    if f == "sensitive":
        return fmt.st.sep.join(g.SENSITIVE[c] for c in v) if v else fmt.empty()
    if f == "pretreatment":
        return fmt.st.sep.join(g.PRETREATMENT[c] for c in v) if v else fmt.empty()
    if f.startswith("check_"):
        return v
    return fmt.text(v) if isinstance(v, str) or v is None else v


# -- sheet layout --------------------------------------------------------------------------------

def layout_header(sh: Sheet, cols: list[str], paths: list[tuple[str, ...]], fmt: Fmt, depth: int,
                  form: str) -> None:
    """Writes a 1/2/3-row merged header starting at the next row."""
    top = sh.nrows + 1
    grid = [[None] * len(cols) for _ in range(depth)]
    for c, (f, path) in enumerate(zip(cols, paths)):
        lvl = len(path)
        for l_, grp in enumerate(path):
            grid[l_][c] = grp
        grid[lvl][c] = fmt.st.head(f, form)
        sh.merge(top + lvl, c + 1, top + depth - 1, c + 1)
    # horizontal merges of group cells
    for l_ in range(depth):
        c = 0
        while c < len(cols):
            path = paths[c]
            if len(path) > l_:
                c2 = c
                while c2 + 1 < len(cols) and len(paths[c2 + 1]) > l_ and paths[c2 + 1][: l_ + 1] == path[: l_ + 1]:
                    c2 += 1
                    grid[l_][c2] = None
                sh.merge(top + l_, c + 1, top + l_, c2 + 1)
                c = c2 + 1
            else:
                c += 1
    for row in grid:
        sh.add(row)
    sh.header_rows = (top, top + depth - 1)


def layout_top(sh: Sheet, title: str, ncols: int, fmt: Fmt, filed: date, unit_line: bool = True) -> None:
    sh.add([title] + [None] * (ncols - 1))
    sh.merge(1, 1, 1, ncols)
    row: list[Any] = [None] * ncols
    row[0] = f"填报单位：{fmt.st.label(seal=True)}"
    mid = max(ncols // 2, 2)
    row[mid - 1] = f"填报日期：{fmt.text_date(filed)}"
    if unit_line:
        row[ncols - 1] = "单位：万元"
    sh.add(row)
    sh.merge(2, 1, 2, min(4, mid - 1))


def layout_footer(sh: Sheet, ncols: int, rng: random.Random) -> None:
    sh.add([None] * ncols)
    row: list[Any] = [None] * ncols
    row[0] = f"填表人：{person(rng)}"
    row[min(4, ncols - 1)] = "审核人："
    row[min(9, ncols - 1)] = "联系电话：0774-5XXXXXX（样例）"
    sh.add(row)


def data_block(sh: Sheet, cols: list[str], rows: list[dict[str, Any]], fmt: Fmt, *, grouped: bool,
               seq_key: str = "project_code") -> None:
    """Data rows (+ "一、XX镇" group rows, merged 乡镇 cells, 小计 per group) and the 合计 row."""
    sums_cols = [f for f in cols if f in SUM_COLS]
    yuan = fmt.st.paid_yuan

    def total_row(label: str, rs: list[dict[str, Any]], span: int) -> None:
        out: list[Any] = [None] * len(cols)
        out[0] = label
        for f in sums_cols:
            vals = [r.get(f) for r in rs if r.get(f) is not None]
            if f in INTS:
                out[cols.index(f)] = sum(vals)
            else:
                out[cols.index(f)] = fmt.money(sum(vals, D(0)), yuan=(f == "paid_wan" and yuan))
        n = sh.add(out)
        if span > 1:
            sh.merge(n, 1, n, span)

    seq = 0
    last_key = None

    def emit(r: dict[str, Any]) -> int:
        nonlocal seq, last_key
        if r.get(seq_key) != last_key:
            seq += 1
            last_key = r.get(seq_key)
        return sh.add([seq if f == "seq" else cell(fmt, f, r.get(f)) for f in cols])

    name_col = cols.index("name") + 1 if "name" in cols else 3
    if grouped:
        order = {t: n for n, t in enumerate(TOWNS)}
        towns = sorted({r["town"] for r in rows}, key=lambda t: order[t])
        tcol = cols.index("town") + 1
        for n, t in enumerate(towns, start=1):
            rs = [r for r in rows if r["town"] == t]
            gr = sh.add([f"{cn_ordinal(n)}、{t}"] + [None] * (len(cols) - 1))
            sh.merge(gr, 1, gr, name_col)
            first = None
            for r in rs:
                k = emit(r)
                first = first or k
                if k != first:
                    sh.rows[k - 1][tcol - 1] = None   # merged 乡镇 cell: value only in the top cell
            sh.merge(first, tcol, sh.nrows, tcol)
            total_row("小计", rs, 1)
    else:
        for r in rows:
            emit(r)
    total_row("合计", rows, 3)


def progress_sheet(unit: str, fmt: Fmt, rd: date, filed: date, rows: list[dict[str, Any]],
                   rng: random.Random) -> Sheet:
    depth = fmt.st.depth
    paths = [progress_group(f, depth) for f in PROGRESS_COLS]
    sh = Sheet("附件1 推进梳理表")
    layout_top(sh, f"八步区扶贫资金帮扶资金产业项目推进梳理表（{cn_date(rd)}）", len(PROGRESS_COLS), fmt, filed)
    layout_header(sh, PROGRESS_COLS, paths, fmt, depth, "progress")
    data_block(sh, PROGRESS_COLS, rows, fmt, grouped=unit not in g.TOWNS)
    layout_footer(sh, len(PROGRESS_COLS), rng)
    sh.widths = {PROGRESS_COLS.index("name") + 1: 36, PROGRESS_COLS.index("operator") + 1: 24}
    return sh


def risk_sheet(unit: str, fmt: Fmt, rd: date, filed: date, rows: list[dict[str, Any]],
               rng: random.Random) -> Sheet:
    depth = fmt.st.risk_depth
    paths = [risk_group(f, depth) for f in RISK_COLS]
    sh = Sheet("附件2 风险排查表")
    layout_top(sh, f"八步区扶贫资金帮扶资金产业项目风险排查表（{cn_date(rd)}）", len(RISK_COLS), fmt, filed)
    layout_header(sh, RISK_COLS, paths, fmt, depth, "risk")
    data_block(sh, RISK_COLS, rows, fmt, grouped=unit not in g.TOWNS)
    layout_footer(sh, len(RISK_COLS), rng)
    sh.widths = {RISK_COLS.index("name") + 1: 36}
    return sh


def tasks_sheet(unit: str, fmt: Fmt, rd: date, i: int, filed: date, items: list[tuple[Project, str, list[Task]]],
                rng: random.Random) -> Sheet:
    sh = Sheet("附件5 任务分解表")
    label = fmt.st.label()
    layout_top(sh, f"{label}帮扶产业项目帮扶提升工作方案任务分解表（{cn_date(rd)}）", len(TASK_COLS), fmt, filed,
               unit_line=False)
    layout_header(sh, TASK_COLS, [()] * len(TASK_COLS), fmt, 1, "tasks")
    for n, (p, grade, tasks) in enumerate(items, start=1):
        first = sh.nrows + 1
        for t in tasks:
            if t.done_round is not None and t.done_round <= i:
                status, done = "done", t.done_on
            else:
                status, done = ("in_progress" if i >= t.start_progress else "not_started"), None
            r = dict(seq=n, project_code=p.code, name=f"{p.name}（{g.GRADES[grade]}级）", task_seq=t.seq,
                     problem=t.problem, measure=t.measure, due_on=t.due_on, lead_leader=t.lead_leader,
                     lead_unit=t.lead_unit, co_units=t.co_units or None, owner=t.owner, status=status, done_on=done)
            out = [r["seq"] if f == "seq" else cell(fmt, f, r[f]) for f in TASK_COLS]
            if fmt.st.merge_tasks and sh.nrows + 1 > first:
                out[0] = out[1] = out[2] = None
            sh.add(out)
        if fmt.st.merge_tasks:
            for c in (1, 2, 3):
                sh.merge(first, c, sh.nrows, c)
    layout_footer(sh, len(TASK_COLS), rng)
    sh.widths = {3: 40, 6: 36}
    return sh


def signoff_sheet(unit: str, fmt: Fmt, rd: date, filed: date, recs: list[tuple[Project, Signoff]],
                  rng: random.Random) -> Sheet:
    sh = Sheet("降级销号核查表")
    layout_top(sh, f"{fmt.st.label()}扶贫资金帮扶资金产业项目降级销号核查表（{cn_date(rd)}）", len(SIGNOFF_COLS),
               fmt, filed, unit_line=False)
    layout_header(sh, SIGNOFF_COLS, [signoff_group(f, 2) for f in SIGNOFF_COLS], fmt, 2, "signoff")
    for n, (p, x) in enumerate(recs, start=1):
        r = dict(project_code=p.code, name=p.name, from_grade=x.from_grade, to_grade=x.to_grade,
                 applied_on=x.applied_on, self_eval_on=x.self_eval_on, accepted_on=x.accepted_on,
                 accepted_by=x.accepted_by, route=x.route, signoff_state=x.status, evidence=x.evidence,
                 **{f"check_{c}": v for c, v in x.checklist.items()})
        sh.add([n if f == "seq" else cell(fmt, f, r[f]) for f in SIGNOFF_COLS])
    layout_footer(sh, len(SIGNOFF_COLS), rng)
    return sh


# ----------------------------------------------------------------------------------------------
