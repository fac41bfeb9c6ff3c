-- Hardship aid (帮扶): hardship files per household and the people in them, aid applications
-- with their staged decisions and public-notice objections, and the append-only disbursement
-- ledger. (0005 is the rights-protection cases' migration, landed separately.)

-- A staff member's own identity, as the blind index of their identity number (never the
-- number): aid decisions on the staff member's own household are refused by comparing it with
-- the household's indexes.
ALTER TABLE staff ADD COLUMN id_number_idx BLOB;

CREATE TABLE hardship_file (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES org (id),
    head_worker_id      INTEGER NOT NULL REFERENCES worker (id),
    tier                TEXT    NOT NULL CHECK (tier = 'deep' OR tier = 'relative' OR tier = 'accidental'),
    cause               TEXT    NOT NULL,
    household_size      INTEGER NOT NULL CHECK (household_size > 0),
    -- Sensitive (aid officers only): monthly income per head in fen, health, disability.
    income_per_head_fen INTEGER NOT NULL CHECK (income_per_head_fen >= 0),
    health              TEXT    NOT NULL,
    disability          TEXT    NOT NULL,
    housing             TEXT    NOT NULL,
    -- The local minimum living standard the income was compared with, and its region.
    minimum_fen         INTEGER NOT NULL,
    region_code         TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status = 'active' OR status = 'lapsed' OR status = 'exited'),
    opened_on           TEXT    NOT NULL,
    last_reviewed_on    TEXT    NOT NULL,
    review_due_on       TEXT    NOT NULL,
    -- Not reviewed by then (the review date plus the grace period set at the time), the file
    -- lapses.
    lapses_on           TEXT    NOT NULL,
    closed_on           TEXT,
    close_reason        TEXT,
    created_by          INTEGER REFERENCES staff (id),
    created_at          TEXT    NOT NULL
);
CREATE INDEX hardship_file_org ON hardship_file (org_id, status, id);
CREATE INDEX hardship_file_due ON hardship_file (status, review_due_on);
CREATE INDEX hardship_file_lapse ON hardship_file (status, lapses_on);

-- The people of a household, the head included (relation 'self'). `active` is true while the
-- file is active: one person is in at most one active file, by the blind index.
CREATE TABLE household_member (
    id            INTEGER PRIMARY KEY,
    file_id       INTEGER NOT NULL REFERENCES hardship_file (id),
    name          TEXT    NOT NULL,
    relation      TEXT    NOT NULL,
    id_number_enc BLOB    NOT NULL,
    id_number_idx BLOB    NOT NULL,
    active        INTEGER NOT NULL
);
CREATE UNIQUE INDEX household_member_active ON household_member (id_number_idx) WHERE active = 1;
CREATE INDEX household_member_file ON household_member (file_id);

CREATE TABLE aid_application (
    id              INTEGER PRIMARY KEY,
    file_id         INTEGER NOT NULL REFERENCES hardship_file (id),
    kind            TEXT    NOT NULL CHECK (kind = 'daily_living' OR kind = 'medical' OR kind = 'education_grant' OR kind = 'emergency'),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    reason          TEXT    NOT NULL,
    -- 金秋助学: the student (a household member), the school and the admission proof.
    student_id      INTEGER REFERENCES household_member (id),
    school          TEXT,
    admission_proof TEXT,
    -- The chain fixed when the application was made ("grassroots,county,city"), and the stage
    -- awaiting a decision (NULL once closed).
    chain           TEXT    NOT NULL,
    current_stage   INTEGER,
    status          TEXT    NOT NULL CHECK (status = 'in_review' OR status = 'rejected' OR status = 'approved' OR status = 'suspended' OR status = 'disbursed'),
    approved_on     TEXT,
    notice_ends_on  TEXT,
    created_by      INTEGER REFERENCES staff (id),
    created_at      TEXT    NOT NULL
);
CREATE INDEX aid_application_file ON aid_application (file_id, id);
CREATE INDEX aid_application_status ON aid_application (status, id);

-- One row per decided stage. The unique indexes are the separation of duties in the database:
-- a stage is decided once, and one person decides at most one stage of an application.
CREATE TABLE aid_decision (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES aid_application (id),
    stage          INTEGER NOT NULL,
    level          TEXT    NOT NULL,
    org_id         INTEGER NOT NULL REFERENCES org (id),
    staff_id       INTEGER NOT NULL REFERENCES staff (id),
    approve        INTEGER NOT NULL,
    reason         TEXT    NOT NULL,
    decided_at     TEXT    NOT NULL,
    UNIQUE (application_id, stage),
    UNIQUE (application_id, staff_id)
);

CREATE TABLE aid_objection (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES aid_application (id),
    detail         TEXT    NOT NULL,
    filed_by       TEXT    NOT NULL,
    filed_at       TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status = 'open' OR status = 'upheld' OR status = 'dismissed'),
    resolved_by    INTEGER REFERENCES staff (id),
    resolved_at    TEXT,
    resolution     TEXT
);
CREATE INDEX aid_objection_application ON aid_objection (application_id, id);

-- The ledger. Append-only: a mistake is corrected by a reversing entry (negative amount) that
-- points to the original; `year` is the year the original counts in, so totals per year are
-- restored by the reversal.
CREATE TABLE disbursement (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES aid_application (id),
    file_id        INTEGER NOT NULL REFERENCES hardship_file (id),
    amount_fen     INTEGER NOT NULL CHECK (amount_fen <> 0),
    fund_source    TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    paid_on        TEXT    NOT NULL,
    year           INTEGER NOT NULL,
    operator_id    INTEGER REFERENCES staff (id),
    operator_name  TEXT    NOT NULL,
    reverses_id    INTEGER UNIQUE REFERENCES disbursement (id),
    note           TEXT,
    created_at     TEXT    NOT NULL
);
CREATE INDEX disbursement_file ON disbursement (file_id, year);
CREATE INDEX disbursement_application ON disbursement (application_id);
CREATE TRIGGER disbursement_no_update BEFORE UPDATE ON disbursement
BEGIN SELECT RAISE(ABORT, 'disbursement is append-only: record a reversing entry'); END;
CREATE TRIGGER disbursement_no_delete BEFORE DELETE ON disbursement
BEGIN SELECT RAISE(ABORT, 'disbursement is append-only: record a reversing entry'); END;

-- Files attached to an application (the admission letter of an education grant, medical bills,
-- …). The bytes are in the database, as for case attachments, so every server process serves
-- them. Only staff attach them; the type is decided by content (`zhijia_domain::attachment`).
CREATE TABLE aid_attachment (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES aid_application (id),
    file_name      TEXT    NOT NULL,
    content_type   TEXT    NOT NULL,
    size_bytes     INTEGER NOT NULL,
    data           BLOB    NOT NULL,
    uploaded_by    INTEGER NOT NULL REFERENCES staff (id),
    created_at     TEXT    NOT NULL
);
CREATE INDEX aid_attachment_application ON aid_attachment (application_id, id);
