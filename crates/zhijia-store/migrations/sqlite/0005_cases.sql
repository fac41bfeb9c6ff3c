-- Rights-protection cases (维权). The table is `rights_case` because CASE is an SQL keyword.
-- A case is filed by a phone (a signed-in worker, member or not: 12351 serves every worker) or
-- registered by staff from a call or a visit; it is handled by one union and, when overdue,
-- supervised (督办) by a union further up the handling union's path.
CREATE TABLE rights_case (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT    NOT NULL CHECK (kind = 'consultation' OR kind = 'assistance' OR kind = 'complaint' OR kind = 'legal_aid' OR kind = 'suggestion'),
    channel             TEXT    NOT NULL CHECK (channel = 'online' OR channel = 'phone' OR channel = 'desk'),
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    employer_name       TEXT    NOT NULL,
    employer_credit_code TEXT,
    region_code         TEXT    NOT NULL,
    -- The worker asked that the employer not learn who they are.
    hide_identity       INTEGER NOT NULL,
    filer_name          TEXT    NOT NULL,
    filer_phone         TEXT    NOT NULL,
    -- The worker record of that phone, when there is one (members and applicants).
    worker_id           INTEGER REFERENCES worker (id),
    handling_org_id     INTEGER NOT NULL REFERENCES org (id),
    -- The union supervising an escalated case; NULL until the first escalation.
    supervising_org_id  INTEGER REFERENCES org (id),
    escalation_level    INTEGER NOT NULL DEFAULT 0,
    state               TEXT    NOT NULL CHECK (state = 'submitted' OR state = 'accepted' OR state = 'declined' OR state = 'in_progress' OR state = 'waiting_on_worker' OR state = 'resolved' OR state = 'closed'),
    reopened            INTEGER NOT NULL DEFAULT 0,
    review_by_parent    INTEGER NOT NULL DEFAULT 0,
    tier                TEXT    NOT NULL CHECK (tier = 'simple' OR tier = 'ordinary' OR tier = 'complex'),
    limit_days          INTEGER NOT NULL,
    submitted_on        TEXT    NOT NULL,
    paused_working_days INTEGER NOT NULL DEFAULT 0,
    paused_since        TEXT,
    -- The last day to handle the case. While the clock is paused the deadline is unknown and
    -- this holds 9999-12-31, so that paused cases sort last in a queue ordered by this index.
    due_on              TEXT    NOT NULL,
    decline_reason      TEXT,
    answer              TEXT,
    resolved_on         TEXT,
    satisfied           INTEGER,
    rating_comment      TEXT,
    submitted_at        TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    closed_at           TEXT
);
-- A handler's queue: open cases of the unions of a subtree, earliest deadline first.
CREATE INDEX rights_case_open_due ON rights_case (due_on, id)
    WHERE state = 'submitted' OR state = 'accepted' OR state = 'in_progress' OR state = 'waiting_on_worker';
CREATE INDEX rights_case_org_open ON rights_case (handling_org_id, due_on, id)
    WHERE state = 'submitted' OR state = 'accepted' OR state = 'in_progress' OR state = 'waiting_on_worker';
CREATE INDEX rights_case_org ON rights_case (handling_org_id, submitted_on);
CREATE INDEX rights_case_supervising ON rights_case (supervising_org_id, due_on, id)
    WHERE supervising_org_id IS NOT NULL;
CREATE INDEX rights_case_filer ON rights_case (filer_phone, id);

-- The history of a case, shown to the handler and to a supervising union: every step, who
-- took it and when. Staff writes also go to the audit log.
CREATE TABLE case_event (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES rights_case (id),
    action      TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    actor_kind  TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    staff_id    INTEGER REFERENCES staff (id),
    org_id      INTEGER REFERENCES org (id),
    note        TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX case_event_case ON case_event (case_id, id);

-- Messages between the worker and the union, and internal notes (internal = 1) that the
-- worker never sees.
CREATE TABLE case_message (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES rights_case (id),
    author      TEXT    NOT NULL CHECK (author = 'worker' OR author = 'staff'),
    author_name TEXT    NOT NULL,
    staff_id    INTEGER REFERENCES staff (id),
    internal    INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX case_message_case ON case_message (case_id, id);

-- Attachments live in the database, so every server process on one PostgreSQL serves them.
CREATE TABLE case_attachment (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES rights_case (id),
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    data         BLOB    NOT NULL,
    uploaded_by  TEXT    NOT NULL CHECK (uploaded_by = 'worker' OR uploaded_by = 'staff'),
    created_at   TEXT    NOT NULL
);
CREATE INDEX case_attachment_case ON case_attachment (case_id, id);

-- Labour-dispute mediation records (调解记录).
CREATE TABLE case_mediation (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES rights_case (id),
    parties     TEXT    NOT NULL,
    mediated_on TEXT    NOT NULL,
    mediator    TEXT    NOT NULL,
    agreement   TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome = 'settled' OR outcome = 'partly_settled' OR outcome = 'not_settled'),
    staff_id    INTEGER REFERENCES staff (id),
    created_at  TEXT    NOT NULL
);
CREATE INDEX case_mediation_case ON case_mediation (case_id, id);
