"""The materialised state (ledger/state.py) equals a from-scratch derivation at every round.

``REFERENCE_SQL`` is the derivation the code used before #7, written straight over the ledger tables
(a FULL OUTER JOIN of every round's 附件1 and 附件2 rows, each unit's latest report on or before the
round, first/last grades by window over all history). It is the second implementation the state is
compared against: on the fixture, on the sample built import by import, after ``refresh_all``, after
imports in reverse order (rounds appearing in the middle), and after a version-2 file is upgraded.
"""
from __future__ import annotations

import random
import shutil
from datetime import date

import duckdb
from dateutil.relativedelta import relativedelta

from analytics.base import RED_YELLOW_CODES_SQL
# episodes and their start are analytics.clocks' own (they also define clocks.episodes): what the
# reference below checks is the facts' derivation, the SQL against the Python it replaced
from analytics.clocks import _episode_start, _na, _runs
from ledger import db as dbm
from ledger import importer
from ledger.glossary import THREE_FAILURES
from ledger.sample import sample_files
from ledger.state import refresh_all
from tests.fixture_db import build_fixture

REFERENCE_SQL = """
WITH pr_all AS (
    SELECT COALESCE(p.round_date, r.round_date) AS round_date, COALESCE(p.unit, r.unit) AS unit,
           COALESCE(p.project_code, r.project_code) AS project_code, COALESCE(p.name, r.name) AS name,
           COALESCE(p.town, r.town) AS town, COALESCE(p.department, r.department) AS department,
           COALESCE(p.build_year, r.build_year) AS build_year,
           COALESCE(p.total_investment_wan, r.total_investment_wan) AS total_investment_wan,
           COALESCE(p.high_concern, r.high_concern, FALSE) AS high_concern,
           p.op_status, p.substantive_progress, r.funds_wan AS reported_funds_wan, r.grade, r.graded_on,
           r.problems, r.households, r.revenue_wan
    FROM progress_rows p FULL OUTER JOIN risk_rows r
      ON p.round_date = r.round_date AND p.unit = r.unit AND p.project_code = r.project_code
), funds AS (
    SELECT round_date, unit, project_code, SUM(amount_wan) AS funds_wan FROM funding_rows GROUP BY ALL
), ir AS (
    SELECT unit, MAX(round_date) AS round_date FROM submissions WHERE round_date <= $d GROUP BY unit
), i AS (
    SELECT pr.*, CAST(COALESCE(f.funds_wan, pr.reported_funds_wan, 0) AS DECIMAL(24,6)) AS funds_wan
    FROM pr_all pr JOIN ir USING (unit, round_date) LEFT JOIN funds f USING (round_date, unit, project_code)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY pr.project_code ORDER BY pr.round_date DESC, pr.unit) = 1
), hist AS (
    SELECT round_date, project_code, grade, graded_on FROM risk_rows WHERE round_date <= $d
    QUALIFY ROW_NUMBER() OVER (PARTITION BY project_code, round_date ORDER BY unit) = 1
), fa AS (
    SELECT project_code, arg_min(grade, round_date) AS initial_grade, arg_min(graded_on, round_date) AS initial_graded_on,
           min(round_date) AS first_graded_round, arg_max(grade, round_date) AS last_grade FROM hist GROUP BY ALL
), fr AS (
    SELECT project_code, arg_min(grade, round_date) AS tier_grade, min(round_date) AS first_ry_round
    FROM hist WHERE grade IN ('red', 'yellow') GROUP BY ALL
)
SELECT i.project_code, i.round_date, i.unit, i.name, i.town, i.department, i.build_year, i.total_investment_wan,
       i.high_concern, i.op_status, i.substantive_progress, i.grade AS row_grade,
       COALESCE(i.grade, fa.last_grade) AS grade, i.graded_on, i.problems, i.households, i.revenue_wan,
       i.funds_wan, fa.initial_grade, fa.initial_graded_on, fa.first_graded_round, fr.tier_grade, fr.first_ry_round
FROM i LEFT JOIN fa USING (project_code) LEFT JOIN fr USING (project_code)
"""
COLS = ("project_code, round_date, unit, name, town, department, build_year, total_investment_wan, high_concern, "
        "op_status, substantive_progress, row_grade, grade, graded_on, problems, households, revenue_wan, funds_wan, "
        "initial_grade, initial_graded_on, first_graded_round, tier_grade, first_ry_round")


