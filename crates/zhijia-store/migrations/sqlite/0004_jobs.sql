-- Background jobs, in the database so that any server process can run them and each runs once.
-- A job is claimed with a lease (`locked_by`, `locked_until`); it is finished in the same
-- transaction as its work, and only by the process holding the lease, so a job whose holder
-- died is re-run by another process and its half-done work was rolled back.
CREATE TABLE job (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    -- Makes scheduling idempotent: the periodic job of one period is one row however many
    -- processes schedule it.
    key          TEXT    NOT NULL,
    run_at       TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status = 'queued' OR status = 'running' OR status = 'done' OR status = 'failed'),
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    finished_at  TEXT
);
CREATE UNIQUE INDEX job_key ON job (kind, key);
CREATE INDEX job_due ON job (status, run_at);
