"""Remediation deadlines (时限, DOMAIN §6 精准施策) and the task plans behind them (附件5).

An **episode** is a maximal run of consecutive 红/黄 rows in a project's own grade history (rounds
on or before ``as_of``; a round the project was not reported in is skipped, not a break). It ends at
the first 绿 row (``end_round``). Inside an episode each maximal run of one grade is a *segment*;
a segment starts clocks:

=========  =============================  ==========================================================
kind       due                            met on (earliest evidence, each dated ≤ as_of)
=========  =============================  ==========================================================
red_1m     start + red_progress_months    问题整改有实质性进展: a task reported 已完成 (date = done_on, or
                                          the first round it was reported done when done_on is
                                          empty); or a round whose 附件1 row marks 实质性进展
                                          (date = round date); or the red segment ending (the
                                          project reported 绿 or 黄: that round's date).
red_3m     start + red_operation_months   the segment's first-row 三不 problems all cured in one
                                          round (建而不成/成而不用 → op_status 正常运营/试运营;
                                          用而不好 → revenue_wan > 0 and households > 0; date = that
                                          round); or the episode ending 绿. A red→黄 change meets it
                                          only if the evidence holds at that round (else it keeps
                                          being evaluated). A red row with no 三不 problem [A]: only
                                          the episode ending 绿 meets it.
yellow_1m  start + yellow_fix_months      完成问题整改: every task in the project's latest task list
                                          (latest round ≤ as_of) done (date = the latest done date);
                                          or the episode ending 绿.
=========  =============================  ==========================================================

Clock start [A]: the first segment starts at the episode's ``clock_start`` = 认定日期 (graded_on) of
its first row, else max(default_clock_start, first round). A later segment (红→黄, or 黄→红) starts
at its first row's graded_on when that is after the previous row's round (a fresh 认定), else at
the round date. A 黄→红 escalation [A] starts new red clocks; the yellow clock keeps running.
Task evidence counts only when dated on/after min(segment start, segment's first round) so that
work done for an earlier episode is not credited again.

Months are calendar months with month-end clamping (2023-10-31 + 1 month = 2023-11-30,
2024-01-31 + 1 = 2024-02-29). Status at ``as_of``: met_on ≤ due → on_time; met_on > due → late;
not met and due < as_of → overdue (逾期未完成); else pending (未到期; a due date exactly on as_of is
pending with days_left 0). Only segments that started on or before ``as_of`` have clocks; clocks of
closed episodes stay in the table (they count towards on-time rates).

Worked example (fixture): P03 认定红 2023-09-25, reported 绿 at the 2023-10-29 round. red_1m due
10-25, no task or 实质性进展 → met 10-29 by turning green → late, days_overdue 4; red_3m due 12-25,
met 10-29 → on_time.
"""
from __future__ import annotations

import json
import warnings
from datetime import date

import pandas as pd
import pyarrow as pa
from dateutil.relativedelta import relativedelta

from ledger.glossary import THREE_FAILURES
from ledger.state import CLOCK_SETTINGS

from ._db import query
from ._memo import FrameMemo, state_token
from .base import grade_history_by_project, project_columns, red_yellow_filters, state_sql
from .filters import Filters
from .settings import get_settings

KINDS = ("red_1m", "red_3m", "yellow_1m")
STATUSES = ("on_time", "late", "overdue", "pending")
ROLLUP_BY = ("unit", "town", "department", "tier")  # whitelist for clock_rollup(by=)
_OPERATING = ("normal", "trial")  # 投产运营: 正常运营 / 试运营

EPISODE_COLUMNS = ["project_code", "episode_no", "start_grade", "start_round", "clock_start", "end_round",
                   "closed_on"]
CLOCK_COLUMNS = ["project_code", "name", "town", "department", "unit", "tier", "grade", "episode_no", "kind",
                 "start", "due", "met_on", "status", "days_left", "days_overdue", "due_within_warn"]


