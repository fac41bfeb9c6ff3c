-- Staff accounts, their roles on orgs, and the append-only audit log.
CREATE TABLE staff (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);

-- A role on an org applies to the org's whole subtree.
CREATE TABLE role_grant (
    id         INTEGER PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    org_id     INTEGER NOT NULL REFERENCES org (id),
    role       TEXT    NOT NULL CHECK (role IN ('org_admin', 'reviewer', 'case_handler', 'aid_officer', 'editor', 'analyst', 'merchant_staff')),
    granted_by INTEGER REFERENCES staff (id),
    granted_at TEXT    NOT NULL,
    UNIQUE (staff_id, org_id, role)
);
CREATE INDEX role_grant_org ON role_grant (org_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor_kind  TEXT    NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT    NOT NULL,
    ip          TEXT,
    action      TEXT    NOT NULL,
    org_id      INTEGER REFERENCES org (id),
    target_kind TEXT,
    target_id   TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Server-side sessions, so any server process can serve any request. Only a hash of the token
-- is stored: a copy of the database does not give away live sessions.
CREATE TABLE session (
    token_hash   BLOB    PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff (id),
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
CREATE INDEX session_staff ON session (staff_id);
CREATE INDEX session_expires ON session (expires_at);

-- Rate limits that must hold across server processes: one row per key (a phone, an address),
-- updated atomically by a conditional upsert.
CREATE TABLE throttle (
    key          TEXT    PRIMARY KEY,
    last_at      TEXT    NOT NULL,
    window_start TEXT    NOT NULL,
    window_count INTEGER NOT NULL
);

-- One-time sign-in codes sent by SMS, kept only as hashes.
CREATE TABLE sms_code (
    id         INTEGER PRIMARY KEY,
    phone      TEXT    NOT NULL,
    code_hash  BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    TEXT
);
CREATE INDEX sms_code_phone ON sms_code (phone, id);

-- Sessions of workers signed in by phone (a worker need not be a member yet).
CREATE TABLE worker_session (
    token_hash BLOB PRIMARY KEY,
    phone      TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX worker_session_expires ON worker_session (expires_at);

-- A worker's request to delete what the platform is not required to keep (PIPL art. 47).
CREATE TABLE deletion_request (
    id           INTEGER PRIMARY KEY,
    phone        TEXT NOT NULL,
    reason       TEXT,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'refused')),
    requested_at TEXT NOT NULL
);
CREATE INDEX deletion_request_phone ON deletion_request (phone);
