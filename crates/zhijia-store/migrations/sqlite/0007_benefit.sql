-- Inclusive benefits (普惠): merchants registered by a union, offers (coupon batches) made by a
-- union for an audience, and the coupons members claim and merchants redeem. Stock is a column
-- of the offer, taken in the same transaction as the coupon is written, under the offer's row
-- lock (PostgreSQL) or the single writer (SQLite): never more coupons than stock.
CREATE TABLE merchant (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org (id),
    name        TEXT    NOT NULL,
    credit_code TEXT    NOT NULL UNIQUE,
    address     TEXT    NOT NULL,
    longitude   TEXT,
    latitude    TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX merchant_org ON merchant (org_id, id);

-- Which merchant a `merchant_staff` account works for: one merchant per account.
CREATE TABLE merchant_staff (
    staff_id    INTEGER PRIMARY KEY REFERENCES staff (id),
    merchant_id INTEGER NOT NULL REFERENCES merchant (id)
);

CREATE TABLE offer (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES org (id),
    merchant_id      INTEGER NOT NULL REFERENCES merchant (id),
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind = 'discount' OR kind = 'fixed_amount' OR kind = 'free_item' OR kind = 'service_voucher'),
    -- Percent off for a discount (e.g. 80 = 8折 is 20% off: stored as the percent paid), fen off
    -- for a fixed amount, 0 otherwise.
    value            INTEGER NOT NULL CHECK (value >= 0),
    stock_total      INTEGER NOT NULL CHECK (stock_total > 0),
    stock_left       INTEGER NOT NULL CHECK (stock_left >= 0),
    per_member_limit INTEGER NOT NULL CHECK (per_member_limit > 0),
    claim_opens_at   TEXT    NOT NULL,
    claim_closes_at  TEXT    NOT NULL,
    valid_days       INTEGER NOT NULL CHECK (valid_days > 0),
    -- Audience beyond the org subtree: a region code prefix and member tags (comma list).
    audience_region  TEXT,
    audience_tags    TEXT,
    status           TEXT    NOT NULL CHECK (status = 'draft' OR status = 'published' OR status = 'withdrawn'),
    created_by       INTEGER REFERENCES staff (id),
    created_at       TEXT    NOT NULL
);
CREATE INDEX offer_org ON offer (org_id, status, id);
CREATE INDEX offer_merchant ON offer (merchant_id, id);

CREATE TABLE coupon (
    id                  INTEGER PRIMARY KEY,
    offer_id            INTEGER NOT NULL REFERENCES offer (id),
    worker_id           INTEGER NOT NULL REFERENCES worker (id),
    code                TEXT    NOT NULL UNIQUE,
    -- The client's key for this claim: a retried request returns the same coupon.
    idempotency_key     TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status = 'claimed' OR status = 'redeemed' OR status = 'expired'),
    claimed_at          TEXT    NOT NULL,
    valid_until         TEXT    NOT NULL,
    redeemed_at         TEXT,
    redeemed_by         INTEGER REFERENCES staff (id),
    redeemed_merchant_id INTEGER REFERENCES merchant (id)
);
CREATE UNIQUE INDEX coupon_idempotency ON coupon (worker_id, idempotency_key);
CREATE INDEX coupon_offer_worker ON coupon (offer_id, worker_id);
CREATE INDEX coupon_worker ON coupon (worker_id, id);
CREATE INDEX coupon_merchant ON coupon (redeemed_merchant_id, redeemed_at);