def add_months(d: date, n: int) -> date:
    """``d`` + ``n`` calendar months, clamped to the month's last day.

    >>> add_months(date(2023, 10, 31), 1), add_months(date(2024, 1, 31), 1)
    (datetime.date(2023, 11, 30), datetime.date(2024, 2, 29))
    """
    return d + relativedelta(months=n)  # relativedelta clamps to the month's last day


def _as_date(v) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def _na(v) -> bool:
    """None / NaN / NA scalar (list-like values, e.g. a problems array, are never NA)."""
    return v is None or (pd.api.types.is_scalar(v) and pd.isna(v))


def _runs(rows: list[dict]) -> list[dict]:
    """Episodes with their segments, from a grade history (one project's rows, sorted by round;
    each row a dict with grade, round_date, graded_on, problems)."""
    out: list[dict] = []
    cur = None
    for i, r in enumerate(rows):
        if r["grade"] in ("red", "yellow"):
            prev_round = rows[i - 1]["round_date"] if i > 0 else None
            if cur is None:
                cur = {"rows": [], "segments": [], "end_round": None}
                out.append(cur)
            if not cur["segments"] or cur["segments"][-1]["grade"] != r["grade"]:
                cur["segments"].append({"grade": r["grade"], "first": r, "prev_round": prev_round,
                                        "end_round": None, "end_grade": None})
            cur["rows"].append(r)
            if len(cur["segments"]) >= 2 and cur["segments"][-2]["end_round"] is None:
                cur["segments"][-2]["end_round"] = cur["segments"][-1]["first"]["round_date"]
                cur["segments"][-2]["end_grade"] = cur["segments"][-1]["grade"]
        elif cur is not None:
            cur["end_round"] = r["round_date"]
            cur["segments"][-1]["end_round"] = r["round_date"]
            cur["segments"][-1]["end_grade"] = "green"
            cur = None
    return out


def _episode_start(first: dict, default_start: date) -> date:
    if not _na(first["graded_on"]):
        return first["graded_on"]
    return max(default_start, first["round_date"])


def episodes(con, *, as_of: date, settings: dict | None = None) -> pd.DataFrame:
    """One row per 红/黄 episode of every project graded on or before ``as_of``.

    Columns: project_code, episode_no (1, 2, ... per project), start_grade, start_round (round date of
    the first 红/黄 row), clock_start (that row's 认定日期, else max(default_clock_start, start_round)),
    end_round (first 绿 round after the episode, None while open), closed_on (= end_round: the episode
    closes on the round it is reported 绿).
    Example: P05 graded 黄 (认定 09-26) at 09-29, 绿 at 10-14, 红 (认定 11-10) at 11-14 → two episodes:
    (1, yellow, 09-29, 09-26, 10-14, 10-14) and (2, red, 11-14, 11-10, None, None).
    """
    s = settings or get_settings(con)
    default_start = _as_date(s["default_clock_start"])
    recs = []
    for code, h in grade_history_by_project(con, as_of=as_of).items():
        for n, ep in enumerate(_runs(h), start=1):
            first = ep["rows"][0]
            recs.append({
                "project_code": code, "episode_no": n, "start_grade": first["grade"],
                "start_round": first["round_date"], "clock_start": _episode_start(first, default_start),
                "end_round": ep["end_round"], "closed_on": ep["end_round"],
            })
    return pd.DataFrame(recs, columns=EPISODE_COLUMNS)


