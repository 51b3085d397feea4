-- Shared views. Analytics builds on these; nothing here knows Chinese.

-- One row per project per round per reporting unit (both forms joined): materialised in project_rounds.
CREATE OR REPLACE VIEW v_project_round AS SELECT * EXCLUDE (funds_wan) FROM project_rounds;

-- Funding total per project per round per unit (sum of the nine sources).
CREATE OR REPLACE VIEW v_project_funds AS
SELECT round_date, unit, project_code, CAST(SUM(amount_wan) AS DECIMAL(24,6)) AS funds_wan
FROM funding_rows GROUP BY ALL;

-- The round in force at date d: the latest round on or before d (NULL before the first round).
CREATE OR REPLACE MACRO round_at(d) AS (SELECT max(round_date) FROM rounds WHERE round_date <= d);

-- The ledger in force at date d (materialised in project_state, see 015_state.sql).
CREATE OR REPLACE MACRO inforce(d) AS TABLE
SELECT * EXCLUDE (at_round) FROM project_state WHERE at_round = round_at(d);

-- Funding lines in force at d (those of each project's row in force).
CREATE OR REPLACE MACRO inforce_funding(d) AS TABLE
SELECT fr.*
FROM funding_rows fr
JOIN project_state i ON i.at_round = round_at(d) AND fr.project_code = i.project_code
 AND fr.round_date = i.round_date AND fr.unit = i.unit;

-- Every grade ever given: one row per project per round (DOMAIN §4: history is never overwritten).
CREATE OR REPLACE VIEW v_grade_history AS SELECT * FROM grade_hist;
