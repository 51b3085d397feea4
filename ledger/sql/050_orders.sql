-- 督办单 (supervision orders, DOMAIN §9 巡查督办) issued by the task force to a reporting unit for a
-- report round. Numbered per year of issue, 八步专班督〔YYYY〕N号, without gaps or repeats: the number is
-- taken inside the issuing transaction (ledger/orders.py, under ledger.db.WRITE_LOCK). One order per
-- (unit, round): issuing it again reprints the same number.
CREATE TABLE IF NOT EXISTS orders (
    order_id     INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,          -- year of issue (the 〔YYYY〕 of the number)
    seq          INTEGER NOT NULL CHECK (seq >= 1),
    number       VARCHAR NOT NULL UNIQUE,   -- 八步专班督〔2023〕1号
    unit         VARCHAR NOT NULL,          -- the reporting unit it is sent to
    round_date   DATE NOT NULL,             -- the report round whose ledger it is about
    reply_by     DATE NOT NULL,             -- 回复期限: the unit's next ledger is due by then
    issued_at    TIMESTAMP NOT NULL,
    issued_by    VARCHAR NOT NULL,
    note         VARCHAR,                   -- 督办要求 typed by the issuer (free text)
    summary_json VARCHAR NOT NULL,          -- the counts printed on it (audit: what the unit was told)
    UNIQUE (year, seq),
    UNIQUE (unit, round_date)
);