# The clock facts (FACT_COLUMNS) of every 红/黄 episode, in one query: the rules of the module docstring,
# set-wise (#7: the import derives them for its touched projects at every round it changes, so they must
# cost SQL, not a Python loop per project). One row per clock per round ``at_round`` of the relation {at}
# (column at_round, every one ≤ $upto): the facts of the ledger up to that round. {codes} restricts every
# table read to the projects in the temp table _state_touched (or is empty). Parameters: $upto,
# $start0 (default_clock_start), $red1 / $red3 / $yellow1 (the months of red_1m / red_3m / yellow_1m),
# $three (THREE_FAILURES).
# h: the grade history ≤ at_round (one row per project per round, grade_hist) of projects ever 红/黄, with
#    the previous and next row; an episode starts at a 红/黄 row after none or a 绿 one, a segment at a
#    红/黄 row whose grade differs from the previous row's; a segment's (episode's) end = the round of the row
#    after its last row (the next segment's first row or the 绿 row ending the episode; NULL while open).
_FACTS_SQL = """
WITH a AS (SELECT DISTINCT at_round FROM {at}),
h AS (
    SELECT a.at_round, x.project_code, x.round_date, x.grade, x.graded_on, x.problems,
           lag(x.round_date) OVER w AS prev_round, lag(x.grade) OVER w AS prev_grade,
           lead(x.round_date) OVER w AS next_round
    FROM a JOIN (SELECT x.* FROM grade_hist x {codes}
                 SEMI JOIN (SELECT project_code FROM grade_hist WHERE round_date <= $upto AND grade IN ('red', 'yellow')) ry
                      USING (project_code)
                 WHERE x.round_date <= $upto) x ON x.round_date <= a.at_round
    WINDOW w AS (PARTITION BY a.at_round, x.project_code ORDER BY x.round_date)
), e AS (
    SELECT *, sum(CASE WHEN prev_grade IN ('red', 'yellow') THEN 0 ELSE 1 END)
                  OVER (PARTITION BY at_round, project_code ORDER BY round_date ROWS UNBOUNDED PRECEDING) AS episode_no,
           prev_grade IS DISTINCT FROM grade AS seg_first
    FROM h WHERE grade IN ('red', 'yellow')
), sg AS (
    SELECT *, sum(seg_first::INTEGER) OVER (PARTITION BY at_round, project_code, episode_no ORDER BY round_date
                                            ROWS UNBOUNDED PRECEDING) AS seg_no,
           last_value(next_round) OVER (PARTITION BY at_round, project_code, episode_no ORDER BY round_date
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS ep_end
    FROM e
), seg AS (
    SELECT at_round, project_code, episode_no, seg_no, grade, round_date AS first_round, problems, ep_end,
           last_value(next_round) OVER (PARTITION BY at_round, project_code, episode_no, seg_no ORDER BY round_date
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS seg_end,
           seg_first,
           CASE WHEN seg_no = 1 THEN COALESCE(graded_on, greatest($start0::DATE, round_date))
                WHEN graded_on IS NOT NULL AND (prev_round IS NULL OR graded_on > prev_round) THEN graded_on
                ELSE round_date END AS start
    FROM sg
), s AS (
    SELECT * EXCLUDE (seg_first), least(start, first_round) AS lower FROM seg WHERE seg_first
), ev AS (  -- the round-dated evidence (any unit's row of the project in a round; ≤ at_round when used)
    SELECT project_code, round_date,
           bool_or(COALESCE(substantive_progress, FALSE)) AS substantive,
           bool_or(COALESCE(op_status IN ('normal', 'trial'), FALSE)) AS operating,
           bool_or(COALESCE(revenue_wan > 0 AND households > 0, FALSE)) AS earning
    FROM project_rounds x {codes} WHERE x.round_date <= $upto GROUP BY ALL
), t AS (SELECT x.project_code, x.unit, x.task_seq, x.round_date, x.status, x.done_on FROM tasks x {codes}
         WHERE x.round_date <= $upto
), td AS (  -- each task's evidence date: done_on, else the first round (≤ at_round) it was reported done
    SELECT a.at_round, t.project_code, COALESCE(min(t.done_on), min(t.round_date)) AS done_date
    FROM a JOIN t ON t.round_date <= a.at_round WHERE t.status = 'done'
    GROUP BY a.at_round, t.project_code, t.unit, t.task_seq
), lt AS (  -- the date the latest task list (latest round ≤ at_round with tasks) was all done, NULL if not all done
    SELECT at_round, project_code,
           CASE WHEN bool_and(status = 'done') THEN max(COALESCE(done_on, round_date)) END AS all_done
    FROM (SELECT a.at_round, t.* FROM a JOIN t ON t.round_date <= a.at_round
          QUALIFY t.round_date = max(t.round_date) OVER (PARTITION BY a.at_round, t.project_code))
    GROUP BY ALL
), m AS (
    SELECT s.at_round, s.project_code, s.episode_no, s.seg_no,
           min(ev.round_date) FILTER (WHERE ev.substantive) AS sub_round,
           min(ev.round_date) FILTER (WHERE (NOT list_has_any(s.problems, ['built_not_finished', 'finished_not_used'])
                                             OR ev.operating)
                                        AND (NOT list_contains(s.problems, 'used_not_well') OR ev.earning)) AS cure_round
    FROM s JOIN ev ON ev.project_code = s.project_code AND ev.round_date >= s.first_round
                  AND ev.round_date <= s.at_round
    WHERE s.grade = 'red' GROUP BY ALL
), tm AS (
    SELECT s.at_round, s.project_code, s.episode_no, s.seg_no, min(td.done_date) AS task_date
    FROM s JOIN td ON td.at_round = s.at_round AND td.project_code = s.project_code AND td.done_date >= s.lower
    WHERE s.grade = 'red' GROUP BY ALL
), k AS (SELECT * FROM (VALUES ('red_1m', 'red', 0), ('red_3m', 'red', 1), ('yellow_1m', 'yellow', 2)) k(kind, grade, o))
SELECT s.at_round, s.project_code, s.episode_no, k.kind, s.start,
       CAST(s.start + to_months(CASE k.kind WHEN 'red_1m' THEN $red1 WHEN 'red_3m' THEN $red3 ELSE $yellow1 END) AS DATE)
           AS due,
       CASE k.kind WHEN 'red_1m' THEN least(m.sub_round, s.seg_end)
                   WHEN 'red_3m' THEN least(CASE WHEN list_has_any(s.problems, $three) THEN m.cure_round END, s.ep_end)
                   ELSE s.ep_end END AS met_round,
       CASE k.kind WHEN 'red_1m' THEN tm.task_date
                   WHEN 'yellow_1m' THEN CASE WHEN lt.all_done >= s.lower THEN lt.all_done END END AS met_task,
       s.seg_no, k.o AS kind_no
FROM s JOIN k USING (grade)
LEFT JOIN m USING (at_round, project_code, episode_no, seg_no)
LEFT JOIN tm USING (at_round, project_code, episode_no, seg_no)
LEFT JOIN lt ON lt.at_round = s.at_round AND lt.project_code = s.project_code
"""

