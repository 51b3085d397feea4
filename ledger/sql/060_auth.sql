-- Sign-in, roles and the audit trail (issue #12 points 6 and 7; schema version 5, ledger/auth.py,
-- ledger/audit.py). Codes are ASCII; the labels are in ledger/glossary.py (role, audit_action).
CREATE TABLE IF NOT EXISTS users (
    login         VARCHAR PRIMARY KEY CHECK (regexp_full_match(login, '[a-z0-9][a-z0-9_.-]{1,31}')),
    display_name  VARCHAR NOT NULL,
    role          VARCHAR NOT NULL CHECK (role IN ('leader', 'taskforce', 'unit')),
    unit          VARCHAR,                   -- role unit: the one 乡镇(街道) or 主管部门 it is bound to
    password_hash VARCHAR NOT NULL,          -- hex of hashlib.scrypt(password, salt, n, r, p)
    salt          VARCHAR NOT NULL,          -- hex, 16 random bytes per user
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    demo          BOOLEAN NOT NULL DEFAULT FALSE,  -- a demo account of a sample-built store (demo_mode)
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK ((role = 'unit') = (unit IS NOT NULL))
);

-- Who did what, when: imports, rejections, exports, settings, sign-ins, 督办单. Append only.
-- audit_id: max + 1 under ledger.db.WRITE_LOCK (kept as is when a rebuild copies the trail over).
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id    BIGINT PRIMARY KEY,
    logged_at   TIMESTAMP NOT NULL,      -- when (the caller's clock, local time)
    user_login  VARCHAR NOT NULL,            -- a login, 'cli:<os user>' or 'bootstrap'
    action      VARCHAR NOT NULL,            -- code: glossary.AUDIT_ACTIONS
    object      VARCHAR,                     -- what: a file name, a setting key, a login, a 文号
    detail_json VARCHAR,                     -- JSON text with the rest (counts, unit, round, reason)
    sha256      VARCHAR                      -- the file's sha256 where there is a file
);
