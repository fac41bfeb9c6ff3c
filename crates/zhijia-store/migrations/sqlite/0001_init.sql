-- The union tree. `path` is the materialised path of ids (`/1/12/345/`): the subtree of an org
-- is the index range [path, path with its last '/' replaced by '0').
CREATE TABLE org (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES org (id),
    path          TEXT    NOT NULL,
    depth         INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    level         TEXT    NOT NULL CHECK (level IN ('national', 'province', 'city', 'county', 'township', 'grassroots')),
    kind          TEXT    NOT NULL CHECK (kind IN ('general', 'industry', 'regional')),
    region_code   TEXT    NOT NULL,
    credit_code   TEXT,
    -- For a grassroots union: the employer it is in (join applications are routed by this code).
    employer_name TEXT,
    employer_credit_code TEXT,
    industry_code TEXT,
    chair         TEXT,
    founded_on    TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX org_path ON org (path);
CREATE INDEX org_parent ON org (parent_id, name);
CREATE UNIQUE INDEX org_credit_code ON org (credit_code);
CREATE UNIQUE INDEX org_employer_credit_code ON org (employer_credit_code);

-- Every move of an org under a new parent, so history survives a reorganisation.
CREATE TABLE org_move (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES org (id),
    from_parent_id INTEGER REFERENCES org (id),
    to_parent_id   INTEGER NOT NULL REFERENCES org (id),
    from_path      TEXT    NOT NULL,
    to_path        TEXT    NOT NULL,
    descendants    INTEGER NOT NULL,
    moved_by       TEXT    NOT NULL,
    moved_at       TEXT    NOT NULL
);
CREATE INDEX org_move_org ON org_move (org_id, moved_at);

-- Workers (members or not). The identity number is stored only encrypted (AES-256-GCM), with a
-- keyed blind index for lookup and duplicate checks.
CREATE TABLE worker (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL,
    id_number_enc        BLOB    NOT NULL,
    id_number_idx        BLOB    NOT NULL,
    sex                  TEXT    NOT NULL CHECK (sex IN ('1', '2')),
    birth_date           TEXT    NOT NULL,
    phone                TEXT    NOT NULL,
    region_code          TEXT    NOT NULL,
    employer_name        TEXT,
    employer_credit_code TEXT,
    gig_occupation       TEXT,
    org_id               INTEGER REFERENCES org (id),
    created_at           TEXT    NOT NULL
);
CREATE UNIQUE INDEX worker_id_number ON worker (id_number_idx);
CREATE UNIQUE INDEX worker_phone ON worker (phone);
CREATE INDEX worker_org ON worker (org_id);
