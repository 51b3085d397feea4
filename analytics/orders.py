"""督办单, 催报 and 通报 (DOMAIN §9 巡查督办, §10): what the task force sends out after a round.

Pure functions over the ledger store; the writers (Excel/HTML/PDF/zip) are in ``ledger/reports``
and the numbering write is ``ledger/orders.py``. The unit of a 督办单 or a 催报 is the *reporting
unit* (填报单位: the township or department whose ledger carries the project), because its reply is
its next ledger. The 通报 ranks units as ``ranking.unit_scores`` does (departments by 项目主管部门,
townships by 乡镇).

Lagging unit (督办对象) at ``as_of``: a reporting unit with at least one of
  - a deadline clock 逾期未完成 (``clocks.clocks`` status overdue),
  - an 一项目一方案 task past its 时间节点 and not done (``clocks.task_progress`` overdue_tasks),
  - an operator's 诉求/建议 open longer than ``reply_days`` (``interactions.interactions`` overdue_reply),
  - a project back to 红/黄 after 销号 (``signoff.reopened``).
销号 checklist gaps of applications not yet 已销号 are printed on the order but do not make a unit
lagging (an application waiting for acceptance is normal progress).

Follow-up of an order (回复情况) [A]: the order's reply-by date (回复期限) is fixed when it is issued
(``default_reply_by``: the first report due date, 14th/29th, at least ``order_reply_days`` days after
the day of issue) and printed on it. The unit has *replied* when its next ledger arrives — a
submission for a report round after the order's round, with 填报日期 on or before the reply-by date.
State at ``as_of`` (submissions dated after ``as_of`` are not yet known):
  replied       已回复     such a submission exists, dated ≤ reply_by;
  replied_late  逾期回复   the first later submission is dated after reply_by;
  overdue       逾期未回复 no later submission and as_of ≥ reply_by (like a missed report due date,
                           ``compliance.submission_grid``, the day itself counts);
  pending       待回复     no later submission yet and as_of < reply_by.
Example (fixture): an order to 莲塘镇 for R4 (2023-11-14) issued 11-15 → reply_by = first due date
≥ 11-15 + 7 = 11-22 → 11-29; 莲塘镇 sent no R5 ledger → at 11-29 逾期未回复; once its R5 ledger
(填报 11-29) is imported → 已回复.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from ledger.rounds import due_dates

from ._db import query
from .base import previous_round, projects, round_in_force, rounds, state_sql
from .clocks import clocks, task_progress, tasks_of
from .compliance import submission_grid
from .grades import grade_counts, grade_delta
from .interactions import _overdue_reply_counts, interactions
from .ranking import unit_scores
from .settings import get_settings
from .signoff import reopened, signoff_records

FOLLOWUP_STATES = ("replied", "replied_late", "overdue", "pending")
RED_YELLOW = ("red", "yellow")
LAGGING_COLUMNS = ["unit", "lagging", "red", "yellow", "overdue_clocks", "overdue_tasks", "overdue_replies",
                   "reopened", "checklist_gaps", "order_number", "last_order_number", "last_order_round",
                   "last_reply_by", "followup"]
ORDER_COLUMNS = ["order_id", "number", "year", "seq", "unit", "round_date", "reply_by", "issued_at", "issued_by",
                 "note", "replied_on", "reply_round", "followup"]
CHASE_COLUMNS = ["unit", "unit_kind", "due_date", "status", "submitted_on", "days_late", "late_this_year",
                 "missing_this_year", "times_this_year", "due_this_year"]


def default_reply_by(issued_on: date, *, settings: dict) -> date:
    """回复期限 [A]: the first report due date (14th, 29th, February's last day) on or after
    ``issued_on`` + ``order_reply_days``, so that the answer is the unit's next regular ledger.

    >>> s = {"order_reply_days": 7}
    >>> default_reply_by(date(2023, 11, 15), settings=s), default_reply_by(date(2023, 11, 22), settings=s)
    (datetime.date(2023, 11, 29), datetime.date(2023, 11, 29))
    >>> default_reply_by(date(2023, 11, 23), settings=s)
    datetime.date(2023, 12, 14)
    """
    start = issued_on + timedelta(days=int(settings.get("order_reply_days", 7)))
    return due_dates(start, start + timedelta(days=31))[0]


# --- issued orders and their follow-up -------------------------------------------------------------
_ORDERS_SQL = """
SELECT o.order_id, o.number, o.year, o.seq, o.unit, o.round_date, o.reply_by, o.issued_at, o.issued_by, o.note,
       (SELECT arg_min(s.submitted_on, s.round_date) FROM submissions s
         WHERE s.unit = o.unit AND s.round_date > o.round_date AND s.round_date <= $as_of
           AND s.submitted_on <= $as_of) AS replied_on,
       (SELECT min(s.round_date) FROM submissions s
         WHERE s.unit = o.unit AND s.round_date > o.round_date AND s.round_date <= $as_of
           AND s.submitted_on <= $as_of) AS reply_round
FROM orders o WHERE o.round_date <= $as_of
ORDER BY o.year, o.seq
"""


def issued_orders(con, *, as_of: date) -> pd.DataFrame:
    """One row per 督办单 issued for a report round on or before ``as_of``, in number order.

    Columns: order_id, number (八步专班督〔YYYY〕N号), year, seq, unit, round_date, reply_by, issued_at,
    issued_by, note, replied_on (填报日期 of the unit's first ledger for a later round, known at
    ``as_of``; None if none yet), reply_round (that round), followup ∈ FOLLOWUP_STATES (module doc).
    """
    df = query(con, _ORDERS_SQL, {"as_of": as_of})
    states = []
    for rep, by in zip(df["replied_on"], df["reply_by"]):
        if rep is not None and not pd.isna(rep):
            states.append("replied" if rep <= by else "replied_late")
        else:
            states.append("overdue" if as_of >= by else "pending")
    df["followup"] = pd.Series(states, index=df.index, dtype="object")
    return df[ORDER_COLUMNS]


# --- who gets an order ----------------------------------------------------------------------------
def _checklist_gaps(con, *, as_of: date, settings: dict) -> pd.DataFrame:
    so = signoff_records(con, as_of=as_of, settings=settings)
    return so[(so["status"] != "signed_off") & (so["checklist_missing"].map(len) > 0)]


def lagging_units(con, *, as_of: date, settings: dict | None = None) -> pd.DataFrame:
    """One row per reporting unit that is lagging at ``as_of`` (module doc) or that was sent an order
    for this round or an earlier one (so that its number, and next round its follow-up, show on its row);
    lagging first, then by name.

    Columns: unit, lagging (bool), red, yellow (its projects 红/黄 now), overdue_clocks, overdue_tasks,
    overdue_replies, reopened, checklist_gaps (applications not 已销号 with checklist items missing),
    order_number (the order already issued for the round in force, else None), last_order_number,
    last_order_round, last_reply_by, followup (of its latest order for an earlier round; None if none).
    Example (fixture, as of R5 2023-11-29): 贺街镇 lagging (P01 red_1m overdue; task 2 due 11-20 not
    started); 步头镇 lagging (P05 reopened); 莲塘镇 not lagging (P08 clocks met or pending).
    """
    s = settings or get_settings(con)
    psql, params = state_sql(con, as_of=as_of, settings=s)
    ry = con.execute(f"SELECT unit, count(*) FILTER (WHERE grade = 'red'), count(*) FILTER (WHERE grade = 'yellow') "
                     f"FROM ({psql}) GROUP BY unit", params).fetchall()  # one row per unit, not per project
    clk = clocks(con, as_of=as_of, settings=s)
    tp = task_progress(con, as_of=as_of)
    ro = reopened(con, as_of=as_of)
    gaps = _checklist_gaps(con, as_of=as_of, settings=s)
    orders = issued_orders(con, as_of=as_of)
    current = round_in_force(con, as_of=as_of)

    def count(df, mask=None):
        d = df if mask is None else df[mask]
        return d.groupby("unit").size().to_dict() if len(d) else {}

    red = {u: r for u, r, _ in ry if r}
    yellow = {u: y for u, _, y in ry if y}
    over = count(clk, clk["status"] == "overdue")
    tasks = {u: int(v) for u, v in tp.groupby("unit")["overdue_tasks"].sum().items()} if len(tp) else {}
    replies = _overdue_reply_counts(con, as_of=as_of, settings=s)
    reop = count(ro)
    gap = count(gaps)
    this_round = {u: n for u, n, r in zip(orders["unit"], orders["number"], orders["round_date"]) if r == current}
    earlier = orders[orders["round_date"] < current] if current is not None else orders.iloc[0:0]
    last = {r["unit"]: r for r in earlier.to_dict("records")}  # number order: the latest wins
    units = set(over) | {u for u, v in tasks.items() if v} | set(replies) | set(reop) | set(last) | set(this_round)
    recs = []
    for u in units:
        lag = bool(over.get(u) or tasks.get(u) or replies.get(u) or reop.get(u))
        lo = last.get(u)
        recs.append({
            "unit": u, "lagging": lag, "red": red.get(u, 0), "yellow": yellow.get(u, 0),
            "overdue_clocks": over.get(u, 0), "overdue_tasks": tasks.get(u, 0),
            "overdue_replies": replies.get(u, 0), "reopened": reop.get(u, 0), "checklist_gaps": gap.get(u, 0),
            "order_number": this_round.get(u),
            "last_order_number": lo["number"] if lo else None, "last_order_round": lo["round_date"] if lo else None,
            "last_reply_by": lo["reply_by"] if lo else None, "followup": lo["followup"] if lo else None,
        })
    df = pd.DataFrame(recs, columns=LAGGING_COLUMNS)
    for c in ("red", "yellow", "overdue_clocks", "overdue_tasks", "overdue_replies", "reopened", "checklist_gaps"):
        df[c] = df[c].astype("Int64")
    df["lagging"] = df["lagging"].astype(bool)
    return df.sort_values(["lagging", "unit"], ascending=[False, True]).reset_index(drop=True)


# --- what one order says ---------------------------------------------------------------------------
def order_content(con, *, as_of: date, unit: str, settings: dict | None = None) -> dict:
    """Everything a 督办单 to ``unit`` prints, as of ``as_of`` (codes, not labels; money exact).

    Returns a dict:
      round_date, round_no (第N期 among all rounds ≤ as_of), unit;
      projects: one row per (红/黄 project of the unit, deadline clock not yet met — pending or overdue):
        project_code, name, town, department, grade, problems (codes), problem_detail, tier, funds_wan,
        kind, due, status, days_left, days_overdue. A 红/黄 project whose clocks are all met gets one
        row with kind/due/status None. Overdue clocks first, then by project and due date;
      checklist: applications not 已销号 with missing items: project_code, name, from_grade, to_grade,
        applied_on, status, checklist_missing (labels);
      tasks: tasks of its 红/黄 projects past 时间节点 and not done: project_code, name, task_seq,
        measure, due_on, status, owner, days_overdue (as_of − due_on);
      interactions: its 诉求/建议 open longer than reply_days: project_code, name, operator, raised_on,
        kind, content, status, days_open;
      summary: counts red, yellow, overdue_clocks, pending_clocks, checklist_gaps, overdue_tasks,
        overdue_replies, reopened.
    Example (fixture, 贺街镇 at R5 2023-11-29): projects P01 red_1m overdue 40 days (due 10-20), P01
    red_3m pending 21 days, P02 yellow_1m pending 1 day; task P01 #2 落实运营主体 due 11-20 → 9 days over.
    """
    return order_contents(con, as_of=as_of, units=[unit], settings=settings)[unit]


def order_contents(con, *, as_of: date, units: list[str], settings: dict | None = None) -> dict[str, dict]:
    """``order_content`` of several units at once ({unit: content}): the projects, clocks, applications,
    interactions and reopenings are computed once for all of them."""
    s = settings or get_settings(con)
    rs = rounds(con, as_of=as_of)
    pf = projects(con, as_of=as_of, settings=s)
    pf = pf[pf["grade"].isin(RED_YELLOW)]
    clk = clocks(con, as_of=as_of, settings=s)
    clk = clk[clk["status"].isin(["overdue", "pending"])]
    all_gaps = _checklist_gaps(con, as_of=as_of, settings=s)
    all_it = interactions(con, as_of=as_of, settings=s)
    all_it = all_it[all_it["overdue_reply"].fillna(False).astype(bool)]
    ro = reopened(con, as_of=as_of)
    out = {}
    for unit in units:
        mine = pf[pf["unit"] == unit]
        ident = mine[["project_code", "name", "town", "department", "grade", "problems", "problem_detail", "tier",
                      "funds_wan"]]
        rows = ident.merge(clk[clk["unit"] == unit][["project_code", "kind", "due", "status", "days_left",
                                                     "days_overdue"]], on="project_code", how="left")
        rows["_o"] = rows["status"].map({"overdue": 0, "pending": 1}).fillna(2)
        rows["_d"] = rows["due"].map(lambda d: d if isinstance(d, date) else date.max)
        rows = rows.sort_values(["_o", "project_code", "_d"]).drop(columns=["_o", "_d"]).reset_index(drop=True)
        for c in ("kind", "due", "status"):
            rows[c] = rows[c].astype(object).where(rows[c].notna(), None)
        gaps = all_gaps[all_gaps["unit"] == unit][["project_code", "name", "from_grade", "to_grade", "applied_on",
                                                   "status", "checklist_missing"]].reset_index(drop=True)
        task_recs = []
        for code, name in zip(mine["project_code"], mine["name"]):
            for t in tasks_of(con, as_of=as_of, project_code=code).to_dict("records"):
                due = t["due_on"]
                if t["status"] != "done" and due is not None and not pd.isna(due) and due < as_of:
                    task_recs.append({"project_code": code, "name": name, "task_seq": t["task_seq"],
                                      "measure": t["measure"], "due_on": due, "status": t["status"],
                                      "owner": t["owner"], "days_overdue": (as_of - due).days})
        tasks = pd.DataFrame(task_recs, columns=["project_code", "name", "task_seq", "measure", "due_on", "status",
                                                 "owner", "days_overdue"])
        it = all_it[all_it["unit"] == unit][["project_code", "name", "operator", "raised_on", "kind", "content",
                                             "status", "days_open"]].reset_index(drop=True)
        summary = {
            "red": int((mine["grade"] == "red").sum()), "yellow": int((mine["grade"] == "yellow").sum()),
            "overdue_clocks": int((rows["status"] == "overdue").sum()),
            "pending_clocks": int((rows["status"] == "pending").sum()),
            "checklist_gaps": len(gaps), "overdue_tasks": len(tasks), "overdue_replies": len(it),
            "reopened": int((ro["unit"] == unit).sum()),
        }
        out[unit] = {"unit": unit, "round_date": rs[-1] if rs else None, "round_no": len(rs), "projects": rows,
                     "checklist": gaps, "tasks": tasks, "interactions": it, "summary": summary}
    return out


# --- 催报 -----------------------------------------------------------------------------------------
def chase_list(con, *, as_of: date) -> pd.DataFrame:
    """催报: one row per reporting unit that has not reported, or reported late, for the round in force
    at ``as_of`` (its due date), from ``compliance.submission_grid``; missing first, then most late.

    Columns: unit, unit_kind, due_date, status (missing/late), submitted_on, days_late (late:
    submitted_on − due_date; missing: as_of − due_date so far, 0 on the day), late_this_year,
    missing_this_year, times_this_year (= late + missing among this calendar year's due dates up to and
    including this one), due_this_year (those due dates).
    Example (fixture, as of R5 2023-11-29): 莲塘镇 missing, 0 days, once this year (5 due dates in 2023);
    at 2023-11-30 步头镇's R4 lateness is history, only 莲塘镇 is listed (1 day).
    """
    due = round_in_force(con, as_of=as_of)
    if due is None:
        return pd.DataFrame(columns=CHASE_COLUMNS)
    g = submission_grid(con, as_of=as_of)
    year = g[(g["due_date"].map(lambda d: d.year) == due.year) & (g["due_date"] <= due)]
    stats = {}
    for u, st in zip(year["unit"], year["status"]):
        n = stats.setdefault(u, {"late": 0, "missing": 0, "due": 0})
        n["due"] += 1
        if st in ("late", "missing"):
            n[st] += 1
    now = g[(g["due_date"] == due) & g["status"].isin(["late", "missing"])]
    recs = []
    for r in now.to_dict("records"):
        n = stats[r["unit"]]
        late = (as_of - due).days if r["status"] == "missing" else int(r["days_late"])
        recs.append({"unit": r["unit"], "unit_kind": r["unit_kind"], "due_date": due, "status": r["status"],
                     "submitted_on": r["submitted_on"], "days_late": late, "late_this_year": n["late"],
                     "missing_this_year": n["missing"], "times_this_year": n["late"] + n["missing"],
                     "due_this_year": n["due"]})
    df = pd.DataFrame(recs, columns=CHASE_COLUMNS)
    for c in ("days_late", "late_this_year", "missing_this_year", "times_this_year", "due_this_year"):
        df[c] = df[c].astype("Int64")
    df["_o"] = df["status"].map({"missing": 0, "late": 1})
    return (df.sort_values(["_o", "days_late", "unit"], ascending=[True, False, True])
            .drop(columns="_o").reset_index(drop=True))


# --- 通报 -----------------------------------------------------------------------------------------
BULLETIN_TOP = 3


def bulletin(con, *, as_of: date, settings: dict | None = None) -> dict:
    """通报 for the 专题会: the 奖惩 ranking with its metric breakdown and each unit's 红/黄 movement.

    Returns a dict:
      round_date, previous_round (None before the second round);
      scores: ``ranking.unit_scores`` (rank, score, band, factor, penalty, contrib_<metric>, ...) plus
        red_now, red_previous, red_change, yellow_now, yellow_previous, yellow_change — the unit's
        projects 红/黄 in force now and at the previous round (departments by 项目主管部门, townships by
        乡镇, as ranked); previous/change None when there is no previous round;
      best / worst: {kind: frame} — the first three rows of the kind (best first) and the last three
        that are not already among the best (worst first), so no unit is named twice;
      movement: ``grades.grade_delta`` (now/previous/delta per grade, all projects).
    Example (fixture, R5 vs R4): townships best 南乡镇, 大宁镇 (tied 1st), 莲塘镇; worst 贺街镇, 步头镇.
    """
    s = settings or get_settings(con)
    sc = unit_scores(con, as_of=as_of, settings=s).copy()
    prev = previous_round(con, as_of=as_of)

    def ry(at, col):
        if at is None:
            return {}
        gc = grade_counts(con, as_of=at, by=col, settings=s)
        return {(k, g): int(n) for k, g, n in zip(gc[col], gc["grade"], gc["projects"])}

    now = {"department": ry(as_of, "department"), "township": ry(as_of, "town")}
    before = {"department": ry(prev, "department"), "township": ry(prev, "town")}
    for g in RED_YELLOW:
        n = [now[k].get((u, g), 0) for k, u in zip(sc["kind"], sc["unit"])]
        p = [before[k].get((u, g), 0) if prev is not None else None for k, u in zip(sc["kind"], sc["unit"])]
        sc[f"{g}_now"] = pd.array(n, dtype="Int64")
        sc[f"{g}_previous"] = pd.array(p, dtype="Int64")
        sc[f"{g}_change"] = sc[f"{g}_now"] - sc[f"{g}_previous"]
    best, worst = {}, {}
    for kind in ("department", "township"):
        part = sc[sc["kind"] == kind].reset_index(drop=True)  # already best first
        b = part.head(BULLETIN_TOP)
        rest = part.iloc[len(b):]
        best[kind] = b.reset_index(drop=True)
        worst[kind] = rest.tail(BULLETIN_TOP).iloc[::-1].reset_index(drop=True)
    return {"round_date": round_in_force(con, as_of=as_of), "previous_round": prev, "scores": sc,
            "best": best, "worst": worst, "movement": grade_delta(con, as_of=as_of, settings=s)}
