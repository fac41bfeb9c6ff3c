-- Staff sign-in (issue 14): a growing delay per account and address replaces the hard lock an
-- attacker could put on any known account, and sessions end after a time without use.

-- Wrong passwords counted per key (an account from one address, and an account from all
-- addresses): the next check may run from `not_before` on. Rows of accounts that signed in
-- are removed; failures older than a day are forgotten.
CREATE TABLE sign_in_delay (
    key             TEXT        PRIMARY KEY,
    failures        BIGINT      NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    not_before      TIMESTAMPTZ NOT NULL
);

-- When the session was last used (written at most once a minute); empty for sessions started
-- before this column, which count from their start.
ALTER TABLE session ADD COLUMN last_seen_at TIMESTAMPTZ;