# reopened projects (反弹) at $d straight from the grade history up to $d (the derivation analytics.signoff
# read before reopen_events): a 红/黄 row right after a 绿 row, later than the first 红/黄 row; the latest such
# row is the reopening; green_round = the latest 绿 row before it that follows a 红/黄 row
REOPENED_REFERENCE_SQL = """
WITH ry AS (
    SELECT project_code, min(round_date) AS first_ry FROM grade_hist
    WHERE round_date <= $d AND grade IN ('red', 'yellow') GROUP BY ALL
), h AS (
    SELECT g.project_code, g.round_date, g.grade, ry.first_ry,
           lag(g.grade) OVER (PARTITION BY g.project_code ORDER BY g.round_date) AS prev_grade
    FROM grade_hist g JOIN ry USING (project_code) WHERE g.round_date <= $d
), r AS (
    SELECT project_code, max(round_date) AS reopened_round FROM h
    WHERE grade IN ('red', 'yellow') AND prev_grade = 'green' AND round_date > first_ry GROUP BY ALL
)
SELECT r.project_code, max(h.round_date) AS green_round, r.reopened_round
FROM r JOIN h ON h.project_code = r.project_code AND h.round_date < r.reopened_round
WHERE h.grade = 'green' AND h.prev_grade IN ('red', 'yellow')
GROUP BY r.project_code, r.reopened_round ORDER BY r.project_code
"""


# ---- the clock rule's second implementation ------------------------------------------------------------
# analytics.clocks derives the clock facts in SQL (_FACTS_SQL: clock_facts and the import's clock_state run
# it). Below is the Python derivation it replaced (DOMAIN §6, rules in analytics/clocks.py's docstring),
# kept as the reference the SQL is compared with at every round of the fixture, the sample, the
# shuffled imports and the scaled stores.
def _add_months(d: date, n: int) -> date:
    return d + relativedelta(months=n)  # clamps to the month's last day





_EVIDENCE_SQL = """
SELECT project_code, round_date,
       bool_or(COALESCE(substantive_progress, FALSE)) AS substantive,
       bool_or(COALESCE(op_status IN ('normal', 'trial'), FALSE)) AS operating,
       bool_or(COALESCE(revenue_wan > 0 AND households > 0, FALSE)) AS earning
FROM v_project_round WHERE round_date <= $as_of AND project_code IN (""" + RED_YELLOW_CODES_SQL + """)"""
_EVIDENCE_TAIL = " GROUP BY ALL ORDER BY project_code, round_date"

# the grade history (v_grade_history, rounds ≤ $as_of) of the projects ever graded 红/黄
_HISTORY_SQL = """
SELECT project_code, round_date, grade, graded_on, problems FROM v_grade_history
WHERE round_date <= $as_of AND project_code IN (""" + RED_YELLOW_CODES_SQL + """)"""

# each task's evidence date: done_on, else the first round (≤ as_of) it was reported done
_TASK_DONE_SQL = """
SELECT project_code, unit, task_seq, COALESCE(min(done_on), min(round_date)) AS done_date
FROM tasks WHERE round_date <= $as_of AND status = 'done' GROUP BY ALL
"""

_LATEST_TASKS_SQL = """
SELECT t.* FROM tasks t
JOIN (SELECT project_code, max(round_date) AS round_date FROM tasks WHERE round_date <= $as_of GROUP BY ALL) l
  USING (project_code, round_date)
ORDER BY t.project_code, t.unit, t.task_seq
"""



def _all_done_date(latest: list[tuple], as_of: date) -> date | None:
    """Date the latest task list was all done (latest done date), None if not (yet) all done.

    ``latest``: the project's latest task list as (status, done_on, round_date) tuples.
    """
    if not latest or not all(st == "done" for st, _, _ in latest):
        return None
    d = max(d if not _na(d) else r for _, d, r in latest)
    return d if d <= as_of else None


def _first_round(evid: list[tuple], since: date, need: int | tuple[int, ...]) -> date | None:
    """Round date of the first evidence row (round_date, substantive, operating, earning) dated on/after
    ``since`` whose flag(s) ``need`` (column indexes) all hold; rows are sorted by round."""
    need = (need,) if isinstance(need, int) else need
    for row in evid:
        if row[0] >= since and all(row[i] for i in need):
            return row[0]
    return None


