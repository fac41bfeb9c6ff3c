//! The searchable kinds: each says how its rows become documents and who may see them.

use super::Searchable;

/// Binds the reader's parameters a kind does not use, so PostgreSQL knows their types.
const READER_UNUSED: &str = "CAST($2 AS TEXT) = CAST($2 AS TEXT) \
     AND CAST($3 AS TEXT) = CAST($3 AS TEXT) AND CAST($4 AS TEXT) = CAST($4 AS TEXT)";

/// The member's union is the record's union or below it.
const IN_CHAIN: &str =
    "CAST($2 AS TEXT) <> '' AND substr(CAST($2 AS TEXT), 1, length(o.path)) = o.path";

/// Articles, notices and knowledge-base answers (one table). A re-share is the source shown in
/// another channel: only the source is indexed.
pub struct Articles;
impl Searchable for Articles {
    const SOURCE: &'static str = "article";
    const DOCS: &'static str = "SELECT r.id, r.kind, r.title, r.summary || ' ' || r.body AS body, \
         r.tags, o.path AS org_path, o.name AS org_name, r.published_at, r.expires_at, \
         CAST(NULL AS TEXT) AS audience_region, CAST(NULL AS TEXT) AS audience_tags \
         FROM article r JOIN org o ON o.id = r.org_id";
    const LIVE: &'static str = "r.status = 'published' AND r.shared_from IS NULL";
    fn visible() -> String {
        // Answers are for everyone; articles and notices reach a member from their union and
        // the unions above it (their feed), and anyone who is not signed in as a member.
        "r.published_at <= $1 AND (r.expires_at IS NULL OR r.expires_at > $1) \
         AND (r.kind = 'answer' OR CAST($2 AS TEXT) = '' \
              OR substr(CAST($2 AS TEXT), 1, length(o.path)) = o.path) \
         AND CAST($3 AS TEXT) = CAST($3 AS TEXT) AND CAST($4 AS TEXT) = CAST($4 AS TEXT)"
            .into()
    }
}

/// Offers (普惠): members of the subtree in the audience, while claims are open or opening.
pub struct Offers;
impl Searchable for Offers {
    const SOURCE: &'static str = "offer";
    const DOCS: &'static str = "SELECT r.id, CAST('offer' AS TEXT) AS kind, r.title, \
         r.description || ' ' || m.name AS body, CAST('' AS TEXT) AS tags, o.path AS org_path, \
         o.name AS org_name, r.created_at AS published_at, r.claim_closes_at AS expires_at, \
         r.audience_region, r.audience_tags \
         FROM offer r JOIN org o ON o.id = r.org_id JOIN merchant m ON m.id = r.merchant_id";
    const LIVE: &'static str = "r.status = 'published'";
    fn visible() -> String {
        format!(
            "r.claim_closes_at > $1 AND {IN_CHAIN} AND {}",
            crate::audience::condition("r", "$3", "$4")
        )
    }
}

/// Activities: members of the subtree in the audience, until they end.
pub struct Activities;
impl Searchable for Activities {
    const SOURCE: &'static str = "activity";
    const DOCS: &'static str = "SELECT r.id, CAST('activity' AS TEXT) AS kind, r.title, \
         r.description || ' ' || r.place AS body, CAST('' AS TEXT) AS tags, \
         o.path AS org_path, o.name AS org_name, r.created_at AS published_at, \
         r.ends_at AS expires_at, r.audience_region, r.audience_tags \
         FROM activity r JOIN org o ON o.id = r.org_id";
    const LIVE: &'static str = "r.status = 'open'";
    fn visible() -> String {
        format!(
            "r.ends_at > $1 AND {IN_CHAIN} AND {}",
            crate::audience::condition("r", "$3", "$4")
        )
    }
}

/// The workers' library (职工书屋): public once published.
pub struct Library;
impl Searchable for Library {
    const SOURCE: &'static str = "library_item";
    const DOCS: &'static str = "SELECT r.id, CAST('library' AS TEXT) AS kind, r.title, \
         r.author || ' ' || r.summary || ' ' || r.body AS body, CAST('' AS TEXT) AS tags, \
         o.path AS org_path, o.name AS org_name, r.published_at, \
         CAST(NULL AS TIMESTAMPTZ) AS expires_at, CAST(NULL AS TEXT) AS audience_region, \
         CAST(NULL AS TEXT) AS audience_tags \
         FROM library_item r JOIN org o ON o.id = r.org_id";
    const LIVE: &'static str = "r.status = 'published'";
    fn visible() -> String {
        format!("r.published_at <= $1 AND {READER_UNUSED}")
    }
}

/// The model-worker showcase (劳模风采): public once published.
pub struct ModelWorkers;
impl Searchable for ModelWorkers {
    const SOURCE: &'static str = "model_worker";
    const DOCS: &'static str = "SELECT r.id, CAST('model_worker' AS TEXT) AS kind, r.name AS title, \
         r.honour || ' ' || r.employer || ' ' || r.story AS body, CAST('' AS TEXT) AS tags, \
         o.path AS org_path, o.name AS org_name, r.published_at, \
         CAST(NULL AS TIMESTAMPTZ) AS expires_at, CAST(NULL AS TEXT) AS audience_region, \
         CAST(NULL AS TEXT) AS audience_tags \
         FROM model_worker r JOIN org o ON o.id = r.org_id";
    const LIVE: &'static str = "r.status = 'published'";
    fn visible() -> String {
        format!("r.published_at <= $1 AND {READER_UNUSED}")
    }
}

/// Every source's table, in the order a rebuild reads them.
pub const SOURCES: &[&str] = &[
    Articles::SOURCE,
    Offers::SOURCE,
    Activities::SOURCE,
    Library::SOURCE,
    ModelWorkers::SOURCE,
];
