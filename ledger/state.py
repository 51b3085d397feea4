"""Materialised per-round state (#7 "write once, read cheap"): derived when a round is written.

Five tables (DDL and meaning in ``sql/015_state.sql``) hold what every read needs, so a page reads one
round's rows instead of re-deriving all history on every run:

- ``project_rounds``: one unit's 附件1 and 附件2 rows of a project in a round, joined, with the sum of
  its funding lines. Only the (unit, round) an import writes changes.
- ``grade_hist``: every grade given, one row per project per round. Only the imported round changes.
- ``project_state``: the ledger in force at each round, one row per project, with the initial grade
  and the tier grade. An import of (unit u, round R) changes it only for rounds ≥ R and only for the
  projects u reports (in any round) or has just reported: the "touched" codes. A round seen for the
  first time starts as a copy of the previous round's state for every other project.

- ``reopen_events``: every reopening (反弹) in a project's grade history, read by analytics.signoff;
  re-derived for the touched projects (a row depends only on the grades up to its round).
- ``clock_state``: the deadline clocks' facts at each round (start, due, the evidence dates), derived
  by analytics.clocks' one query (``_FACTS_SQL``, which ``clock_facts`` runs too) for the touched projects
  at every round from R on, in one INSERT … SELECT; the status on a day is computed on read.

``refresh_after_import`` is called by the importer inside the import's transaction (so the state
commits or rolls back with the rows); ``refresh_all`` re-derives everything from scratch (rebuild,
schema upgrade, tests that write tables directly). Both run the same SQL: ``_derive_state``.
Cost: an import touches its unit's projects × the rounds from R on (usually one round), not the store:
every statement reads the touched projects (one temp table, ``_state_touched``) or the (unit, R) rows.
"""
from __future__ import annotations

import uuid
from datetime import date

import pyarrow as pa



def latest_row(partition: str, alias: str = "") -> str:
    """The one rule for which report row is a project's (DOMAIN §3: a project reported in several rounds
    or by several units): its latest round, then the first reporting unit by name. A QUALIFY clause over
    rows with round_date and unit (``alias``: their table alias with the dot, e.g. "v."), keeping one row
    per ``partition``. Used by the in-force state below, by analytics' latest identity ≤ as_of
    (analytics.interactions) and latest report of each 销号 application (analytics.signoff); project
    search and the in-force state (``latest_pick``) apply the same order with hash aggregates instead of a
    window (aec436e, for speed)."""
    return (f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {partition} "
            f"ORDER BY {alias}round_date DESC, {alias}unit) = 1")


def latest_pick(alias: str, x: str) -> str:
    """``latest_row``'s order as a hash aggregate (no sort): in a GROUP BY of the rows of each partition, a
    struct {round_date, unit, x} of the row ``latest_row`` keeps (latest round_date, then first unit by
    name). ``alias``: the rows' table alias with the dot; ``x``: one more column of that row to carry."""
    return (f"arg_min({{'round_date': {alias}round_date, 'unit': {alias}unit, 'x': {x}}}, "
            f"{{'d': date_diff('day', {alias}round_date, DATE '2000-01-01'), 'u': {alias}unit}})")


