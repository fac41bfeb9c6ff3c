-- The points mall (积分商城): items a union offers for points, with exact stock as offers have,
-- and the orders members place. An order spends the points in the same transaction as it takes
-- the stock, under the item's row lock: neither stock nor a balance can be overdrawn.
CREATE TABLE mall_item (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES org (id),
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    points           INTEGER NOT NULL CHECK (points > 0),
    stock_total      INTEGER NOT NULL CHECK (stock_total > 0),
    stock_left       INTEGER NOT NULL CHECK (stock_left >= 0),
    per_member_limit INTEGER NOT NULL CHECK (per_member_limit > 0),
    status           TEXT    NOT NULL CHECK (status = 'on_sale' OR status = 'withdrawn'),
    created_by       INTEGER REFERENCES staff (id),
    created_at       TEXT    NOT NULL
);
CREATE INDEX mall_item_org ON mall_item (org_id, status, id);

CREATE TABLE mall_order (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES mall_item (id),
    worker_id       INTEGER NOT NULL REFERENCES worker (id),
    points          INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX mall_order_idempotency ON mall_order (worker_id, idempotency_key);
CREATE INDEX mall_order_item_worker ON mall_order (item_id, worker_id);
CREATE INDEX mall_order_worker ON mall_order (worker_id, id);