_LATEST_TASKS_SQL = """
SELECT t.* FROM tasks t
JOIN (SELECT project_code, max(round_date) AS round_date FROM tasks WHERE round_date <= $as_of GROUP BY ALL) l
  USING (project_code, round_date)
ORDER BY t.project_code, t.unit, t.task_seq
"""

FACT_COLUMNS = ["project_code", "episode_no", "kind", "start", "due", "met_round", "met_task"]


def _facts_arrow(con, *, upto: date, s: dict, touched_only: bool = False, select: str = ", ".join(FACT_COLUMNS),
                 order: bool = True) -> "pa.Table":
    """``_FACTS_SQL`` at round ``upto`` with the settings ``s`` as an Arrow table of ``select``."""
    sql = ("SELECT " + select + " FROM (" + _FACTS_SQL.format(codes=_CODES_JOIN if touched_only else "", at=_AT_UPTO) + ")"
           + (" ORDER BY project_code, episode_no, seg_no, kind_no" if order else ""))
    with warnings.catch_warnings():  # "Arrow output on a DB-API result makes an extra copy": small here
        warnings.simplefilter("ignore", UserWarning)
        return con.execute(sql, _facts_params(upto, s)).to_arrow_table()


def _facts_params(upto: date, s: dict) -> dict:
    return {"upto": upto, "start0": _as_date(s["default_clock_start"]), "red1": int(s["red_progress_months"]),
            "red3": int(s["red_operation_months"]), "yellow1": int(s["yellow_fix_months"]),
            "three": list(THREE_FAILURES)}


_CODES_JOIN = "SEMI JOIN _state_touched t USING (project_code)"
_AT_UPTO = "(SELECT $upto::DATE AS at_round)"  # {at} of _FACTS_SQL: the one round $upto