# one unit's report rows of a project (附件1 ⟗ 附件2) for the (unit, round) pairs in _state_keys
_KEYS_JOIN = "SEMI JOIN _state_keys k ON x.unit = k.unit AND x.round_date = k.round_date"
_KEY_WHERE = "WHERE x.unit = $u AND x.round_date = $rd"
# project_rounds is narrow (schema 7): the keys and the few columns the readers of every round's rows use
# (project search, the clocks' evidence, the in-force choice below); the wide row of a project in force is
# joined from progress_rows and risk_rows once, into project_state (_WIDE_ROW), instead of being written a
# second time here (a 20,000-project import wrote ~50 columns × 20,000 rows more, ~0.1 s)
_PROJECT_ROUNDS_SQL = """
INSERT INTO project_rounds BY NAME
WITH p AS (SELECT x.round_date, x.unit, x.project_code, x.name, x.town, x.department, x.build_year, x.category,
                  x.op_status, x.substantive_progress FROM progress_rows x {keys}),
     r AS (SELECT x.round_date, x.unit, x.project_code, x.name, x.town, x.department, x.build_year, x.category,
                  x.grade, x.revenue_wan, x.households FROM risk_rows x {keys}),
     f AS (SELECT round_date, unit, project_code, CAST(SUM(amount_wan) AS DECIMAL(24,6)) AS funds_wan
           FROM funding_rows x {keys}
           GROUP BY ALL)
SELECT
    COALESCE(p.round_date, r.round_date)     AS round_date,
    COALESCE(p.unit, r.unit)                 AS unit,
    COALESCE(p.project_code, r.project_code) AS project_code,
    COALESCE(p.name, r.name)                 AS name,
    COALESCE(p.town, r.town)                 AS town,
    COALESCE(p.department, r.department)     AS department,
    COALESCE(p.build_year, r.build_year)     AS build_year,
    COALESCE(p.category, r.category)         AS category,
    r.grade, p.op_status, p.substantive_progress, r.revenue_wan, r.households,
    f.funds_wan
FROM p FULL OUTER JOIN r
  ON p.round_date = r.round_date AND p.unit = r.unit AND p.project_code = r.project_code
LEFT JOIN f ON f.round_date = COALESCE(p.round_date, r.round_date) AND f.unit = COALESCE(p.unit, r.unit)
 AND f.project_code = COALESCE(p.project_code, r.project_code)
"""

# the wide row of one unit's report of a project (附件1 ⟗ 附件2: identity from 附件1 when present), from the
# rows p (progress_rows) and r (risk_rows) of one key, at least one of them present; without the grade
# and the funds (project_state adds them)
_WIDE_ROW = """
    COALESCE(p.code_derived, r.code_derived) AS code_derived,
    COALESCE(p.name, r.name)                 AS name,
    COALESCE(p.town, r.town)                 AS town,
    COALESCE(p.village, r.village)           AS village,
    COALESCE(p.department, r.department)     AS department,
    COALESCE(p.implementer, r.implementer)   AS implementer,
    COALESCE(p.operator, r.operator)         AS operator,
    COALESCE(p.build_year, r.build_year)     AS build_year,
    COALESCE(p.category, r.category)         AS category,
    COALESCE(p.asset_type, r.asset_type)     AS asset_type,
    COALESCE(p.high_concern, r.high_concern, FALSE) AS high_concern,
    COALESCE(p.total_investment_wan, r.total_investment_wan) AS total_investment_wan,
    p.enterprise_funds_wan, p.paid_wan, p.build_status, p.op_status, p.planned_completion,
    p.completion_accepted_on, p.settled, p.rights_registered, p.joint_account, p.progress_text,
    p.substantive_progress, p.issues_text, p.next_steps,
    r.funds_wan AS reported_funds_wan,
    r.problems, r.problem_detail, r.graded_on, r.sensitive, r.pretreatment,
    r.pretreatment_done, r.disposal, r.revenue_wan, r.distribution_wan, r.linkage_mode, r.households,
    r.households_exited, r.households_monitored, r.measures, r.deadline, r.resp_leader, r.resp_unit,
    r.resp_person, r.patrolled, r.signoff_status, r.signoff_applied_on, r.signoff_accepted_on"""

_GRADE_HIST_SQL = """
INSERT INTO grade_hist
SELECT round_date, project_code, grade, graded_on, unit, problems
FROM risk_rows x{codes} WHERE x.round_date IN {rounds}
QUALIFY ROW_NUMBER() OVER (PARTITION BY project_code, round_date ORDER BY unit) = 1
"""