def _clock_rows(code: str, ep_no: int, ep: dict, *, s: dict, default_start: date,
                evid: list[tuple], task_dates: list[date], all_done: date | None) -> list[dict]:
    """The clocks of one episode as facts that do not depend on the day they are read: start, due,
    ``met_round`` (the earliest round-dated evidence: 实质性进展 or cure reported, or the segment/episode
    ending) and ``met_task`` (the earliest task-dated evidence, which may lie after the last round:
    it counts only once it is ≤ as_of). ``_STATUS_SQL`` turns them into the status at a date."""
    out = []
    ep_end = ep["end_round"]
    for k, seg in enumerate(ep["segments"]):
        first = seg["first"]
        if k == 0:
            start = _episode_start(first, default_start)
        elif not _na(first["graded_on"]) and (seg["prev_round"] is None or first["graded_on"] > seg["prev_round"]):
            start = first["graded_on"]
        else:
            start = first["round_date"]
        lower = min(start, first["round_date"])
        since = first["round_date"]
        tasks_ok = [d for d in task_dates if lower <= d]
        if seg["grade"] == "red":
            cands = []
            sub = _first_round(evid, since, 1)
            if sub is not None:
                cands.append(sub)
            if seg["end_round"] is not None:
                cands.append(seg["end_round"])
            out.append(("red_1m", start, _add_months(start, int(s["red_progress_months"])),
                        min(cands) if cands else None, min(tasks_ok) if tasks_ok else None))
            probs = set([] if _na(first["problems"]) else list(first["problems"])) & set(THREE_FAILURES)
            cands = []
            if probs:
                need = []
                if probs & {"built_not_finished", "finished_not_used"}:
                    need.append(2)  # operating
                if "used_not_well" in probs:
                    need.append(3)  # earning
                hit = _first_round(evid, since, tuple(need))
                if hit is not None:
                    cands.append(hit)
            if ep_end is not None:
                cands.append(ep_end)
            out.append(("red_3m", start, _add_months(start, int(s["red_operation_months"])),
                        min(cands) if cands else None, None))
        else:
            out.append(("yellow_1m", start, _add_months(start, int(s["yellow_fix_months"])), ep_end,
                        all_done if all_done is not None and all_done >= lower else None))
    return [{"project_code": code, "episode_no": ep_no, "kind": kind, "start": start, "due": due,
             "met_round": mr, "met_task": mt} for kind, start, due, mr, mt in out]




def _group(rows: list[tuple]) -> dict[str, list[tuple]]:
    by: dict[str, list[tuple]] = {}
    for r in rows:
        by.setdefault(r[0], []).append(r[1:])
    return by


def reference_clock_facts(con, *, upto, s: dict) -> list[tuple]:
    """The clock facts (project_code, episode_no, kind, start, due, met_round, met_task) of every 红/黄
    episode up to round ``upto``: analytics.clocks.clock_facts as it was before #7 moved it into SQL, a
    Python loop over each project's grade history (rows in project, episode, segment, kind order)."""
    default_start = date.fromisoformat(str(s["default_clock_start"]))
    evid_by = _group([(c, rd, bool(sub), bool(op), bool(earn))  # NULL flags count as FALSE
                      for c, rd, sub, op, earn in con.execute(_EVIDENCE_SQL + _EVIDENCE_TAIL,
                                                              {"as_of": upto}).fetchall()])
    done_by = {c: sorted(d for (d,) in v) for c, v in _group(
        con.execute("SELECT project_code, done_date FROM (" + _TASK_DONE_SQL + ")", {"as_of": upto}).fetchall()).items()}
    latest_by = _group(con.execute("SELECT project_code, status, done_on, round_date FROM (" + _LATEST_TASKS_SQL + ")",
                                   {"as_of": upto}).fetchall())
    hist: dict[str, list[dict]] = {}
    for code, rd, grade, graded_on, problems in con.execute(_HISTORY_SQL + " ORDER BY project_code, round_date",
                                                            {"as_of": upto}).fetchall():
        hist.setdefault(code, []).append({"round_date": rd, "grade": grade, "graded_on": graded_on,
                                          "problems": problems})
    recs: list[tuple] = []
    for code in sorted(hist):
        e = evid_by.get(code, [])
        tdates = done_by.get(code, [])
        all_done = _all_done_date(latest_by.get(code, []), date.max)
        for n, ep in enumerate(_runs(hist[code]), start=1):
            recs.extend((r["project_code"], r["episode_no"], r["kind"], r["start"], r["due"], r["met_round"],
                         r["met_task"]) for r in _clock_rows(code, n, ep, s=s, default_start=default_start, evid=e,
                                                             task_dates=tdates, all_done=all_done))
    return recs