def clock_facts(con, *, upto: date, settings: dict | None = None, touched_only: bool = False) -> pd.DataFrame:
    """The clock facts (FACT_COLUMNS) of every 红/黄 episode in the ledger up to round ``upto``, from
    the rules above (``_FACTS_SQL``), ordered by project, episode, segment and kind; ``touched_only``: only
    the projects in the temp table ``_state_touched``. The importer's materialisation (ledger/state.py)
    stores the same query's rows per round in ``clock_state``."""
    s = settings or get_settings(con)
    return _facts_arrow(con, upto=upto, s=s, touched_only=touched_only).cast(_FACT_SCHEMA).to_pandas()


# settings the clock facts depend on: when they differ from those the stored facts were derived with,
# clocks are computed live (correct, slower) until the state is refreshed (ledger/state.refresh_clocks)


def clock_settings_key(s: dict) -> str:
    return "|".join(str(s[k]) for k in CLOCK_SETTINGS)


# the clocks' status on a day, in SQL, over a facts relation {facts} (FACT_COLUMNS) and the day $day: one row per clock started on
# or before it, with met_on, status, days_left, days_overdue, due_within_warn ($warn days)
_STATUS_SQL = """
SELECT project_code, episode_no, kind, start, due, met_on,
       CASE WHEN met_on IS NOT NULL AND met_on <= due THEN 'on_time' WHEN met_on IS NOT NULL THEN 'late'
            WHEN due < $day THEN 'overdue' ELSE 'pending' END AS status,
       CASE WHEN met_on IS NULL AND due >= $day THEN date_diff('day', $day, due) END AS days_left,
       CASE WHEN met_on IS NOT NULL AND met_on > due THEN date_diff('day', due, met_on)
            WHEN met_on IS NULL AND due < $day THEN date_diff('day', due, $day) END AS days_overdue,
       COALESCE(met_on IS NULL AND due >= $day AND date_diff('day', $day, due) <= $warn, FALSE) AS due_within_warn
FROM (SELECT *, CASE WHEN met_task IS NOT NULL AND met_task <= $day AND (met_round IS NULL OR met_task < met_round)
                     THEN met_task ELSE met_round END AS met_on
      FROM {facts} WHERE start <= $day)
"""
_KIND_ORDER = "CASE kind WHEN 'red_1m' THEN 0 WHEN 'red_3m' THEN 1 ELSE 2 END"


def _status_sql(con, *, as_of: date, s: dict) -> tuple[str, dict, "pa.Table | None"]:
    """SQL of the clocks at ``as_of`` (the status rules over the facts of the round in force), its parameters
    and, when the stored facts were derived with other settings, the live facts as an Arrow table to
    register as ``_clock_facts_live``."""
    rows = con.execute("SELECT value FROM meta WHERE key = 'clock_settings'").fetchall()
    row = rows[0] if rows else None
    rnd = con.execute("SELECT max(round_date) FROM rounds WHERE round_date <= ?", [as_of]).fetchall()[0][0]
    params = {"day": as_of, "warn": int(s["warn_days"])}
    if rnd is not None and row and row[0] == clock_settings_key(s):
        facts, live = "(SELECT * FROM clock_state WHERE at_round = $rnd)", None
        params["rnd"] = rnd
    else:
        live = (_facts_arrow(con, upto=rnd, s=s, order=False).cast(_FACT_SCHEMA) if rnd is not None
                else _FACT_SCHEMA.empty_table())
        facts = "_clock_facts_live"
    return _STATUS_SQL.format(facts=facts), params, live


_FACT_SCHEMA = pa.schema([("project_code", pa.string()), ("episode_no", pa.int64()), ("kind", pa.string()),
                          ("start", pa.date32()), ("due", pa.date32()), ("met_round", pa.date32()),
                          ("met_task", pa.date32())])


def _run(con, sql: str, params: dict, live) -> pd.DataFrame:
    if live is None:
        return query(con, sql, params)
    con.register("_clock_facts_live", live)
    try:
        return query(con, sql, params)
    finally:
        con.unregister("_clock_facts_live")