# the ledger in force at each round ≥ $from, for the codes in _state_touched. The choice of row (latest_pick),
# the first grades and the latest grade (for rows without a grade of their own) are worked out on narrow keys
# first (a window or an ASOF join over sixty columns sorts them all: 0.9 s of 1 s at 100,000 projects); the
# wide row (_WIDE_ROW, from the chosen key's progress_rows and risk_rows rows) joins once.
_PROJECT_STATE_SQL = f"""
INSERT INTO project_state BY NAME
WITH at_rounds AS (SELECT round_date AS at_round FROM rounds WHERE round_date >= $from),
ir AS (SELECT a.at_round, s.unit, max(s.round_date) AS round_date
       FROM at_rounds a JOIN submissions s ON s.round_date <= a.at_round GROUP BY ALL),
k AS (SELECT ir.at_round, v.project_code, {latest_pick("v.", "{'g': v.grade, 'f': v.funds_wan}")} AS pick
      FROM (SELECT x.project_code, x.round_date, x.unit, x.grade, x.funds_wan FROM project_rounds x
            SEMI JOIN _state_touched t USING (project_code)) v
      JOIN ir ON v.unit = ir.unit AND v.round_date = ir.round_date GROUP BY ALL),
k1 AS (SELECT at_round, project_code, pick.round_date, pick.unit, pick.x.g AS row_grade, pick.x.f AS line_funds
       FROM k),
h AS (SELECT x.project_code, x.round_date, x.grade, x.graded_on FROM grade_hist x
      SEMI JOIN _state_touched t USING (project_code)),
first_any AS (SELECT project_code, arg_min(grade, round_date) AS initial_grade,
                     arg_min(graded_on, round_date) AS initial_graded_on, min(round_date) AS first_graded_round
              FROM h GROUP BY ALL),
first_ry AS (SELECT project_code, arg_min(grade, round_date) AS tier_grade, min(round_date) AS first_ry_round
             FROM h WHERE grade IN ('red', 'yellow') GROUP BY ALL),
-- the latest grade for the rows without one: the ASOF join sorts its right side, so only the grades of those
-- projects go in (usually none: 0.19 s for 340,000 grades at 150x the sample when it took them all)
k0 AS (SELECT at_round, project_code FROM k1 WHERE row_grade IS NULL),
kn AS (SELECT k0.at_round, k0.project_code, lg.grade AS last_grade FROM k0
       ASOF JOIN (SELECT * FROM h SEMI JOIN k0 USING (project_code)) lg
       ON k0.project_code = lg.project_code AND k0.at_round >= lg.round_date),
kg AS (SELECT k1.*, kn.last_grade FROM k1 LEFT JOIN kn USING (at_round, project_code))
SELECT kg.at_round, kg.round_date, kg.unit, kg.project_code, {_WIDE_ROW},
       kg.row_grade, COALESCE(kg.row_grade, kg.last_grade) AS grade,
       CAST(COALESCE(kg.line_funds, r.funds_wan, 0) AS DECIMAL(24,6)) AS funds_wan,
       CASE WHEN fa.first_graded_round <= kg.at_round THEN fa.initial_grade END AS initial_grade,
       CASE WHEN fa.first_graded_round <= kg.at_round THEN fa.initial_graded_on END AS initial_graded_on,
       CASE WHEN fa.first_graded_round <= kg.at_round THEN fa.first_graded_round END AS first_graded_round,
       CASE WHEN fr.first_ry_round <= kg.at_round THEN fr.tier_grade END AS tier_grade,
       CASE WHEN fr.first_ry_round <= kg.at_round THEN fr.first_ry_round END AS first_ry_round
FROM kg
LEFT JOIN progress_rows p ON p.project_code = kg.project_code AND p.round_date = kg.round_date AND p.unit = kg.unit
LEFT JOIN risk_rows r ON r.project_code = kg.project_code AND r.round_date = kg.round_date AND r.unit = kg.unit
LEFT JOIN first_any fa ON fa.project_code = kg.project_code
LEFT JOIN first_ry fr ON fr.project_code = kg.project_code
"""

_CODES_OF_UNIT_SQL = """
SELECT project_code FROM progress_rows WHERE unit = $u UNION SELECT project_code FROM risk_rows WHERE unit = $u
UNION SELECT project_code FROM funding_rows WHERE unit = $u UNION SELECT project_code FROM tasks WHERE unit = $u
"""


