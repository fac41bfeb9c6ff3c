-- Activities (活动) with registrations, a waiting list and check-in; points (积分) with per-union
-- rules, a balance row per worker and an append-only ledger. (0007 is the benefits migration,
-- landed separately.)

CREATE TABLE activity (
    id                     INTEGER PRIMARY KEY,
    org_id                 INTEGER NOT NULL REFERENCES org (id),
    title                  TEXT    NOT NULL,
    description            TEXT    NOT NULL,
    place                  TEXT    NOT NULL,
    starts_at              TEXT    NOT NULL,
    ends_at                TEXT    NOT NULL,
    registration_opens_at  TEXT    NOT NULL,
    registration_closes_at TEXT    NOT NULL,
    capacity               INTEGER NOT NULL CHECK (capacity > 0),
    status                 TEXT    NOT NULL CHECK (status IN ('open', 'cancelled')),
    created_by             INTEGER REFERENCES staff (id),
    created_at             TEXT    NOT NULL
);
CREATE INDEX activity_org ON activity (org_id, starts_at);

-- One live registration per person and activity (a cancelled one may be followed by a new one).
-- The waiting list is the waiting rows in id order.
CREATE TABLE registration (
    id            INTEGER PRIMARY KEY,
    activity_id   INTEGER NOT NULL REFERENCES activity (id),
    worker_id     INTEGER NOT NULL REFERENCES worker (id),
    status        TEXT    NOT NULL CHECK (status IN ('registered', 'waiting', 'cancelled')),
    created_at    TEXT    NOT NULL,
    promoted_at   TEXT,
    cancelled_at  TEXT,
    checked_in_at TEXT,
    checked_in_by INTEGER REFERENCES staff (id)
);
CREATE UNIQUE INDEX registration_live ON registration (activity_id, worker_id)
    WHERE status <> 'cancelled';
CREATE INDEX registration_activity ON registration (activity_id, status, id);
CREATE INDEX registration_worker ON registration (worker_id, id);

-- What a reason earns in a union (and its subtree, unless a union below sets its own).
CREATE TABLE points_rule (
    org_id     INTEGER NOT NULL REFERENCES org (id),
    reason     TEXT    NOT NULL CHECK (reason IN ('check_in', 'survey', 'course', 'first_join')),
    points     INTEGER NOT NULL CHECK (points >= 0),
    updated_by INTEGER REFERENCES staff (id),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (org_id, reason)
);

-- The balance, one row per worker: spending is one conditional UPDATE on it, so concurrent
-- spends cannot take it below zero (the CHECK backs the rule).
CREATE TABLE points_balance (
    worker_id  INTEGER PRIMARY KEY REFERENCES worker (id),
    balance    INTEGER NOT NULL CHECK (balance >= 0),
    updated_at TEXT    NOT NULL
);

-- Every movement of points, append-only. `award_key` names what earned the points
-- (`activity:12`, `first_join`), unique per worker, so nothing is awarded twice.
CREATE TABLE points_entry (
    id         INTEGER PRIMARY KEY,
    worker_id  INTEGER NOT NULL REFERENCES worker (id),
    delta      INTEGER NOT NULL CHECK (delta <> 0),
    reason     TEXT    NOT NULL,
    org_id     INTEGER REFERENCES org (id),
    award_key  TEXT,
    note       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX points_entry_worker ON points_entry (worker_id, id);
CREATE UNIQUE INDEX points_entry_award ON points_entry (worker_id, award_key)
    WHERE award_key IS NOT NULL;
CREATE TRIGGER points_entry_no_update BEFORE UPDATE ON points_entry
BEGIN SELECT RAISE(ABORT, 'points_entry is append-only'); END;
CREATE TRIGGER points_entry_no_delete BEFORE DELETE ON points_entry
BEGIN SELECT RAISE(ABORT, 'points_entry is append-only'); END;