_IDENT = "project_code, name, town, department, unit, tier, grade"


def clocks(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None) -> pd.DataFrame:
    """One row per clock (project × episode segment × kind) of the projects in force at ``as_of``.

    Columns: project_code, name, town, department, unit (reporting unit), tier, grade (current),
    episode_no, kind (red_1m/red_3m/yellow_1m), start, due, met_on (None when not met by as_of),
    status (on_time/late/overdue/pending), days_left (due − as_of, pending only), days_overdue
    (as_of − due when overdue; met_on − due when late), due_within_warn (pending and
    0 ≤ days_left ≤ warn_days). Rules and a worked example: module docstring.
    Identity comes from the projects in force (``base.state_sql``): clocks of projects no longer in the
    ledger in force are left out. Sorted by project_code, episode_no, start, kind. One DuckDB query over
    the round's materialised clock facts and project rows.
    """
    return _clocks(con, as_of=as_of, filters=filters, s=settings or get_settings(con))


_CLOCKS_MEMO = FrameMemo(8)


def _clocks(con, *, as_of: date, filters: Filters | None, s: dict, project_code: str | None = None) -> pd.DataFrame:
    """``clocks``; ``project_code``: one project's clocks only (project detail). Memoised per state, date,
    filters and settings (整改进度 and its 督办单 section's ``orders.lagging_units`` ask for the same frame)."""
    token = state_token(con)
    key = None if token is None else (token, as_of, None if filters is None or filters.is_empty() else filters,
                                      project_code, json.dumps(s, sort_keys=True, default=str))
    hit = _CLOCKS_MEMO.get(key)
    if hit is None:
        hit = _CLOCKS_MEMO.put(key, _clocks_frame(con, as_of=as_of, filters=filters, s=s, project_code=project_code))
    return hit


def _clocks_frame(con, *, as_of: date, filters: Filters | None, s: dict, project_code: str | None) -> pd.DataFrame:
    psql, pparams = state_sql(con, as_of=as_of, filters=filters, settings=s, project_code=project_code)
    csql, cparams, live = _status_sql(con, as_of=as_of, s=s)
    sql = (f"WITH p AS (SELECT {_IDENT} FROM ({psql})), c AS ({csql}) "
           f"SELECT p.*, c.* EXCLUDE (project_code) FROM c JOIN p USING (project_code) "
           f"ORDER BY project_code, episode_no, start, {_KIND_ORDER}")
    df = _run(con, sql, {**pparams, **cparams}, live)
    return _typed(df)[CLOCK_COLUMNS]


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("episode_no", "days_left", "days_overdue"):
        df[c] = df[c].astype("Int64")
    df["due_within_warn"] = df["due_within_warn"].astype(bool)
    return df


def _clock_statuses(con, *, as_of: date, settings: dict | None = None) -> pd.DataFrame:
    """(project_code, status) of every clock at ``as_of`` (any project, in force or not): what the ranking
    counts, without identity."""
    s = settings or get_settings(con)
    csql, cparams, live = _status_sql(con, as_of=as_of, s=s)
    return _run(con, f"SELECT project_code, status FROM ({csql})", cparams, live)


def clocks_of_projects(con, pf: pd.DataFrame, *, as_of: date, settings: dict,
                       history: dict[str, list[dict]] | None = None) -> pd.DataFrame:
    """``clocks`` for a frame of projects in force already at hand (project_code, name, town, department,
    unit, tier, grade; filtered or not)."""
    s = settings
    csql, cparams, live = _status_sql(con, as_of=as_of, s=s)
    df = _run(con, f"SELECT * FROM ({csql})", cparams, live)
    df = _typed(df).merge(pf[["project_code", "name", "town", "department", "unit", "tier", "grade"]],
                          on="project_code", how="inner")
    df["_k"] = df["kind"].map({k: i for i, k in enumerate(KINDS)})
    df = df.sort_values(["project_code", "episode_no", "start", "_k"]).drop(columns="_k")
    return df[CLOCK_COLUMNS].reset_index(drop=True)