def touched_codes(con, unit: str) -> set[str]:
    """Every project code ``unit`` has reported in any round (call before and after replacing its rows)."""
    return {c for (c,) in con.execute(_CODES_OF_UNIT_SQL, {"u": unit}).fetchall()}


def _temp(con, name: str, cols: str, rows: list) -> None:
    """A temp table ``name`` (``cols``: "a TYPE, b TYPE") holding ``rows``, filled set-wise from Arrow
    (executemany is row by row: 4 s for 40,000 codes)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({cols})")  # name/cols: constants of this module
    if rows:
        names = [c.split()[0] for c in cols.split(",")]
        tbl = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
        con.register("_state_rows_in", tbl)
        try:
            con.execute(f"INSERT INTO {name} SELECT * FROM _state_rows_in")
        finally:
            con.unregister("_state_rows_in")


def _derive_rows(con, keys: list[tuple[str, date]], *, touched_only: bool = False) -> None:
    """(Re)derive project_rounds and grade_hist for the (unit, round) pairs ``keys``. ``touched_only``: the
    grade_hist rows of its one round only for the projects in _state_touched (an import of one unit's round:
    a grade_hist row takes the first unit by name among the round's 附件2 rows of its project, so only the
    projects in that unit's old or new rows can change; the other units' rows of the round are not re-read)."""
    _temp(con, "_state_keys", "unit VARCHAR, round_date DATE", keys)
    con.execute("DELETE FROM project_rounds x USING _state_keys k WHERE x.unit = k.unit AND x.round_date = k.round_date")
    if len(keys) == 1:  # one import: the key as constants (the scans skip the other rounds' row groups)
        con.execute(_PROJECT_ROUNDS_SQL.format(keys=_KEY_WHERE), {"u": keys[0][0], "rd": keys[0][1]})
    else:
        con.execute(_PROJECT_ROUNDS_SQL.format(keys=_KEYS_JOIN))
    if touched_only:  # one import: its round as a constant
        con.execute("DELETE FROM grade_hist x USING _state_touched t WHERE x.project_code = t.project_code "
                    "AND x.round_date = ?", [keys[0][1]])
        con.execute(_GRADE_HIST_SQL.format(codes=" SEMI JOIN _state_touched t USING (project_code)",
                                           rounds="($rd)"), {"rd": keys[0][1]})
    else:
        con.execute("DELETE FROM grade_hist WHERE round_date IN (SELECT DISTINCT round_date FROM _state_keys)")
        con.execute(_GRADE_HIST_SQL.format(codes="", rounds="(SELECT DISTINCT round_date FROM _state_keys)"))


_TOUCHED = "_state_touched"  # ``codes`` argument: the temp table _state_touched already holds them


def _touch(con, codes: "set[str] | None | str", every: str) -> bool:
    """Fill the temp table _state_touched with ``codes`` (None: every project code of the table ``every``;
    _TOUCHED: already filled by the caller). True when it holds every project."""
    if codes is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _state_touched AS SELECT DISTINCT project_code FROM {every}")
        return True
    if codes is not _TOUCHED:
        _temp(con, "_state_touched", "project_code VARCHAR", [[c] for c in sorted(codes)])
    return False


def _derive_state(con, codes: "set[str] | None | str", from_round: date) -> None:
    """(Re)derive project_state at every round ≥ ``from_round`` for ``codes`` (None: every project)."""
    if _touch(con, codes, "project_rounds"):
        con.execute("DELETE FROM project_state WHERE at_round >= ?", [from_round])
    else:
        con.execute("DELETE FROM project_state x USING _state_touched t "
                    "WHERE x.at_round >= ? AND x.project_code = t.project_code", [from_round])
    con.execute(_PROJECT_STATE_SQL, {"from": from_round})


# every reopening of the projects in _state_touched (the rule of analytics.signoff._reopening, set-wise):
# a 红/黄 grade right after a 绿 one, later than the project's first 红/黄 grade; green_round = the latest 绿
# grade right after a 红/黄 one before it
_REOPEN_EVENTS_SQL = """
INSERT INTO reopen_events
WITH h AS (
    SELECT project_code, round_date, grade,
           lag(grade) OVER (PARTITION BY project_code ORDER BY round_date) AS prev_grade,
           min(round_date) FILTER (WHERE grade IN ('red', 'yellow')) OVER (PARTITION BY project_code) AS first_ry
    FROM grade_hist x SEMI JOIN _state_touched t USING (project_code)
), e AS (
    SELECT project_code, round_date AS reopened_round FROM h
    WHERE grade IN ('red', 'yellow') AND prev_grade = 'green' AND round_date > first_ry
)
SELECT e.reopened_round, e.project_code, max(h.round_date) AS green_round
FROM e LEFT JOIN h ON h.project_code = e.project_code AND h.round_date < e.reopened_round
                  AND h.grade = 'green' AND h.prev_grade IN ('red', 'yellow')
