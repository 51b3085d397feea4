-- Materialised state (#7 "write once, read cheap"): derived when a round is written (ledger/state.py),
-- never re-derived when read. Every column here is a pure function of the tables in 010_tables.sql;
-- `python -m ledger rebuild` (and tests/test_state.py) re-derive them from scratch and must agree.

-- 附件1 and 附件2 rows of one project in one unit's report, joined (was the view v_project_round:
-- a FULL OUTER JOIN of every round on every read). Identity from 附件1 when present. Narrow (schema 7):
-- the keys and what the readers of every round's rows use (project search, the clocks' evidence, the
-- choice of the row in force); the whole row in force is in project_state.
CREATE TABLE IF NOT EXISTS project_rounds (
    round_date DATE NOT NULL, unit VARCHAR NOT NULL, project_code VARCHAR NOT NULL,
    name VARCHAR, town VARCHAR, department VARCHAR, build_year INTEGER, category VARCHAR,
    grade VARCHAR, op_status VARCHAR, substantive_progress BOOLEAN, revenue_wan DECIMAL(20,6), households INTEGER,
    funds_wan DECIMAL(24,6)          -- sum of this report's funding lines (nine sources), NULL when none
);

-- Every grade ever given (DOMAIN §4): one row per project per round; a project graded by two units in
-- one round takes the first unit by name.
CREATE TABLE IF NOT EXISTS grade_hist (
    round_date DATE NOT NULL, project_code VARCHAR NOT NULL, grade VARCHAR NOT NULL, graded_on DATE,
    unit VARCHAR NOT NULL, problems VARCHAR[]
);

-- The ledger in force at each round (at_round): one row per project per round, from the latest report
-- of each unit on or before at_round (a unit that missed a round keeps its last report in force; a
-- project reported by two units takes the latest round, then the unit name). round_date is the round
-- the row comes from. grade = the row's grade, else the latest grade given on or before at_round;
-- row_grade = the row's own. initial_* / tier_grade / first_ry_round from grade_hist up to at_round
-- (DOMAIN §5: the tier grade is the first 红/黄 grade).
CREATE TABLE IF NOT EXISTS project_state (
    at_round DATE NOT NULL,
    round_date DATE NOT NULL, unit VARCHAR NOT NULL, project_code VARCHAR NOT NULL, code_derived BOOLEAN,
    name VARCHAR, town VARCHAR, village VARCHAR, department VARCHAR, implementer VARCHAR, operator VARCHAR,
    build_year INTEGER, category VARCHAR, asset_type VARCHAR, high_concern BOOLEAN,
    total_investment_wan DECIMAL(20,6), enterprise_funds_wan DECIMAL(20,6), paid_wan DECIMAL(20,6),
    build_status VARCHAR, op_status VARCHAR, planned_completion DATE, completion_accepted_on DATE,
    settled BOOLEAN, rights_registered BOOLEAN, joint_account BOOLEAN, progress_text VARCHAR,
    substantive_progress BOOLEAN, issues_text VARCHAR, next_steps VARCHAR,
    reported_funds_wan DECIMAL(20,6), problems VARCHAR[], problem_detail VARCHAR, row_grade VARCHAR,
    grade VARCHAR, graded_on DATE, sensitive VARCHAR[], pretreatment VARCHAR[], pretreatment_done BOOLEAN,
    disposal VARCHAR, revenue_wan DECIMAL(20,6), distribution_wan DECIMAL(20,6), linkage_mode VARCHAR,
    households INTEGER, households_exited INTEGER, households_monitored INTEGER, measures VARCHAR,
    deadline DATE, resp_leader VARCHAR, resp_unit VARCHAR, resp_person VARCHAR, patrolled BOOLEAN,
    signoff_status VARCHAR, signoff_applied_on DATE, signoff_accepted_on DATE,
    funds_wan DECIMAL(24,6) NOT NULL,  -- funding lines' sum, else the 附件2 总额, else 0
    initial_grade VARCHAR, initial_graded_on DATE, first_graded_round DATE,
    tier_grade VARCHAR, first_ry_round DATE
);

-- Deadline clocks (DOMAIN §6) as facts per round (analytics/clocks.py clock_facts, with the settings in
-- meta.clock_settings): one row per clock of every 红/黄 episode in the ledger up to at_round. The status
-- on a day is computed when read: met_on = the earlier of met_round and met_task (once ≤ that day).
CREATE TABLE IF NOT EXISTS clock_state (
    at_round DATE NOT NULL, project_code VARCHAR NOT NULL, episode_no INTEGER NOT NULL, kind VARCHAR NOT NULL,
    start DATE NOT NULL, due DATE NOT NULL, met_round DATE, met_task DATE
);

-- Reopenings (反弹, DOMAIN §8; analytics/signoff.py reopened): one row per 红/黄 grade that follows a 绿
-- grade after an earlier 红/黄 grade, from the project's whole grade history. Each row depends only on the
-- grades up to reopened_round, so the reopening in force on a day is the project's latest row with
-- reopened_round ≤ that day. green_round = the start of the green spell before it (the latest 绿 grade
-- right after a 红/黄 one, before reopened_round).
CREATE TABLE IF NOT EXISTS reopen_events (
    reopened_round DATE NOT NULL, project_code VARCHAR NOT NULL, green_round DATE
);
