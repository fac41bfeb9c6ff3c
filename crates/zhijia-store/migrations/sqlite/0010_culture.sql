-- Shops of merchants with coordinates, offers proposed by merchants, the record of model workers
-- (劳模) and the workers' library (职工书屋), and audiences (region, member tags) for activities.

-- A merchant's shops (门店). Coordinates are GCJ-02, as Chinese map services give them.
CREATE TABLE shop (
    id          INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchant (id),
    name        TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    longitude   REAL,
    latitude    REAL,
    created_at  TEXT    NOT NULL,
    CHECK ((longitude IS NULL) = (latitude IS NULL))
);
CREATE INDEX shop_merchant ON shop (merchant_id, id);

-- An offer a merchant proposes; the union that registered the merchant (or one above it)
-- approves it into an offer with an audience, or rejects it with a reason.
CREATE TABLE offer_proposal (
    id               INTEGER PRIMARY KEY,
    merchant_id      INTEGER NOT NULL REFERENCES merchant (id),
    org_id           INTEGER NOT NULL REFERENCES org (id),
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('discount', 'fixed_amount', 'free_item', 'service_voucher')),
    value            INTEGER NOT NULL CHECK (value >= 0),
    stock            INTEGER NOT NULL CHECK (stock > 0),
    per_member_limit INTEGER NOT NULL CHECK (per_member_limit > 0),
    claim_opens_at   TEXT    NOT NULL,
    claim_closes_at  TEXT    NOT NULL,
    valid_days       INTEGER NOT NULL CHECK (valid_days > 0),
    status           TEXT    NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'cancelled')),
    proposed_by      INTEGER REFERENCES staff (id),
    proposed_at      TEXT    NOT NULL,
    decided_by       INTEGER REFERENCES staff (id),
    decided_at       TEXT,
    reason           TEXT,
    offer_id         INTEGER REFERENCES offer (id)
);
CREATE INDEX offer_proposal_org ON offer_proposal (org_id, status, id);
CREATE INDEX offer_proposal_merchant ON offer_proposal (merchant_id, id);

-- Model workers (劳模) recorded by a union: the honour, and the story shown in the showcase
-- (劳模风采) once published with the honouree's consent. `worker_id` links an honouree who is a
-- worker here (it gives the member tag `model_worker`); honourees of the past have none.
CREATE TABLE model_worker (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org (id),
    worker_id    INTEGER REFERENCES worker (id),
    name         TEXT    NOT NULL,
    honour       TEXT    NOT NULL,
    level        TEXT    NOT NULL CHECK (level IN ('national', 'province', 'city', 'county')),
    year         INTEGER NOT NULL,
    employer     TEXT    NOT NULL,
    story        TEXT    NOT NULL,
    consent_at   TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    created_by   INTEGER REFERENCES staff (id),
    created_at   TEXT    NOT NULL,
    published_at TEXT
);
CREATE INDEX model_worker_org ON model_worker (org_id, id);
CREATE INDEX model_worker_worker ON model_worker (worker_id);
CREATE INDEX model_worker_published ON model_worker (status, published_at);

-- The workers' library (职工书屋): books to borrow at a union's reading room, e-books and audio
-- books by link, and reading guides.
CREATE TABLE library_item (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('book', 'ebook', 'audiobook', 'reading')),
    title        TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    link         TEXT,
    place        TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    created_by   INTEGER REFERENCES staff (id),
    created_at   TEXT    NOT NULL,
    published_at TEXT
);
CREATE INDEX library_item_org ON library_item (org_id, id);
CREATE INDEX library_item_published ON library_item (status, published_at);

-- Activities get the audience offers have: a region code prefix and member tags (comma list).
ALTER TABLE activity ADD COLUMN audience_region TEXT;
ALTER TABLE activity ADD COLUMN audience_tags TEXT;