def clock_mismatches(con) -> list[str]:
    """Rounds where clock_state (the import's materialised facts) or clocks.clock_facts (the live query)
    differ from ``reference_clock_facts``; also a complaint when there are no clocks at any round."""
    from analytics import clocks
    from analytics.settings import get_settings

    s = get_settings(con)
    bad, total = [], 0
    for (d,) in con.execute("SELECT round_date FROM rounds ORDER BY 1").fetchall():
        want = reference_clock_facts(con, upto=d, s=s)
        live = list(map(tuple, clocks.clock_facts(con, upto=d, settings=s).itertuples(index=False)))
        stored = con.execute("SELECT project_code, episode_no, kind, start, due, met_round, met_task FROM clock_state "
                             "WHERE at_round = ? ORDER BY ALL", [d]).fetchall()
        if live != want:
            bad.append(f"{d}: clock_facts {len(live)} rows != reference {len(want)}: "
                       f"{sorted(set(live) ^ set(want))[:3]}")
        if stored != sorted(want):
            bad.append(f"{d}: clock_state {len(stored)} rows != reference {len(want)}: "
                       f"{sorted(set(stored) ^ set(want))[:3]}")
        total += len(want)
    if total == 0:
        bad.append("no clocks at any round")
    return bad


def mismatches(con) -> list[str]:
    """Rounds where project_state differs from REFERENCE_SQL (both ways, every listed column), or the
    reopenings read from reopen_events (analytics.signoff) differ from REOPENED_REFERENCE_SQL."""
    from analytics.signoff import _REOPENED_SQL

    bad = []
    for (d,) in con.execute("SELECT round_date FROM rounds ORDER BY 1").fetchall():
        got = con.execute(_REOPENED_SQL, {"as_of": d}).fetchall()
        want = con.execute(REOPENED_REFERENCE_SQL, {"d": d}).fetchall()
        if got != want:
            bad.append(f"{d}: reopened {got} != reference {want}")
        st = f"SELECT {COLS} FROM project_state WHERE at_round = $d"
        n = con.execute(f"SELECT count(*) FROM (({st}) EXCEPT ALL ({REFERENCE_SQL})) UNION ALL "
                        f"SELECT count(*) FROM (({REFERENCE_SQL}) EXCEPT ALL ({st}))", {"d": d}).fetchall()
        total = con.execute("SELECT count(*) FROM project_state WHERE at_round = ?", [d]).fetchone()[0]
        if n[0][0] or n[1][0] or total == 0:
            bad.append(f"{d}: {n[0][0]} only in state, {n[1][0]} only in reference, {total} rows")
    return bad


def state_tables(con) -> dict[str, list]:
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
            for t in ("project_rounds", "grade_hist", "project_state", "clock_state", "reopen_events")}


def test_fixture_state_matches_reference_at_every_round():
    con = dbm.connect(":memory:")
    build_fixture(con)
    assert mismatches(con) == []
    assert clock_mismatches(con) == []
    # 5 rounds; 莲塘镇 missed R5, so its R4 rows stay in force: 13 projects at R5 (P02 is new in R4 → 12 before)
    counts = con.execute("SELECT at_round, count(*) FROM project_state GROUP BY 1 ORDER BY 1").fetchall()
    assert [n for _, n in counts] == [12, 12, 12, 13, 13]


def test_sample_state_built_import_by_import_matches_reference_and_refresh_all(sample_db_path, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db_path, copy)  # checkpointed by the build (no .wal)
    con = dbm.connect(copy)
    assert mismatches(con) == []
    assert clock_mismatches(con) == []
    incremental = state_tables(con)
    refresh_all(con)
    assert state_tables(con) == incremental


