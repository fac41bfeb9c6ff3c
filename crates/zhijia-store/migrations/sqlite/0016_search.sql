-- Search (搜索, issue 15 item 6): an outbox of changes to searchable records, so every server
-- process keeps its own full-text index current (docs/search.md).
--
-- Every insert of a searchable record, and every update of a column the index or its
-- visibility reads, appends a row here in the same transaction, by trigger: whoever writes the
-- record (the publishable module, the articles' review steps, offers, activities, bulk loads)
-- cannot forget it. Counters that change on every read or claim (read_count, like_count,
-- stock_left) are not watched. Each process applies the rows after its own cursor and keeps the
-- cursor with its index; old rows are pruned, and a process whose cursor is older than what is
-- kept rebuilds its index from the store.
CREATE TABLE search_change (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT    NOT NULL,
    record_id  INTEGER NOT NULL,
    changed_at TEXT    NOT NULL
);
CREATE INDEX search_change_time ON search_change (changed_at);

-- The highest outbox id pruned so far (one row once something was pruned): a process whose
-- cursor is below it has missed changes and rebuilds.
CREATE TABLE search_pruned (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    through_id INTEGER NOT NULL
);

CREATE TRIGGER article_search_insert AFTER INSERT ON article
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('article', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER article_search_update AFTER UPDATE OF kind, topic, title, summary, body, tags, org_id, status, published_at, expires_at, shared_from ON article
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('article', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER offer_search_insert AFTER INSERT ON offer
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('offer', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER offer_search_update AFTER UPDATE OF title, description, org_id, status, claim_closes_at, audience_region, audience_tags ON offer
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('offer', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER activity_search_insert AFTER INSERT ON activity
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('activity', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER activity_search_update AFTER UPDATE OF title, description, place, org_id, status, ends_at, audience_region, audience_tags ON activity
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('activity', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER library_item_search_insert AFTER INSERT ON library_item
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('library_item', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER library_item_search_update AFTER UPDATE OF kind, title, author, summary, body, org_id, status, published_at ON library_item
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('library_item', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER model_worker_search_insert AFTER INSERT ON model_worker
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('model_worker', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
CREATE TRIGGER model_worker_search_update AFTER UPDATE OF name, honour, level, year, employer, story, org_id, status, published_at ON model_worker
BEGIN INSERT INTO search_change (source, record_id, changed_at) VALUES ('model_worker', NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'); END;
