-- Shared views. Analytics builds on these; nothing here knows Chinese.

-- One row per project per round (both forms joined; identity from 附件1 when present).
CREATE OR REPLACE VIEW v_project_round AS
SELECT
    COALESCE(p.round_date, r.round_date)     AS round_date,
    COALESCE(p.unit, r.unit)                 AS unit,
    COALESCE(p.project_code, r.project_code) AS project_code,
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
    r.problems, r.problem_detail, r.grade, r.graded_on, r.sensitive, r.pretreatment,
    r.pretreatment_done, r.disposal, r.revenue_wan, r.distribution_wan, r.linkage_mode, r.households,
    r.households_exited, r.households_monitored, r.measures, r.deadline, r.resp_leader, r.resp_unit,
    r.resp_person, r.patrolled, r.signoff_status, r.signoff_applied_on, r.signoff_accepted_on
FROM progress_rows p
FULL OUTER JOIN risk_rows r
  ON p.round_date = r.round_date AND p.unit = r.unit AND p.project_code = r.project_code;

-- Funding total per project per round per unit (sum of the nine sources).
CREATE OR REPLACE VIEW v_project_funds AS
SELECT round_date, unit, project_code, CAST(SUM(amount_wan) AS DECIMAL(24,6)) AS funds_wan
FROM funding_rows GROUP BY ALL;

-- The ledger in force at date d: for each unit, the rows of its latest submission on or before d
-- (a unit that missed a round keeps its last report in force); a project reported by two units
-- takes the latest round, then the unit name, so each project appears once.
CREATE OR REPLACE MACRO inforce_rounds(d) AS TABLE
SELECT unit, MAX(round_date) AS round_date
FROM submissions WHERE round_date <= d GROUP BY unit;

CREATE OR REPLACE MACRO inforce(d) AS TABLE
SELECT pr.*, CAST(COALESCE(f.funds_wan, pr.reported_funds_wan, 0) AS DECIMAL(24,6)) AS funds_wan
FROM v_project_round pr
JOIN inforce_rounds(d) ir ON pr.unit = ir.unit AND pr.round_date = ir.round_date
LEFT JOIN v_project_funds f
  ON f.round_date = pr.round_date AND f.unit = pr.unit AND f.project_code = pr.project_code
QUALIFY ROW_NUMBER() OVER (PARTITION BY pr.project_code ORDER BY pr.round_date DESC, pr.unit) = 1;

-- Funding lines in force at d (same rounds as inforce).
CREATE OR REPLACE MACRO inforce_funding(d) AS TABLE
SELECT fr.*
FROM funding_rows fr
JOIN inforce(d) i ON fr.project_code = i.project_code AND fr.round_date = i.round_date AND fr.unit = i.unit;

-- Every grade ever given: one row per project per round (DOMAIN §4: history is never overwritten).
CREATE OR REPLACE VIEW v_grade_history AS
SELECT round_date, project_code, grade, graded_on, unit, problems
FROM risk_rows
QUALIFY ROW_NUMBER() OVER (PARTITION BY project_code, round_date ORDER BY unit) = 1;