def test_imports_in_any_order_give_the_same_state(tmp_path):
    # three units' ledgers, newest round first and shuffled: rounds appear before and between existing ones
    files = [f for f in sample_files() if any(u in f.name for u in ("贺街镇", "区林业局", "信都镇"))]
    assert len(files) >= 30
    random.Random(7).shuffle(files)
    con = dbm.connect(tmp_path / "x.duckdb")
    for f in files:
        assert importer.import_file(con, f, archive_root=tmp_path / "a").status == "accepted"
    assert mismatches(con) == []
    assert clock_mismatches(con) == []
    incremental = state_tables(con)
    refresh_all(con)
    assert state_tables(con) == incremental


def test_version_2_file_upgrades_in_place(tmp_path):
    path = tmp_path / "v2.duckdb"
    con = dbm.connect(path)
    build_fixture(con)
    want = state_tables(con)
    # make it look like a file written before #7: no state tables, schema_version 2
    for t in ("project_state", "grade_hist", "project_rounds", "clock_state", "reopen_events"):
        con.execute(f"DROP TABLE {t}")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    con = dbm.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == dbm.SCHEMA_VERSION
    assert state_tables(con) == want


def test_version_5_file_gets_its_reopenings_derived(sample_db_path, tmp_path):
    path = tmp_path / "v5.duckdb"
    shutil.copyfile(sample_db_path, path)
    con = dbm.connect(path)
    want = state_tables(con)["reopen_events"]
    # a file written before reopen_events: the table is created empty by the schema, version 5
    con.execute("DROP TABLE reopen_events")
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    con = dbm.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == dbm.SCHEMA_VERSION
    assert state_tables(con)["reopen_events"] == want and len(want) > 0
    assert mismatches(con) == []


def test_scaled_sample_is_k_times_the_sample_and_equals_a_rederivation(sample_db_path, tmp_path):
    from ledger.scale import build_scaled

    path = build_scaled(tmp_path / "x3.duckdb", 3, source=sample_db_path)
    one = duckdb.connect(str(sample_db_path), read_only=True)
    con = dbm.connect(path)
    s1, s3 = importer.summary(one), importer.summary(con)
    # exactly 3× the projects, grades and money by source (money compared as exact decimals)
    assert s3["projects"] == 3 * s1["projects"] and s3["rounds"] == s1["rounds"]
    assert s3["grades"] == {g: 3 * n for g, n in s1["grades"].items()}
    q = "SELECT source, SUM(amount_wan) FROM inforce_funding((SELECT max(round_date) FROM rounds)) GROUP BY 1"
    assert dict(con.execute(q).fetchall()) == {k: 3 * v for k, v in one.execute(q).fetchall()}
    # every code suffixed -1 … -3
    assert con.execute("SELECT count(*) FROM project_state WHERE NOT regexp_matches(project_code, '-[123]$')"
                       ).fetchone()[0] == 0
    replicated = state_tables(con)
    refresh_all(con)
    assert state_tables(con) == replicated
    assert clock_mismatches(con) == []
    # ``analytics snapshot`` (the second check): every count is 3× the sample's, at the last round
    # and at the 10th (a middle round: clocks still running, fewer projects in force)
    from analytics import ranking
    from analytics.settings import get_settings
    from analytics.snapshot import snapshot

    rounds = [r for (r,) in one.execute("SELECT round_date FROM rounds ORDER BY 1").fetchall()]
    for as_of in (rounds[-1], rounds[9]):
        a, b = snapshot(one, as_of=as_of), snapshot(con, as_of=as_of)
        assert b["round"] == a["round"] and a["projects"] > 0
        assert b["projects"] == 3 * a["projects"]
        for key in ("grades", "tiers", "clocks"):
            assert b[key] == {k: 3 * n for k, n in a[key].items()}, key
        assert b["grades_by_town"] == {t: {g: 3 * n for g, n in d.items()} for t, d in a["grades_by_town"].items()}
        # the ranking's metrics are shares and means (unchanged by ×3); its penalties count items, so the
        # same units are ranked (in another order per item), with the same scores only per 100 projects
        # (3× the items / 3× the projects)
        assert sorted(r["unit"] for r in b["ranking"]) == sorted(r["unit"] for r in a["ranking"])
        s1, s3 = (ranking.unit_scores(c, as_of=as_of, settings={**get_settings(c), "penalty_basis": "per_100_projects"})
                  .set_index("unit") for c in (one, con))
        assert (s3["score"] - s1["score"]).abs().max() < 1e-9 and s3["rank"].equals(s1["rank"].loc[s3.index])


