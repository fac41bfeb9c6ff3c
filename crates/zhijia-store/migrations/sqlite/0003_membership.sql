-- Membership: join applications, memberships (the history of a person's unions), transfers
-- between unions, and the worker's in-app inbox.

-- Industry unions that organise workers of one gig occupation (courier, food delivery, ...) in
-- their region: gig workers' join applications are routed by this column.
ALTER TABLE org ADD COLUMN gig_occupation TEXT;
CREATE INDEX org_gig ON org (gig_occupation, region_code);

-- The member number is given at the first approved membership and kept for life, across
-- transfers. `org_id` (from 0001) is the union of the current membership, NULL when none: a
-- copy kept in the same transaction as `membership`, for bulk loading and quick lookups.
-- Memberships are found through `membership` (its org index); no query looks workers up by
-- `org_id`, and every bulk insert paid for this index.
DROP INDEX worker_org;
ALTER TABLE worker ADD COLUMN member_no TEXT;
CREATE UNIQUE INDEX worker_member_no ON worker (member_no);
ALTER TABLE worker ADD COLUMN ethnicity TEXT;
ALTER TABLE worker ADD COLUMN education TEXT;
ALTER TABLE worker ADD COLUMN political_status TEXT;
ALTER TABLE worker ADD COLUMN hukou_type TEXT;
ALTER TABLE worker ADD COLUMN hukou_region TEXT;
ALTER TABLE worker ADD COLUMN skill_level TEXT;
ALTER TABLE worker ADD COLUMN marital_status TEXT;
ALTER TABLE worker ADD COLUMN emergency_contact TEXT;
ALTER TABLE worker ADD COLUMN emergency_phone TEXT;
-- Where a gig worker works (a city code): their industry union is chosen by it.
ALTER TABLE worker ADD COLUMN work_region TEXT;

-- A member's audit trail on their page.
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, id);

-- The CHECKs are written with OR, not IN: SQLite builds a temporary table for an IN list of
-- three or more values on every insert, which cost a fifth of a bulk import's time.
CREATE TABLE membership (
    id         INTEGER PRIMARY KEY,
    worker_id  INTEGER NOT NULL REFERENCES worker (id),
    org_id     INTEGER NOT NULL REFERENCES org (id),
    status     TEXT    NOT NULL CHECK (status = 'active' OR status = 'retired' OR status = 'ended'),
    joined_on  TEXT    NOT NULL,
    ended_on   TEXT,
    end_reason TEXT    CHECK (end_reason = 'transferred' OR end_reason = 'left' OR end_reason = 'deceased' OR end_reason = 'expelled'),
    source     TEXT    NOT NULL CHECK (source = 'application' OR source = 'transfer' OR source = 'import' OR source = 'demo'),
    created_at TEXT    NOT NULL
);
-- One person, one current membership in the whole tree: the database enforces it.
CREATE UNIQUE INDEX membership_current ON membership (worker_id) WHERE status <> 'ended';
CREATE INDEX membership_org ON membership (org_id, status, id);
CREATE INDEX membership_worker ON membership (worker_id, id);

CREATE TABLE transfer (
    id                 INTEGER PRIMARY KEY,
    worker_id          INTEGER NOT NULL REFERENCES worker (id),
    from_membership_id INTEGER NOT NULL REFERENCES membership (id),
    from_org_id        INTEGER NOT NULL REFERENCES org (id),
    to_org_id          INTEGER NOT NULL REFERENCES org (id),
    status             TEXT    NOT NULL CHECK (status IN ('awaiting_release', 'released', 'refused', 'completed', 'cancelled')),
    started_by         TEXT    NOT NULL CHECK (started_by IN ('worker', 'union')),
    reason             TEXT,
    requested_at       TEXT    NOT NULL,
    release_due_at     TEXT    NOT NULL,
    released_at        TEXT,
    -- NULL with released_at set: released automatically when the releasing union did not answer.
    released_by        INTEGER REFERENCES staff (id),
    refuse_reason      TEXT,
    completed_at       TEXT,
    completed_by       INTEGER REFERENCES staff (id),
    new_membership_id  INTEGER REFERENCES membership (id)
);
CREATE UNIQUE INDEX transfer_open ON transfer (worker_id) WHERE status IN ('awaiting_release', 'released');
CREATE INDEX transfer_from ON transfer (from_org_id, status);
CREATE INDEX transfer_to ON transfer (to_org_id, status);
CREATE INDEX transfer_due ON transfer (status, release_due_at);

CREATE TABLE join_application (
    id                   INTEGER PRIMARY KEY,
    worker_id            INTEGER NOT NULL REFERENCES worker (id),
    org_id               INTEGER NOT NULL REFERENCES org (id),
    route                TEXT    NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'transfer')),
    employer_name        TEXT,
    employer_credit_code TEXT,
    gig_occupation       TEXT,
    work_region          TEXT,
    consent_version      TEXT    NOT NULL,
    consent_at           TEXT    NOT NULL,
    submitted_at         TEXT    NOT NULL,
    due_on               TEXT    NOT NULL,
    decided_at           TEXT,
    decided_by           INTEGER REFERENCES staff (id),
    reject_reason        TEXT,
    transfer_id          INTEGER REFERENCES transfer (id)
);
CREATE UNIQUE INDEX join_application_pending ON join_application (worker_id) WHERE status = 'pending';
CREATE INDEX join_application_org ON join_application (org_id, status, due_on);
CREATE INDEX join_application_worker ON join_application (worker_id, id);

CREATE TABLE inbox_message (
    id         INTEGER PRIMARY KEY,
    worker_id  INTEGER NOT NULL REFERENCES worker (id),
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    link       TEXT,
    created_at TEXT    NOT NULL,
    read_at    TEXT
);
CREATE INDEX inbox_message_worker ON inbox_message (worker_id, id);

-- Roster imports from the console: who imported what into which union, and the error report
-- (CSV) for download.
CREATE TABLE roster_import (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org (id),
    staff_id    INTEGER REFERENCES staff (id),
    file_name   TEXT    NOT NULL,
    rows_read   INTEGER NOT NULL,
    imported    INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    errors_csv  BLOB NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX roster_import_org ON roster_import (org_id, id);

-- How staff handled a worker's deletion request: when, who, and what was done or why not.
ALTER TABLE deletion_request ADD COLUMN handled_at TEXT;
ALTER TABLE deletion_request ADD COLUMN handled_by INTEGER REFERENCES staff (id);
ALTER TABLE deletion_request ADD COLUMN note TEXT;

-- Memberships of workers loaded before this migration (demo data).
INSERT INTO membership (worker_id, org_id, status, joined_on, source, created_at)
SELECT id, org_id, 'active', substr(created_at, 1, 10), 'demo', created_at FROM worker WHERE org_id IS NOT NULL;
