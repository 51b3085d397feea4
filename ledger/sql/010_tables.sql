-- Ledger store: every report round is kept; nothing is overwritten (DOMAIN §4, §9).
-- Money is DECIMAL(20,6) 万元 (6 decimals = 0.01 元, exact to the fen). Codes are ASCII (ledger/glossary.py).

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Settings [A] (analytics/settings.py holds the defaults); value is JSON text.
CREATE TABLE IF NOT EXISTS settings (
    key        VARCHAR PRIMARY KEY,
    value_json VARCHAR NOT NULL,
    updated_at TIMESTAMP,
    updated_by VARCHAR
);

-- Reporting units: 15 乡镇(街道) and the 项目主管部门 (ranked separately).
CREATE TABLE IF NOT EXISTS units (
    name          VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL CHECK (kind IN ('township', 'department')),
    division_code VARCHAR
);

-- Report rounds (报送期次): dated on a due date (14th, 29th, or last day of February).
CREATE TABLE IF NOT EXISTS rounds (
    round_date DATE PRIMARY KEY
);

-- Import log: one row per accepted file (rejected files leave the database exactly as it was;
-- they are logged to data/rejected.jsonl instead).
CREATE SEQUENCE IF NOT EXISTS import_id_seq START 1;
CREATE TABLE IF NOT EXISTS imports (
    import_id     INTEGER PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    unit          VARCHAR NOT NULL,
    round_date    DATE NOT NULL,
    forms         VARCHAR NOT NULL,          -- comma list of form codes found (progress,risk,tasks,signoff,interactions)
    rows_accepted INTEGER NOT NULL,
    rows_skipped  INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    warnings_json VARCHAR NOT NULL,          -- problems of severity 'warning' (and skip notes)
    imported_at   TIMESTAMP NOT NULL,
    imported_by   VARCHAR NOT NULL,
    archive_path  VARCHAR NOT NULL,          -- relative to the archive root: sha256[:2]/sha256.ext
    replaced_import_id INTEGER               -- the earlier import of the same unit+round it replaced
);

-- One row per unit per round it reported in (报送). submitted_on is the 填报日期 of the file.
CREATE TABLE IF NOT EXISTS submissions (
    round_date   DATE NOT NULL,
    unit         VARCHAR NOT NULL,
    submitted_on DATE NOT NULL,
    import_id    INTEGER NOT NULL,
    PRIMARY KEY (round_date, unit)
);

-- 附件1 推进梳理表: one row per project per round per reporting unit.
CREATE TABLE IF NOT EXISTS progress_rows (
    round_date   DATE NOT NULL,
    unit         VARCHAR NOT NULL,
    project_code VARCHAR NOT NULL,
    code_derived BOOLEAN NOT NULL DEFAULT FALSE,   -- no 项目编号 in the ledger: key derived (year|town|name)
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR,
    excel_row    INTEGER,
    name         VARCHAR NOT NULL,
    town         VARCHAR,
    village      VARCHAR,
    department   VARCHAR,
    implementer  VARCHAR,
    operator     VARCHAR,
    build_year   INTEGER,
    category     VARCHAR,
    asset_type   VARCHAR,
    high_concern BOOLEAN,
    total_investment_wan  DECIMAL(20,6),
    enterprise_funds_wan  DECIMAL(20,6),
    paid_wan              DECIMAL(20,6),
    build_status VARCHAR,
    op_status    VARCHAR,
    planned_completion     DATE,
    completion_accepted_on DATE,
    settled           BOOLEAN,
    rights_registered BOOLEAN,
    joint_account     BOOLEAN,
    progress_text     VARCHAR,
    substantive_progress BOOLEAN,
    issues_text       VARCHAR,
    next_steps        VARCHAR,
    reported_on       DATE
    -- unique (round_date, unit, project_code): no PRIMARY KEY index (schema 7), see _UNIQUE_NOTE below
);

-- Funding lines: project × fund source (one of nine codes) × fund year, per round (amounts may change).
CREATE TABLE IF NOT EXISTS funding_rows (
    round_date   DATE NOT NULL,
    unit         VARCHAR NOT NULL,
    project_code VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    fund_year    INTEGER NOT NULL,
    amount_wan   DECIMAL(20,6) NOT NULL CHECK (amount_wan >= 0),
    import_id    INTEGER NOT NULL
    -- unique (round_date, unit, project_code, source, fund_year): see below
);