GROUP BY e.reopened_round, e.project_code ORDER BY 1, 2
"""


def _derive_reopen(con, codes: "set[str] | None | str") -> None:
    """(Re)derive reopen_events for ``codes`` (None: every project). Not per round: a row depends only on
    the grades up to its own round, so an import's new grades change only the touched projects' rows."""
    if _touch(con, codes, "grade_hist"):
        con.execute("DELETE FROM reopen_events")
    else:
        con.execute("DELETE FROM reopen_events x USING _state_touched t WHERE x.project_code = t.project_code")
    con.execute(_REOPEN_EVENTS_SQL)


def _derive_clocks(con, codes: "set[str] | None | str", from_round: date) -> None:
    """(Re)derive clock_state at every round ≥ ``from_round`` for ``codes`` (None: every project), with
    the current settings. The rule is analytics' (clocks._FACTS_SQL, the one implementation of DOMAIN §6,
    which clocks.clock_facts also runs); the store keeps its rows per round, so the import step reaches
    into analytics here. One INSERT … SELECT per round, no rows through Python."""
    from analytics.clocks import _CODES_JOIN, _FACTS_SQL, FACT_COLUMNS, _facts_params, clock_settings_key
    from analytics.settings import get_settings

    s = get_settings(con)
    stored = con.execute("SELECT value FROM meta WHERE key = 'clock_settings'").fetchone()
    if codes is not None and stored is not None and stored[0] != clock_settings_key(s):
        # the stored facts of the other projects were derived with other settings: derive them all
        codes, from_round = None, con.execute("SELECT min(round_date) FROM rounds").fetchone()[0]
    rounds = [r for (r,) in con.execute("SELECT round_date FROM rounds WHERE round_date >= ? ORDER BY 1",
                                        [from_round]).fetchall()]
    if _touch(con, codes, "project_rounds"):
        con.execute("DELETE FROM clock_state WHERE at_round >= ?", [from_round])
        codes_sql, per_query = "", 1  # every project: one round per query (a round's history is the store's)
    else:
        con.execute("DELETE FROM clock_state x USING _state_touched t "
                    "WHERE x.at_round >= ? AND x.project_code = t.project_code", [from_round])
        n = con.execute("SELECT count(*) FROM _state_touched").fetchone()[0]
        # the touched projects at all these rounds at once (a query costs ~15 ms however few projects), in
        # batches of about 200,000 project-rounds (each carries the project's history up to its round)
        codes_sql, per_query = _CODES_JOIN, max(1, 200_000 // max(n, 1))
    sql = ("INSERT INTO clock_state SELECT at_round, " + ", ".join(FACT_COLUMNS) + " FROM ("
           + _FACTS_SQL.format(codes=codes_sql, at="(SELECT round_date AS at_round FROM rounds "
                                                     "WHERE round_date >= $first AND round_date <= $upto)") + ")")
    for i in range(0, len(rounds), per_query):
        batch = rounds[i:i + per_query]
        con.execute(sql, {**_facts_params(batch[-1], s), "first": batch[0]})
    con.execute("INSERT INTO meta VALUES ('clock_settings', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [clock_settings_key(s)])


# settings the clock facts depend on (DOMAIN §6 [A]): a change of any re-derives clock_state
CLOCK_SETTINGS = ("default_clock_start", "red_progress_months", "red_operation_months", "yellow_fix_months")


def refresh_clocks(con) -> None:
    """After a settings change that moves the clocks (CLOCK_SETTINGS): re-derive them, in the caller's
    transaction. Costs every project's history at every round (seconds on a district, minutes on a
    province); until it has run, reads compute clocks live (analytics.clocks._facts_at)."""
    first = con.execute("SELECT min(round_date) FROM rounds").fetchone()[0]
    con.execute("DELETE FROM clock_state")
    if first is not None:
        _derive_clocks(con, None, first)
    _new_token(con)


def _new_token(con) -> None:
    """A fresh ``meta.state_token`` after every change of the state: readers key their caches by it
    (analytics.base.projects, the pages' st.cache_data), so a cached result can never outlive a write."""
    con.execute("INSERT INTO meta VALUES ('state_token', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [uuid.uuid4().hex])


def state_token(con) -> str:
    row = con.execute("SELECT value FROM meta WHERE key = 'state_token'").fetchone()
    return row[0] if row else ""


# the codes of the rows (unit $u, round $rd) an import has just written
_CODES_WRITTEN_SQL = """
SELECT project_code FROM progress_rows WHERE unit = $u AND round_date = $rd
UNION SELECT project_code FROM risk_rows WHERE unit = $u AND round_date = $rd
UNION SELECT project_code FROM funding_rows WHERE unit = $u AND round_date = $rd
UNION SELECT project_code FROM tasks WHERE unit = $u AND round_date = $rd
"""


def refresh_after_import(con, *, unit: str, round_date: date, before: set[str], new_round: bool) -> None:
    """Bring the state up to date after (unit, round_date)'s rows were replaced, inside the caller's
    transaction. ``before``: ``touched_codes(con, unit)`` taken before the rows were replaced;
    ``new_round``: the round did not exist before this import.
    The touched projects = ``before`` ∪ the codes of the rows just written (= ``before`` ∪
    ``touched_codes(con, unit)`` now: the unit's rows of other rounds are in ``before``), in one temp
    table that the state, reopenings and clocks all read."""
    _temp(con, "_state_touched", "project_code VARCHAR", [[c] for c in sorted(before)])
    con.execute("INSERT INTO _state_touched SELECT project_code FROM (" + _CODES_WRITTEN_SQL + ") "
                "EXCEPT SELECT project_code FROM _state_touched", {"u": unit, "rd": round_date})
    if new_round:
        # every project the import does not touch is in force at the new round exactly as at the round
        # before it (nothing else was reported in between); the touched ones are derived below
        prev = con.execute("SELECT max(round_date) FROM rounds WHERE round_date < ?", [round_date]).fetchone()[0]
        if prev is not None:
            for t in ("project_state", "clock_state"):  # t: these two tables only
                con.execute(f"INSERT INTO {t} SELECT ?::DATE AS at_round, * EXCLUDE (at_round) FROM {t} x "
                            "ANTI JOIN _state_touched t USING (project_code) WHERE x.at_round = ?", [round_date, prev])
    _derive_rows(con, [(unit, round_date)], touched_only=True)
    _derive_state(con, _TOUCHED, round_date)
    _derive_reopen(con, _TOUCHED)
    _derive_clocks(con, _TOUCHED, round_date)
    _new_token(con)


def refresh_all(con) -> None:
    """Re-derive every state table from the ledger tables (same SQL as an import uses)."""
    con.execute("DELETE FROM project_rounds")
    con.execute("DELETE FROM grade_hist")
    keys = con.execute("SELECT DISTINCT unit, round_date FROM (SELECT unit, round_date FROM progress_rows "
                       "UNION ALL SELECT unit, round_date FROM risk_rows)").fetchall()
    _derive_rows(con, [tuple(k) for k in keys])
    first = con.execute("SELECT min(round_date) FROM rounds").fetchone()[0]
    con.execute("DELETE FROM project_state")
    con.execute("DELETE FROM clock_state")
    _derive_reopen(con, None)
    if first is not None:
        _derive_state(con, None, first)
        _derive_clocks(con, None, first)
    _new_token(con)