def test_clock_settings_change_rederives_the_stored_clocks():
    from analytics import clocks
    from analytics.settings import get_settings
    from ledger.settings import set_setting

    con = dbm.connect(":memory:")
    build_fixture(con)
    red_1m = "SELECT due FROM clock_state WHERE at_round = '2023-11-29' AND project_code = 'P01' AND kind = 'red_1m'"
    # P01 认定红 2023-09-20: red_1m due 09-20 + 1 month = 10-20; with 2 months 11-20
    assert str(con.execute(red_1m).fetchone()[0]) == "2023-10-20"
    set_setting(con, "red_progress_months", 2)
    assert str(con.execute(red_1m).fetchone()[0]) == "2023-11-20"
    s = get_settings(con)
    assert con.execute("SELECT value FROM meta WHERE key = 'clock_settings'").fetchone()[0] == clocks.clock_settings_key(s)
    # the stored facts equal a live derivation with the new settings at every round
    for (rnd,) in con.execute("SELECT round_date FROM rounds").fetchall():
        live = clocks.clock_facts(con, upto=rnd, settings=s)
        stored = con.execute("SELECT project_code, episode_no, kind, start, due, met_round, met_task FROM clock_state "
                             "WHERE at_round = ? ORDER BY ALL", [rnd]).fetchall()
        assert sorted(map(tuple, live.itertuples(index=False))) == stored
    assert clock_mismatches(con) == []  # and both equal the Python reference with the new settings


def test_scaled_sample_with_fewer_rounds_is_the_store_as_it_stood_then(sample_db_path, tmp_path):
    from ledger.scale import build_scaled

    path = build_scaled(tmp_path / "x2r5.duckdb", 2, source=sample_db_path, rounds=5)
    one = duckdb.connect(str(sample_db_path), read_only=True)
    fifth = one.execute("SELECT round_date FROM rounds ORDER BY 1 LIMIT 1 OFFSET 4").fetchone()[0]
    con = dbm.connect(path)
    assert con.execute("SELECT max(round_date), count(*) FROM rounds").fetchone() == (fifth, 5)
    # 2 × the sample's in-force projects and grades at its 5th round, and a from-scratch derivation agrees
    s1 = importer.summary(one, fifth)
    s2 = importer.summary(con)
    assert s2["projects"] == 2 * s1["projects"] and s2["grades"] == {g: 2 * n for g, n in s1["grades"].items()}
    assert mismatches(con) == []
    assert clock_mismatches(con) == []


def test_schema_is_applied_only_when_the_file_does_not_record_the_current_one(tmp_path):
    path = tmp_path / "s.duckdb"
    dbm.connect(path).close()
    con = dbm.open_file(path)
    # a file at the current schema: opening it changes nothing, so a view dropped behind its back stays gone
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_key'").fetchone()[0] == dbm._schema_key()
    con.execute("DROP VIEW v_grade_history")
    dbm.apply_schema(con)
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'v_grade_history'").fetchone()[0] == 0
    # a file recording another schema digest (the .sql files changed since it was written): applied again
    con.execute("UPDATE meta SET value = 'older' WHERE key = 'schema_key'")
    dbm.apply_schema(con)
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'v_grade_history'").fetchone()[0] == 1
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_key'").fetchone()[0] == dbm._schema_key()
    con.close()


def test_reimports_into_the_sample_keep_the_state_equal_to_a_rederivation(sample_db_path, tmp_path):
    # a unit's round replaced by another file: the last round (a re-import), then the first (every round
    # after it is re-derived for the touched projects only; grade_hist of the round for those projects only,
    # since validate lets one unit alone grade a project in a round)
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db_path, copy)
    con = dbm.connect(copy)
    files = {f.name: f for f in sample_files()}
    for name, rd in (("贺街镇_2024-06-14.xlsx", "2024-06-29"), ("贺街镇_2023-10-14.xlsx", "2023-09-29")):
        r = importer.import_file(con, files[name], round_date=rd, archive_root=tmp_path / "a", allow_shrink=True)
        assert r.status == "accepted", r.problems
        assert mismatches(con) == []
    assert clock_mismatches(con) == []
    incremental = state_tables(con)
    refresh_all(con)
    assert state_tables(con) == incremental