-- 附件2 风险排查表: grade and risk facts, one row per project per round per reporting unit.
CREATE TABLE IF NOT EXISTS risk_rows (
    round_date   DATE NOT NULL,
    unit         VARCHAR NOT NULL,
    project_code VARCHAR NOT NULL,
    code_derived BOOLEAN NOT NULL DEFAULT FALSE,
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR,
    excel_row    INTEGER,
    name         VARCHAR,
    town         VARCHAR,
    village      VARCHAR,
    department   VARCHAR,
    implementer  VARCHAR,
    operator     VARCHAR,
    build_year   INTEGER,
    category     VARCHAR,
    asset_type   VARCHAR,
    high_concern BOOLEAN,
    total_investment_wan DECIMAL(20,6),
    funds_wan    DECIMAL(20,6),
    problems     VARCHAR[],             -- codes: built_not_finished, finished_not_used, used_not_well, ...
    problem_detail VARCHAR,
    grade        VARCHAR NOT NULL CHECK (grade IN ('red', 'yellow', 'green')),
    graded_on    DATE,                  -- 认定日期
    sensitive    VARCHAR[],             -- farmland, roadside
    pretreatment VARCHAR[],             -- delisting, recultivation
    pretreatment_done BOOLEAN,
    disposal     VARCHAR,               -- 四个一批: consolidate/upgrade/revitalise/restart
    revenue_wan       DECIMAL(20,6),    -- 上年经营收入
    distribution_wan  DECIMAL(20,6),    -- 收益分配
    linkage_mode VARCHAR,
    households            INTEGER,      -- 带动农户数
    households_exited     INTEGER,      -- 其中脱贫户
    households_monitored  INTEGER,      -- 其中监测户
    measures     VARCHAR,
    deadline     DATE,
    resp_leader  VARCHAR,
    resp_unit    VARCHAR,
    resp_person  VARCHAR,
    patrolled    BOOLEAN,               -- 巡回排查 done
    signoff_status      VARCHAR,
    signoff_applied_on  DATE,
    signoff_accepted_on DATE,
    reported_on  DATE
    -- unique (round_date, unit, project_code): see below
);

-- _UNIQUE_NOTE: progress_rows, funding_rows and risk_rows have no PRIMARY KEY (they had one up to schema 6).
-- Their keys are unique all the same: only an import writes them, validate rejects a file with a repeated
-- key, and the import checks the rows it has written before it commits (importer._check_unique); a
-- PRIMARY KEY's index cost a 20,000-project import ~0.12 s (its inserts and its checkpoint) and no read
-- used it.

-- 附件5 任务分解表 (一项目一方案): tasks as reported in a round.
CREATE TABLE IF NOT EXISTS tasks (
    round_date   DATE NOT NULL,
    unit         VARCHAR NOT NULL,
    project_code VARCHAR NOT NULL,
    task_seq     INTEGER NOT NULL,
    import_id    INTEGER NOT NULL,
    problem      VARCHAR,
    measure      VARCHAR NOT NULL,
    due_on       DATE,
    lead_leader  VARCHAR,
    lead_unit    VARCHAR,
    co_units     VARCHAR,
    owner        VARCHAR,
    status       VARCHAR NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done')),
    done_on      DATE,
    PRIMARY KEY (round_date, unit, project_code, task_seq)
);

-- 降级销号 records (DOMAIN §8) as reported in a round.
CREATE TABLE IF NOT EXISTS signoffs (
    round_date   DATE NOT NULL,
    unit         VARCHAR NOT NULL,
    project_code VARCHAR NOT NULL,
    import_id    INTEGER NOT NULL,
    from_grade   VARCHAR NOT NULL,
    to_grade     VARCHAR NOT NULL,
    applied_on   DATE,
    self_eval_on DATE,
    accepted_on  DATE,
    accepted_by  VARCHAR,
    route        VARCHAR,
    status       VARCHAR NOT NULL,
    evidence     VARCHAR,
    checklist_json VARCHAR,             -- {"construction_accepted": true, ...} (glossary.SIGNOFF_CHECKLIST)
    PRIMARY KEY (round_date, unit, project_code, from_grade, to_grade)
);