def overdue_projects(con, *, as_of: date, filters: Filters | None = None,
                     settings: dict | None = None) -> pd.DataFrame:
    """The projects in force with at least one 逾期未完成 clock at ``as_of``: one column, project_code,
    sorted. The same projects as ``clocks(...)`` rows with status overdue, without pulling every clock
    (总览's 涉及 N 个项目 and its 红黄 table's flag; at ×150 the clocks frame is ~100,000 rows).
    Example: P01 with overdue red_1m and red_3m clocks, P02 with one overdue → [P01, P02]."""
    s = settings or get_settings(con)
    psql, pparams = state_sql(con, as_of=as_of, filters=filters, settings=s)
    csql, cparams, live = _status_sql(con, as_of=as_of, s=s)
    sql = (f"WITH p AS (SELECT project_code FROM ({psql})), c AS ({csql}) "
           f"SELECT DISTINCT project_code FROM c JOIN p USING (project_code) WHERE c.status = 'overdue' "
           f"ORDER BY project_code")
    return _run(con, sql, {**pparams, **cparams}, live)


_URGENCY = {"overdue": 0, "pending": 1, "late": 2, "on_time": 3}


def by_urgency(clk: pd.DataFrame) -> pd.DataFrame:
    """A ``clocks`` frame, most urgent first (pure): 逾期未完成 by days overdue (most first), then 未到期 by
    days left (fewest first), then 逾期完成 and 按期完成 by due date; ties by project_code, kind.
    Example: overdue 20 d, overdue 3 d, pending 0 d left, pending 5 d, late → that order."""
    over = pd.to_numeric(clk["days_overdue"], errors="coerce").astype("Float64").fillna(0)
    left = pd.to_numeric(clk["days_left"], errors="coerce").astype("Float64").fillna(0)
    key = pd.DataFrame({
        "s": clk["status"].map(_URGENCY),
        "d": (-over).where(clk["status"] == "overdue", left).to_numpy(dtype="float64"),
        "due": pd.to_datetime(clk["due"]), "c": clk["project_code"], "k": clk["kind"]}, index=clk.index)
    return clk.loc[key.sort_values(["s", "d", "due", "c", "k"], kind="stable").index].reset_index(drop=True)


def clocks_by_urgency(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None,
                      status: str | None = None) -> pd.DataFrame:
    """``clocks`` (only those of ``status`` when given: on_time/late/overdue/pending), most urgent first
    (``by_urgency``): what 整改进度's timeline and its full table show. A function of its own so that the
    page caches the sorted frame (ui.cache) instead of sorting every clock again on every rerun (0.39–0.43 s
    for 317,000 clocks at a million projects). Example (fixture, as_of 11-30, status overdue): P01 red_1m only."""
    clk = clocks(con, as_of=as_of, filters=filters, settings=settings)
    return by_urgency(clk if status is None else clk[clk["status"] == status])


def clock_rollup(con, *, as_of: date, filters: Filters | None = None, by: str = "unit",
                 settings: dict | None = None) -> pd.DataFrame:
    """One row per ``by`` value (unit/town/department/tier) of the projects in force: clock counts.

    Columns: <by>, on_time, late, overdue, pending, total (= sum of the four), on_time_rate =
    on_time / (on_time + late + overdue) (pending clocks are not judged yet; None when 0). Groups
    with projects but no clocks are present with zeros. Example: 贺街镇 with 2 on_time, 1 late,
    1 overdue, 2 pending → total 6, on_time_rate 2/4 = 0.5.
    """
    if by not in ROLLUP_BY:
        raise ValueError(f"by must be one of {ROLLUP_BY}")
    s = settings or get_settings(con)
    psql, pparams = state_sql(con, as_of=as_of, filters=filters, settings=s)
    csql, cparams, live = _status_sql(con, as_of=as_of, s=s)
    counts = ", ".join(f"count(c.status) FILTER (WHERE c.status = '{st}') AS {st}" for st in STATUSES)
    # {by}: one of ROLLUP_BY (checked above); every group of the projects in force, zeros when no clocks
    sql = (f"WITH p AS (SELECT project_code, {by} FROM ({psql}) WHERE {by} IS NOT NULL), c AS ({csql}) "
           f"SELECT p.{by}, {counts} FROM p LEFT JOIN c USING (project_code) GROUP BY p.{by} ORDER BY p.{by}")
    df = _run(con, sql, {**pparams, **cparams}, live)
    for st in STATUSES:
        df[st] = df[st].astype("Int64")
    df["total"] = (df["on_time"] + df["late"] + df["overdue"] + df["pending"]).astype("Int64")
    judged = df["on_time"] + df["late"] + df["overdue"]
    df["on_time_rate"] = pd.array([a / j if j else None for a, j in zip(df["on_time"], judged)], dtype="Float64")
    return df[[by, *STATUSES, "total", "on_time_rate"]]


