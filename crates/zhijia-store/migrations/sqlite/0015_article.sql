-- New media (资讯): every union's channel, its articles, notices and legal-knowledge answers,
-- their images, likes and moderated comments. See docs/news.md.

-- Images of the channels and articles (avatars, covers), checked by content when uploaded.
CREATE TABLE article_image (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org (id),
    content_type TEXT    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes   INTEGER NOT NULL CHECK (size_bytes > 0),
    data         BLOB    NOT NULL,
    created_by   INTEGER REFERENCES staff (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX article_image_org ON article_image (org_id, id);

-- A union's channel (频道). Every union has one: without a row it is named after the union.
CREATE TABLE channel (
    org_id     INTEGER PRIMARY KEY REFERENCES org (id),
    name       TEXT    NOT NULL,
    intro      TEXT    NOT NULL,
    avatar_id  INTEGER REFERENCES article_image (id),
    updated_by INTEGER REFERENCES staff (id),
    updated_at TEXT    NOT NULL
);

-- Articles (资讯), notices (通知公告) and answers of the legal knowledge base (法律知识库), in a
-- union's channel. Written as a draft, submitted for review, published by a second person
-- (never the writer or the last editor), withdrawn. `published_at` may lie ahead (scheduled):
-- nobody sees the article before it. A re-share (转载) is a published row of the lower union
-- pointing at the source (`shared_from`); it shows the source's text and credits it.
-- `review_note` is why a reviewer sent it back to draft (cleared when it is submitted again).
CREATE TABLE article (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('article', 'notice', 'answer')),
    topic        TEXT    CHECK (topic IN ('wages', 'contract', 'social_insurance', 'injury', 'gig_work')),
    title        TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    body_html    TEXT    NOT NULL,
    tags         TEXT    NOT NULL,
    source       TEXT,
    cover_id     INTEGER REFERENCES article_image (id),
    pinned       INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    expires_at   TEXT,
    publish_at   TEXT,
    shared_from  INTEGER REFERENCES article (id),
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'withdrawn')),
    created_by   INTEGER REFERENCES staff (id),
    created_at   TEXT    NOT NULL,
    edited_by    INTEGER REFERENCES staff (id),
    reviewed_by  INTEGER REFERENCES staff (id),
    review_note  TEXT,
    published_at TEXT,
    read_count   INTEGER NOT NULL DEFAULT 0,
    like_count   INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'answer') = (topic IS NOT NULL)),
    CHECK (kind = 'notice' OR (pinned = 0 AND expires_at IS NULL))
);
CREATE INDEX article_org ON article (org_id, id);
CREATE INDEX article_published ON article (status, published_at);
CREATE INDEX article_shared_from ON article (shared_from);
CREATE UNIQUE INDEX article_share_once ON article (org_id, shared_from) WHERE shared_from IS NOT NULL;

-- One like per member and article.
CREATE TABLE article_like (
    article_id INTEGER NOT NULL REFERENCES article (id),
    worker_id  INTEGER NOT NULL REFERENCES worker (id),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (article_id, worker_id)
);
CREATE INDEX article_like_worker ON article_like (worker_id);

-- Comments (留言): stored masked (phone and identity numbers), shown only once an editor of
-- the channel featured (精选) them; the editor may answer under one. The writer may delete it.
CREATE TABLE article_comment (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES article (id),
    worker_id   INTEGER NOT NULL REFERENCES worker (id),
    body        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'featured', 'deleted')),
    featured_by INTEGER REFERENCES staff (id),
    reply       TEXT,
    replied_by  INTEGER REFERENCES staff (id),
    replied_at  TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX article_comment_article ON article_comment (article_id, status, id);
CREATE INDEX article_comment_worker ON article_comment (worker_id, id);
