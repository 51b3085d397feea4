-- 政企互动台账 (DOMAIN §9): 诉求 (request) and 建议 (suggestion) an operator (企业/合作社) raised with the
-- task force (面谈, 电话, 座谈会, 来信 …), with the answer and its date, as reported in a round. Like tasks,
-- a unit's filing is its whole running ledger: the rows of its latest round are the ones in force.
CREATE TABLE IF NOT EXISTS interactions (
    round_date   DATE NOT NULL,
    unit         VARCHAR NOT NULL,
    project_code VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,           -- 序号 (else the row's place in the sheet)
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR,
    excel_row    INTEGER,
    operator     VARCHAR,                    -- 经营主体/运营主体 that raised it
    raised_on    DATE NOT NULL,              -- 反映日期
    channel      VARCHAR,                    -- 方式: 面谈/电话/座谈会/来信 (free text)
    kind         VARCHAR CHECK (kind IS NULL OR kind IN ('request', 'suggestion')),
    content      VARCHAR NOT NULL,
    answer       VARCHAR,                    -- 答复情况
    answered_on  DATE,                       -- 答复日期
    status       VARCHAR NOT NULL CHECK (status IN ('pending', 'in_progress', 'answered', 'closed')),
    handler      VARCHAR,                    -- 承办单位
    PRIMARY KEY (round_date, unit, project_code, seq)
);