TASK_COLUMNS = ["project_code", "unit", "round_date", "task_seq", "problem", "measure", "due_on", "lead_leader",
                "lead_unit", "co_units", "owner", "status", "done_on"]


def tasks_of(con, *, as_of: date, project_code: str) -> pd.DataFrame:
    """The tasks (附件5 一项目一方案) of one project in its latest round on or before ``as_of`` with tasks.

    One row per (unit, task_seq): project_code, unit, round_date, task_seq, problem, measure, due_on,
    lead_leader, lead_unit, co_units, owner, status (not_started/in_progress/done), done_on.
    """
    return query(
        con,
        "SELECT " + ", ".join(TASK_COLUMNS) + " FROM tasks WHERE project_code = $p AND round_date = "
        "(SELECT max(round_date) FROM tasks WHERE project_code = $p AND round_date <= $d) "
        "ORDER BY unit, task_seq",
        {"p": project_code, "d": as_of},
    )


def task_progress(con, *, as_of: date, filters: Filters | None = None) -> pd.DataFrame:
    """One row per project in force at ``as_of``, currently 红/黄, that has tasks (latest list ≤ as_of).

    Columns: project_code, name, unit, grade, tasks, done, in_progress, not_started, overdue_tasks
    (due_on < as_of and not done), done_share = done / tasks.
    Example: P01 at 2023-11-30, two tasks (推进中 due 12-20, 未开始 due 11-20) → tasks 2, done 0,
    in_progress 1, not_started 1, overdue_tasks 1 (11-20 < 11-30), done_share 0.0.
    """
    pf = project_columns(con, as_of=as_of, filters=red_yellow_filters(filters),
                         columns=("project_code", "name", "unit", "grade"))
    pf = pf[pf["grade"].isin(["red", "yellow"])]
    token = state_token(con)
    key = None if token is None else (token, as_of)
    t = _TASKS_MEMO.get(key)
    if t is None:  # the same for every filter: one query per state and date (the page and its 督办单 both ask)
        t = _TASKS_MEMO.put(key, _task_counts(con, as_of=as_of))
    # a join on the index: pandas' merge took 0.14 s for 32,000 projects at a million (its key columns are
    # Arrow strings), this 0.04 s; both keep pf's order of rows and give the same frame once sorted
    df = pf.join(t.set_index("project_code"), on="project_code", how="inner")
    df["done_share"] = (df["done"] / df["tasks"]).astype("Float64")
    return df.sort_values("project_code").reset_index(drop=True)


_TASKS_MEMO = FrameMemo(8)


def _task_counts(con, *, as_of: date) -> pd.DataFrame:
    return query(
        con,
        "SELECT l.project_code, count(*) AS tasks, count(*) FILTER (status = 'done') AS done, "
        "count(*) FILTER (status = 'in_progress') AS in_progress, "
        "count(*) FILTER (status = 'not_started') AS not_started, "
        "count(*) FILTER (status <> 'done' AND due_on < $d) AS overdue_tasks "
        "FROM (" + _LATEST_TASKS_SQL + ") l GROUP BY ALL",
        {"d": as_of, "as_of": as_of},
    )
