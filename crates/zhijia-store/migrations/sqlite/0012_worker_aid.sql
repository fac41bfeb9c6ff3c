-- Workers apply for hardship aid from the phone (issue 13), with their documents; a file chosen
-- on a form that comes back with an error is kept for its uploader.

-- An application's files may now come from the worker who applied: `uploaded_by` (staff) is
-- empty for those and `uploaded_by_worker` names the worker. SQLite cannot drop a NOT NULL, so
-- the table is rebuilt with the same rows (nothing references it).
CREATE TABLE aid_attachment_next (
    id                 INTEGER PRIMARY KEY,
    application_id     INTEGER NOT NULL REFERENCES aid_application (id),
    file_name          TEXT    NOT NULL,
    content_type       TEXT    NOT NULL,
    size_bytes         INTEGER NOT NULL,
    data               BLOB    NOT NULL,
    uploaded_by        INTEGER REFERENCES staff (id),
    created_at         TEXT    NOT NULL,
    uploaded_by_worker INTEGER REFERENCES worker (id),
    CHECK (uploaded_by IS NOT NULL OR uploaded_by_worker IS NOT NULL)
);
INSERT INTO aid_attachment_next (id, application_id, file_name, content_type, size_bytes, data,
    uploaded_by, created_at)
    SELECT id, application_id, file_name, content_type, size_bytes, data, uploaded_by, created_at
    FROM aid_attachment;
DROP TABLE aid_attachment;
ALTER TABLE aid_attachment_next RENAME TO aid_attachment;
CREATE INDEX aid_attachment_application ON aid_attachment (application_id, id);

-- Files a worker chose on a form that was refused (a missing field, a wrong amount): kept under
-- the phone that sent them, so the form comes back saying "已上传：…" instead of asking for the
-- photo again. Only that phone's session can use them; they are removed when the form goes
-- through, and those older than a day are swept when the same phone keeps new ones.
CREATE TABLE pending_upload (
    id           INTEGER PRIMARY KEY,
    owner_phone  TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    data         BLOB    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX pending_upload_owner ON pending_upload (owner_phone, id);
